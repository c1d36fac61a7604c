import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import Testing

@Suite("Execution: metrics, statistics and policies")
struct HostStateExecutionTests {
    @Test("error metrics count failed attempts by code, node type and tenant, retries and recoveries")
    func metrics() throws {
        let policy = try policySet(#"{"defaultPolicy": {}}"#)
        let host = try executionHost(policy: policy)
        _ = host.execute(nodeType: "demo.flaky", parameters: ["failures": 2], tenant: "acme", recovery: recovery(attempts: 3))
        _ = host.execute(nodeType: "demo.fail", parameters: [:], tenant: "beta", recovery: recovery(attempts: 2))
        let snapshot = host.errorMetrics.snapshot()
        #expect(snapshot.totalErrors == 4)
        #expect(snapshot.byCode == [.transientError: 2, .executionError: 2])
        #expect(snapshot.byNodeType == ["demo.flaky": 2, "demo.fail": 2])
        #expect(snapshot.byTenant == ["acme": 2, "beta": 2])
        #expect(snapshot.retries == 3)  // two for demo.flaky, one for demo.fail
        #expect(snapshot.recoverySuccesses == 1)
        #expect(snapshot.recoveryFailures == 1)
        #expect(snapshot.meanRecoveryMs == 300)  // 100 + 200 ms of backoff on the manual clock
        #expect(snapshot.recentErrors.map(\.attempt) == [1, 2, 1, 2])
    }

    @Test("a refused execution counts as an error at attempt 0")
    func refusalCounted() throws {
        let host = try executionHost()
        _ = host.execute(nodeType: "no.such", parameters: [:])
        let snapshot = host.errorMetrics.snapshot()
        #expect(snapshot.byCode == [.nodeTypeNotFound: 1])
        #expect(snapshot.recentErrors.map(\.attempt) == [0])
    }

    @Test("setPolicy takes effect for the next execution")
    func setPolicy() throws {
        let host = try executionHost()
        #expect(host.execute(nodeType: "hostile.echo", parameters: [:], tenant: "acme").status == .success)
        host.setPolicy(try policySet(#"{"tenants": [{"tenantId": "acme", "restrictedNodeTypes": ["hostile.*"]}]}"#))
        #expect(host.execute(nodeType: "hostile.echo", parameters: [:], tenant: "acme").errorCode == .nodeTypeDisabledForTenant)
        #expect(host.execute(nodeType: "hostile.echo", parameters: [:], tenant: "zed").errorCode == .tenantUnknown)
        #expect(host.configuration.policy == nil)
        host.setPolicy(nil)
        #expect(host.execute(nodeType: "hostile.echo", parameters: [:], tenant: "acme").status == .success)
    }

    @Test("statistics() reports the registry, the validation cache, the breakers and the errors")
    func statisticsDocument() throws {
        let host = try executionHost()
        _ = host.execute(nodeType: "hostile.echo", parameters: [:])
        _ = host.execute(nodeType: "demo.fail", parameters: [:])
        let stats = host.statistics()
        #expect(stats["registry"]?["plugins"] == 2)
        #expect(stats["registry"]?["nodeTypes"] == 11)  // hostile's 7 and demo's 4
        #expect(stats["registry"]?["nodes"]?["hostile.echo"]?["calls"] == 1)
        #expect(stats["registry"]?["nodes"]?["demo.fail"]?["errors"] == 1)
        #expect(stats["validationCache"]?["capacity"] == 4096)
        #expect(stats["circuitBreakers"]?["failureThreshold"] == 1000)
        #expect(stats["errors"]?["byCode"] == ["EXECUTION_ERROR": 1])
    }
}
