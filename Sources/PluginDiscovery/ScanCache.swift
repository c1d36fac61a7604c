import Glibc
import PluginHostCore
import PluginMetadata
import Synchronization

/// Remembers what the inspector said about each plugin file, so a re-scan of an unchanged tree
/// only `stat`s files (GStreamer's `registry.bin` works the same way).
///
/// An entry is keyed by the file's absolute path and is valid while the file's device, inode,
/// size and nanosecond mtime, the validation mode, and the sidecar `<file>.plugin.json`'s same
/// stamp (or its absence) are unchanged; the host ABI is checked for the whole file when it is
/// loaded. Rejections are cached too, so an unchanged bad file stays rejected without being read
/// again ("quarantined until the file changes"). What is *not* cached: permission checks (made
/// from every scan's fresh `stat`), problems the scan itself found (unreadable, not a regular
/// file, duplicates) and cross-file checks, which are cheap and depend on the other files.
///
/// Thread-safe: one cache may serve concurrent scans; the state sits behind a `Mutex` and a scan
/// works on a snapshot taken at its start, merging its findings back at the end.
public final class ScanCache: Sendable {
    /// One remembered inspection and the stamps it is valid for.
    struct Entry: Sendable {
        var file: ContentStamp
        /// The sidecar's stamp, or nil when there was no sidecar.
        var sidecar: ContentStamp?
        var mode: ValidationMode
        var inspection: PluginInspection
    }

    struct State: Sendable {
        var entries: [String: Entry] = [:]
        /// Whether anything changed since the cache was loaded or last saved.
        var isDirty = false
        /// The file this cache was loaded from or last saved to, if any.
        var location: String?
    }

    let state: Locked<State>

    /// An empty cache.
    public init() { state = Locked(State()) }

    init(entries: [String: Entry], location: String?) {
        state = Locked(State(entries: entries, isDirty: false, location: location))
    }

    /// How many files the cache holds.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Forgets everything (the next scan is cold).
    public func removeAll() {
        state.withLock { state in
            if !state.entries.isEmpty { state.isDirty = true }
            state.entries.removeAll()
        }
    }

    /// Where the cache file lives by default: `$XDG_CACHE_HOME/plugin-host/scan-cache.json`
    /// (when that is an absolute path, as the XDG spec requires), else
    /// `$HOME/.cache/plugin-host/scan-cache.json`; nil when neither variable is usable.
    public static func defaultLocation(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return xdg + "/plugin-host/scan-cache.json"
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return home + "/.cache/plugin-host/scan-cache.json"
        }
        return nil
    }

    /// The entries as they are now; a scan reads this copy without holding the lock.
    func snapshot() -> [String: Entry] { state.withLock { $0.entries } }

    /// Stores a scan's fresh inspections and drops entries for files that vanished from the
    /// directories it walked (entries for other directories are kept for other scans).
    /// `seen` lists each path the scan found cached or cached anew, once.
    func merge(updates: [String: Entry], seen: [String], roots: [String]) {
        let prefixes = roots.map { Array(($0 == "/" ? "/" : $0 + "/").utf8) }
        func underRoots(_ path: String) -> Bool { prefixes.contains { path.utf8.starts(with: $0) } }
        state.withLock { state in
            for (path, entry) in updates { state.entries[path] = entry }
            if !updates.isEmpty { state.isDirty = true }
            // Cheap test first: if the cache holds exactly the seen paths under these roots,
            // nothing vanished and no set needs building.
            let held = state.entries.keys.reduce(0) { $0 + (underRoots($1) ? 1 : 0) }
            guard held != seen.count else { return }
            let seenSet = Set(seen)
            let stale = state.entries.keys.filter { !seenSet.contains($0) && underRoots($0) }
            for path in stale { state.entries[path] = nil }
            if !stale.isEmpty { state.isDirty = true }
        }
    }
}

/// What makes a file "unchanged" for the cache: which file it is and the size and mtime of
/// its contents.
public struct ContentStamp: Sendable, Hashable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modificationTimeNanoseconds: Int64
    /// 0 when it was not recorded (an entry written by an older version).
    var changeTimeNanoseconds: Int64

    init(device: UInt64, inode: UInt64, size: Int64, modificationTimeNanoseconds: Int64, changeTimeNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
        self.changeTimeNanoseconds = changeTimeNanoseconds
    }

    init(_ identity: FileIdentity) {
        self.init(device: identity.device, inode: identity.inode, size: identity.size,
                  modificationTimeNanoseconds: identity.modificationTimeNanoseconds,
                  changeTimeNanoseconds: identity.changeTimeNanoseconds)
    }

    /// Equal, or equal but for a ctime this stamp did not record (a quarantine entry written
    /// before ctimes were kept): such an entry must keep holding, not lapse on an upgrade.
    public func matches(_ other: ContentStamp) -> Bool {
        guard changeTimeNanoseconds == 0 else { return self == other }
        return device == other.device && inode == other.inode && size == other.size
            && modificationTimeNanoseconds == other.modificationTimeNanoseconds
    }

    /// Whether both stamps name the same file (device and inode), whatever its contents.
    public func isSameFile(as other: ContentStamp) -> Bool { device == other.device && inode == other.inode }
}
