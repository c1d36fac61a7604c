import PluginHostCore
import PluginRuntime

/// Issue #4's dispatch figure: `PluginHost.execute` of a trivial node (`math.add` with
/// `{"a":2,"b":3}`) on the synchronous path, beside the plugin's own `execute` called directly
/// and a Python ctypes call, all in the same run.
///
/// The host (``MathHost``) is configured as a multi-tenant deployment would be: a policy whose
/// tenant may run `math.add` but not `math.div` (checked below, so the tenant check is real work), the
/// plugin loaded and the validation cache warm before timing (math's schema has no `pattern` or
/// `default`, so the cache answers by validating directly, its cheaper path, and never misses). The figure is the median over
/// batches of (batch wall time / calls), which a noisy shared machine disturbs least.
struct DispatchBenchmark {
    let workDirectory: String
    let python: PythonPeers
    static let batches = 41
    static let callsPerBatch = 20_000
    static let nodeType = "math.add"
    static let parametersText = #"{"a":2,"b":3}"#

    func run(log: (String) -> Void) throws -> [Figure] {
        let math = try MathHost(workDirectory: workDirectory, log: log)
        let host = math.host
        let library = math.library
        let parameters = try JSONParser.parse(Self.parametersText)
        let input = JSONValue.array([])
        func dispatch() -> NodeResult {
            host.execute(nodeType: Self.nodeType, parameters: parameters, input: input, tenant: MathHost.tenant)
        }
        // Loads the plugin on demand, compiles the schema, fills the validation cache.
        let first = dispatch()
        guard first.status == .success, first.output?["result"]?.doubleValue == 5 else {
            throw BenchError("dispatch: math.add did not answer 5: \(first.error ?? "no output")")
        }
        let denied = host.execute(nodeType: "math.div", parameters: parameters, input: input, tenant: MathHost.tenant)
        guard denied.errorCode == .nodeTypeDisabledForTenant else {
            throw BenchError("dispatch: the tenant policy is not applied (math.div gave \(denied.status))")
        }
        for _ in 0..<10_000 { _ = dispatch() }

        log("dispatch: PluginHost.execute(math.add) × \(Self.batches * Self.callsPerBatch)…")
        let before = host.validationCache.statistics
        let dispatchNs = try Self.medianNanoseconds { dispatch().status == .success }
        let after = host.validationCache.statistics
        // Warm means no timed call misses: each is a hit, or (for a schema with no pattern or
        // default, like math's) the direct check the cache chooses as cheaper than a lookup.
        guard after.misses == before.misses else {
            throw BenchError("dispatch: the validation cache missed \(after.misses - before.misses) times")
        }
        log("dispatch: validation \(after.hits > before.hits ? "from the cache" : "checked directly (the cache skips schemas with no pattern or default)")")

        log("peer: direct C call of the same plugin's execute…")
        let direct = try DirectPluginCall(library: library, nodeType: Self.nodeType, parameters: Self.parametersText, tenant: MathHost.tenant)
        for _ in 0..<10_000 { _ = direct.callOnce() }
        let directNs = try Self.medianNanoseconds { direct.callOnce() == 0 }
        guard direct.lastOutput == #"{"result":5}"# else { throw BenchError("direct call: output \(direct.lastOutput)") }

        log("peer: Python ctypes call…")
        let ctypes: (name: String, value: Double?)
        switch python.run("ctypes_call.py") {
        case .success(let json):
            ctypes = ("Python \(json["python"]?.stringValue ?? "") ctypes call of libc abs", json["nsPerCall"]?.doubleValue)
        case .failure(let skipped):
            ctypes = ("Python ctypes call (\(skipped.note))", nil)
        }

        // The goal is on the host's own cost: the dispatch minus the plugin's direct call, same run.
        let overheadNs = max(0, dispatchNs - directNs)
        return [
            Figure(name: "dispatch.math.add", value: dispatchNs, unit: "ns/call", goal: nil, meetsGoal: nil,
                   peer: "direct C call of the plugin's execute", peerValue: directNs),
            Figure(name: "dispatch.math.add.overhead", value: overheadNs, unit: "ns/call", goal: "≤ 150",
                   meetsGoal: overheadNs <= 150, peer: nil, peerValue: nil),
            Figure(name: "dispatch.math.add.vs.ctypes", value: dispatchNs, unit: "ns/call", goal: nil, meetsGoal: nil,
                   peer: ctypes.name, peerValue: ctypes.value),
        ]
    }

    /// The timed call alone, `iterations` times after the warm-up, for `valgrind --tool=callgrind`
    /// or `perf` (`--profile dispatch N`): instruction counts per call are stable where wall time
    /// on a shared machine is not.
    func profile(iterations: Int) throws {
        let math = try MathHost(workDirectory: workDirectory, log: { _ in })
        let parameters = try JSONParser.parse(Self.parametersText)
        let input = JSONValue.array([])
        for _ in 0..<(1_000 + iterations) {
            guard math.host.execute(nodeType: Self.nodeType, parameters: parameters, input: input, tenant: MathHost.tenant).status == .success
            else { throw BenchError("dispatch: math.add failed") }
        }
    }

    /// ``medianNanoseconds(batches:calls:_:)`` with this group's batch sizes.
    static func medianNanoseconds(_ body: () -> Bool) throws -> Double {
        try PluginHostBench.medianNanoseconds(batches: batches, calls: callsPerBatch, body)
    }
}
