#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginDiscovery
import PluginHostCore
import PluginMetadata
import Synchronization

/// Why the quarantine could not be written. Not fatal to a run: the plugins are still skipped
/// in this process, and the next start tries them again (and quarantines them again).
public struct QuarantineError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension Quarantine {
    static let formatName = "plugin-host-quarantine"
    static let formatVersion: Int64 = 1
    /// A quarantine file larger than this is ignored (a sane one holds a few hundred bytes per entry).
    static let maximumFileSize = 16 << 20

    /// Loads the quarantine saved at `path`, or an empty one when the file is missing,
    /// unreadable, corrupt, of another format version, or unsafe (not a regular file owned by
    /// this user and writable only by them). Entries that do not decode are dropped one by one.
    /// Never an error: losing the quarantine only means a bad plugin is tried once more.
    public static func load(from path: String) -> Quarantine {
        guard let bytes = readTrustedFile(path), let document = try? JSONParser.parse(bytes),
              document["format"]?.stringValue == formatName, document["version"]?.intValue == formatVersion,
              let values = document["entries"]?.arrayValue
        else { return Quarantine(entries: [:], location: path) }
        var entries: [String: Entry] = [:]
        for value in values {
            if let entry = decode(value) { entries[entry.path] = entry }
        }
        return Quarantine(entries: entries, location: path)
    }

    /// Writes the quarantine to `path` atomically (a temporary file with mode 0600, then
    /// `rename`), creating the parent directory (mode 0700) if needed. Skipped when nothing
    /// changed since it was loaded from or saved to the same path.
    public func save(to path: String) throws(QuarantineError) {
        let (entries, needed) = state.withLock { state in
            (state.entries, state.isDirty || state.location != path)
        }
        guard needed else { return }
        let sorted = entries.values.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        let document: JSONValue = [
            "format": .string(Self.formatName),
            "version": .int(Self.formatVersion),
            "entries": .array(sorted.map(Self.encode)),
        ]
        try Self.writeAtomically(JSONWriter.bytes(document), to: path)
        state.withLock { state in
            state.isDirty = false
            state.location = path
        }
    }

    static func encode(_ entry: Entry) -> JSONValue {
        [
            "path": .string(entry.path),
            "id": .string(entry.pluginID),
            "version": .string(entry.version),
            "device": .int(Int64(bitPattern: entry.identity.device)),
            "inode": .int(Int64(bitPattern: entry.identity.inode)),
            "size": .int(entry.identity.size),
            "mtimeNs": .int(entry.identity.modificationTimeNanoseconds),
            "mode": .int(Int64(entry.identity.mode)),
            "owner": .int(Int64(entry.identity.owner)),
            "code": .string(entry.problem.code.rawValue),
            "message": .string(entry.problem.message),
            "quarantinedAt": .double(entry.quarantinedAt),
        ]
    }

    static func decode(_ value: JSONValue) -> Entry? {
        guard let path = value["path"]?.stringValue, path.hasPrefix("/"),
              let id = value["id"]?.stringValue, let version = value["version"]?.stringValue,
              let device = value["device"]?.intValue, let inode = value["inode"]?.intValue,
              let size = value["size"]?.intValue, let mtime = value["mtimeNs"]?.intValue,
              let code = value["code"]?.stringValue, !code.isEmpty, let message = value["message"]?.stringValue,
              let quarantinedAt = value["quarantinedAt"]?.doubleValue
        else { return nil }
        let identity = FileIdentity(
            device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), size: size,
            modificationTimeNanoseconds: mtime,
            // Informational only (a chmod does not lift a quarantine), so absent means 0.
            mode: UInt32(truncatingIfNeeded: value["mode"]?.intValue ?? 0),
            owner: UInt32(truncatingIfNeeded: value["owner"]?.intValue ?? 0))
        let problem = Problem(ProblemCode(rawValue: code), .error, message, file: path)
        return Entry(path: path, pluginID: id, version: version, identity: identity, problem: problem, quarantinedAt: quarantinedAt)
    }

    private static func readTrustedFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
              status.st_uid == geteuid(), status.st_mode & 0o022 == 0,
              status.st_size <= maximumFileSize else { return nil }
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

    private static func writeAtomically(_ bytes: [UInt8], to path: String) throws(QuarantineError) {
        let parent = parentDirectory(of: path)
        try makeDirectories(parent)
        let temporary = "\(path).tmp.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw QuarantineError(description: "cannot write the quarantine file \(temporary): \(describe(errno))")
        }
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let reason = describe(errno)
                close(descriptor)
                unlink(temporary)
                throw QuarantineError(description: "cannot write the quarantine file \(temporary): \(reason)")
            }
            done += count
        }
        fchmod(descriptor, 0o600)  // O_CREAT's mode does not apply to a leftover file
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = describe(errno)
            unlink(temporary)
            throw QuarantineError(description: "cannot replace the quarantine file \(path): \(reason)")
        }
    }

    /// `mkdir -p` with mode 0700 for the directories it creates.
    private static func makeDirectories(_ path: String) throws(QuarantineError) {
        var status = stat()
        if stat(path, &status) == 0 { return }
        let parent = parentDirectory(of: path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw QuarantineError(description: "cannot create the directory \(path): \(describe(errno))")
        }
    }

    private static func parentDirectory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == path.utf8.startIndex { return "/" }
        return String(path[..<slash])
    }

    private static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}
