#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The host's own state files (scan cache, quarantine): read only when they are trustworthy,
/// replaced atomically, private to the user.
///
/// A state file decides what the host skips (a cached "ok", a quarantine), so one another user
/// could write is ignored rather than trusted, and a write never leaves a half-written file
/// behind: it goes to a temporary file, mode 0600, renamed over the old one.
public enum PrivateFile {
    /// The file's bytes, or nil when it is missing, not a regular file, not owned by this user,
    /// writable by group or others, larger than `maximumSize`, or unreadable. Never follows a
    /// final symlink and never blocks on a FIFO.
    public static func readTrusted(_ path: String, maximumSize: Int) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
              status.st_uid == geteuid(), status.st_mode & 0o022 == 0,
              status.st_size <= maximumSize else { return nil }
        let size = Int(status.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, size - done, off_t(done)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            done += count
        }
        return bytes
    }

    /// Replaces `path` with `bytes` atomically (temporary file + rename), mode 0600, creating
    /// missing parent directories with mode 0700. The error says which step failed and why.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(PrivateFileError) {
        try makeDirectories(parentDirectory(of: path))
        let temporary = "\(path).tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw PrivateFileError("cannot write \(temporary): \(describe(errno))") }
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason = describe(errno)
                close(descriptor)
                unlink(temporary)
                throw PrivateFileError("cannot write \(temporary): \(reason)")
            }
            done += count
        }
        fchmod(descriptor, 0o600)  // O_CREAT's mode does not apply to a leftover temporary file
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = describe(errno)
            unlink(temporary)
            throw PrivateFileError("cannot replace \(path): \(reason)")
        }
    }

    /// `mkdir -p` with mode 0700 for the directories it creates.
    public static func makeDirectories(_ path: String) throws(PrivateFileError) {
        var status = stat()
        if stat(path, &status) == 0 { return }
        let parent = parentDirectory(of: path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw PrivateFileError("cannot create the directory \(path): \(describe(errno))")
        }
    }

    /// `dirname(path)`: "." for a bare name, "/" for a file at the root.
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }

    private static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}

/// Why a private state file could not be written; the description names the file and errno.
public struct PrivateFileError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
