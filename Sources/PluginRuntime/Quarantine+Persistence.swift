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
        guard let bytes = PrivateFile.readTrusted(path, maximumSize: maximumFileSize), let document = try? JSONParser.parse(bytes),
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
        try Self.write(JSONWriter.bytes(document), to: path)
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
            "ctimeNs": .int(entry.identity.changeTimeNanoseconds),
            "mode": .int(Int64(entry.identity.mode)),
            "owner": .int(Int64(entry.identity.owner)),
            "code": .string(entry.problem.code.rawValue),
            "message": .string(entry.problem.message),
            "quarantinedAt": .double(entry.quarantinedAt),
            "configurationDigest": entry.configurationDigest.map(JSONValue.string) ?? .null,
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
            owner: UInt32(truncatingIfNeeded: value["owner"]?.intValue ?? 0),
            // Absent in files written before ctimes were kept: 0, which matches any ctime.
            changeTimeNanoseconds: value["ctimeNs"]?.intValue ?? 0)
        let problem = Problem(ProblemCode(rawValue: code), .error, message, file: path)
        // Absent or null: keyed by the file alone (entries written before INIT_FAILED was keyed
        // by its configuration hold for any configuration, as they did then).
        return Entry(path: path, pluginID: id, version: version, identity: identity, problem: problem, quarantinedAt: quarantinedAt,
                     configurationDigest: value["configurationDigest"]?.stringValue)
    }

    /// Writes through ``PrivateFile``, reporting failures as this type's error.
    private static func write(_ bytes: [UInt8], to path: String) throws(QuarantineError) {
        do throws(PrivateFileError) {
            try PrivateFile.writeAtomically(bytes, to: path)
        } catch {
            throw QuarantineError(description: "cannot save the quarantine file: \(error)")
        }
    }
}
