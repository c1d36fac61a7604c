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

    /// Descriptor numbers already given to `dlopen` as `/proc/self/fd/N`. The dynamic linker
    /// never forgets a library's name (plugins are never unloaded), and it answers a request for
    /// a name it knows with the library already loaded under it, without opening anything: so
    /// once N is closed and reused for another plugin, "/proc/self/fd/N" must not be asked again.
    private static let usedDescriptorNames = Locked<Set<Int32>>([])

    /// Opens the library open on `descriptor` through `/proc/self/fd/N`, as ``open(_:)`` opens a
    /// path. When N was used for an earlier load, the file is first duplicated to a number
    /// never used (and that duplicate closed afterwards). `describe` replaces the
    /// `/proc/self/fd/N` name in the dynamic linker's message with the real path.
    static func open(descriptor: Int32, describe path: String) -> OpenResult {
        var number = descriptor
        let fresh: Bool = usedDescriptorNames.withLock { used in
            if used.contains(number) {
                let floor = (used.max() ?? 0) + 1
                let duplicate = fcntl(descriptor, F_DUPFD_CLOEXEC, floor)
                guard duplicate >= 0 else { return false }
                number = duplicate
            }
            used.insert(number)
            return true
        }
        guard fresh else { return .failed("could not duplicate the plugin's descriptor (\(String(cString: strerror(errno))))") }
        defer { if number != descriptor { close(number) } }
        let name = "/proc/self/fd/\(number)"
        switch open(name) {
        case .opened(let handle): return .opened(handle)
        case .failed(let message): return .failed(message.replacingAll(name, with: path))
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
