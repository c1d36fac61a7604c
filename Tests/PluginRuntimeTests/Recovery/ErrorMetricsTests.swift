import PluginHostCore
import Testing
@testable import PluginRuntime

@Suite("Recovery: error metrics")
struct RecoveryErrorMetricsTests {
    private func record(_ metrics: ErrorMetrics, _ nodeType: String, _ tenant: String?, _ code: ProblemCode, attempt: Int = 1) {
        metrics.recordError(nodeType: nodeType, tenant: tenant, code: code, message: "m", attempt: attempt, at: 0)
    }

    @Test("errors are totalled by code, node type and tenant")
    func totals() {
        let metrics = ErrorMetrics()
        record(metrics, "http.get", "acme", .executionTimeout)
        record(metrics, "http.get", "acme", .executionTimeout)
        record(metrics, "http.get", "globex", .transientError)
        record(metrics, "math.div", "acme", .executionError)
        let snapshot = metrics.snapshot()
        #expect(snapshot.totalErrors == 4)
        #expect(snapshot.byCode == [.executionTimeout: 2, .transientError: 1, .executionError: 1])
        #expect(snapshot.byNodeType == ["http.get": 3, "math.div": 1])
        #expect(snapshot.byTenant == ["acme": 3, "globex": 1])
    }

    @Test("errors without a tenant count everywhere except byTenant")
    func noTenant() {
        let metrics = ErrorMetrics()
        record(metrics, "http.get", nil, .executionError)
        let snapshot = metrics.snapshot()
        #expect(snapshot.totalErrors == 1)
        #expect(snapshot.byNodeType == ["http.get": 1])
        #expect(snapshot.byTenant.isEmpty)
    }

    @Test("recovery: attempts are successes plus failures; mean time over successes")
    func recovery() {
        let metrics = ErrorMetrics()
        metrics.recordRecoverySuccess(afterMs: 10)
        metrics.recordRecoverySuccess(afterMs: 35)
        metrics.recordRecoveryFailure()
        metrics.recordRetry()
        metrics.recordRetry()
        let snapshot = metrics.snapshot()
        #expect(snapshot.recoveryAttempts == 3)
        #expect(snapshot.recoverySuccesses == 2)
        #expect(snapshot.recoveryFailures == 1)
        #expect(snapshot.meanRecoveryMs == 22.5)
        #expect(snapshot.retries == 2)
    }

    @Test("the mean recovery time is 0 with no success, and bad durations count as 0")
    func recoveryEdgeCases() {
        let metrics = ErrorMetrics()
        metrics.recordRecoveryFailure()
        #expect(metrics.snapshot().meanRecoveryMs == 0)
        metrics.recordRecoverySuccess(afterMs: .nan)
        metrics.recordRecoverySuccess(afterMs: -5)
        metrics.recordRecoverySuccess(afterMs: 9)
        #expect(metrics.snapshot().meanRecoveryMs == 3)
    }

    @Test("the ring keeps the newest 1 000 errors, oldest first, after wrapping around")
    func ringWrapsAround() {
        let metrics = ErrorMetrics()
        for attempt in 1...2_500 { record(metrics, "n.t", nil, .executionError, attempt: attempt) }
        let snapshot = metrics.snapshot()
        #expect(snapshot.totalErrors == 2_500)
        #expect(snapshot.recentErrors.count == 1_000)
        #expect(snapshot.recentErrors.map(\.attempt) == Array(1_501...2_500))
    }

    @Test("before it fills, the ring holds everything in order")
    func ringBeforeFull() {
        let metrics = ErrorMetrics()
        for attempt in 1...999 { record(metrics, "n.t", nil, .executionError, attempt: attempt) }
        #expect(metrics.snapshot().recentErrors.map(\.attempt) == Array(1...999))
        record(metrics, "n.t", nil, .executionError, attempt: 1_000)
        #expect(metrics.snapshot().recentErrors.map(\.attempt) == Array(1...1_000))
        record(metrics, "n.t", nil, .executionError, attempt: 1_001)
        #expect(metrics.snapshot().recentErrors.map(\.attempt) == Array(2...1_001))
    }

    @Test("a ring of capacity 3 at every wrap position", arguments: 0...7)
    func smallRing(extra: Int) {
        var ring = RingBuffer<Int>(capacity: 3)
        for value in 0..<(3 + extra) { ring.append(value) }
        #expect(ring.elements == Array(extra..<(3 + extra)))
        #expect(ring.count == 3)
    }

    @Test("a ring capacity below 1 acts as 1")
    func ringCapacityFloor() {
        var ring = RingBuffer<String>(capacity: 0)
        ring.append("a")
        ring.append("b")
        #expect(ring.elements == ["b"])
    }

    @Test("a long message is cut on a character boundary to at most 512 bytes, marked with …")
    func longMessageTruncated() throws {
        let metrics = ErrorMetrics()
        metrics.recordError(nodeType: "n.t", tenant: nil, code: .executionError, message: String(repeating: "é", count: 10_000), attempt: 1, at: 0)
        let kept = try #require(metrics.snapshot().recentErrors.first).message
        #expect(kept == String(repeating: "é", count: 254) + "…")
        #expect(kept.utf8.count == 511)
    }

    @Test("a message of exactly 512 bytes is kept whole")
    func messageAtLimit() {
        let message = String(repeating: "a", count: 512)
        #expect(ErrorMetrics.truncated(message) == message)
        #expect(ErrorMetrics.truncated(message + "b") == String(repeating: "a", count: 509) + "…")
    }

    @Test("the stats JSON has a stable shape with sorted tables")
    func json() {
        let metrics = ErrorMetrics()
        metrics.recordError(nodeType: "z.node", tenant: "acme", code: .transientError, message: "flaky", attempt: 1, at: 1_700_000_000.25)
        metrics.recordError(nodeType: "a.node", tenant: nil, code: .executionError, message: "boom \"x\"", attempt: 2, at: 1_700_000_001)
        metrics.recordRetry()
        metrics.recordRecoverySuccess(afterMs: 12.3456789)
        #expect(JSONWriter.string(metrics.json()) == #"{"totalErrors":2,"byCode":{"EXECUTION_ERROR":1,"TRANSIENT_ERROR":1},"byNodeType":{"a.node":1,"z.node":1},"byTenant":{"acme":1},"retries":1,"recovery":{"attempts":1,"successes":1,"failures":0,"meanRecoveryMs":12.346},"recentErrors":[{"time":"2023-11-14T22:13:20.250Z","nodeType":"z.node","tenant":"acme","code":"TRANSIENT_ERROR","message":"flaky","attempt":1},{"time":"2023-11-14T22:13:21.000Z","nodeType":"a.node","tenant":null,"code":"EXECUTION_ERROR","message":"boom \"x\"","attempt":2}]}"#)
    }

    @Test("concurrent recording loses nothing")
    func concurrentRecording() {
        let metrics = ErrorMetrics()
        runOnThreads(8) { index in
            for attempt in 1...1_000 {
                metrics.recordError(nodeType: "n.\(index)", tenant: "t", code: .executionError, message: "m", attempt: attempt, at: 0)
                if attempt.isMultiple(of: 10) { metrics.recordRecoverySuccess(afterMs: 2) }
            }
        }
        let snapshot = metrics.snapshot()
        #expect(snapshot.totalErrors == 8_000)
        #expect(snapshot.byTenant == ["t": 8_000])
        #expect(snapshot.byNodeType.values.allSatisfy { $0 == 1_000 })
        #expect(snapshot.recentErrors.count == 1_000)
        #expect(snapshot.recoverySuccesses == 800)
        #expect(snapshot.meanRecoveryMs == 2)
    }
}
