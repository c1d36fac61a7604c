#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginDiscovery
import PluginHostCore
import PluginIsolation
import PluginLoader
import PluginMetadata
import PluginTenancy

/// One probe under way, which later callers for the same plugin wait for.
final class ProbeFlight: Sendable {
    private let gate = ConditionGate<Result<IsolatedPlugin, Problem>?>(nil)

    func finish(_ outcome: Result<IsolatedPlugin, Problem>) {
        gate.withLock { $0 = outcome }
        gate.broadcast()
    }

    func outcome() -> Result<IsolatedPlugin, Problem> {
        gate.locked { held in
            while held.access({ $0 }) == nil { _ = held.wait(deadline: nil) }
            return held.access { $0! }
        }
    }
}

/// A tenant's worker pool: workers never mix tenants, and limits are set when a worker starts.
struct WorkerPoolKey: Hashable, Sendable {
    var tenant: String
    var limits: ResourceLimits
}

/// Process isolation: where a tenant's calls run, the worker pools, and the probe that loads
/// a plugin in a throwaway process before any worker (or, with `load --isolate`, the host)
/// depends on it.
///
/// A node type that runs in workers is registered in ``isolatedRegistry`` from its plugin's
/// metadata once the probe loaded and initialized the plugin and the plugins it depends on;
/// the host itself never opens the library. The parent keeps everything before and after the
/// call — tenant check, lookup, validation, retries, breakers, statistics, audit — so a result
/// has the same shape whichever side ran the plugin.
extension PluginHost {
    /// The isolation mode and limits `policy`'s calls run under: the policy's own, else the
    /// host's defaults (a policy is never loosened by the host's options).
    public func placement(for policy: TenantPolicy) -> (mode: IsolationMode, limits: ResourceLimits) {
        let limits = (policy.limits ?? .none).merged(over: configuration.isolation.limits)
        return (policy.isolation ?? configuration.isolation.mode, limits)
    }

    /// The worker-registry entry for `nodeType`, probing its plugin on first use.
    func isolatedEntry(nodeType: String) -> Result<NodeEntry, Problem> {
        if let registered = isolatedRegistry.entry(nodeType) { return .success(registered) }
        switch lookup(nodeType: nodeType) {
        case .found(let plugin, _):
            return isolatedPlugin(plugin).flatMap { isolated in
                isolatedRegistry.register(providers: [.worker(isolated)])
                if let entry = isolatedRegistry.entry(nodeType) { return .success(entry) }
                return .failure(isolatedRegistry.problems.first { $0.node == nodeType }
                    ?? Problem(.nodeTypeNotFound, .error, "node type \(nodeType) of \(plugin.path) could not be registered", node: nodeType))
            }
        case .rejected(let plugin):
            return .failure(Self.unavailable(nodeType, rejectedBy: plugin))
        case .notFound(let suggestions):
            return .failure(Self.notFound(nodeType, suggestions: suggestions))
        }
    }

    /// `plugin` as workers load it, after probing it and the plugins it depends on (once; later
    /// calls return the same outcome). Calls that arrive while the probe runs wait for it rather
    /// than starting probes of their own: a workflow's first wave of ready nodes asks at once.
    func isolatedPlugin(_ plugin: ScannedPlugin) -> Result<IsolatedPlugin, Problem> {
        enum Role { case done(Result<IsolatedPlugin, Problem>), wait(ProbeFlight), probe(ProbeFlight) }
        let role = state.withLock { state -> Role in
            if let done = state.isolated[plugin.path] { return .done(done) }
            if let flight = state.probing[plugin.path] { return .wait(flight) }
            let flight = ProbeFlight()
            state.probing[plugin.path] = flight
            return .probe(flight)
        }
        switch role {
        case .done(let outcome):
            return outcome
        case .wait(let flight):
            return flight.outcome()
        case .probe(let flight):
            let outcome = probeForWorkers(plugin)
            state.withLock { $0.probing[plugin.path] = nil }
            flight.finish(outcome)
            return outcome
        }
    }

    private func probeForWorkers(_ plugin: ScannedPlugin) -> Result<IsolatedPlugin, Problem> {
        let plan = DependencyResolver.plan(report.plugins)
        if let excluded = plan.excluded.first(where: { $0.plugin.path == plugin.path }) {
            return rememberIsolated(plugin.path, .failure(excluded.problem))
        }
        let closure = plan.closure(of: plugin.path)
        let report = probe(closure, plan: plan)
        guard let outcome = report.outcome(path: plugin.path), outcome.status == .initialized else {
            let problem = report.outcome(path: plugin.path)?.problem
                ?? Problem(.dependencyNotLoaded, .error, "\(plugin.path) could not be probed", file: plugin.path)
            // A missing worker executable is not the plugin's fault: try again next time.
            if problem.code == .workerUnavailable { return .failure(problem) }
            return rememberIsolated(plugin.path, .failure(problem))
        }
        return state.withLock { $0.isolated[plugin.path] } ?? .failure(Problem(.workerUnavailable, .error, "\(plugin.path) was probed but not recorded"))
    }

    private func rememberIsolated(_ path: String, _ outcome: Result<IsolatedPlugin, Problem>) -> Result<IsolatedPlugin, Problem> {
        state.withLock { state in
            if let done = state.isolated[path] { return done }
            state.isolated[path] = outcome
            return outcome
        }
    }

    /// Probes every loadable plugin in worker processes (dependencies first), quarantining the
    /// ones whose load or `init` crashes (PROBE_CRASHED), hangs (INIT_TIMEOUT) or fails
    /// (INIT_FAILED); the ones that pass can run in workers and are registered for it. The
    /// host itself runs none of their code. `load --isolate` follows it with ``load()``.
    public func probe() -> InitReport {
        let plan = DependencyResolver.plan(report.plugins)
        var report = probe(plan.order, plan: plan)
        for (plugin, problem) in plan.excluded {
            report.outcomes.append(InitOutcome(
                path: plugin.path, id: plugin.manifest?.id ?? plugin.path, version: plugin.manifest?.version ?? "",
                status: .skipped, problem: problem, durationMs: 0, startedAtMs: nil))
        }
        return report
    }

    /// Probes `plugins` (in plan order), records the outcomes (quarantine, the worker
    /// registry's plugins) and reports them as an init report would.
    private func probe(_ plugins: [ScannedPlugin], plan: DependencyPlan) -> InitReport {
        let started = WallClock.monotonicNanoseconds()
        var outcomes: [String: InitOutcome] = [:]
        var toProbe: [ScannedPlugin] = []
        for plugin in plugins {
            if let done = state.withLock({ $0.isolated[plugin.path] }) {
                outcomes[plugin.path] = Self.outcome(plugin, done.failure, status: done.failure == nil ? .initialized : .failed)
            } else if let problem = quarantine.reason(for: plugin, configuration: initConfiguration(plugin)) {
                outcomes[plugin.path] = Self.outcome(plugin, problem, status: .quarantined)
            } else {
                toProbe.append(plugin)
            }
        }
        let specs: [WorkerPluginSpec?] = toProbe.map(workerSpec)
        let launch = workerLaunch(limits: configuration.isolation.limits)
        var probeOutcomes: [PluginProbe.Outcome] = []
        switch launch {
        case .success(let launch):
            let probed = specs.compactMap { $0 }
            let results = PluginProbe.run(probed, launch: launch, timeout: configuration.initOptions.timeout,
                                          concurrency: configuration.initOptions.concurrency)
            var next = results.makeIterator()
            probeOutcomes = specs.map { spec in spec == nil ? .failed(Problem(.fileUnreadable, .error, "the file could not be stat'ed")) : next.next()! }
        case .failure(let problem):
            probeOutcomes = toProbe.map { _ in .unavailable(problem) }
        }
        let elapsedMs = Double(WallClock.monotonicNanoseconds() &- started) / 1e6
        for (plugin, result) in zip(toProbe, probeOutcomes) {
            outcomes[plugin.path] = probeOutcome(plugin, result)
        }
        // In plan order: a plugin whose dependency did not pass cannot run either.
        var passed: [IsolatedPlugin] = []
        var ordered: [InitOutcome] = []
        for plugin in plugins {
            var outcome = outcomes[plugin.path]!
            if outcome.status == .initialized {
                let failedDependency = plan.dependencies[plugin.path]?.first { outcomes[$0]?.status != .initialized }
                if let failedDependency {
                    outcome.status = .skipped
                    outcome.problem = Problem(
                        .dependencyNotLoaded, .error,
                        "\(outcome.id) is not used because \(outcomes[failedDependency]?.id ?? failedDependency), which it depends on, did not pass its probe",
                        file: plugin.path)
                    outcomes[plugin.path] = outcome
                } else if let manifest = plugin.manifest, state.withLock({ $0.isolated[plugin.path] }) == nil {
                    let loadOrder = plan.closure(of: plugin.path).compactMap(workerSpec)
                    let isolated = IsolatedPlugin(path: plugin.path, manifest: manifest, loadOrder: loadOrder)
                    passed.append(isolated)
                    _ = rememberIsolated(plugin.path, .success(isolated))
                }
            } else if let problem = outcome.problem, problem.code != .workerUnavailable, outcome.status != .quarantined {
                _ = rememberIsolated(plugin.path, .failure(problem))
            }
            ordered.append(outcome)
        }
        isolatedRegistry.register(providers: passed.map(NodeProvider.worker))
        saveQuarantine()
        return InitReport(
            outcomes: ordered, initialized: [], wallTimeMs: elapsedMs, peakConcurrency: min(max(1, configuration.initOptions.concurrency), max(1, toProbe.count)),
            concurrencyLimit: max(1, configuration.initOptions.concurrency), timeoutMs: configuration.initOptions.timeout.milliseconds)
    }

    /// One probed plugin's outcome; failures that mean "do not run this again" are quarantined.
    private func probeOutcome(_ plugin: ScannedPlugin, _ result: PluginProbe.Outcome) -> InitOutcome {
        let id = plugin.manifest?.id ?? plugin.path
        switch result {
        case .loaded:
            return Self.outcome(plugin, nil, status: .initialized)
        case .failed(let problem):
            let reported = problem.code == .initFailed
                ? quarantine.quarantine(plugin, because: problem, configuration: initConfiguration(plugin)) : problem
            return Self.outcome(plugin, reported, status: .failed)
        case .crashed(let exit, _):
            let problem = Problem(
                .probeCrashed, .error,
                "loading or initializing \(id) crashed its probe process, which \(exit); the host never ran this code itself. "
                    + "Fix the plugin's constructors or init",
                file: plugin.path)
            return Self.outcome(plugin, quarantine.quarantine(plugin, because: problem, configuration: initConfiguration(plugin)), status: .crashed)
        case .timedOut:
            let problem = Problem(
                .initTimeout, .error,
                "\(id) did not finish loading and initializing within \(configuration.initOptions.timeout.spoken) in its probe process, "
                    + "which was killed",
                file: plugin.path)
            return Self.outcome(plugin, quarantine.quarantine(plugin, because: problem, configuration: initConfiguration(plugin)), status: .timedOut)
        case .unavailable(let problem):
            return Self.outcome(plugin, problem, status: .failed)
        }
    }

    /// The configuration `plugin`'s `init` gets (and its quarantine entry is keyed by).
    private func initConfiguration(_ plugin: ScannedPlugin) -> JSONValue {
        configuration.initOptions.configuration(for: plugin.manifest?.id ?? plugin.path)
    }

    private static func outcome(_ plugin: ScannedPlugin, _ problem: Problem?, status: InitStatus) -> InitOutcome {
        InitOutcome(
            path: plugin.path, id: plugin.manifest?.id ?? plugin.path, version: plugin.manifest?.version ?? "",
            status: status, problem: problem, durationMs: 0, startedAtMs: nil)
    }

    /// How a worker loads `plugin`: the file the scan saw, checked as the scan checked it.
    private func workerSpec(_ plugin: ScannedPlugin) -> WorkerPluginSpec? {
        guard let identity = plugin.identity, let manifest = plugin.manifest else { return nil }
        let config = configuration.initOptions.configuration(for: manifest.id)
        return WorkerPluginSpec(
            path: plugin.path, pluginID: manifest.id, identity: identity, mode: configuration.scanOptions.mode,
            allowUnsafePermissions: configuration.scanOptions.allowUnsafePermissions, config: JSONWriter.string(config))
    }

    // MARK: - Pools

    /// The worker pool for `tenant` under `limits`, started on first use.
    func workerPool(tenant: String, limits: ResourceLimits) -> Result<WorkerPool, Problem> {
        let key = WorkerPoolKey(tenant: tenant, limits: limits)
        if let pool = state.withLock({ $0.pools[key] }) { return .success(pool) }
        return workerLaunch(limits: limits).map { launch in
            state.withLock { state in
                if let pool = state.pools[key] { return pool }
                let pool = WorkerPool(launch: launch, maximumWorkers: configuration.isolation.maximumWorkers)
                state.pools[key] = pool
                return pool
            }
        }
    }

    private func workerLaunch(limits: ResourceLimits) -> Result<WorkerLaunch, Problem> {
        let environment = ProcessEnvironment.table
        guard let executable = WorkerExecutable.locate(explicit: configuration.isolation.workerExecutable, environment: environment) else {
            return .failure(Problem(
                .workerUnavailable, .error,
                "\(WorkerExecutable.name) was not found (looked in \(WorkerExecutable.searchedPlaces(explicit: configuration.isolation.workerExecutable, environment: environment))); "
                    + "install it beside plugin-host (swift build builds it) or set PLUGIN_HOST_WORKER to its path"))
        }
        return .success(WorkerLaunch(executable: executable, limits: limits))
    }

    /// Every worker pool's counters, by tenant (the `workers` part of ``statistics()``).
    func workerStatistics() -> JSONValue {
        let pools = state.withLock { state in state.pools.map { ($0.key, $0.value) } }
            .sorted { ($0.0.tenant, $0.1.launch.limits.memoryMb ?? 0) < ($1.0.tenant, $1.1.launch.limits.memoryMb ?? 0) }
        return .array(pools.map { key, pool in
            let statistics = pool.statistics
            var object: JSONObject = [
                "tenant": .string(key.tenant), "limits": key.limits.json(),
                "started": .int(Int64(statistics.started)), "crashes": .int(Int64(statistics.crashes)),
                "killed": .int(Int64(statistics.killed)), "calls": .int(Int64(statistics.calls)),
                "batches": .int(Int64(statistics.batches)), "alive": .int(Int64(statistics.alive)),
            ]
            if let replacement = statistics.lastReplacementMs { object["lastReplacementMs"] = .double(replacement.roundedToMicroseconds) }
            if let stop = statistics.lastStop {
                var stopped: JSONObject = ["reason": .string(stop.reason), "reapMs": .double(stop.reapMs.roundedToMicroseconds)]
                if let lateness = stop.latenessMs { stopped["afterDeadlineMs"] = .double(lateness.roundedToMicroseconds) }
                object["lastStop"] = .object(stopped)
            }
            return .object(object)
        })
    }

    /// The pids of the worker processes alive now, in every pool (for diagnostics and tests).
    public var workerProcessIDs: [Int32] {
        state.withLock { Array($0.pools.values) }.flatMap(\.workerPIDs).sorted()
    }

    /// Stops every worker process (their plugins' `shutdown` runs; a worker that does not exit
    /// within half a second is killed) and waits until all are reaped. Later isolated calls
    /// start new workers.
    public func shutdownWorkers() {
        let pools = state.withLock { state in
            defer { state.pools = [:] }
            return Array(state.pools.values)
        }
        for pool in pools { pool.shutdown() }
    }
}
