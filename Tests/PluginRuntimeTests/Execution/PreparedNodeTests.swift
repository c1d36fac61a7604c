import PluginHostCore
import PluginHostTestSupport
@testable import PluginRuntime
import Testing

/// `PluginHost.prepare`: a prepared node gives what `execute` gives, call after call, and its
/// remembered admission never outlives a change of the tenant policies.
@Suite("Execution: prepared nodes")
struct PreparedNodeTests {
    @Test("first and later executions equal execute's result and accounting", arguments: PathParityExecutionTests.requests)
    func sameAsExecute(_ request: PathParityExecutionTests.Request) throws {
        let direct = try PathParityExecutionTests.host(), preparedHost = try PathParityExecutionTests.host()
        let node = preparedHost.prepare(nodeType: request.nodeType, parameters: request.parameters, tenant: request.tenant)
        for round in 1...3 {
            let expected = PathParityExecutionTests.blocking(direct, request, recovery: .none)
            let got = node.execute(input: request.input)
            #expect(PathParityExecutionTests.comparable(got) == PathParityExecutionTests.comparable(expected),
                    "round \(round): \(got.json()) / \(expected.json())")
            #expect((got.executionID == nil) == (expected.executionID == nil))
        }
        #expect(direct.errorMetrics.snapshot().byCode == preparedHost.errorMetrics.snapshot().byCode)
        let statistics = [direct, preparedHost].map { host in
            host.registry.statisticsSnapshot().map { "\($0.nodeType) \($0.statistics.calls) \($0.statistics.errors)" }.sorted()
        }
        #expect(statistics[0] == statistics[1], "\(statistics)")
    }

    @Test("a policy set after preparing applies at the next execution, both ways")
    func policyChangeInvalidates() throws {
        let host = try PathParityExecutionTests.host()
        let node = host.prepare(nodeType: "demo.echo", parameters: [:], tenant: "acme")
        #expect(node.execute().status == .success)
        #expect(node.execute().status == .success)
        host.setPolicy(try policySet(#"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["demo.flaky"]}]}"#))
        let denied = node.execute()
        #expect(denied.errorCode == .nodeTypeDisabledForTenant, "\(denied.json())")
        host.setPolicy(try policySet(#"{"tenants":[{"tenantId":"other"}]}"#))
        #expect(node.execute().errorCode == .tenantUnknown)
        host.setPolicy(try policySet(#"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["demo.*"]}]}"#))
        #expect(node.execute().status == .success)
    }

    @Test("input is checked on every execution, also when the admission is remembered")
    func inputCheckedEachTime() throws {
        let host = try executionHost()
        let node = host.prepare(nodeType: "demo.echo", parameters: [:])
        #expect(node.execute(input: [1]).status == .success)
        let refused = node.execute(input: ["not": "an array"])
        #expect(refused.errorCode == .invalidParameters)
        #expect(refused.attempts.isEmpty)
        #expect(node.execute(input: [2, 3]).status == .success)
    }

    @Test("a refusal is not remembered: parameters that fail validation fail every time, with their violations")
    func refusalsNotRemembered() throws {
        let host = try executionHost()
        let node = host.prepare(nodeType: "demo.flaky", parameters: ["failures": "many"])
        for _ in 0..<2 {
            let result = node.execute()
            #expect(result.errorCode == .validationFailed)
            #expect(!result.validationErrors.isEmpty)
        }
    }

    @Test("each execution has its own execution id, and retries under a recovery share it")
    func executionIDs() throws {
        let host = try executionHost()
        let node = host.prepare(
            nodeType: "demo.flaky", parameters: ["failures": 1, "value": "x"],
            recovery: recovery(attempts: 3))
        let first = node.execute(), second = node.execute()
        #expect(first.status == .success && first.attempts.count == 2, "\(first.json())")
        #expect(first.executionID != nil && first.executionID != second.executionID)
    }
}
