#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore
import Synchronization

/// An append-only JSON-lines file with one ``AuditRecord`` per node execution.
///
/// An audit log is only worth keeping if a record the host reported as written is really
/// there after a crash or power loss, is whole, and was not lost quietly. So:
/// - The file is opened once, `O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW` (plus `O_NONBLOCK |
///   O_NOCTTY`, so a FIFO at that path fails at once instead of hanging). A symbolic link at the
///   path is refused, never followed (it could point the host's appends at any file it may
///   write), and the opened file must be a regular file (`fstat`): a FIFO, a device or a
///   directory is refused.
/// - A missing log is created (`O_CREAT | O_EXCL`) with mode exactly `0600`. An existing log is
///   never `chmod`ed: the host keeps the mode someone else chose, but refuses a log that group
///   or others may write (mode `& 0o022`), since anyone who can write it can also truncate it or
///   forge records. Missing parent directories are created `0700`.
/// - Each record is one `write` of the whole line (retried on `EINTR` and short writes) under a
///   lock, so concurrent executions never interleave; with `O_APPEND`, other processes appending
///   to the same local file do not interleave single writes either.
/// - With ``Durability/everyRecord`` (the default) each record is `fdatasync`ed before
///   ``append(_:)`` returns, outside the lock so concurrent appends share the disk flush.
/// - Every failure is returned as an `AUDIT_FAILED` problem for the caller to surface, never
///   swallowed. If a write fails half way, the next record starts on a fresh line, so one torn
///   line cannot corrupt the ones after it.
public final class AuditLog: Sendable {
    /// How hard ``append(_:)`` works to make a record survive a crash.
    public enum Durability: Sendable, Hashable {
        /// `fdatasync` after every record: a record is on disk when `append` returns. Costs a
        /// disk flush per execution (from microseconds on NVMe to milliseconds on spinning disks).
        case everyRecord
        /// No flush: the record is in the kernel's page cache when `append` returns, so it
        /// survives the process crashing but not the machine losing power. For tests and
        /// benchmarks, or where the file system or a log shipper gives durability instead.
        case none
    }

    /// The absolute path of the log file.
    public let path: String
    public let durability: Durability
    private let descriptor: Int32
    /// Whether a failed write left a partial line, so the next record must start with `\n`.
    private let tornLine = Locked(false)

    /// Opens (creating if needed) the log at `path`. Throws `AUDIT_FAILED` when the directory
    /// cannot be created, the path is a symbolic link, the file cannot be opened for appending,
    /// is not a regular file, or (when it already existed) is writable by group or others.
    public init(path: String, durability: Durability = .everyRecord) throws(Problem) {
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw Problem(.auditFailed, .error, "The audit log path is empty or contains a NUL byte; set a file path for the audit log.")
        }
        let path = PolicyFileReader.absolute(path)
        try Self.makeParentDirectories(of: path)
        let (fd, created) = try Self.openForAppending(path)
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw Self.failure(path, "could not be examined", code)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw Problem(.auditFailed, .error, "The audit log \(path) is \(Self.describe(fileType: status.st_mode)), not a regular file; point the audit log at a file path.", file: path)
        }
        if created {
            // O_CREAT's mode went through the umask; a log the host made is exactly 0600.
            if fchmod(fd, 0o600) != 0 {
                let code = errno
                close(fd)
                throw Self.failure(path, "could not be restricted to mode 0600", code)
            }
        } else if status.st_mode & 0o022 != 0 {
            // Someone else's file keeps its mode; one that group or others may write is refused.
            let mode = String(status.st_mode & 0o777, radix: 8)
            close(fd)
            throw Problem(.auditFailed, .error, "The audit log \(path) is writable by its group or others (mode 0\(mode)), so its records could be altered or forged; remove that write permission (chmod go-w) or point the audit log elsewhere. The host does not change the mode of a file it did not create.", file: path)
        }
        if durability == .everyRecord, let problem = Self.syncDirectory(of: path) {
            close(fd)
            throw problem
        }
        self.path = path
        self.durability = durability
        self.descriptor = fd
    }

    /// Opens `path` for appending without following a final symbolic link: creates it
    /// (`O_EXCL`, so `created` is certain) or else opens the file that is there. The
    /// corresponding C function is `open`.
    private static func openForAppending(_ path: String) throws(Problem) -> (fd: Int32, created: Bool) {
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY
        // Creating and opening race with whoever removes or creates the file in between;
        // a few rounds settle it.
        for _ in 0..<8 {
            var fd: Int32
            repeat { fd = open(path, flags | O_CREAT | O_EXCL, 0o600) } while fd < 0 && errno == EINTR
            if fd >= 0 { return (fd, true) }
            let createError = errno
            // EEXIST, or a refusal to create (EACCES, EROFS) that may still leave an existing
            // file to open.
            repeat { fd = open(path, flags) } while fd < 0 && errno == EINTR
            if fd >= 0 { return (fd, false) }
            let code = errno
            if code == ENOENT {
                if createError == EEXIST { continue }  // removed since: create it after all
                throw failure(path, "could not be created", createError)
            }
            var status = stat()
            if code == ELOOP, lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK { throw symbolicLink(path) }
            throw failure(path, "could not be opened for appending", code)
        }
        throw failure(path, "could not be opened for appending: it keeps appearing and disappearing", EAGAIN)
    }

    /// AUDIT_FAILED for a symbolic link where the log should be.
    private static func symbolicLink(_ path: String) -> Problem {
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &target, target.count - 1)
        let pointsTo = count > 0 ? " (to \(String(decoding: target[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)))" : ""
        return Problem(.auditFailed, .error, "The audit log \(path) is a symbolic link\(pointsTo); the host does not follow links for its audit log. Point the audit log at the real file, or replace the link with a regular file.", file: path)
    }

    private static func describe(fileType mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a directory"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "a special file"
        }
    }

    /// Adopts an already open descriptor (tests use it to reach failures no path can produce
    /// for root, such as `ENOSPC` from `/dev/full`). The log owns and closes `descriptor`.
    init(adopting descriptor: Int32, path: String, durability: Durability) {
        self.path = path
        self.durability = durability
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Writes `record` as one line; nil when it is written (and, with ``Durability/everyRecord``,
    /// on disk), else the `AUDIT_FAILED` problem to report in the execution's result.
    public func append(_ record: AuditRecord) -> Problem? {
        var line: [UInt8] = [UInt8(ascii: "\n")]
        line.reserveCapacity(256)
        JSONWriter.write(record.json(), into: &line)
        line.append(UInt8(ascii: "\n"))
        return append(line: line, node: record.nodeType)
    }

    /// `line` starts with a spare `\n`, written only after a torn line.
    private func append(line: [UInt8], node: String) -> Problem? {
        let code: Int32 = tornLine.withLock { torn in
            let (written, code) = line.withUnsafeBytes { bytes in
                Self.writeAll(descriptor, torn ? bytes : UnsafeRawBufferPointer(rebasing: bytes.dropFirst()))
            }
            if code != 0 {
                if written > 0 { torn = true }
            } else {
                torn = false
            }
            return code
        }
        if code != 0 { return Self.failure(path, "could not be written", code, node: node) }
        guard durability == .everyRecord else { return nil }
        var result: Int32
        repeat { result = fdatasync(descriptor) } while result != 0 && errno == EINTR
        if result != 0 { return Self.failure(path, "could not be flushed to disk", errno, node: node) }
        return nil
    }

    /// Writes all of `bytes`, retrying `EINTR` and short writes (and `EAGAIN`, which
    /// `O_NONBLOCK` allows in theory on exotic file systems). Returns what was written and the
    /// `errno` of a failure (0 on success). The corresponding C function is `write`.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, errno: Int32) {
        var offset = 0
        var stalls = 0
        while offset < bytes.count {
            let count = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN, stalls < 1000 { stalls += 1; sched_yield(); continue }
                return (offset, code)
            }
            if count == 0 { return (offset, EIO) }
            offset += count
        }
        return (offset, 0)
    }

    static func failure(_ path: String, _ what: String, _ code: Int32, node: String? = nil) -> Problem {
        let reason = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return Problem(.auditFailed, .error, "The audit log \(path) \(what) (\(reason)); fix the path, its permissions or free space, or point the audit log elsewhere.", file: path, node: node)
    }
}
