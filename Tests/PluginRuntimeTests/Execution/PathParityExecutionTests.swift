import PluginHostCore
import PluginHostTestSupport
import PluginLoader
@testable import PluginRuntime
import Testing

/// The three ways into one execution — synchronous on the calling thread (`recovery: .none`),
/// synchronous with the call on a host thread (forced by a time limit no call reaches), and
/// async — share one admission and one attempt pipeline, so for the same request they give the
/// same result, field for field (times and the execution id aside), and count it the same way.
@Suite("Execution: the three ways in give equal results")
struct PathParityExecutionTests {
    /// What must be equal: everything in the result's JSON but its times and id.
    static func comparable(_ result: NodeResult) -> JSONValue {
        var object = result.json().objectValue ?? JSONObject()
        for key in ["durationMs", "startedAt", "finishedAt", "executionId"] { object[key] = nil }
        if case .array(let attempts)? = object["attemptLog"] {
            object["attemptLog"] = .array(attempts.map { attempt in
                var attempt = attempt.objectValue ?? JSONObject()
                attempt["durationMs"] = nil
                attempt["startedAt"] = nil
                return .object(attempt)
            })
        }
        return .object(object)
    }

    struct Request: CustomTestStringConvertible, Sendable {
        let label: String
        let nodeType: String
        let parameters: JSONValue
        var input: JSONValue = .array([])
        var tenant: String? = nil
        var testDescription: String { label }
    }

    static let requests: [Request] = [
        Request(label: "success", nodeType: "demo.flaky", parameters: ["failures": 0, "value": "x"]),
        Request(label: "success with input", nodeType: "demo.echo", parameters: [:], input: [1, "two", ["three": 3]]),
        Request(label: "the plugin fails", nodeType: "demo.fail", parameters: [:]),
        Request(label: "a transient failure, final", nodeType: "demo.flaky", parameters: ["failures": 5, "value": 1]),
        Request(label: "parameters break the schema", nodeType: "demo.flaky", parameters: ["failures": "many", "extra": true]),
        Request(label: "parameters not an object", nodeType: "demo.echo", parameters: [1, 2]),
        Request(label: "input not an array", nodeType: "demo.echo", parameters: [:], input: ["not": "an array"]),
        Request(label: "unknown node type", nodeType: "demo.ech", parameters: [:]),
        Request(label: "not a canonical name", nodeType: "Demo.Echo", parameters: [:]),
        Request(label: "denied for the tenant", nodeType: "demo.fail", parameters: [:], tenant: "acme"),
        Request(label: "allowed for the tenant", nodeType: "demo.echo", parameters: [:], tenant: "acme"),
        Request(label: "unknown tenant", nodeType: "demo.echo", parameters: [:], tenant: "nobody"),
    ]

    static func host() throws -> PluginHost {
        try executionHost(policy: policySet(#"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["demo.echo","demo.flaky"]}]}"#))
    }

    /// The synchronous `execute` (an async context would pick the async overload).
    static func blocking(_ host: PluginHost, _ request: Request, recovery: NodeRecovery) -> NodeResult {
        host.execute(nodeType: request.nodeType, parameters: request.parameters, input: request.input, tenant: request.tenant,
                     recovery: recovery)
    }

    @Test("each request gives the same result and the same error metrics on every path", arguments: requests)
    func sameResult(_ request: Request) async throws {
        // One host per path, so each starts from the same state (memos, breakers, metrics).
        let single = try Self.host(), general = try Self.host(), async = try Self.host()
        let fast = Self.blocking(single, request, recovery: .none)
        let slow = Self.blocking(general, request, recovery: NodeRecovery(timeoutMs: 60_000))
        let awaited = await async.execute(nodeType: request.nodeType, parameters: request.parameters, input: request.input,
                                          tenant: request.tenant)
        #expect(Self.comparable(fast) == Self.comparable(slow), "calling thread vs host thread: \(fast.json()) / \(slow.json())")
        #expect(Self.comparable(fast) == Self.comparable(awaited), "calling thread vs async: \(fast.json()) / \(awaited.json())")
        #expect((fast.executionID == nil) == (slow.executionID == nil) && (fast.executionID == nil) == (awaited.executionID == nil))

        let metrics = [single, general, async].map { $0.errorMetrics.snapshot() }
        #expect(metrics[0].byCode == metrics[1].byCode && metrics[0].byCode == metrics[2].byCode, "\(metrics.map(\.byCode))")
        #expect(metrics[0].byTenant == metrics[1].byTenant && metrics[0].byTenant == metrics[2].byTenant)
        let statistics = [single, general, async].map { host in
            host.registry.statisticsSnapshot().map { "\($0.nodeType) \($0.statistics.calls) \($0.statistics.errors)" }.sorted()
        }
        #expect(statistics[0] == statistics[1] && statistics[0] == statistics[2], "\(statistics)")
    }
}
