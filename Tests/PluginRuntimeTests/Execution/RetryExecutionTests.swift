import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import Testing

@Suite("Execution: retries")
struct RetryExecutionTests {
    @Test("a flaky node succeeds on its third attempt; each attempt is recorded with its code")
    func flakyRecovers() throws {
        let host = try executionHost()
        let result = host.execute(nodeType: "demo.flaky", parameters: ["failures": 2, "value": "v"], recovery: recovery(attempts: 3))
        #expect(result.status == .success)
        #expect(result.output == ["attempt": 3, "value": "v"])
        #expect(result.attempts.map(\.number) == [1, 2, 3])
        #expect(result.attemptCodes == [.transientError, .transientError, nil])
        #expect(result.errorCode == nil)
    }

    @Test("every attempt gets the same execution id and its own attempt number")
    func sameExecutionID() throws {
        let host = try executionHost()
        let marker = try Marker()
        let result = host.execute(
            nodeType: "hostile.ids", parameters: ["failures": 2, "marker": .string(marker.path)], recovery: recovery(attempts: 3))
        let id = try #require(result.executionID)
        #expect(id.count == 32)
        #expect(marker.lines == ["1 \(id)", "2 \(id)", "3 \(id)"])
        let next = host.execute(nodeType: "hostile.ids", parameters: ["marker": .string(marker.path)])
        #expect(next.executionID != id)
    }

    @Test("exponential backoff waits 100 then 200 ms on the host clock")
    func exponentialWaits() throws {
        let clock = ManualClock()
        let host = try executionHost(clock: clock)
        _ = host.execute(nodeType: "demo.flaky", parameters: ["failures": 2], recovery: recovery(attempts: 3))
        #expect(clock.sleeps == [100, 200])
    }

    @Test("jitter scales each delay by the injected random value before the cap")
    func jitterFromInjectedRandom() throws {
        let clock = ManualClock()
        let host = try executionHost(clock: clock, random: { 0.75 })
        _ = host.execute(nodeType: "demo.flaky", parameters: ["failures": 2], recovery: recovery(attempts: 3, jitter: 0.5))
        #expect(clock.sleeps == [125, 250])  // factor (1 - 0.5) + 2 × 0.5 × 0.75 = 1.25
    }

    @Test("linear backoff waits 100, 200, 300 ms")
    func linearWaits() throws {
        let clock = ManualClock()
        let host = try executionHost(clock: clock)
        _ = host.execute(nodeType: "demo.flaky", parameters: ["failures": 3], recovery: recovery(attempts: 4, backoff: .linear))
        #expect(clock.sleeps == [100, 200, 300])
    }

    @Test("when retries run out, onError fail returns the last error and every attempt")
    func exhausted() throws {
        let host = try executionHost()
        let result = host.execute(nodeType: "demo.flaky", parameters: ["failures": 5], recovery: recovery(attempts: 3))
        #expect(result.status == .error)
        #expect(result.errorCode == .transientError)
        #expect(result.error == "demo.flaky: attempt 3 of the 5 planned failures")
        #expect(result.attempts.count == 3)
        #expect(result.recoveryApplied == nil)
    }

    @Test("a code listed in nonRetryableErrorCodes is not retried")
    func nonRetryable() throws {
        let clock = ManualClock()
        let host = try executionHost(clock: clock)
        let result = host.execute(
            nodeType: "demo.fail", parameters: ["transient": true],
            recovery: recovery(attempts: 5, nonRetryable: [.transientError]))
        #expect(result.errorCode == .transientError)
        #expect(result.attempts.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test("an execution error is retried by default")
    func executionErrorRetried() throws {
        let host = try executionHost()
        let result = host.execute(nodeType: "demo.fail", parameters: [:], recovery: recovery(attempts: 2))
        #expect(result.attemptCodes == [.executionError, .executionError])
    }

    @Test("a validation failure is never retried and never reaches the plugin")
    func validationNotRetried() throws {
        let clock = ManualClock()
        let host = try executionHost(clock: clock)
        let result = host.execute(
            nodeType: "demo.flaky", parameters: ["failures": "two"], recovery: recovery(attempts: 5, onError: .continue))
        #expect(result.status == .error)
        #expect(result.errorCode == .validationFailed)
        #expect(result.validationErrors.map(\.path) == ["/failures"])
        #expect(result.attempts.isEmpty)
        #expect(result.executionID == nil)
        #expect(clock.sleeps.isEmpty)
        #expect(host.circuitBreakers.snapshot().first { $0.nodeType == "demo.flaky" }?.consecutiveFailures == 0)
    }

    @Test("a node type the tenant may not use is refused once, whatever onError says")
    func policyNotRetried() throws {
        let policy = try policySet(#"{"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["hostile.*"]}]}"#)
        let host = try executionHost(policy: policy)
        let result = host.execute(
            nodeType: "demo.flaky", parameters: [:], tenant: "acme", recovery: recovery(attempts: 5, onError: .skip))
        #expect(result.status == .error)
        #expect(result.errorCode == .nodeTypeDisabledForTenant)
        #expect(result.attempts.isEmpty)
    }

    @Test("the async execute retries the same way without blocking the caller's thread")
    func asyncRetries() async throws {
        let clock = ManualClock()
        let host = try executionHost(clock: clock)
        let result = await host.execute(nodeType: "demo.flaky", parameters: ["failures": 2], recovery: recovery(attempts: 3))
        #expect(result.status == .success)
        #expect(result.attemptCodes == [.transientError, .transientError, nil])
        #expect(clock.sleeps == [100, 200])
    }
}
