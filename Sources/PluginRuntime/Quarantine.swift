import PluginDiscovery
import PluginHostCore
import PluginMetadata
import Synchronization

/// Plugins whose `init` failed or hung, remembered by file identity so they are never called
/// again until the file changes (GStreamer blacklists crashers the same way, by
/// size and mtime).
///
/// INIT_TIMEOUT, PROBE_CRASHED and INIT_FAILED quarantine. A hung init costs its whole timeout
/// on every start and leaves a thread behind each time, and a crash takes a probe process with
/// it, so retrying either blindly is never right: they are keyed by the file alone. A failing
/// init is cheaper, and its usual cause is the configuration it was given (a missing password,
/// a wrong address), which the operator fixes without touching the file: so an INIT_FAILED
/// entry also remembers a digest of that configuration (``configurationDigest(_:)``), and a
/// start with a different configuration retries `init` instead of refusing it. A broken plugin
/// still does not spam every start with the same configuration. Load failures (LOAD_FAILED,
/// ENTRY_INVALID, …) are not quarantined: the plugin's own code never ran, and they are reported
/// again on every run at no cost. `plugin-host quarantine clear` lifts entries by hand.
///
/// "The file changed" means its device, inode, size or modification time differ from when it
/// was quarantined (the scan cache's rule, ctime included: no unprivileged call can set it back);
/// a chmod or chown moves the ctime too, so it counts as a change. An entry whose
/// file (or, for INIT_FAILED, configuration) changed is forgotten the first time it is
/// consulted, so a rebuilt or reconfigured plugin starts afresh.
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
        /// For an INIT_FAILED entry, the ``Quarantine/configurationDigest(_:)`` of the `init`
        /// configuration it failed with: another configuration is tried again. Nil for entries
        /// keyed by the file alone (timeouts, crashes, and files written before this existed).
        public var configurationDigest: String?

        public init(
            path: String, pluginID: String, version: String, identity: FileIdentity, problem: Problem, quarantinedAt: Double,
            configurationDigest: String? = nil
        ) {
            self.path = path
            self.pluginID = pluginID
            self.version = version
            self.identity = identity
            self.problem = problem
            self.quarantinedAt = quarantinedAt
            self.configurationDigest = configurationDigest
        }

        /// Whether `other` is the same, unchanged file.
        func matches(_ other: FileIdentity) -> Bool {
            identity.contentStamp.matches(other.contentStamp)
        }

        /// Whether the entry still holds for a start with the configuration whose digest is `digest`.
        func holds(forConfiguration digest: String) -> Bool {
            configurationDigest.map { $0 == digest } ?? true
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

    /// Why `plugin` must not be initialized with `configuration` (QUARANTINED, naming the
    /// original reason and how to retry), or nil when it is not quarantined, its file changed
    /// since, or its entry is an INIT_FAILED one for another configuration. A changed file or
    /// configuration forgets the entry, so the retry starts afresh.
    public func reason(for plugin: ScannedPlugin, configuration: JSONValue) -> Problem? {
        let digest = Self.configurationDigest(configuration)
        let found: (entry: Entry, location: String?)? = state.withLock { state in
            guard let entry = state.entries[plugin.path] else { return nil }
            guard let identity = plugin.identity, entry.matches(identity), entry.holds(forConfiguration: digest) else {
                state.entries[plugin.path] = nil
                state.isDirty = true
                return nil
            }
            return (entry, state.location)
        }
        guard let (entry, location) = found else { return nil }
        return Problem(
            .quarantined, .error,
            "\(entry.pluginID) \(entry.version) is quarantined since an earlier run: \(entry.problem.code): \(entry.problem.message) — \(Self.howToRetry(entry, persisted: location != nil))",
            file: plugin.path)
    }

    /// Quarantines `plugin` as its file is now, because of `problem` (INIT_TIMEOUT,
    /// PROBE_CRASHED or INIT_FAILED), and returns `problem` as it should be reported: with a
    /// sentence saying what lifts the quarantine. An INIT_FAILED entry is keyed by `configuration`
    /// too (see the type's comment). A plugin whose file could not be stat'ed cannot be
    /// recognized later and is not remembered; its problem is returned unchanged.
    @discardableResult
    public func quarantine(_ plugin: ScannedPlugin, because problem: Problem, configuration: JSONValue) -> Problem {
        guard let identity = plugin.identity else { return problem }
        let entry = Entry(
            path: plugin.path, pluginID: plugin.manifest?.id ?? plugin.path, version: plugin.manifest?.version ?? "",
            identity: identity, problem: problem, quarantinedAt: WallClock.now(),
            configurationDigest: problem.code == .initFailed ? Self.configurationDigest(configuration) : nil)
        let persisted = state.withLock { state in
            state.entries[plugin.path] = entry
            state.isDirty = true
            return state.location != nil
        }
        var reported = problem
        reported.message += " — \(Self.howToRetry(entry, persisted: persisted))"
        return reported
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
