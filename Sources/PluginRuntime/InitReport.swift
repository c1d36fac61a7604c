import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginLoader

/// How one plugin's initialization ended.
public enum InitStatus: String, Sendable, Hashable, CaseIterable {
    /// Loaded, and its `init` returned success within the timeout: it may execute nodes.
    case initialized
    /// Loading failed (LOAD_FAILED, ENTRY_INVALID, METADATA_MISMATCH, …) or `init` returned an
    /// error (INIT_FAILED). A failed `init` also quarantines the plugin.
    case failed
    /// Loading or `init` did not return within the timeout (INIT_TIMEOUT); the plugin is
    /// quarantined and its thread abandoned.
    case timedOut
    /// Never attempted: a dependency problem from the plan, or a dependency that did not
    /// initialize in this run (DEPENDENCY_NOT_LOADED).
    case skipped
    /// Never attempted: an earlier run quarantined this unchanged file (QUARANTINED).
    case quarantined
    /// Loading or `init` crashed the probe process (PROBE_CRASHED); the plugin is quarantined
    /// and the host never ran its code.
    case crashed
}

/// One plugin's line in an ``InitReport``.
public struct InitOutcome: Sendable {
    /// The plugin file's path, as scanned.
    public var path: String
    public var id: String
    public var version: String
    public var status: InitStatus
    /// Why it is not initialized; nil exactly when ``status`` is `initialized`.
    public var problem: Problem?
    /// Load plus `init` time; the timeout for a timed-out plugin, 0 when never attempted.
    public var durationMs: Double
    /// When the attempt started, in milliseconds since the run started; nil when never attempted.
    public var startedAtMs: Double?

    public init(
        path: String, id: String, version: String, status: InitStatus, problem: Problem?,
        durationMs: Double, startedAtMs: Double?
    ) {
        self.path = path
        self.id = id
        self.version = version
        self.status = status
        self.problem = problem
        self.durationMs = durationMs
        self.startedAtMs = startedAtMs
    }
}

/// What an ``InitScheduler`` run did: every plugin's outcome and the run's statistics
/// (per-plugin duration and outcome, totals, wall time).
public struct InitReport: Sendable {
    /// One per plugin of the plan: those of `plan.order` in that order, then `plan.excluded`
    /// (as `skipped`, with their dependency problem).
    public var outcomes: [InitOutcome]
    /// The plugins that initialized, in plan (dependency-first) order: the ones that may run nodes.
    public var initialized: [LoadedPlugin]
    /// From the start of the run until the last attempt ended (a timed-out one ends at its deadline).
    public var wallTimeMs: Double
    /// The most attempts the scheduler had in flight at once; never above ``concurrencyLimit``.
    /// Abandoned (timed-out) threads are not counted once their slot is released.
    public var peakConcurrency: Int
    public var concurrencyLimit: Int
    public var timeoutMs: Double

    public init(
        outcomes: [InitOutcome], initialized: [LoadedPlugin], wallTimeMs: Double, peakConcurrency: Int,
        concurrencyLimit: Int, timeoutMs: Double
    ) {
        self.outcomes = outcomes
        self.initialized = initialized
        self.wallTimeMs = wallTimeMs
        self.peakConcurrency = peakConcurrency
        self.concurrencyLimit = concurrencyLimit
        self.timeoutMs = timeoutMs
    }

    /// How many plugins ended with `status`.
    public func count(_ status: InitStatus) -> Int {
        outcomes.reduce(0) { $0 + ($1.status == status ? 1 : 0) }
    }

    /// Every status with its count (zeros included, so a table always has the same rows).
    public var totals: [InitStatus: Int] {
        var totals: [InitStatus: Int] = [:]
        for status in InitStatus.allCases { totals[status] = 0 }
        for outcome in outcomes { totals[outcome.status, default: 0] += 1 }
        return totals
    }

    /// The outcome for the plugin file at `path`.
    public func outcome(path: String) -> InitOutcome? { outcomes.first { $0.path == path } }

    /// The outcome for the plugin with `id`.
    public func outcome(id: String) -> InitOutcome? { outcomes.first { $0.id == id } }

    /// The initialized plugin at `path`, if it initialized.
    public func loadedPlugin(path: String) -> LoadedPlugin? { initialized.first { $0.path == path } }

    /// The machine-readable report (`--json`): statistics, totals, then one object per plugin.
    public func json() -> JSONValue {
        var totalsObject = JSONObject()
        let totals = self.totals
        for status in InitStatus.allCases { totalsObject[status.rawValue] = .int(Int64(totals[status] ?? 0)) }
        let plugins: [JSONValue] = outcomes.map { outcome in
            var object = JSONObject()
            object["path"] = .string(outcome.path)
            object["id"] = .string(outcome.id)
            object["version"] = .string(outcome.version)
            object["status"] = .string(outcome.status.rawValue)
            object["code"] = outcome.problem.map { .string($0.code.rawValue) } ?? .null
            object["message"] = outcome.problem.map { .string($0.message) } ?? .null
            object["durationMs"] = .double(outcome.durationMs.roundedToMicroseconds)
            object["startedAtMs"] = outcome.startedAtMs.map { .double($0.roundedToMicroseconds) } ?? .null
            return .object(object)
        }
        return [
            "wallTimeMs": .double(wallTimeMs.roundedToMicroseconds),
            "peakConcurrency": .int(Int64(peakConcurrency)),
            "concurrencyLimit": .int(Int64(concurrencyLimit)),
            "timeoutMs": .double(timeoutMs.roundedToMicroseconds),
            "totals": .object(totalsObject),
            "plugins": .array(plugins),
        ]
    }
}
