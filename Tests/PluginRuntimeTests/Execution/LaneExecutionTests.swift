import Foundation
import PluginHostCore
import PluginHostTestSupport
@testable import PluginRuntime
import Synchronization
import Testing

/// `PluginHost.executeOnLane`: a caller on a host thread it can give up (a workflow lane) makes
/// even a timed call itself, watched by the watchdog; a call past its deadline costs the caller
/// that thread, never the execution's result.
@Suite("Execution: a lane's own calls under the watchdog")
struct LaneExecutionTests {
    /// What one `executeOnLane` on a host thread gave: the direct result or the replacement's,
    /// and when each arrived (seconds after the start).
    final class LaneRun: Sendable {
        struct State {
            var returned: NodeResult??
            var returnedAfter: Double?
            var replaced: NodeResult?
            var replacedAfter: Double?
            var replacedOnTheLane = false
        }
        let state = Mutex(State())
        let started = Date()

        var returned: NodeResult?? { state.withLock { $0.returned } }
        /// Whether the lane's thread came back with nil: it had been given up.
        var laneWasGivenUp: Bool { state.withLock { state in state.returned.map { $0 == nil } ?? false } }
        var replaced: NodeResult? { state.withLock { $0.replaced } }

        /// Waits until the lane's thread came back and, when it was given up, the replacement
        /// delivered.
        func wait(seconds: Double = 10) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let done = state.withLock { state in
                    guard let returned = state.returned else { return false }
                    return returned != nil || state.replaced != nil
                }
                if done { return true }
                usleep(2_000)
            }
            return false
        }
    }

    private func onLane(_ host: PluginHost, nodeType: String, parameters: JSONValue, recovery: NodeRecovery) -> LaneRun {
        let run = LaneRun()
        let laneThread = Mutex<pthread_t?>(nil)
        host.runOnHostThread {
            laneThread.withLock { $0 = pthread_self() }
            let result = host.executeOnLane(nodeType: nodeType, parameters: parameters, recovery: recovery) { replaced in
                let onTheLane = laneThread.withLock { $0.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
                run.state.withLock {
                    $0.replaced = replaced
                    $0.replacedAfter = Date().timeIntervalSince(run.started)
                    $0.replacedOnTheLane = onTheLane
                }
            }
            run.state.withLock {
                $0.returned = .some(result)
                $0.returnedAfter = Date().timeIntervalSince(run.started)
            }
        }
        return run
    }

    @Test("a timed call that returns in time runs on the lane's thread: no hand-off, no replacement")
    func inTime() throws {
        let host = try executionHost()
        let before = host.callThreads.jobsStarted
        let runs = (0..<50).map { _ in
            onLane(host, nodeType: "hostile.echo", parameters: ["n": 1], recovery: recovery(timeoutMs: 10_000))
        }
        for run in runs {
            #expect(run.wait())
            let result = try #require(run.returned ?? nil)
            #expect(result.status == .success)
            #expect(result.output == ["n": 1])
            #expect(result.attempts.count == 1)
            #expect(run.replaced == nil)
        }
        // One host thread job per lane started here, none per call.
        #expect(host.callThreads.jobsStarted - before == 50)
        // Same result, field for field, as the caller-waits form.
        let waited = host.execute(nodeType: "hostile.echo", parameters: ["n": 1], recovery: recovery(timeoutMs: 10_000)).json()
        let laneJSON = try #require(runs[0].returned ?? nil).json()
        for key in ["nodeType", "status", "output", "error", "errorCode", "recoveryApplied", "validationErrors", "logs"] {
            #expect(waited[key] == laneJSON[key], "\(key)")
        }
        #expect(waited["attempts"]?.arrayValue?.count == laneJSON["attempts"]?.arrayValue?.count)
    }

    @Test("a call past its deadline gives the lane up: the replacement gets EXECUTION_TIMEOUT while the plugin still runs")
    func pastDeadline() throws {
        let host = try executionHost()
        let marker = try Marker()
        let run = onLane(host, nodeType: "hostile.stubborn", parameters: ["ms": 1_500, "marker": .string(marker.path)],
                         recovery: recovery(timeoutMs: 50))
        // The replacement answers long before the plugin returns.
        let deadline = Date().addingTimeInterval(10)
        while run.replaced == nil, Date() < deadline { usleep(2_000) }
        let replaced = try #require(run.replaced)
        #expect(run.returned == nil, "the lane's thread is still in the plugin")
        #expect(!marker.lines.contains("finished"))
        #expect(replaced.status == .error)
        #expect(replaced.errorCode == .executionTimeout)
        #expect(replaced.attempts.map(\.errorCode) == [.executionTimeout])
        #expect(run.state.withLock { !$0.replacedOnTheLane }, "the replacement is another thread")
        // Then the plugin returns, and the given-up thread learns it lost: nil, output dropped.
        #expect(run.wait())
        #expect(run.laneWasGivenUp)
        #expect(marker.lines.contains("finished"))
        let (returnedAfter, replacedAfter) = run.state.withLock { ($0.returnedAfter ?? 0, $0.replacedAfter ?? 0) }
        #expect(replacedAfter < returnedAfter)
    }

    @Test("a retry after a timeout runs on the replacement, watched again; the plugin sees is_cancelled each time")
    func retryAfterTimeout() throws {
        let host = try executionHost()
        let marker = try Marker()
        let run = onLane(host, nodeType: "hostile.polite", parameters: ["ms": 10_000, "marker": .string(marker.path)],
                         recovery: recovery(attempts: 2, timeoutMs: 50))
        #expect(run.wait())
        #expect(run.laneWasGivenUp)
        let deadline = Date().addingTimeInterval(10)
        while run.replaced == nil, Date() < deadline { usleep(2_000) }
        let replaced = try #require(run.replaced)
        #expect(replaced.errorCode == .executionTimeout)
        #expect(replaced.attempts.map(\.number) == [1, 2])
        #expect(replaced.attempts.map(\.errorCode) == [.executionTimeout, .executionTimeout])
        #expect(marker.waitFor("cancelled"))
        let cancelledCalls = { marker.lines.filter { $0 == "cancelled" }.count }
        let seen = Date().addingTimeInterval(5)
        while cancelledCalls() < 2, Date() < seen { usleep(2_000) }
        #expect(cancelledCalls() == 2)
    }

    @Test("an audited execution given up on its lane is audited once, started and finished")
    func auditedOnce() throws {
        let lab = try AuditLab()
        let host = try lab.host()
        let marker = lab.marker
        let run = LaneRun()
        host.runOnHostThread {
            let result = host.executeOnLane(
                nodeType: "hostile.stubborn", parameters: ["ms": 300, "marker": .string(marker.path)], tenant: "acme",
                recovery: recovery(timeoutMs: 30)) { replaced in run.state.withLock { $0.replaced = replaced } }
            run.state.withLock { $0.returned = .some(result) }
        }
        #expect(run.wait())
        #expect(run.replaced?.errorCode == .executionTimeout)
        let records = lab.records.filter { $0["nodeType"]?.stringValue == "hostile.stubborn" }
        #expect(records.map { $0["phase"] } == ["started", "finished"], "\(records)")
        #expect(records.last?["errorCode"]?.stringValue == "EXECUTION_TIMEOUT")
    }
}
