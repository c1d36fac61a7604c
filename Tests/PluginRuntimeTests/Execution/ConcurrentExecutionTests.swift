import Foundation
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import Testing

@Suite("Execution: concurrency")
struct ConcurrentExecutionTests {
    /// What call `index` runs and the status and output it must end with.
    static func plan(_ index: Int) -> (nodeType: String, parameters: JSONValue, recovery: NodeRecovery, status: NodeStatus, attempts: Int) {
        switch index % 5 {
        case 0: ("hostile.echo", ["i": .int(Int64(index))], .none, .success, 1)
        case 1: ("serial.check", ["failures": 1], recovery(attempts: 2), .success, 2)  // not thread-safe
        case 2: ("demo.flaky", ["failures": 1, "value": .int(Int64(index))], recovery(attempts: 3), .success, 2)
        case 3: ("demo.fail", ["transient": true], recovery(attempts: 2, onError: .skip), .skipped, 2)
        default: ("serial.check", [:], recovery(timeoutMs: 10_000), .success, 1)
        }
    }

    @Test("1 000 concurrent executions, sync and async, thread-safe and serialized, failing and retrying")
    func thousand() async throws {
        let host = try executionHost(random: { 0.5 })
        let total = 1_000
        let results = Locked<[Int: NodeResult]>([:])
        // Half synchronous, on 8 real threads of their own…
        let syncDone = Task.detached {
            runOnThreads(8) { thread in
                for index in stride(from: thread * 2, to: total, by: 16) {
                    let plan = Self.plan(index)
                    let result = host.execute(nodeType: plan.nodeType, parameters: plan.parameters, recovery: plan.recovery)
                    results.withLock { $0[index] = result }
                }
            }
        }
        // …and half async, all in flight together.
        await withTaskGroup(of: (Int, NodeResult).self) { group in
            for index in stride(from: 1, to: total, by: 2) {
                let plan = Self.plan(index)
                group.addTask {
                    (index, await host.execute(nodeType: plan.nodeType, parameters: plan.parameters, recovery: plan.recovery))
                }
            }
            for await (index, result) in group { results.withLock { $0[index] = result } }
        }
        await syncDone.value
        let all = results.withLock { $0 }
        #expect(all.count == total)
        for (index, result) in all {
            let plan = Self.plan(index)
            #expect(result.status == plan.status, "\(index) \(plan.nodeType): \(result.error ?? "")")
            #expect(result.attempts.count == plan.attempts, "\(index) \(plan.nodeType)")
            #expect(result.error != "overlapping calls")
        }
        let ids = Set(all.values.compactMap(\.executionID))
        #expect(ids.count == total)
        let metrics = host.errorMetrics.snapshot()
        #expect(metrics.retries == 600)  // 200 each for serial.check retries, demo.flaky and demo.fail
        #expect(metrics.recoverySuccesses == 600)
        #expect(metrics.byCode[.executionError] == nil)
        let stats = host.registry.statisticsSnapshot()
        #expect(stats.reduce(0) { $0 + Int($1.statistics.calls) } == total)
    }
}
