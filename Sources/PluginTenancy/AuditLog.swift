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
/// - The file is opened once, `O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC` (plus `O_NONBLOCK |
///   O_NOCTTY`, so a FIFO at that path fails at once instead of hanging), mode `0600`; it must be
///   a regular file. A file we own with looser permissions is tightened to `0600`. Missing parent
///   directories are created `0700`.
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
    /// cannot be created, the file cannot be opened for appending, or is not a regular file.
    public init(path: String, durability: Durability = .everyRecord) throws(Problem) {
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw Problem(.auditFailed, .error, "The audit log path is empty or contains a NUL byte; set a file path for the audit log.")
        }
        let path = PolicyFileReader.absolute(path)
        try Self.makeParentDirectories(of: path)
        var fd: Int32
        repeat {
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0o600)
        } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw Self.failure(path, "could not be opened for appending", errno) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw Self.failure(path, "could not be examined", code)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw Problem(.auditFailed, .error, "The audit log \(path) is not a regular file; point the audit log at a file path.", file: path)
        }
        if status.st_uid == geteuid(), status.st_mode & 0o777 != 0o600, fchmod(fd, 0o600) != 0 {
            let code = errno
            close(fd)
            throw Self.failure(path, "could not be restricted to mode 0600", code)
        }
        if durability == .everyRecord, let problem = Self.syncDirectory(of: path) {
            close(fd)
            throw problem
        }
        self.path = path
        self.durability = durability
        self.descriptor = fd
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
