import Logging
import PluginDiscovery
import PluginHostCore
import PluginLoader
import PluginMetadata
import PluginTenancy

/// Where to look for plugins and how to check them.
public struct HostConfiguration: Sendable {
    public var directories: [SearchDirectory]
    public var scanOptions: ScanOptions
    /// The persisted scan cache file; nil keeps the cache in memory only.
    public var cacheFile: String?
    /// The persisted quarantine file; nil keeps quarantine in memory only.
    public var quarantineFile: String?
    /// How plugins are initialized (concurrency, timeout, per-plugin configuration).
    public var initOptions: InitOptions
    /// Tenant policies; nil is single-tenant mode (everything allowed).
    public var policy: TenantPolicySet?
    /// Where audit records go (explicit path > the policy file's `auditLog` > the default).
    public var auditLogPath: String?
    public var auditDurability: AuditLog.Durability
    public var logger: Logger

    public init(
        directories: [SearchDirectory], scanOptions: ScanOptions = ScanOptions(), cacheFile: String? = nil,
        quarantineFile: String? = nil, initOptions: InitOptions = InitOptions(), policy: TenantPolicySet? = nil,
        auditLogPath: String? = nil, auditDurability: AuditLog.Durability = .everyRecord,
        logger: Logger = Logger(label: "plugin-host")
    ) {
        self.directories = directories
        self.scanOptions = scanOptions
        self.cacheFile = cacheFile
        self.quarantineFile = quarantineFile
        self.initOptions = initOptions
        self.policy = policy
        self.auditLogPath = auditLogPath
        self.auditDurability = auditDurability
        self.logger = logger
    }
}

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
/// applies the same pipeline in the same order: lookup → load → init → validate → call →
/// result. Loading is lazy and per plugin, so `exec math.add` never runs another plugin's code.
/// Thread-safe: state sits behind one mutex that is never held while plugin code runs.
public final class PluginHost: Sendable {
    public let configuration: HostConfiguration
    /// Initialized plugins' node types; filled by ``load()`` and by on-demand loading.
    public let registry = NodeRegistry()
    /// Validated parameters by node type and value (hit/miss counters in its statistics).
    public let validationCache = ValidationCache()
    private let cache: ScanCache
    private let quarantine: Quarantine
    /// Compiled parameter schemas by node type (nil entry: the node declares no schema).
    private let schemas = Locked<[String: ParameterSchema?]>([:])
    private let state = Locked(State())

    private struct State {
        var report: ScanReport?
        /// Plugins loaded and initialized (or that failed to), by path. Never removed: a
        /// plugin is never unloaded, and a failed one is not retried until its file changes.
        var prepared: [String: Result<LoadedPlugin, Problem>] = [:]
        /// Audit logs opened so far, by path.
        var auditLogs: [String: AuditLog] = [:]
    }

    public init(configuration: HostConfiguration) {
        self.configuration = configuration
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
        // The plugin and everything it needs, transitively, in the plan's order.
        var needed: Set<String> = [plugin.path]
        var frontier = [plugin.path]
        while let path = frontier.popLast() {
            for dependency in plan.dependencies[path] ?? [] where needed.insert(dependency).inserted {
                frontier.append(dependency)
            }
        }
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
        for loaded in initReport.initialized { registry.register(loaded) }
        state.withLock { state in
            for loaded in initReport.initialized { state.prepared[loaded.path] = .success(loaded) }
            for outcome in initReport.outcomes where outcome.status != .initialized {
                if let problem = outcome.problem { state.prepared[outcome.path] = .failure(problem) }
            }
        }
        if let file = configuration.quarantineFile {
            do {
                try quarantine.save(to: file)
            } catch {
                configuration.logger.warning("could not save the quarantine to \(file): \(error)")
            }
        }
    }

    private func remember(_ path: String, _ outcome: Result<LoadedPlugin, Problem>) -> Result<LoadedPlugin, Problem> {
        state.withLock { state in
            if let done = state.prepared[path] { return done }
            state.prepared[path] = outcome
            return outcome
        }
    }

    /// Executes one node: the whole pipeline, returning a result whatever happens.
    ///
    /// Order: tenant policy → lookup → load and init on demand → data isolation → call →
    /// statistics → audit. A denied or failed execution is audited too when the tenant's
    /// policy asks for it; an audit record that cannot be written fails the result
    /// (AUDIT_FAILED): an execution that must be audited is never reported as a silent success.
    public func execute(
        nodeType: String, parameters: JSONValue, input: JSONValue = .array([]), tenant: String? = nil
    ) -> NodeResult {
        let startedAt = WallClock.now()
        let policy: TenantPolicy
        switch TenantPolicySet.resolve(configuration.policy, tenant: tenant) {
        case .success(let resolved): policy = resolved
        case .failure(let problem):
            return .failure(nodeType: nodeType, code: problem.code, message: problem.message, startedAt: startedAt)
        }
        var result = run(nodeType: nodeType, parameters: parameters, input: input, policy: policy, startedAt: startedAt)
        if policy.auditLogging { audit(&result, tenant: policy.tenantID) }
        return result
    }

    private func run(
        nodeType: String, parameters: JSONValue, input: JSONValue, policy: TenantPolicy, startedAt: Double
    ) -> NodeResult {
        if let denied = policy.check(nodeType: nodeType) {
            return .failure(nodeType: nodeType, code: denied.code, message: denied.message, startedAt: startedAt)
        }
        let loaded: LoadedPlugin
        let node: NodeDescriptor
        switch resolve(nodeType: nodeType) {
        case .success(let registered):
            loaded = registered.plugin
            node = registered.descriptor
        case .failure(let problem):
            return .failure(nodeType: nodeType, code: problem.code, message: problem.message, startedAt: startedAt)
        }
        let isolated: JSONValue
        switch policy.isolate(parameters: parameters) {
        case .success(let value): isolated = value
        case .failure(let problem):
            return .failure(nodeType: nodeType, code: problem.code, message: problem.message, startedAt: startedAt)
        }
        let schema: ParameterSchema?
        switch compiledSchema(for: node) {
        case .success(let compiled): schema = compiled
        case .failure(let problem):
            return .failure(nodeType: nodeType, code: problem.code, message: problem.message, startedAt: startedAt)
        }
        let result = NodeInvocation(plugin: loaded, node: node, tenant: policy.tenantID, schema: schema,
                                    validationCache: validationCache)
            .run(parameters: isolated, input: input, startedAt: startedAt)
        registry.record(nodeType: nodeType, nanoseconds: UInt64(max(0, result.durationMs) * 1e6), succeeded: result.succeeded)
        return result
    }

    /// The initialized node behind `nodeType`: the registry first (one dictionary probe once a
    /// plugin is up), else the scan report, loading and initializing the provider on demand.
    private func resolve(nodeType: String) -> Result<RegisteredNode, Problem> {
        if let registered = registry.node(nodeType) { return .success(registered) }
        switch lookup(nodeType: nodeType) {
        case .found(let plugin, let node):
            return prepare(plugin).map { RegisteredNode(descriptor: node, plugin: $0) }
        case .rejected(let plugin):
            let reason = plugin.inspection.problems.first { $0.severity == .error }.map { "\($0.code): \($0.message)" }
                ?? "it was rejected"
            return .failure(Problem(
                .nodeTypeNotFound, .error,
                "node type \(nodeType) is provided by \(plugin.path), which was rejected: \(reason)",
                file: plugin.path, node: nodeType))
        case .notFound(let suggestions):
            var message = "no loaded plugin provides node type \(nodeType)"
            if !suggestions.isEmpty { message += "; did you mean \(suggestions.joined(separator: " or "))?" }
            message += " (`plugin-host scan` lists what is available)"
            return .failure(Problem(.nodeTypeNotFound, .error, message, node: nodeType))
        }
    }

    /// The node's schema, compiled once per node type. A schema that passed the scan compiles;
    /// if one still does not, the node fails closed rather than running unvalidated.
    private func compiledSchema(for node: NodeDescriptor) -> Result<ParameterSchema?, Problem> {
        if let known = schemas.withLock({ $0[node.nodeType] }) { return .success(known) }
        guard let raw = node.schema else {
            schemas.withLock { $0[node.nodeType] = .some(nil) }
            return .success(nil)
        }
        do throws(SchemaViolation) {
            let compiled = try ParameterSchema(raw)
            schemas.withLock { $0[node.nodeType] = .some(compiled) }
            return .success(compiled)
        } catch {
            return .failure(Problem(
                .metaBadSchema, .error,
                "the schema of \(node.nodeType) cannot be used (\(error.path.isEmpty ? "/" : error.path) \(error.message)); fix the plugin's metadata",
                node: node.nodeType))
        }
    }

    /// Appends the audit record for `result`; a write failure turns the result into AUDIT_FAILED.
    private func audit(_ result: inout NodeResult, tenant: String) {
        let plugin: LoadedPlugin? = registry.node(result.nodeType)?.plugin
        let record = AuditRecord(
            tenant: tenant, nodeType: result.nodeType, pluginID: plugin?.manifest.id,
            pluginVersion: plugin?.manifest.version, status: result.status.rawValue,
            errorCode: result.errorCode?.rawValue, durationMs: result.durationMs,
            executionID: result.executionID ?? ExecutionID.make())
        let outcome: Problem?
        switch auditLog() {
        case .success(let log): outcome = log.append(record)
        case .failure(let problem): outcome = problem
        }
        if let problem = outcome {
            result.status = .error
            result.errorCode = problem.code
            result.error = problem.message
        }
    }

    private func auditLog() -> Result<AuditLog, Problem> {
        let path: String
        switch AuditLog.resolvePath(explicit: configuration.auditLogPath, policySet: configuration.policy) {
        case .success(let resolved): path = resolved
        case .failure(let problem): return .failure(problem)
        }
        return state.withLock { state -> Result<AuditLog, Problem> in
            if let log = state.auditLogs[path] { return .success(log) }
            do throws(Problem) {
                let log = try AuditLog(path: path, durability: configuration.auditDurability)
                state.auditLogs[path] = log
                return .success(log)
            } catch {
                return .failure(error)
            }
        }
    }
}
