import PluginHostCore
import PluginHostTestSupport
import PluginLoader
@testable import PluginRuntime
import Testing

/// The synchronous call on the calling thread (`recovery` without `timeoutMs`, the dispatch
/// benchmark's path): the same results and accounting as every other way in, with the node's
/// memos and one clock for every time in the result.
@Suite("Execution: a call on the calling thread")
struct CallingThreadExecutionTests {
    @Test("demo.echo returns {} in one attempt, with an execution id and consistent times")
    func echo() throws {
        let host = try executionHost()
        let result = host.execute(nodeType: "demo.echo", parameters: [:])
        #expect(result.status == .success)
        #expect(result.output == .object(JSONObject()))
        #expect(result.attempts.count == 1)
        #expect(result.attempts.first?.number == 1)
        #expect(result.attempts.first?.status == .success)
        #expect(result.executionID?.utf8.count == 32)
        #expect(result.executionID?.allSatisfy { $0.isHexDigit && !$0.isUppercase } == true)
        #expect(result.json()["executionId"]?.stringValue == result.executionID, "the written id is the result's")
        #expect(result.finishedAt >= result.startedAt)
        #expect(abs(result.startedAt - WallClock.now()) < 5)
        #expect(result.durationMs >= 0)
        // Start, end and duration come from one monotonic clock: they agree to rounding.
        #expect(abs((result.finishedAt - result.startedAt) * 1000 - result.durationMs) < 1e-3)
        #expect(result.attempts.first?.startedAt == result.startedAt)
    }

    @Test("one attempt has the same JSON shape as a retried execution's, field for field")
    func sameShape() throws {
        let host = try executionHost()
        let fast = host.execute(nodeType: "demo.flaky", parameters: ["failures": 0, "value": "x"]).json()
        let general = host.execute(
            nodeType: "demo.flaky", parameters: ["failures": 0, "value": "x"], recovery: recovery(attempts: 2)).json()
        for key in ["nodeType", "status", "output", "error", "errorCode", "attempts", "recoveryApplied", "fallbackNodeType",
                    "validationErrors", "logs"] {
            #expect(fast[key] == general[key], "\(key)")
        }
        #expect(fast.objectValue?.keys == general.objectValue?.keys)
        #expect(fast["executionId"] != general["executionId"])
    }

    @Test("a repeated call reuses the remembered output, and a changed output is parsed afresh")
    func outputMemo() throws {
        let host = try executionHost()
        let first = host.execute(nodeType: "demo.flaky", parameters: ["failures": 0, "value": 1])
        let again = host.execute(nodeType: "demo.flaky", parameters: ["failures": 0, "value": 1])
        let changed = host.execute(nodeType: "demo.flaky", parameters: ["failures": 0, "value": [true, nil]])
        #expect(first.output == ["attempt": 1, "value": 1])
        #expect(again.output == ["attempt": 1, "value": 1])
        #expect(changed.output == ["attempt": 1, "value": [true, nil]])
    }

    @Test("the same parameters value passed again is sent with its validated defaults")
    func parameterMemo() throws {
        let host = try executionHost()
        let parameters: JSONValue = ["value": "same"]
        for _ in 0..<3 {
            let result = host.execute(nodeType: "demo.flaky", parameters: parameters)
            // failures defaults to 2: attempt 1 fails, so the default reached the plugin.
            #expect(result.errorCode == .transientError)
            #expect(result.attempts.map(\.errorCode) == [.transientError])
        }
        #expect(host.errorMetrics.snapshot().byCode[.transientError] == 3)
    }

    @Test("a plugin failure is counted once in the metrics, the statistics and the breaker")
    func failureAccounting() throws {
        let host = try executionHost(failureThreshold: 2)
        _ = host.execute(nodeType: "demo.fail", parameters: [:])
        _ = host.execute(nodeType: "demo.fail", parameters: [:])
        let refused = host.execute(nodeType: "demo.fail", parameters: [:])
        #expect(refused.errorCode == .circuitOpen)
        #expect(refused.attempts.isEmpty)
        #expect(refused.executionID != nil)
        let statistics = try #require(host.registry.statisticsSnapshot().first { $0.nodeType == "demo.fail" })
        #expect(statistics.statistics.calls == 3)
        #expect(statistics.statistics.errors == 3)
        #expect(host.errorMetrics.snapshot().byCode == [.executionError: 2, .circuitOpen: 1])
    }

    @Test("execution ids are the prefix then the counter, 16 lowercase hex digits each")
    func executionIDText() {
        let id = ExecutionID(prefix: 0x0123_4567_89AB_CDEF, number: 0xFF)
        #expect(id.description == "0123456789abcdef00000000000000ff")
        #expect(id.text.description == id.description)
        #expect(id.withCString { String(cString: $0) } == id.description)
    }

    @Test("stamp() gives a wall time within a millisecond of the real clock's")
    func stampMatchesRealtime() {
        let before = WallClock.now()
        let stamp = WallClock.stamp()
        let after = WallClock.now()
        #expect(stamp.wall >= before - 0.001 && stamp.wall <= after + 0.001)
    }
}
