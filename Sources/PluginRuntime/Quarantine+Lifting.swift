import PluginDiscovery
import PluginHostCore

/// What lifts a quarantine entry: its configuration's digest, the advice messages give, and
/// clearing entries by hand (`plugin-host quarantine clear`).
extension Quarantine {
    /// A digest of an `init` configuration, so an INIT_FAILED entry can tell "the same
    /// configuration again" from "the operator changed it" without keeping the configuration
    /// itself (it may hold passwords, and the quarantine file is written to the cache).
    ///
    /// The digest is of the canonical JSON: object members sorted by their keys' UTF-8 bytes at
    /// every depth, integral numbers written as integers, so reordering a `--plugin-config` entry
    /// or writing `2.0` for `2` is not a change. FNV-1a over 64 bits, as 16 hex digits: it only
    /// has to notice accidental changes (two configurations of one plugin colliding is a 2⁻⁶⁴
    /// chance, and then the entry holds until it is cleared), and it needs no crypto library.
    /// It is not a way to keep a secret: a guessable configuration can be guessed from it, so the
    /// quarantine file stays private (mode 0600) like the scan cache.
    public static func configurationDigest(_ configuration: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSONWriter.bytes(canonical(configuration)) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// `value` with every object's members sorted by key bytes and integral doubles as integers.
    private static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            let sorted = object.members
                .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { (key: $0.key, value: canonical($0.value)) }
            return .object(JSONObject(sorted))
        case .array(let elements):
            return .array(elements.map(canonical))
        case .double(let number):
            if let integer = Int64(exactly: number) { return .int(integer) }
            return value
        default:
            return value
        }
    }

    /// What lifts `entry`, as the end of a sentence: for an INIT_FAILED entry a changed
    /// configuration, for the others a changed file; and in either case clearing it with the CLI
    /// (a quarantine kept in a file) or restarting the program (one kept in memory only, as an
    /// embedding host's is: a new host beside a live one would not help, since the loader keeps
    /// a plugin's first `init` outcome until every embed handle is destroyed). Shared by the
    /// message that quarantines and the one that refuses.
    static func howToRetry(_ entry: Entry, persisted: Bool) -> String {
        let clear = persisted
            ? "run `plugin-host quarantine clear \(entry.pluginID)`"
            : "restart the program (its quarantine is kept in memory, and a plugin's init runs again only once every host handle of the process is destroyed)"
        if entry.configurationDigest != nil {
            return "it is quarantined with this configuration: change the plugin's configuration (its --plugin-config entry) to have init tried again, or fix what init needs and \(clear)"
        }
        return "it is quarantined until the file changes: rebuild or replace it, or \(clear) to try it again"
    }

    /// Forgets the entries whose plugin id is `plugin` or whose path is `plugin` (give an
    /// absolute path), returning them; empty when nothing matched. Save afterwards to persist.
    public func clear(_ plugin: String) -> [Entry] {
        state.withLock { state in
            let matching = state.entries.values.filter { String.sameUTF8($0.pluginID, plugin) || String.sameUTF8($0.path, plugin) }
            for entry in matching { state.entries[entry.path] = nil }
            if !matching.isEmpty { state.isDirty = true }
            return matching.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        }
    }

    /// Forgets every entry, returning them. Save afterwards to persist.
    public func clearAll() -> [Entry] {
        let cleared = entries
        state.withLock { state in
            if !state.entries.isEmpty { state.isDirty = true }
            state.entries = [:]
        }
        return cleared
    }
}

extension Quarantine.Entry {
    /// Whether the file is gone or no longer the one quarantined (the next start that sees it
    /// forgets the entry). Reads the file's status now, so it is for listing, not for deciding.
    public var fileHasChanged: Bool {
        FileIdentity(atPath: path).map { !matches($0) } ?? true
    }
}
