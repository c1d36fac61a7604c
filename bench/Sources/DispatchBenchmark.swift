import Foundation
import Logging
import PluginDiscovery
import PluginHostCore
import PluginRuntime
import PluginTenancy

/// Issue #4's dispatch figure: `PluginHost.execute` of a trivial node (`math.add` with
/// `{"a":2,"b":3}`) on the synchronous path, beside the plugin's own `execute` called directly
/// and a Python ctypes call, all in the same run.
///
/// The host is configured as a multi-tenant deployment would be: a policy file whose tenant
/// may run `math.add` but not `math.div` (checked below, so the tenant check is real work), the
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
        let directory = workDirectory + "/dispatch"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let library = directory + "/libph-math.so"
        log("dispatch: building Plugins/math with cc…")
        try PluginFarm.compilePlugin(source: PackagePaths.root + "/Plugins/math/math.c", output: library)

        let host = try makeHost(directory: directory)
        let parameters = try JSONParser.parse(Self.parametersText)
        let input = JSONValue.array([])
        func dispatch() -> NodeResult {
            host.execute(nodeType: Self.nodeType, parameters: parameters, input: input, tenant: "acme")
        }
        // Loads the plugin on demand, compiles the schema, fills the validation cache.
        let first = dispatch()
        guard first.status == .success, first.output?["result"]?.doubleValue == 5 else {
            throw BenchError("dispatch: math.add did not answer 5: \(first.error ?? "no output")")
        }
        let denied = host.execute(nodeType: "math.div", parameters: parameters, input: input, tenant: "acme")
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
        let direct = try DirectPluginCall(library: library, nodeType: Self.nodeType, parameters: Self.parametersText, tenant: "acme")
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

        let goal = dispatchNs <= 250
        return [
            Figure(name: "dispatch.math.add", value: dispatchNs, unit: "ns/call", goal: "≤ 250", meetsGoal: goal,
                   peer: "direct C call of the plugin's execute", peerValue: directNs),
            Figure(name: "dispatch.math.add.vs.ctypes", value: dispatchNs, unit: "ns/call", goal: "≤ 250", meetsGoal: goal,
                   peer: ctypes.name, peerValue: ctypes.value),
        ]
    }

    /// A host over `directory` with a policy: tenant `acme` may run `math.add` and `math.sub`.
    private func makeHost(directory: String) throws -> PluginHost {
        let policyJSON = try JSONParser.parse(#"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["math.add","math.sub"],"dataIsolation":"none","auditLogging":false}]}"#)
        let (policy, problems) = TenantPolicySet.parse(policyJSON, file: nil)
        guard let policy else { throw BenchError("dispatch policy: \(problems)") }
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let host = PluginHost(configuration: HostConfiguration(
            directories: [SearchDirectory(path: directory)], policy: policy, logger: logger))
        let report = host.scan()
        guard report.summary.ok == 1 else { throw BenchError("dispatch: Plugins/math was not accepted by the scan") }
        return host
    }

    /// Median over `batches` of the mean ns per call of `callsPerBatch` calls; throws if any
    /// call reports failure (a failing path would be measured otherwise).
    static func medianNanoseconds(_ body: () -> Bool) throws -> Double {
        var samples: [Double] = []
        samples.reserveCapacity(batches)
        for _ in 0..<batches {
            var failures = 0
            let start = WallClockNanos.now()
            for _ in 0..<callsPerBatch where !body() { failures += 1 }
            samples.append(Double(WallClockNanos.now() - start) / Double(callsPerBatch))
            guard failures == 0 else { throw BenchError("\(failures) calls failed during a timed batch") }
        }
        return median(samples)
    }
}
