import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginTenancy
import Testing

/// A host over the execution test plugins (see ``ExecutionPlugins``), with a ``ManualClock``
/// so backoff waits and breaker cool-downs take no real time.
func executionHost(
    clock: ManualClock = ManualClock(), failureThreshold: Int = 1_000, coolDownMs: Double = 1_000,
    maximumOutputBytes: Int = HostConfiguration.defaultMaximumOutputBytes, policy: TenantPolicySet? = nil,
    random: @escaping @Sendable () -> Double = { 0.5 }
) throws -> PluginHost {
    PluginHost(configuration: HostConfiguration(
        directories: [SearchDirectory(path: try ExecutionPlugins.directory())], policy: policy, logger: testLogger,
        maximumOutputBytes: maximumOutputBytes,
        circuitBreaker: CircuitBreaker.Configuration(failureThreshold: failureThreshold, coolDownMs: coolDownMs),
        clock: clock, random: random))
}

/// A tenant policy set from its JSON text (the test fails if it does not parse).
func policySet(_ json: String) throws -> TenantPolicySet {
    let parsed = TenantPolicySet.parse(try JSONParser.parse(json), file: nil)
    return try #require(parsed.policy, "\(parsed.problems)")
}

/// `{"maximumAttempts": n, "initialIntervalMs": 100}` and the given error handling.
func recovery(
    attempts: Int = 1, onError: ErrorStrategy = .fail, fallback: String? = nil, timeoutMs: Double? = nil,
    nonRetryable: [ProblemCode] = [], backoff: RetryPolicy.Backoff = .exponential, jitter: Double = 0
) -> NodeRecovery {
    NodeRecovery(
        retry: RetryPolicy(initialIntervalMs: 100, maximumAttempts: attempts, nonRetryableErrorCodes: nonRetryable,
                           backoff: backoff, jitter: jitter),
        errorHandling: ErrorHandling(strategy: onError, fallbackNodeType: fallback),
        timeoutMs: timeoutMs)
}

/// A fresh file path for a plugin's marker lines, and a way to read them.
struct Marker {
    let directory: TemporaryDirectory
    var path: String { directory.path + "/marker.log" }

    init() throws { directory = try TemporaryDirectory(prefix: "marker") }

    var lines: [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits up to `seconds` for a line equal to `line` (the plugin writes it on its own thread).
    func waitFor(_ line: String, seconds: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if lines.contains(line) { return true }
            usleep(2_000)
        }
        return false
    }
}

extension NodeResult {
    var attemptCodes: [ProblemCode?] { attempts.map(\.errorCode) }
}
