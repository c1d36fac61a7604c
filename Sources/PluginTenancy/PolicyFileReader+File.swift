#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore

/// Reading the policy file from disk with plain syscalls.
///
/// The path comes from a flag or a config, so it may name anything: it is opened `O_NONBLOCK`
/// (a FIFO cannot hang the host), checked with `fstat` on the open descriptor (no check-then-open
/// race), and read with a hard size cap even if the file grows meanwhile.
extension PolicyFileReader {
    /// Far above any real policy; keeps a wrong path (a log, a disk image) from being slurped.
    static let maximumFileSize = 4 << 20

    /// The corresponding C functions are `open`, `fstat` and `read`.
    static func readBytes(_ path: String) -> Result<[UInt8], Problem> {
        var descriptor: Int32
        repeat { descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { return .failure(unreadable(path, errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(unreadable(path, errno)) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            return .failure(Problem(.policyInvalid, .error, "The policy file \(path) is not a regular file; pass the path of a JSON policy file.", file: path))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(unreadable(path, errno))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
            guard bytes.count <= maximumFileSize else {
                return .failure(Problem(.policyInvalid, .error, "The policy file is larger than \(maximumFileSize) bytes; check that the path names the policy file.", file: path))
            }
        }
        return .success(bytes)
    }

    private static func unreadable(_ path: String, _ code: Int32) -> Problem {
        let reason = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        return Problem(.policyInvalid, .error, "The policy file could not be read (\(reason)); check the path and its permissions.", file: path)
    }

    /// `path` made absolute against the working directory (not resolved: symlinks stay).
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") || path.isEmpty { return path }
        let directory = currentDirectory()
        return directory == "/" ? "/" + path : directory + "/" + path
    }

    /// The directory part of an absolute path (`/a/b.json` → `/a`, `/b.json` → `/`).
    static func directory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return currentDirectory() }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// The working directory. The corresponding C function is `getcwd`.
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
