import Foundation
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import Testing

@Suite("Execution: timeouts, hostile output and the circuit breaker")
struct FailureModeExecutionTests {
    @Test("a timeout returns EXECUTION_TIMEOUT promptly and the plugin sees is_cancelled")
    func timeoutCancels() throws {
        let host = try executionHost()
        let marker = try Marker()
        let begin = Date()
        let result = host.execute(
            nodeType: "hostile.polite", parameters: ["ms": 10_000, "marker": .string(marker.path)], recovery: recovery(timeoutMs: 100))
        let elapsed = Date().timeIntervalSince(begin)
        #expect(result.errorCode == .executionTimeout)
        #expect(result.attemptCodes == [.executionTimeout])
        #expect(elapsed >= 0.1 && elapsed < 3, "took \(elapsed) s")
        #expect(marker.waitFor("cancelled"))
    }

    @Test("the async execute times out the same way")
    func asyncTimeout() async throws {
        let host = try executionHost()
        let marker = try Marker()
        let result = await host.execute(
            nodeType: "hostile.polite", parameters: ["ms": 10_000, "marker": .string(marker.path)], recovery: recovery(timeoutMs: 50))
        #expect(result.errorCode == .executionTimeout)
        #expect(marker.waitFor("cancelled"))
    }

    @Test("an async call's timeout fires on time while every cooperative thread is blocked")
    func asyncTimeoutWithBusyPool() async throws {
        let host = try executionHost()
        // The plugin serializes its calls, and in a parallel test run another test's call may
        // hold it past this call's whole timeout: then the call times out unstarted, and the
        // test starts another until one is running inside the plugin.
        for _ in 0..<20 {
            let marker = try Marker()
            let ended = Locked<Bool>(false)
            let call = Task {
                defer { ended.withLock { $0 = true } }
                return await host.execute(
                    nodeType: "hostile.polite", parameters: ["ms": 20_000, "marker": .string(marker.path)], recovery: recovery(timeoutMs: 1_500))
            }
            // Wait without holding a thread: the call's own task needs one to start.
            while !marker.lines.contains("started"), !ended.withLock({ $0 }) { try await Task.sleep(nanoseconds: 5_000_000) }
            guard marker.lines.contains("started") else { continue }
            // Block every thread of Swift's cooperative pool (one per core) for 4 s, this task's
            // included: a timer that needs one of them would fire only after that.
            let blockers = (1..<ProcessInfo.processInfo.activeProcessorCount).map { _ in Task.detached { usleep(4_000_000) } }
            #expect(marker.waitFor("cancelled", seconds: 3.5), "the timeout waited for a cooperative thread")
            for blocker in blockers { await blocker.value }
            #expect(await call.value.errorCode == .executionTimeout)
            return
        }
        Issue.record("the plugin never started a call in 20 tries")
    }

    @Test("a call that ignores is_cancelled still times out; it finishes later on its own thread")
    func stubbornAbandoned() throws {
        let host = try executionHost()
        let marker = try Marker()
        let begin = Date()
        let result = host.execute(
            nodeType: "hostile.stubborn", parameters: ["ms": 300, "marker": .string(marker.path)], recovery: recovery(timeoutMs: 50))
        #expect(result.errorCode == .executionTimeout)
        #expect(Date().timeIntervalSince(begin) < 0.3)
        #expect(marker.lines.isEmpty)
        #expect(marker.waitFor("finished"))
    }

    @Test("cancelling the awaiting task returns CANCELLED and sets is_cancelled")
    func taskCancellation() async throws {
        let host = try executionHost()
        let marker = try Marker()
        let task = Task {
            await host.execute(nodeType: "hostile.polite", parameters: ["ms": 10_000, "marker": .string(marker.path)])
        }
        try await Task.sleep(nanoseconds: 50_000_000)
        task.cancel()
        let result = await task.value
        #expect(result.errorCode == .cancelled)
        #expect(marker.waitFor("cancelled"))
    }

    @Test("output above maximumOutputBytes is OUTPUT_TOO_LARGE and not retried")
    func outputCap() throws {
        let host = try executionHost(maximumOutputBytes: 1_000)
        let small = host.execute(nodeType: "hostile.huge", parameters: ["bytes": 1_000])
        #expect(small.status == .success)
        let result = host.execute(nodeType: "hostile.huge", parameters: ["bytes": 1_001], recovery: recovery(attempts: 3))
        #expect(result.errorCode == .outputTooLarge)
        #expect(result.attempts.count == 1)
        #expect(result.error?.contains("1001 bytes") == true)
    }

    @Test("output that is not JSON is EXECUTION_ERROR naming the bug")
    func garbage() throws {
        let result = try executionHost().execute(nodeType: "hostile.garbage", parameters: [:])
        #expect(result.errorCode == .executionError)
        #expect(result.error?.hasPrefix("hostile.garbage returned output that is not valid JSON") == true)
    }

    @Test("success without output is EXECUTION_ERROR")
    func silent() throws {
        let result = try executionHost().execute(nodeType: "hostile.silent", parameters: [:])
        #expect(result.errorCode == .executionError)
        #expect(result.error == "hostile.silent returned success without calling set_output; this is a bug in the plugin")
    }

    @Test("the breaker opens after the threshold, fails fast without calling the plugin, then a probe closes it")
    func breakerCycle() throws {
        let clock = ManualClock()
        let host = try executionHost(clock: clock, failureThreshold: 2, coolDownMs: 1_000)
        let marker = try Marker()
        let failing: JSONValue = ["failures": 100, "marker": .string(marker.path)]
        #expect(host.execute(nodeType: "hostile.ids", parameters: failing).errorCode == .transientError)
        #expect(host.execute(nodeType: "hostile.ids", parameters: failing).errorCode == .transientError)
        #expect(host.circuitBreakers.breaker(for: "hostile.ids").snapshot().state == .open)

        let refused = host.execute(nodeType: "hostile.ids", parameters: failing)
        #expect(refused.errorCode == .circuitOpen)
        #expect(refused.attempts.isEmpty)
        #expect(marker.lines.count == 2)

        clock.advance(milliseconds: 1_000)
        #expect(host.circuitBreakers.breaker(for: "hostile.ids").snapshot().state == .halfOpen)
        let probe = host.execute(nodeType: "hostile.ids", parameters: ["marker": .string(marker.path)])
        #expect(probe.status == .success)
        #expect(marker.lines.count == 3)
        #expect(host.circuitBreakers.breaker(for: "hostile.ids").snapshot().state == .closed)
    }

    @Test("an open circuit ends the retries with CIRCUIT_OPEN, then onError applies")
    func breakerDuringRetries() throws {
        let host = try executionHost(failureThreshold: 2)
        let result = host.execute(nodeType: "demo.fail", parameters: [:], recovery: recovery(attempts: 5, onError: .skip))
        #expect(result.attemptCodes == [.executionError, .executionError])
        #expect(result.errorCode == .circuitOpen)
        #expect(result.status == .skipped)
    }
}
