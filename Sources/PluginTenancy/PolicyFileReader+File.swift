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
    /// Reads at most `maximumBytes` (``InputLimits/maximumPolicyBytes``: far above any real
    /// policy, it keeps a wrong path, a log or a disk image, from being slurped).
    /// The corresponding C functions are `open`, `fstat` and `read`.
    static func readBytes(_ path: String, maximumBytes: Int) -> Result<[UInt8], Problem> {
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
            guard bytes.count <= maximumBytes else {
                // The size the file had when opened, or at least what was read of it.
                let size = max(Int(status.st_size), bytes.count)
                return .failure(Problem(.policyTooLarge, .error, tooLarge(size, "bytes", limit: maximumBytes, field: "maximumPolicyBytes", advice: "check that the path names the policy file"), file: path))
            }
        }
        return .success(bytes)
    }

    /// A `POLICY_TOO_LARGE` sentence (see ``InputLimits/exceeded(_:has:_:limit:field:advice:)``).
    static func tooLarge(_ count: Int, _ unit: String, limit: Int, field: String, advice: String) -> String {
        InputLimits.exceeded("The policy", has: count, unit, limit: limit, field: field, advice: advice) + "."
    }

    /// `POLICY_TOO_LARGE` when `json` lists more tenants and node type patterns than
    /// `limits.maximumPolicyEntries`, counted before any of them is read.
    static func sizeProblem(_ json: JSONValue, limits: InputLimits, file: String?) -> Problem? {
        guard case .object(let root) = json else { return nil }
        func patterns(_ policy: JSONValue?) -> Int {
            guard case .object(let object)? = policy else { return 0 }
            return (object["allowedNodeTypes"]?.arrayValue?.count ?? 0) + (object["restrictedNodeTypes"]?.arrayValue?.count ?? 0)
        }
        var entries = patterns(root["defaultPolicy"])
        if let tenants = root["tenants"]?.arrayValue {
            entries += tenants.count
            for tenant in tenants { entries += patterns(tenant) }
        }
        guard entries > limits.maximumPolicyEntries else { return nil }
        let message = tooLarge(entries, "entries (tenants and node type patterns)", limit: limits.maximumPolicyEntries,
                               field: "maximumPolicyEntries", advice: "use patterns such as \"math.*\" instead of long lists")
        return Problem(.policyTooLarge, .error, message, file: file)
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
