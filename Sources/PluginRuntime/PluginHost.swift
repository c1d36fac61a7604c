import Logging
import PluginDiscovery
import PluginHostCore
import PluginIsolation
import PluginLoader
import PluginMetadata
import PluginTenancy

/// The answer to "who provides this node type?".
public enum NodeLookup: Sendable {
    /// An ok plugin declares it.
    case found(ScannedPlugin, NodeDescriptor)
    /// Only a rejected plugin declares it; the plugin's errors say why it cannot be used.
    case rejected(ScannedPlugin)
    /// Nobody declares it; `suggestions` are the closest known node types.
    case notFound(suggestions: [String])
}

/// The running host: scans once, loads plugins on demand, executes nodes.
///
/// This is the layer the CLI, the embedding API and workflows share, so every entry point
/// applies the same pipeline in the same order (see `PluginHost+Execution.swift`). Loading is
/// lazy and per plugin, so `exec math.add` never runs another plugin's code. Thread-safe: the
/// registry and the tenant policies are read without locks (published snapshots); other state
/// sits behind locks that are never held while plugin code runs.
public final class PluginHost: Sendable {
    public let configuration: HostConfiguration
    /// Initialized plugins' node types; filled by ``load()`` and by on-demand loading.
    public let registry: NodeRegistry
    /// Node types that run in worker processes (process isolation): their plugins passed the
    /// probe and were never loaded into this process. Filled on demand and by ``probe()``.
    public let isolatedRegistry: NodeRegistry
    /// Validated parameters by node type and value (hit/miss counters in its statistics).
    public let validationCache = ValidationCache()
    /// Failed attempts, retries and recoveries since the host started.
    public let errorMetrics = ErrorMetrics()
    /// One breaker per node type, configured by `configuration.circuitBreaker`.
    public let circuitBreakers: CircuitBreakers
    /// The tenant policies in force (see ``setPolicy(_:)``), read without a lock.
    let policySet: PublishedValue<TenantPolicySet?>
    /// The policy of a request without a tenant when there is no policy file, made once.
    let unrestrictedPolicy = TenantPolicy.unrestricted()
    let executionIDs = ExecutionIDs()
    /// Where async executions and timed attempts run plugin code.
    let callThreads = PluginCallThreads()

    /// Runs `job` on one of the host's own threads (reused when one is idle, else started), never
    /// on Swift's cooperative pool: for work that calls plugins synchronously and may block,
    /// such as a workflow lane running its nodes through the synchronous ``execute``.
    public func runOnHostThread(_ job: @escaping @Sendable () -> Void) {
        callThreads.run(job)
    }
    private let cache: ScanCache
    let quarantine: Quarantine
    let state = Locked(State())

    struct State {
        var report: ScanReport?
        /// Plugins loaded and initialized (or that failed to), by path. Never removed: a
        /// plugin is never unloaded, and a failed one is not retried until its file changes.
        var prepared: [String: Result<LoadedPlugin, Problem>] = [:]
        /// Audit logs opened so far, by path.
        var auditLogs: [String: AuditLog] = [:]
        /// Plugins probed for worker processes (or why they cannot run there), by path.
        var isolated: [String: Result<IsolatedPlugin, Problem>] = [:]
        /// Probes under way, by plugin path.
        var probing: [String: ProbeFlight] = [:]
        /// Worker pools, one per tenant and limits.
        var pools: [WorkerPoolKey: WorkerPool] = [:]
    }

    public init(configuration: HostConfiguration) {
        self.configuration = configuration
        circuitBreakers = CircuitBreakers(configuration: configuration.circuitBreaker, clock: configuration.clock)
        registry = NodeRegistry(circuitBreakers: circuitBreakers)
        isolatedRegistry = NodeRegistry(circuitBreakers: circuitBreakers)
        policySet = PublishedValue(configuration.policy)
        cache = configuration.cacheFile.map(ScanCache.load(from:)) ?? ScanCache()
        quarantine = configuration.quarantineFile.map(Quarantine.load(from:)) ?? Quarantine()
    }

    /// Scans the configured directories (using the cache), remembers and returns the report.
    @discardableResult
    public func scan() -> ScanReport {
        let report = Scanner(options: configuration.scanOptions, cache: cache).scan(configuration.directories)
        if let file = configuration.cacheFile {
            do {
                try cache.save(to: file)
            } catch {
                configuration.logger.warning("could not save the scan cache to \(file): \(error)")
            }
        }
        state.withLock { $0.report = report }
        return report
    }

    /// The last scan's report, scanning first if there was none.
    public var report: ScanReport {
        if let report = state.withLock({ $0.report }) { return report }
        return scan()
    }

    /// Finds the plugin that provides `nodeType`.
    public func lookup(nodeType: String) -> NodeLookup {
        let plugins = report.plugins
        for plugin in plugins where plugin.status == .ok {
            if let node = plugin.inspection.manifest?.nodes.first(where: { $0.nodeType == nodeType }) {
                return .found(plugin, node)
            }
        }
        for plugin in plugins where plugin.inspection.manifest?.nodes.contains(where: { $0.nodeType == nodeType }) == true {
            return .rejected(plugin)
        }
        let known = plugins.filter { $0.status == .ok }.flatMap { $0.inspection.manifest?.nodes.map(\.nodeType) ?? [] }
        return .notFound(suggestions: NameSuggestions.closest(to: nodeType, among: known))
    }

    /// Initializes every loadable plugin: dependencies first, `initOptions.concurrency` at a
    /// time, each under `initOptions.timeout`, quarantining failures. Fills the registry.
    public func load() async -> InitReport {
        let plan = DependencyResolver.plan(report.plugins)
        let initReport = await InitScheduler.run(
            plan: plan, options: configuration.initOptions, quarantine: quarantine, logger: configuration.logger)
        record(initReport)
        return initReport
    }

    /// Loads and initializes `plugin` and the plugins it depends on, once; later calls return
    /// the same outcome. Used by `exec`, which should not start every plugin to run one node.
    public func prepare(_ plugin: ScannedPlugin) -> Result<LoadedPlugin, Problem> {
        if let done = state.withLock({ $0.prepared[plugin.path] }) { return done }
        let plan = DependencyResolver.plan(report.plugins)
        if let excluded = plan.excluded.first(where: { $0.plugin.path == plugin.path }) {
            return remember(plugin.path, .failure(excluded.problem))
        }
        let needed = Set(plan.closure(of: plugin.path).map(\.path))
        let subplan = DependencyPlan(
            order: plan.order.filter { needed.contains($0.path) },
            dependencies: plan.dependencies.filter { needed.contains($0.key) },
            excluded: [])
        let initReport = InitScheduler.runBlocking(
            plan: subplan, options: configuration.initOptions, quarantine: quarantine, logger: configuration.logger)
        record(initReport)
        if let loaded = initReport.loadedPlugin(path: plugin.path) { return .success(loaded) }
        let problem = initReport.outcome(path: plugin.path)?.problem
            ?? Problem(.dependencyNotLoaded, .error, "\(plugin.path) was not initialized", file: plugin.path)
        return remember(plugin.path, .failure(problem))
    }

    /// Stores init outcomes, registers what initialized, and persists the quarantine.
    private func record(_ initReport: InitReport) {
        registry.register(contentsOf: initReport.initialized)
        state.withLock { state in
            for loaded in initReport.initialized { state.prepared[loaded.path] = .success(loaded) }
            for outcome in initReport.outcomes where outcome.status != .initialized {
                if let problem = outcome.problem { state.prepared[outcome.path] = .failure(problem) }
            }
        }
        saveQuarantine()
    }

    /// Persists the quarantine, when it has a file.
    func saveQuarantine() {
        guard let file = configuration.quarantineFile else { return }
        do {
            try quarantine.save(to: file)
        } catch {
            configuration.logger.warning("could not save the quarantine to \(file): \(error)")
        }
    }

    private func remember(_ path: String, _ outcome: Result<LoadedPlugin, Problem>) -> Result<LoadedPlugin, Problem> {
        state.withLock { state in
            if let done = state.prepared[path] { return done }
            state.prepared[path] = outcome
            return outcome
        }
    }

    /// The entry of a node type not in the registry yet: found in the scan report, its provider
    /// loaded and initialized on demand (which registers it).
    func resolveUnregistered(nodeType: String) -> Result<NodeEntry, Problem> {
        if let registered = registry.entry(nodeType) { return .success(registered) }
        switch lookup(nodeType: nodeType) {
        case .found(let plugin, _):
            return prepare(plugin).flatMap { loaded in
                if let entry = registry.entry(nodeType) { return .success(entry) }
                // Another initialized plugin registered the type first (a clash).
                return .failure(registry.problems.first { $0.node == nodeType }
                    ?? Problem(.nodeTypeNotFound, .error, "node type \(nodeType) of \(loaded.path) could not be registered", node: nodeType))
            }
        case .rejected(let plugin):
            return .failure(Self.unavailable(nodeType, rejectedBy: plugin))
        case .notFound(let suggestions):
            return .failure(Self.notFound(nodeType, suggestions: suggestions))
        }
    }

    /// NODE_TYPE_NOT_FOUND for a node type only a rejected plugin declares.
    static func unavailable(_ nodeType: String, rejectedBy plugin: ScannedPlugin) -> Problem {
        let reason = plugin.inspection.problems.first { $0.severity == .error }.map { "\($0.code): \($0.message)" }
            ?? "it was rejected"
        return Problem(
            .nodeTypeNotFound, .error,
            "node type \(nodeType) is provided by \(plugin.path), which was rejected: \(reason)",
            file: plugin.path, node: nodeType)
    }

    /// NODE_TYPE_NOT_FOUND for a node type nobody declares, with the closest known names.
    static func notFound(_ nodeType: String, suggestions: [String]) -> Problem {
        var message = "no loaded plugin provides node type \(nodeType)"
        if !suggestions.isEmpty { message += "; did you mean \(suggestions.joined(separator: " or "))?" }
        message += " (`plugin-host scan` lists what is available)"
        return Problem(.nodeTypeNotFound, .error, message, node: nodeType)
    }
}
