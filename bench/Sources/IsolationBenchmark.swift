import Foundation
import Logging
import PluginDiscovery
import PluginHostCore
import PluginIsolation
import PluginLoader
import PluginMetadata
import PluginRuntime
import PluginWorkflow
import Synchronization

/// Process isolation's costs, each beside its in-process peer measured in the same run:
///
/// 1. `math.add` round trip: sequential synchronous `PluginHost.execute` calls on ``MathHost``
///    with `isolation.mode = .process` (warm workers; the default pool, and `.w1` one worker),
///    beside the same calls on the same host in process (`.none`). Goal ≤ 20 µs per call. Also
///    that in-process figure beside the same host with `IsolationOptions(limits: .none)`.
/// 2. Batched: 10 000-node fan and layered workflows (``BenchGraph``) of real `math.add` nodes
///    through `HostWorkflows.run` at concurrency 64 (so ready nodes queue and the pool batches
///    them), with 1 and 2 workers, per node; peer: the same workflow in process. Goal ≤ 3 µs per
///    node. Also the pool's floor: 10 000 calls submitted at once straight to one `WorkerPool`
///    (one worker, default batch limit), per call.
/// 3. Crash to replacement: `hazard.segfault` through an isolated host (one worker), then the
///    pool's `lastReplacementMs` (the dead worker reaped → its replacement's handshake); median
///    of 20. Goal ≤ 20 ms. Beside it, from the crashed call's result to the next `math.add`
///    answered (what a caller waits), against a warm round trip.
/// 4. Probe: `PluginProbe.run` over 200 generated plugins (``PluginFarm``), 1 probe process and
///    the host's default 5, per plugin; peer: `PluginLoader.load` + `initialize` of the same
///    files in this process (never opened here before). Goal ≤ 2× the in-process load.
///
/// The worker is `plugin-host-worker` beside this runner; the group builds it first (like the
/// embed group builds its library: `swift run` builds only the runner, and a worker from an
/// older build would be measured silently); `PLUGIN_HOST_WORKER=PATH` names another worker,
/// used unbuilt. Without one every row stays with the reason and no value. The hazard plugin is
/// `Plugins/hazard/hazard.c` built with `cc` (as ``MathHost`` builds math).
struct IsolationBenchmark {
    let workDirectory: String
    let template: [UInt8]

    static let roundTripBatches = 21
    static let roundTripCalls = 2_000
    static let inProcessBatches = 21
    static let inProcessCalls = 20_000
    static let workflowNodes = 10_000
    static let workflowConcurrency = 64
    static let workflowRepeats = 3
    static let floorCalls = 10_000
    static let floorRepeats = 5
    static let crashes = 20
    static let probePlugins = 200
    static let probeRounds = 5

    func run(log: (String) -> Void) async throws -> [Figure] {
        let worker: String
        switch Self.locateWorker(log: log) {
        case .success(let path): worker = path
        case .failure(let skipped): return Self.unmeasured(because: skipped.note)
        }
        log("isolation: worker \(worker)")
        var figures: [Figure] = []
        figures += try roundTrip(worker: worker, log: log)
        figures += try await workflows(worker: worker, log: log)
        figures += try poolFloor(worker: worker, log: log)
        figures += try crashReplacement(worker: worker, log: log)
        figures += try probe(worker: worker, log: log)
        return figures
    }

    /// `--profile isolation.KIND N`: one path only, for `perf record` / `strace -f` (the worker
    /// processes are children of this one): `roundtrip` (N sequential isolated `math.add`
    /// calls, default pool), `floor` (N × 10 000 calls submitted at once to a one-worker pool),
    /// `workflow` (the fan workflow N times through one worker), `crash` (N segfaults, each
    /// followed by `math.add`), `probe` (N probes of 200 plugins, one probe process each). The
    /// worker is not rebuilt first, so the profile holds no `swift build`.
    func profile(_ kind: String, iterations: Int) async throws {
        guard case .success(let worker) = Self.locateWorker(build: false, log: { _ in }) else { throw BenchError("no \(WorkerExecutable.name)") }
        let parameters = try JSONParser.parse(DispatchBenchmark.parametersText)
        if kind == "isolation.workflow" {
            let host = try MathHost(workDirectory: workDirectory, isolation: Self.isolation(worker, maximumWorkers: 1), log: { _ in }).host
            defer { host.shutdownWorkers() }
            let workflow = BenchGraph.fan.workflow(nodes: Self.workflowNodes, concurrency: Self.workflowConcurrency, nodeType: "math.add",
                                                   parameters: parameters)
            for _ in 0..<iterations { _ = await HostWorkflows(host: host, tenant: MathHost.tenant).run(ParsedWorkflow(workflow: workflow, problems: [])) }
        } else {
            try profileSync(kind, iterations: iterations, worker: worker, parameters: parameters)
        }
    }

    /// The synchronous kinds (the blocking `execute`, as a caller outside async code uses it).
    private func profileSync(_ kind: String, iterations: Int, worker: String, parameters: JSONValue) throws {
        switch kind {
        case "isolation.roundtrip":
            let host = try MathHost(workDirectory: workDirectory, isolation: Self.isolation(worker), log: { _ in }).host
            defer { host.shutdownWorkers() }
            for _ in 0..<iterations { _ = host.execute(nodeType: "math.add", parameters: parameters, tenant: MathHost.tenant) }
        case "isolation.floor":
            let (pool, call) = try mathPool(worker: worker, log: { _ in })
            defer { pool.shutdown() }
            for _ in 0..<iterations { _ = try Self.submitAll(call, count: Self.floorCalls, to: pool) }
        case "isolation.crash":
            let host = try crashHost(worker: worker, log: { _ in })
            defer { host.shutdownWorkers() }
            for _ in 0..<iterations {
                _ = host.execute(nodeType: "hazard.segfault", parameters: .object(JSONObject()))
                _ = host.execute(nodeType: "math.add", parameters: parameters)
            }
        case "isolation.probe":
            let farm = try PluginFarm(template: template, directory: workDirectory + "/isolation-probe/profile", count: Self.probePlugins,
                                      firstSerial: 70_000)
            let specs = Scanner(options: ScanOptions(), cache: nil).scan([SearchDirectory(path: farm.directory)]).plugins.compactMap(Self.spec)
            let launch = WorkerLaunch(executable: worker, limits: IsolationOptions.defaultLimits)
            for _ in 0..<iterations { _ = PluginProbe.run(specs, launch: launch, timeout: .seconds(5), concurrency: 1) }
        default:
            throw BenchError("unknown profile kind \(kind): use isolation.roundtrip, isolation.floor, isolation.workflow, isolation.crash or isolation.probe")
        }
    }

    // MARK: - 1. Round trip

    private func roundTrip(worker: String, log: (String) -> Void) throws -> [Figure] {
        let parameters = try JSONParser.parse(DispatchBenchmark.parametersText)
        let input = JSONValue.array([])
        func check(_ result: NodeResult, _ what: String) throws {
            guard result.status == .success, result.output?["result"]?.doubleValue == 5 else {
                throw BenchError("isolation: \(what): math.add did not answer 5: \(result.errorCode?.rawValue ?? "") \(result.error ?? "no output")")
            }
        }

        let isolated = try MathHost(workDirectory: workDirectory, isolation: Self.isolation(worker), log: log).host
        defer { isolated.shutdownWorkers() }
        log("isolation: first math.add through a worker (probe, worker start, load)…")
        let firstStart = WallClockNanos.now()
        try check(isolated.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant), "first isolated call")
        log("isolation: first isolated call \(Self.format(Double(WallClockNanos.now() - firstStart) / 1e6)) ms")
        for _ in 0..<2_000 {
            try check(isolated.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant), "warm-up")
        }
        log("isolation: PluginHost.execute(math.add) through a worker × \(Self.roundTripBatches * Self.roundTripCalls)…")
        let isolatedNs = try medianNanoseconds(batches: Self.roundTripBatches, calls: Self.roundTripCalls) {
            isolated.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant).succeeded
        }
        log("isolation: pool after the sequential calls: \(Self.workerCounters(isolated))")
        isolated.shutdownWorkers()

        // The same with a one-worker pool: a sequential caller never needs a second worker.
        let single = try MathHost(workDirectory: workDirectory, isolation: Self.isolation(worker, maximumWorkers: 1), log: log).host
        defer { single.shutdownWorkers() }
        for _ in 0..<2_000 {
            try check(single.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant), "warm-up, 1 worker")
        }
        log("isolation: the same through a one-worker pool × \(Self.roundTripBatches * Self.roundTripCalls)…")
        let singleNs = try medianNanoseconds(batches: Self.roundTripBatches, calls: Self.roundTripCalls) {
            single.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant).succeeded
        }
        log("isolation: one-worker pool: \(Self.workerCounters(single))")

        let inProcess = try MathHost(workDirectory: workDirectory, log: log).host
        try check(inProcess.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant), "in process")
        for _ in 0..<10_000 { _ = inProcess.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant) }
        log("isolation: the same calls in process × \(Self.inProcessBatches * Self.inProcessCalls)…")
        let inProcessNs = try medianNanoseconds(batches: Self.inProcessBatches, calls: Self.inProcessCalls) {
            inProcess.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant).succeeded
        }

        // The in-process host without resource limits: the default limits (2048 MiB) are the
        // workers'; this row shows they cost an in-process call nothing.
        let unlimited = try MathHost(workDirectory: workDirectory, isolation: IsolationOptions(limits: .none), log: log).host
        try check(unlimited.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant), "no limits")
        for _ in 0..<10_000 { _ = unlimited.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant) }
        log("isolation: in process with IsolationOptions.limits = .none × \(Self.inProcessBatches * Self.inProcessCalls)…")
        let unlimitedNs = try medianNanoseconds(batches: Self.inProcessBatches, calls: Self.inProcessCalls) {
            unlimited.execute(nodeType: "math.add", parameters: parameters, input: input, tenant: MathHost.tenant).succeeded
        }

        let roundTripUs = isolatedNs / 1000
        return [
            Figure(name: "isolation.math.add", value: roundTripUs, unit: "µs/call", goal: "≤ 20", meetsGoal: roundTripUs <= 20,
                   peer: "the same calls in process (isolation none)", peerValue: inProcessNs / 1000),
            Figure(name: "isolation.math.add.w1", value: singleNs / 1000, unit: "µs/call", goal: "≤ 20", meetsGoal: singleNs / 1000 <= 20,
                   peer: "the same calls in process (isolation none)", peerValue: inProcessNs / 1000),
            Figure(name: "isolation.none.math.add", value: inProcessNs, unit: "ns/call", goal: nil, meetsGoal: nil,
                   peer: "in process, IsolationOptions(limits: .none)", peerValue: unlimitedNs),
        ]
    }

    // MARK: - 2. Batched workflows and the pool floor

    private func workflows(worker: String, log: (String) -> Void) async throws -> [Figure] {
        let parameters = try JSONParser.parse(DispatchBenchmark.parametersText)
        let shapes: [BenchGraph] = [.fan, .layered]
        let inProcess = try MathHost(workDirectory: workDirectory, log: log).host
        let pools = [1, 2]
        var hosts: [Int: PluginHost] = [:]
        for workers in pools {
            hosts[workers] = try MathHost(workDirectory: workDirectory, isolation: Self.isolation(worker, maximumWorkers: workers), log: log).host
        }
        defer { for host in hosts.values { host.shutdownWorkers() } }

        var figures: [Figure] = []
        for shape in shapes {
            let workflow = shape.workflow(nodes: Self.workflowNodes, concurrency: Self.workflowConcurrency, nodeType: "math.add",
                                          parameters: parameters)
            let parsed = ParsedWorkflow(workflow: workflow, problems: [])
            log("isolation: \(shape.rawValue) workflow in process, concurrency \(Self.workflowConcurrency)…")
            let peer = try await Self.timeWorkflow(parsed, on: inProcess, name: "\(shape.rawValue) in process")
            for workers in pools {
                log("isolation: \(shape.rawValue) workflow through \(workers) worker\(workers == 1 ? "" : "s")…")
                let host = hosts[workers]!
                let value = try await Self.timeWorkflow(parsed, on: host, name: "\(shape.rawValue), \(workers) workers")
                log("isolation: pool: \(Self.workerCounters(host))")
                figures.append(Figure(
                    name: "isolation.workflow.\(shape.rawValue).10k.c\(Self.workflowConcurrency).w\(workers)", value: value, unit: "µs/node",
                    goal: "≤ 3", meetsGoal: value <= 3, peer: "the same workflow in process (HostWorkflows, isolation none)", peerValue: peer))
            }
        }
        return figures
    }

    /// Median µs per node of `workflowRepeats` runs, after one untimed run (the probe, the
    /// workers' start and their plugin loads happen there).
    private static func timeWorkflow(_ parsed: ParsedWorkflow, on host: PluginHost, name: String) async throws -> Double {
        let workflows = HostWorkflows(host: host, tenant: MathHost.tenant)
        var samples: [Double] = []
        for round in 0...workflowRepeats {
            let start = WallClockNanos.now()
            let outcome = await workflows.run(parsed)
            let elapsed = WallClockNanos.now() - start
            guard outcome.succeeded, let result = outcome.result, result.nodes.count == parsed.workflow.nodes.count,
                  result.nodes.last?.result.output?["result"]?.doubleValue == 5 else {
                let failed = outcome.result?.nodes.first { $0.result.status != .success }?.result
                throw BenchError("isolation: workflow \(name): \(failed?.errorCode?.rawValue ?? "") \(failed?.error ?? "the run did not succeed")")
            }
            if round > 0 { samples.append(Double(elapsed) / 1000 / Double(parsed.workflow.nodes.count)) }
        }
        return median(samples)
    }

    /// A one-worker pool (default limits and batch limit) and a `math.add` call for it, the
    /// worker started and the plugin loaded.
    private func mathPool(worker: String, log: (String) -> Void) throws -> (WorkerPool, WorkerCall) {
        let directory = workDirectory + "/math"
        let library = try MathHost.compile(source: PackagePaths.root + "/Plugins/math/math.c", into: directory, log: log)
        let report = Scanner(options: ScanOptions(), cache: nil).scan([SearchDirectory(path: directory)])
        guard let scanned = report.plugins.first(where: { $0.path == library }), let spec = Self.spec(scanned) else {
            throw BenchError("isolation: the math plugin did not scan")
        }
        let pool = WorkerPool(launch: WorkerLaunch(executable: worker, limits: IsolationOptions.defaultLimits), maximumWorkers: 1)
        let call = WorkerCall(
            plugins: [spec],
            request: PluginCallRequest(nodeType: NulTerminatedUTF8("math.add"), params: NulTerminatedUTF8(DispatchBenchmark.parametersText),
                                       tenantID: NulTerminatedUTF8(MathHost.tenant)),
            deadline: nil)
        _ = try Self.submitAll(call, count: 100, to: pool)
        return (pool, call)
    }

    private func poolFloor(worker: String, log: (String) -> Void) throws -> [Figure] {
        let library = try MathHost.compile(source: PackagePaths.root + "/Plugins/math/math.c", into: workDirectory + "/math", log: log)
        let (pool, call) = try mathPool(worker: worker, log: log)
        defer { pool.shutdown() }
        log("isolation: \(Self.floorCalls) calls submitted at once to one WorkerPool (1 worker, batch limit \(pool.batchLimit))…")
        var samples: [Double] = []
        for _ in 0..<Self.floorRepeats {
            samples.append(try Self.submitAll(call, count: Self.floorCalls, to: pool) / 1000 / Double(Self.floorCalls))
        }
        let statistics = pool.statistics
        log("isolation: pool floor: \(statistics.calls) calls in \(statistics.batches) writes, \(statistics.started) worker(s) started")

        let direct = try DirectPluginCall(library: library, nodeType: "math.add", parameters: DispatchBenchmark.parametersText, tenant: MathHost.tenant)
        for _ in 0..<10_000 { _ = direct.callOnce() }
        let directNs = try DispatchBenchmark.medianNanoseconds { direct.callOnce() == 0 }
        return [
            Figure(name: "isolation.pool.floor.10k.w1", value: median(samples), unit: "µs/call", goal: nil, meetsGoal: nil,
                   peer: "direct C call of the plugin's execute, in process", peerValue: directNs / 1000),
        ]
    }

    /// Submits `count` copies of `call` at once and returns the nanoseconds until the last one
    /// ended; throws unless every one returned status 0.
    private static func submitAll(_ call: WorkerCall, count: Int, to pool: WorkerPool) throws -> Double {
        let done = DispatchSemaphore(value: 0)
        let finished = Counter(), failed = Counter()
        let start = WallClockNanos.now()
        for _ in 0..<count {
            pool.submit(call) { end in
                if case .returned(let outcome, _) = end, outcome.status == 0 {} else { failed.increment() }
                if finished.increment() == count { done.signal() }
            }
        }
        done.wait()
        let elapsed = Double(WallClockNanos.now() - start)
        guard failed.value == 0 else { throw BenchError("isolation: \(failed.value) of \(count) pool calls failed") }
        return elapsed
    }

    // MARK: - 3. Crash to replacement

    /// A host with the math and hazard plugins, isolated in a one-worker pool (so a crash's
    /// replacement is the only worker starting), and a circuit breaker that never opens (so
    /// every crash really runs the plugin; the default opens after 5 failures).
    private func crashHost(worker: String, log: (String) -> Void) throws -> PluginHost {
        let mathDirectory = workDirectory + "/math"
        _ = try MathHost.compile(source: PackagePaths.root + "/Plugins/math/math.c", into: mathDirectory, log: log)
        let hazardDirectory = workDirectory + "/hazard"
        _ = try MathHost.compile(source: PackagePaths.root + "/Plugins/hazard/hazard.c", into: hazardDirectory, log: log)
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let host = PluginHost(configuration: HostConfiguration(
            directories: [SearchDirectory(path: mathDirectory), SearchDirectory(path: hazardDirectory)], logger: logger,
            circuitBreaker: CircuitBreaker.Configuration(failureThreshold: 1_000_000, coolDownMs: 1),
            isolation: Self.isolation(worker, maximumWorkers: 1)))
        guard host.scan().summary.ok == 2 else { throw BenchError("isolation: the math or hazard plugin was not accepted by the scan") }
        return host
    }

    private func crashReplacement(worker: String, log: (String) -> Void) throws -> [Figure] {
        let host = try crashHost(worker: worker, log: log)
        defer { host.shutdownWorkers() }
        let add = try JSONParser.parse(DispatchBenchmark.parametersText)
        let none = JSONValue.object(JSONObject())
        func addOnce() throws {
            let result = host.execute(nodeType: "math.add", parameters: add)
            guard result.succeeded else { throw BenchError("isolation: math.add after a crash: \(result.errorCode?.rawValue ?? "") \(result.error ?? "")") }
        }
        try addOnce()
        for _ in 0..<1_000 { try addOnce() }
        let warm = try medianNanoseconds(batches: 5, calls: 1_000) { host.execute(nodeType: "math.add", parameters: add).succeeded }

        log("isolation: hazard.segfault × \(Self.crashes), each followed by math.add…")
        var replacements: [Double] = []
        var nextCall: [Double] = []
        var crashCall: [Double] = []
        for _ in 0..<Self.crashes {
            let start = WallClockNanos.now()
            let crashed = host.execute(nodeType: "hazard.segfault", parameters: none)
            let crashedAt = WallClockNanos.now()
            guard crashed.errorCode == .executionCrashed else {
                throw BenchError("isolation: hazard.segfault ended \(crashed.status) \(crashed.errorCode?.rawValue ?? "") \(crashed.error ?? "")")
            }
            try addOnce()
            let answeredAt = WallClockNanos.now()
            crashCall.append(Double(crashedAt - start) / 1e6)
            nextCall.append(Double(answeredAt - crashedAt) / 1e6)
            guard let pool = host.statistics()["workers"]?.arrayValue?.first, let ms = pool["lastReplacementMs"]?.doubleValue else {
                throw BenchError("isolation: no lastReplacementMs in the host's worker statistics")
            }
            replacements.append(ms)
        }
        log("isolation: replacement ms min \(Self.format(replacements.min()!)) median \(Self.format(median(replacements))) max \(Self.format(replacements.max()!)); "
            + "crashed call median \(Self.format(median(crashCall))) ms; pool: \(Self.workerCounters(host))")
        let replacement = median(replacements)
        return [
            Figure(name: "isolation.crash.replacement", value: replacement, unit: "ms", goal: "≤ 20", meetsGoal: replacement <= 20,
                   peer: nil, peerValue: nil),
            Figure(name: "isolation.crash.next-call", value: median(nextCall), unit: "ms", goal: nil, meetsGoal: nil,
                   peer: "math.add through a warm worker", peerValue: warm / 1e6),
        ]
    }

    // MARK: - 4. Probe

    private func probe(worker: String, log: (String) -> Void) throws -> [Figure] {
        let launch = WorkerLaunch(executable: worker, limits: IsolationOptions.defaultLimits)
        let hostConcurrency = InitOptions().concurrency
        var serial = 60_000
        /// A fresh farm, scanned: files this process has never opened.
        func freshFarm(_ name: String) throws -> [ScannedPlugin] {
            let farm = try PluginFarm(template: template, directory: workDirectory + "/isolation-probe/\(name)", count: Self.probePlugins,
                                      firstSerial: serial)
            serial += Self.probePlugins
            let report = Scanner(options: ScanOptions(), cache: nil).scan([SearchDirectory(path: farm.directory)])
            guard report.plugins.count == Self.probePlugins, report.plugins.allSatisfy({ Self.spec($0) != nil }) else {
                throw BenchError("isolation: the probe farm did not scan cleanly")
            }
            return report.plugins
        }
        func probeOnce(_ plugins: [ScannedPlugin], concurrency: Int) throws -> Double {
            let specs = plugins.compactMap(Self.spec)
            let start = WallClockNanos.now()
            let outcomes = PluginProbe.run(specs, launch: launch, timeout: .seconds(5), concurrency: concurrency)
            let elapsed = Double(WallClockNanos.now() - start)
            for outcome in outcomes {
                guard case .loaded = outcome else { throw BenchError("isolation: a probe did not load its plugin: \(outcome)") }
            }
            return elapsed / 1000 / Double(plugins.count)
        }

        log("isolation: probe of \(Self.probePlugins) plugins (1 and \(hostConcurrency) processes) and in-process loads, \(Self.probeRounds) rounds…")
        var serialSamples: [Double] = []
        var parallelSamples: [Double] = []
        var loadSamples: [Double] = []
        for round in 0..<Self.probeRounds {
            let plugins = try freshFarm("r\(round)")
            // Alternate which goes first, so neither always finds the files warmer.
            if round % 2 == 1 { serialSamples.append(try probeOnce(plugins, concurrency: 1)) }
            let start = WallClockNanos.now()
            for plugin in plugins {
                switch PluginLoader.load(plugin).flatMap({ loaded in loaded.initialize(config: .object(JSONObject())) }) {
                case .success: break
                case .failure(let problem): throw BenchError("isolation: in-process load failed: \(problem)")
                }
            }
            loadSamples.append(Double(WallClockNanos.now() - start) / 1000 / Double(plugins.count))
            if round % 2 == 0 { serialSamples.append(try probeOnce(plugins, concurrency: 1)) }
            parallelSamples.append(try probeOnce(plugins, concurrency: hostConcurrency))
        }
        let load = median(loadSamples)
        let serialProbe = median(serialSamples), parallelProbe = median(parallelSamples)
        let peer = "PluginLoader.load + initialize in process (distinct copies)"
        return [
            Figure(name: "isolation.probe.\(Self.probePlugins).c1", value: serialProbe, unit: "µs/plugin", goal: "≤ 2 × peer",
                   meetsGoal: serialProbe <= 2 * load, peer: peer, peerValue: load),
            Figure(name: "isolation.probe.\(Self.probePlugins).c\(hostConcurrency)", value: parallelProbe, unit: "µs/plugin", goal: "≤ 2 × peer",
                   meetsGoal: parallelProbe <= 2 * load, peer: peer, peerValue: load),
        ]
    }

    // MARK: - Helpers

    private static func isolation(_ worker: String, maximumWorkers: Int = IsolationOptions().maximumWorkers) -> IsolationOptions {
        IsolationOptions(mode: .process, workerExecutable: worker, maximumWorkers: maximumWorkers)
    }

    /// How a worker loads `plugin`, as the host describes it (strict mode, `{}` config).
    private static func spec(_ plugin: ScannedPlugin) -> WorkerPluginSpec? {
        guard let identity = plugin.identity, let manifest = plugin.manifest else { return nil }
        return WorkerPluginSpec(path: plugin.path, pluginID: manifest.id, identity: identity, mode: .strict,
                                allowUnsafePermissions: false, config: "{}")
    }

    /// The host's worker-pool counters, for the log.
    private static func workerCounters(_ host: PluginHost) -> String {
        guard let pools = host.statistics()["workers"]?.arrayValue else { return "none" }
        return pools.map { pool in
            ["started", "calls", "batches", "crashes", "alive"].map { "\($0) \(pool[$0]?.intValue ?? 0)" }.joined(separator: ", ")
        }.joined(separator: "; ")
    }

    private static func format(_ value: Double) -> String { "\(rounded(value))" }

    // MARK: - The worker executable

    /// The rows ``run(log:)`` returns, for a run that cannot measure them.
    static var rowNames: [(name: String, unit: String, goal: String?)] {
        let workflows = ["fan", "layered"].flatMap { shape in
            [1, 2].map { ("isolation.workflow.\(shape).10k.c\(workflowConcurrency).w\($0)", "µs/node", "≤ 3" as String?) }
        }
        return [("isolation.math.add", "µs/call", "≤ 20"), ("isolation.math.add.w1", "µs/call", "≤ 20"),
                ("isolation.none.math.add", "ns/call", nil)] + workflows + [
            ("isolation.pool.floor.10k.w1", "µs/call", nil), ("isolation.crash.replacement", "ms", "≤ 20"),
            ("isolation.crash.next-call", "ms", nil), ("isolation.probe.\(probePlugins).c1", "µs/plugin", "≤ 2 × peer"),
            ("isolation.probe.\(probePlugins).c\(InitOptions().concurrency)", "µs/plugin", "≤ 2 × peer"),
        ]
    }

    /// Every row, unmeasured, with `reason` in the peer column.
    static func unmeasured(because reason: String) -> [Figure] {
        rowNames.map { Figure(name: $0.name, value: nil, unit: $0.unit, goal: $0.goal, meetsGoal: nil, peer: reason, peerValue: nil) }
    }

    /// Builds `plugin-host-worker` into the runner's own build directory (a no-op when it is up
    /// to date) and returns its path; a worker already there is used if the build cannot run.
    /// `PLUGIN_HOST_WORKER` names another worker (not built, used as it is).
    static func locateWorker(build: Bool = true, log: (String) -> Void) -> Result<String, PeerSkipped> {
        if let chosen = ProcessInfo.processInfo.environment["PLUGIN_HOST_WORKER"], !chosen.isEmpty {
            guard access(chosen, X_OK) == 0 else { return .failure(PeerSkipped("not measured: PLUGIN_HOST_WORKER=\(chosen) is not executable")) }
            return .success(chosen)
        }
        let candidate = build ? buildBesideRunner(WorkerExecutable.name, log: log) : besideRunner(WorkerExecutable.name)
        if access(candidate, X_OK) == 0 { return .success(candidate) }
        if let found = WorkerExecutable.locate(explicit: nil, environment: ProcessInfo.processInfo.environment) { return .success(found) }
        return .failure(PeerSkipped("not measured: \(WorkerExecutable.name) not found beside the runner (swift build -c release --product \(WorkerExecutable.name))"))
    }
}

/// A counter completions on pool threads can bump.
private final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    /// Adds one; returns the new count.
    @discardableResult
    func increment() -> Int { count.add(1, ordering: .relaxed).newValue }
    var value: Int { count.load(ordering: .relaxed) }
}
