import PluginDiscovery
import PluginHostCore
import PluginMetadata
import Synchronization

/// Plugins whose `init` failed or hung, remembered by file identity so they are never called
/// again until the file changes (GStreamer blacklists crashers the same way, by
/// size and mtime).
///
/// Both INIT_TIMEOUT and INIT_FAILED quarantine. A hung init costs its whole timeout on every
/// start and leaves a thread behind each time, so retrying it blindly is never right; a failing
/// init is cheaper but gets the same treatment, so that one rule ("quarantined until the file
/// changes, or the quarantine file is deleted") covers both and a broken plugin does not spam
/// every start. Load failures (LOAD_FAILED, ENTRY_INVALID, …) are not quarantined: the plugin's
/// own code never ran, and they are reported again on every run at no cost.
///
/// "The file changed" means its device, inode, size or modification time differ from when it
/// was quarantined (the scan cache's rule, ctime included: no unprivileged call can set it back);
/// a chmod or chown moves the ctime too, so it counts as a change. An entry whose
/// file changed is forgotten the first time it is consulted, so a rebuilt plugin starts afresh.
/// Thread-safe: all state sits behind one mutex.
public final class Quarantine: Sendable {
    /// One quarantined plugin file.
    public struct Entry: Sendable, Hashable {
        public var path: String
        public var pluginID: String
        public var version: String
        /// The file as it was when quarantined; any change in contents clears the entry.
        public var identity: FileIdentity
        /// Why: the INIT_TIMEOUT or INIT_FAILED problem as reported then.
        public var problem: Problem
        /// Seconds since the Unix epoch.
        public var quarantinedAt: Double

        public init(path: String, pluginID: String, version: String, identity: FileIdentity, problem: Problem, quarantinedAt: Double) {
            self.path = path
            self.pluginID = pluginID
            self.version = version
            self.identity = identity
            self.problem = problem
            self.quarantinedAt = quarantinedAt
        }

        /// Whether `other` is the same, unchanged file.
        func matches(_ other: FileIdentity) -> Bool {
            identity.contentStamp.matches(other.contentStamp)
        }
    }

    struct State {
        var entries: [String: Entry] = [:]
        /// The file this quarantine was loaded from or last saved to (named in messages).
        var location: String?
        /// Changed since loaded from or saved to ``location``.
        var isDirty = false
    }

    let state: Locked<State>

    /// An empty quarantine that lives in memory until saved.
    public init() { state = Locked(State()) }

    init(entries: [String: Entry], location: String?) {
        state = Locked(State(entries: entries, location: location, isDirty: false))
    }

    /// Why `plugin` must not be loaded (QUARANTINED, naming the original reason), or nil when
    /// it is not quarantined or its file changed since.
    public func reason(for plugin: ScannedPlugin) -> Problem? {
        let found: (entry: Entry, location: String?)? = state.withLock { state in
            guard let entry = state.entries[plugin.path] else { return nil }
            guard let identity = plugin.identity, entry.matches(identity) else {
                state.entries[plugin.path] = nil
                state.isDirty = true
                return nil
            }
            return (entry, state.location)
        }
        guard let (entry, location) = found else { return nil }
        let retry = location.map { "delete \($0)" } ?? "clear the quarantine"
        return Problem(
            .quarantined, .error,
            "\(entry.pluginID) \(entry.version) is quarantined since an earlier run: \(entry.problem.code): \(entry.problem.message) — remove or rebuild the file, or \(retry) to retry",
            file: plugin.path)
    }

    /// Quarantines `plugin` as its file is now, because of `problem` (INIT_TIMEOUT or INIT_FAILED).
    /// A plugin whose file could not be stat'ed cannot be recognized later and is not remembered.
    public func quarantine(_ plugin: ScannedPlugin, because problem: Problem) {
        guard let identity = plugin.identity else { return }
        let entry = Entry(
            path: plugin.path, pluginID: plugin.manifest?.id ?? plugin.path, version: plugin.manifest?.version ?? "",
            identity: identity, problem: problem, quarantinedAt: WallClock.now())
        state.withLock { state in
            state.entries[plugin.path] = entry
            state.isDirty = true
        }
    }

    /// Every entry, by path (for listing). Entries whose file changed are still listed until
    /// a ``reason(for:)`` for that file forgets them.
    public var entries: [Entry] {
        state.withLock { Array($0.entries.values) }.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
    }

    /// Where the quarantine file lives by default, beside the scan cache:
    /// `$XDG_CACHE_HOME/plugin-host/quarantine.json` (when that is absolute), else
    /// `$HOME/.cache/plugin-host/quarantine.json`; nil when neither variable is usable.
    public static func defaultLocation(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return xdg + "/plugin-host/quarantine.json"
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return home + "/.cache/plugin-host/quarantine.json"
        }
        return nil
    }
}
