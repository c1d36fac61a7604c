#if canImport(Glibc)
import PluginHostCore
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// The one place the host calls `dlopen` and `dlsym`, each followed at once by `dlerror`.
///
/// `dlerror` reports the last failure of the calling thread, and any dynamic-linker call in
/// between (including one made implicitly by another library on this thread) replaces it. Like
/// swift-system reading `errno` right after each syscall, every call here clears the pending
/// error, makes the call and reads the message in one step, under a process-wide lock so that
/// loads never interleave their error reporting.
enum DynamicLinker {
    /// Serializes dlopen/dlsym + dlerror; counts the calls it guarded (a payload, not `Void`:
    /// TSan misattributes inout access to zero-sized values).
    private static let lock = Locked<UInt64>(0)

    /// A library handle or the dynamic linker's message.
    enum OpenResult {
        case opened(UnsafeMutableRawPointer)
        case failed(String)
    }

    /// Opens `path` with every symbol bound now (so a missing dependency fails here, not in
    /// the middle of a node), kept private to this library, and never unmapped.
    ///
    /// The corresponding C function is `dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)`.
    static func open(_ path: String) -> OpenResult {
        lock.withLock { calls in
            calls &+= 1
            _ = dlerror()
            let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)
            let message = lastError()
            if let handle { return .opened(handle) }
            return .failed(message ?? "dlopen failed without a message")
        }
    }

    /// Names already given to `dlopen` as `/proc/self/fd/<directory>/<name>`, and the highest
    /// descriptor number among them. The dynamic linker never forgets a library's name (plugins
    /// are never unloaded), and it answers a request for a name it knows with the library
    /// already loaded under it, without opening anything: so should a directory descriptor's
    /// number be closed and reused (a failed load closes it; plugin code may close descriptors),
    /// a name it was part of must not be asked again.
    private static let usedNames = Locked<(names: Set<String>, highest: Int32)>(([], -1))

    /// Opens the library `name` in the open directory `directory` through
    /// `/proc/self/fd/<directory>/<name>`, as ``open(_:)`` opens a path, so that the library's
    /// `$ORIGIN` is `/proc/self/fd/<directory>`: the checked directory itself (see
    /// ``CheckedLibraryFile``). When that name was used for an earlier load, the directory is
    /// first duplicated to a number above every number used, and that duplicate is the one
    /// named. `named` is the descriptor the name holds: the caller keeps it open for as long as
    /// the library is mapped when the open succeeded (a duplicate is closed here on failure);
    /// `directory` itself is never closed here. In the dynamic linker's message the library's
    /// name becomes `path` and the directory's becomes `directoryPath`, so messages (about the
    /// plugin or a library beside it) name real paths.
    static func open(directory: Int32, name: String, describe path: String, directoryPath: String) -> (result: OpenResult, named: Int32) {
        let chosen: Int32? = usedNames.withLock { used in
            var number = directory
            if used.names.contains("/proc/self/fd/\(number)/\(name)") {
                number = fcntl(directory, F_DUPFD_CLOEXEC, used.highest + 1)
                guard number >= 0 else { return nil }
            }
            used.names.insert("/proc/self/fd/\(number)/\(name)")
            used.highest = max(used.highest, number)
            return number
        }
        guard let number = chosen else {
            return (.failed("could not duplicate the plugin's directory descriptor (\(String(cString: strerror(errno))))"), directory)
        }
        let directoryName = "/proc/self/fd/\(number)"
        switch open(directoryName + "/" + name) {
        case .opened(let handle):
            return (.opened(handle), number)
        case .failed(let message):
            if number != directory { close(number) }
            let described = message.replacingAll(directoryName + "/" + name, with: path)
                .replacingAll(directoryName + "/", with: directoryPath == "/" ? "/" : directoryPath + "/")
            return (.failed(described), directory)
        }
    }

    /// The address of `name` in the library `handle` (or its dependencies), or nil.
    ///
    /// The corresponding C function is `dlsym`.
    static func symbol(_ name: String, in handle: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        // dlsym takes a handle that is not Sendable; pass it through as an integer.
        let bits = UInt(bitPattern: handle)
        let address: UInt = lock.withLock { calls in
            calls &+= 1
            _ = dlerror()
            let found = dlsym(UnsafeMutableRawPointer(bitPattern: bits), name)
            _ = lastError()
            return UInt(bitPattern: found)
        }
        return UnsafeMutableRawPointer(bitPattern: address)
    }

    /// `dlerror()`'s text, copied before anything can replace it.
    private static func lastError() -> String? {
        guard let text = dlerror() else { return nil }
        return String(cString: text)
    }
}

extension String {
    /// `self` with every occurrence of `target` replaced (no Foundation in this module).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = "", rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
