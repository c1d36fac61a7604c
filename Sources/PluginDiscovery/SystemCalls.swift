import Glibc

/// Thin wrappers over the POSIX calls the walk makes, each reading `errno` at once.
///
/// The walk uses `openat`/`fstatat` relative to an open directory rather than FileManager or
/// full paths: it is faster (no path re-resolution per file), it gives the exact `errno` the
/// problem messages need (ELOOP vs ENOENT vs EACCES), and the checks happen against the directory
/// actually being listed.
enum SystemCalls {
    /// The outcome of a call that either fills a value or fails with an `errno`.
    enum Outcome<Value> {
        case success(Value)
        case failure(Int32)
    }

    /// `stat` of `name` inside the directory `directory`; `follow` decides whether a final
    /// symlink is followed. The corresponding C function is `fstatat`.
    static func status(in directory: Int32, _ name: UnsafePointer<CChar>, follow: Bool) -> Outcome<stat> {
        var result = stat()
        if fstatat(directory, name, &result, follow ? 0 : AT_SYMLINK_NOFOLLOW) == 0 { return .success(result) }
        return .failure(errno)
    }

    /// `stat` of an open descriptor. The corresponding C function is `fstat`.
    static func status(of descriptor: Int32) -> Outcome<stat> {
        var result = stat()
        if fstat(descriptor, &result) == 0 { return .success(result) }
        return .failure(errno)
    }

    /// Opens `name` in `directory` read-only without blocking (a FIFO that slipped past the type
    /// check cannot hang the scan), without becoming a controlling terminal, and closed on exec.
    /// The corresponding C function is `openat`.
    static func openFile(in directory: Int32, _ name: UnsafePointer<CChar>, follow: Bool) -> Outcome<Int32> {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (follow ? 0 : O_NOFOLLOW)
        let descriptor = openat(directory, name, flags)
        return descriptor >= 0 ? .success(descriptor) : .failure(errno)
    }

    /// Opens a directory for listing. The corresponding C function is `openat` with `O_DIRECTORY`.
    static func openDirectory(in directory: Int32, _ name: UnsafePointer<CChar>, follow: Bool) -> Outcome<Int32> {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW)
        let descriptor = openat(directory, name, flags)
        return descriptor >= 0 ? .success(descriptor) : .failure(errno)
    }

    /// The absolute path `path` leads to with every symbolic link, `.` and `..` resolved, or nil.
    /// The corresponding C function is `realpath`.
    static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` is a symbolic link or has one among the directories on the way to it
    /// (one `lstat` per component; for scan roots, once per root).
    static func passesThroughSymlink(_ path: String) -> Bool {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var status = stat()
            if lstat(prefix, &status) == 0, (status.st_mode & S_IFMT) == S_IFLNK { return true }
        }
        return false
    }

    /// The system's description of an `errno` value, e.g. "Permission denied".
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    /// A person's name for a non-regular file type, e.g. "a FIFO".
    static func describeType(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a directory"
        case S_IFLNK: return "a symbolic link"
        case S_IFREG: return "a regular file"
        default: return "a special file"
        }
    }

    /// Monotonic time in nanoseconds, for the scan's duration.
    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
