import Glibc
import PluginELF
import PluginHostCore

/// Reads a `<file>.plugin.json` sidecar with plain syscalls, refusing anything that is not a
/// small regular file.
///
/// The path is the library's path plus a suffix, so it is attacker-influenced: it is opened
/// `O_NONBLOCK` (a FIFO cannot hang the scan), checked with `fstat` on the open descriptor (no
/// check-then-open race), and read with a hard cap of `ELFReader.maximumMetadataSize` even if
/// the file grows while being read. Symbolic links are followed, as for the library itself.
enum SidecarFile {
    enum Outcome {
        /// No file by that name (the common case: most plugins embed a note).
        case absent
        case found([UInt8])
        /// There is something by that name, but it cannot be used as metadata.
        case failed(Problem)
    }

    /// The corresponding C functions are `open`, `fstat` and `pread`.
    static func read(_ path: String) -> Outcome {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) } while fd < 0 && errno == EINTR
        if fd < 0 {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .absent }
            return .failed(unreadable(path, code, "The sidecar"))
        }
        defer { close(fd) }
        return read(descriptor: fd, path: path, label: "The sidecar")
    }

    /// Reads the small regular file open at `descriptor` (not closed here) with the metadata
    /// size cap. `label` starts the problem messages ("The sidecar", "The manifest").
    /// The corresponding C functions are `fstat` and `pread`.
    static func read(descriptor fd: Int32, path: String, label: String) -> Outcome {
        var status = stat()
        guard fstat(fd, &status) == 0 else { return .failed(unreadable(path, errno, label)) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            return .failed(Problem(.notRegularFile, .error, "\(label) \(path) is not a regular file: replace it with a JSON file or remove it.", file: path))
        }
        let limit = ELFReader.maximumMetadataSize
        guard Int(status.st_size) <= limit else { return .failed(tooLarge(path, Int(status.st_size), limit, label)) }

        var bytes = [UInt8](repeating: 0, count: Int(status.st_size) + 1)
        var total = 0
        while true {
            if total == bytes.count {
                guard bytes.count <= limit else { break }
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, limit + 1 - bytes.count)))
            }
            let count = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress! + total, buffer.count - total, off_t(total))
            }
            if count < 0 {
                if errno == EINTR { continue }
                return .failed(unreadable(path, errno, label))
            }
            if count == 0 { break }
            total += count
        }
        guard total <= limit else { return .failed(tooLarge(path, total, limit, label)) }
        bytes.removeSubrange(total...)
        return .found(bytes)
    }

    private static func unreadable(_ path: String, _ code: Int32, _ label: String) -> Problem {
        Problem(.fileUnreadable, .error, "\(label) \(path) could not be read (\(String(cString: strerror(code)))): fix its permissions or remove it.", file: path)
    }

    private static func tooLarge(_ path: String, _ size: Int, _ limit: Int, _ label: String) -> Problem {
        Problem(.metadataTooLarge, .error, "\(label) \(path) is \(size) bytes or more, above the \(limit)-byte metadata limit: shorten the descriptions or schemas.", file: path)
    }
}
