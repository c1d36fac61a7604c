import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import Testing

@Suite("Execution: onError strategies")
struct StrategyExecutionTests {
    @Test("skip comes after the retries: status skipped, output [], the error kept")
    func skipAfterRetries() throws {
        let host = try executionHost()
        let result = host.execute(nodeType: "demo.fail", parameters: ["transient": true], recovery: recovery(attempts: 3, onError: .skip))
        #expect(result.status == .skipped)
        #expect(result.output == [])
        #expect(result.recoveryApplied == "skip")
        #expect(result.attempts.count == 3)
        #expect(result.errorCode == .transientError)
    }

    @Test("continue passes the input items through as the output with status success")
    func continuePassesInput() throws {
        let host = try executionHost()
        let input: JSONValue = [["id": 1], ["id": 2]]
        let result = host.execute(nodeType: "demo.fail", parameters: [:], input: input, recovery: recovery(onError: .continue))
        #expect(result.status == .success)
        #expect(result.output == input)
        #expect(result.recoveryApplied == "continue")
    }

    @Test("fallback runs the fallback node type once with the same parameters and input")
    func fallbackRuns() throws {
        let host = try executionHost()
        let result = host.execute(
            nodeType: "demo.fail", parameters: ["message": "down"], input: [1],
            recovery: recovery(attempts: 2, onError: .fallback, fallback: "hostile.echo"))
        #expect(result.status == .success)
        #expect(result.nodeType == "demo.fail")
        #expect(result.output == ["message": "down"])
        #expect(result.recoveryApplied == "fallback")
        #expect(result.fallbackNodeType == "hostile.echo")
        #expect(result.attempts.map(\.number) == [1, 2, 1])
        #expect(result.attempts.map(\.nodeType) == [nil, nil, "hostile.echo"])
        #expect(result.logs == ["[info] echoing"])
    }

    @Test("a failing fallback fails the node with the fallback's code, naming both")
    func fallbackFails() throws {
        let host = try executionHost()
        let result = host.execute(
            nodeType: "hostile.silent", parameters: [:], recovery: recovery(onError: .fallback, fallback: "demo.fail"))
        #expect(result.status == .error)
        #expect(result.errorCode == .executionError)
        #expect(result.error == "hostile.silent failed (EXECUTION_ERROR) and its fallback demo.fail failed too: demo failure")
        #expect(result.attempts.count == 2)
    }

    @Test("a fallback the tenant may not use fails with NODE_TYPE_DISABLED_FOR_TENANT")
    func fallbackDisallowed() throws {
        let policy = try policySet(#"{"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["demo.*"]}]}"#)
        let host = try executionHost(policy: policy)
        let result = host.execute(
            nodeType: "demo.fail", parameters: [:], tenant: "acme",
            recovery: recovery(onError: .fallback, fallback: "hostile.echo"))
        #expect(result.status == .error)
        #expect(result.errorCode == .nodeTypeDisabledForTenant)
        #expect(result.fallbackNodeType == "hostile.echo")
        #expect(result.attempts.count == 1)
    }

    @Test("a fallback to an unknown node type fails with NODE_TYPE_NOT_FOUND")
    func fallbackUnknown() throws {
        let host = try executionHost()
        let result = host.execute(
            nodeType: "demo.fail", parameters: [:], recovery: recovery(onError: .fallback, fallback: "nothing.here"))
        #expect(result.status == .error)
        #expect(result.errorCode == .nodeTypeNotFound)
    }

    @Test("a fallback is validated against its own schema")
    func fallbackValidated() throws {
        let host = try executionHost()
        // demo.slow accepts only `ms`; demo.fail's `message` makes it VALIDATION_FAILED.
        let result = host.execute(
            nodeType: "demo.fail", parameters: ["message": "x"], recovery: recovery(onError: .fallback, fallback: "demo.slow"))
        #expect(result.errorCode == .validationFailed)
        #expect(result.validationErrors.map(\.path) == ["/message"])
    }

    @Test("a success needs no recovery: nothing applied")
    func successUntouched() throws {
        let host = try executionHost()
        let result = host.execute(nodeType: "hostile.echo", parameters: ["a": 1], recovery: recovery(onError: .skip))
        #expect(result.status == .success)
        #expect(result.recoveryApplied == nil)
        #expect(result.output == ["a": 1])
    }
}
