import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
@testable import PluginRuntime
import Testing

/// A plugin whose nodes echo their parameters, with schemas that differ only in their
/// `pattern` for `text`: `deadline.hostile` near the instruction cap (every start position
/// keeps ~4 000 threads alive on a run of `a`: 90–280 µs per scalar in a debug build, so the
/// megabyte below takes 90 s or more unbounded), `deadline.plain` an ordinary `^a+$`.
private enum DeadlinePlugin {
    static let hostilePattern = "[a-c]{0,1000}[a-c]{0,990}b"
    private static let built = Locked<TemporaryDirectory?>(nil)

    static func directory() throws -> String {
        try built.withLock { built in
            if let built { return built.path }
            let directory = try TemporaryDirectory(prefix: "deadline-plugin")
            try CPluginBuilder.build(
                source: CPluginBuilder.echoPluginSource(metadata: metadata), name: "libdeadline.so", in: directory)
            built = directory
            return directory.path
        }
    }

    private static func node(_ type: String, pattern: String) -> String {
        return """
            {"nodeType":"\(type)","version":"1.0.0","category":"test","description":"Echoes its parameters.",\
            "requiredFields":["text"],"schema":{"type":"object","properties":{"text":{"type":"string","pattern":\(JSONWriter.string(.string(pattern)))}},\
            "required":["text"]},"supportedVersions":[1]}
            """
    }

    static let metadata = """
        {"id":"org.test.deadline","name":"Test plugin","version":"1.0.0","abi":"1.0",\
        "description":"Schemas with slow and ordinary patterns.","threadSafe":true,"dependencies":{},\
        "nodes":[\(node("deadline.hostile", pattern: hostilePattern)),\(node("deadline.plain", pattern: "^a+$"))]}
        """

    static func host() throws -> PluginHost {
        PluginHost(configuration: HostConfiguration(directories: [SearchDirectory(path: try directory())], logger: testLogger))
    }
}

/// Seconds `body` takes on the monotonic clock.
private func seconds<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = WallClock.monotonicNanoseconds()
    let value = try body()
    return (value, Double(WallClock.monotonicNanoseconds() - start) / 1e9)
}

/// ``seconds(_:)`` for an async body.
private func seconds<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let start = WallClock.monotonicNanoseconds()
    let value = try await body()
    return (value, Double(WallClock.monotonicNanoseconds() - start) / 1e9)
}

@Suite("Validation under the node's deadline")
struct ValidationDeadlineExecutionTests {
    static let megabyte: JSONValue = ["text": .string(String(repeating: "a", count: 1_000_000))]

    /// `bound`: seconds the whole call may take; unbounded, validating the megabyte takes
    /// 180–280 s in a debug build.
    private func expectValidationTimedOut(_ result: NodeResult, elapsed: Double, bound: Double = 3) {
        #expect(result.status == .error)
        #expect(result.errorCode == .executionTimeout)
        #expect(result.error?.contains("validating the parameters for deadline.hostile against its schema") == true)
        #expect(result.error?.contains("within timeoutMs 50 ms") == true)
        #expect(result.attempts.isEmpty, "the plugin must not be called")
        #expect(result.output == nil)
        #expect(elapsed < TimeBound.seconds(bound), "took \(elapsed) s")
    }

    @Test("a worst-case pattern on 1 MB with timeoutMs 50 is EXECUTION_TIMEOUT quickly, the plugin never called")
    func hostileTimesOut() throws {
        let host = try DeadlinePlugin.host()
        // Load the plugin first, so the timing below is validation alone.
        _ = host.execute(nodeType: "deadline.hostile", parameters: ["text": "ab"])
        let (result, elapsed) = seconds {
            host.execute(nodeType: "deadline.hostile", parameters: Self.megabyte,
                         recovery: NodeRecovery(retry: RetryPolicy(maximumAttempts: 3), timeoutMs: 50))
        }
        expectValidationTimedOut(result, elapsed: elapsed)
        #expect(host.registry.statisticsSnapshot().first { $0.nodeType == "deadline.hostile" }?.statistics.errors == 1)
    }

    @Test("the async path is bounded the same way")
    func hostileTimesOutAsync() async throws {
        let host = try DeadlinePlugin.host()
        _ = await host.execute(nodeType: "deadline.hostile", parameters: ["text": "ab"])
        let (result, elapsed) = await seconds {
            await host.execute(nodeType: "deadline.hostile", parameters: Self.megabyte, recovery: NodeRecovery(timeoutMs: 50))
        }
        // An async call first waits for a plugin-call thread, which the rest of a parallel test
        // run may hold for many seconds: the bound is wider, and still far below unbounded.
        expectValidationTimedOut(result, elapsed: elapsed, bound: 60)
    }

    @Test("onError does not hide it: a refusal before plugin code")
    func notRecovered() throws {
        let host = try DeadlinePlugin.host()
        let result = host.execute(
            nodeType: "deadline.hostile", parameters: Self.megabyte,
            recovery: NodeRecovery(errorHandling: ErrorHandling(strategy: .skip), timeoutMs: 50))
        #expect(result.errorCode == .executionTimeout)
        #expect(result.status == .error)
    }

    @Test("an ordinary pattern on a long string with a generous timeout validates and runs")
    func plainValidates() throws {
        let host = try DeadlinePlugin.host()
        let parameters: JSONValue = ["text": .string(String(repeating: "a", count: 100_000))]
        let result = host.execute(nodeType: "deadline.plain", parameters: parameters, recovery: NodeRecovery(timeoutMs: 30_000))
        #expect(result.status == .success, "\(result.error ?? "")")
        #expect(result.output == parameters)
        #expect(result.attempts.count == 1)
        // Still a schema check: a violation is VALIDATION_FAILED, not a timeout.
        let invalid = host.execute(nodeType: "deadline.plain", parameters: ["text": "ab"], recovery: NodeRecovery(timeoutMs: 30_000))
        #expect(invalid.errorCode == .validationFailed)
    }

    @Test("the same on the async path")
    func plainValidatesAsync() async throws {
        let host = try DeadlinePlugin.host()
        let parameters: JSONValue = ["text": .string(String(repeating: "a", count: 100_000))]
        let result = await host.execute(nodeType: "deadline.plain", parameters: parameters, recovery: NodeRecovery(timeoutMs: 30_000))
        #expect(result.status == .success, "\(result.error ?? "")")
        #expect(result.output == parameters)
    }

    @Test("the first attempt gets what validation left of the deadline; a retry gets a whole timeoutMs")
    func firstAttemptSharesDeadline() {
        let deadline = CallDeadline(timeoutMs: 50, from: 1_000)
        #expect(deadline.nanoseconds == 1_000 + 50_000_000)
        #expect(CallDeadline(timeoutMs: 50, from: 0).remainingNanoseconds == 0)
        #expect(CallDeadline.starting(timeoutMs: nil) == nil)
        let retry = CallDeadline.starting(timeoutMs: 50)
        #expect(retry.map { $0.nanoseconds > WallClock.monotonicNanoseconds() } == true)
    }
}

@Suite("ValidationCache under a deadline")
struct ValidationCacheDeadlineTests {
    @Test("a validation stopped by its deadline is not remembered")
    func stoppedNotStored() throws {
        let schema = try ParameterSchema([
            "type": "object", "properties": ["t": ["type": "string", "pattern": .string(DeadlinePlugin.hostilePattern)]],
        ])
        let cache = ValidationCache()
        // 4 000 bytes: small enough to be stored, long enough to read the clock.
        let parameters: JSONValue = ["t": .string(String(repeating: "a", count: 4_000))]
        let past = WallClock.monotonicNanoseconds() - 1
        #expect(throws: ValidationDeadlinePassed.self) {
            try cache.validated(nodeType: "n", parameters: parameters, schema: schema, deadline: past)
        }
        #expect(cache.statistics.entries == 0)
        #expect(cache.validated(nodeType: "n", parameters: parameters, schema: schema).violations.map(\.path) == ["/t"])
        #expect(cache.statistics.entries == 1)
        // Remembered now: the answer costs nothing, so even a passed deadline gets it.
        let cached = try cache.validated(nodeType: "n", parameters: parameters, schema: schema, deadline: past)
        #expect(cached.violations.map(\.path) == ["/t"])
    }
}
