import Foundation
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginWorkflow
import Testing

@Suite("HostWorkflows on the bundled plugins")
struct HostWorkflowsTests {
    @Test("the hello example validates with no problem at all")
    func helloValidates() throws {
        let report = HostWorkflows(host: try BundledHost.make(), tenant: nil).validate(try Examples.parsed("hello"))
        #expect(report.problems.map(\.description) == [])
    }

    @Test("the hello example runs: parallel branches joined, $refs resolved into the next node",
          .disabled(if: BuildProducts.pluginsAreSanitized, "runs the Swift greeter: a sanitizer-built Swift plugin needs sanitizer symbols the test process does not export"))
    func helloRuns() async throws {
        let outcome = await HostWorkflows(host: try BundledHost.make(), tenant: nil).run(try Examples.parsed("hello"))
        let result = try #require(outcome.result)
        #expect(outcome.succeeded)
        #expect(result.nodes.map(\.name) == ["Greet", "Shout", "Whisper", "Join", "Length", "Double"])
        #expect(result["Join"]?.output == ["result": "HELLO, PLUGIN-HOST! / hello, plugin-host!"])
        #expect(result["Double"]?.output == ["result": 82])
        #expect(result.nodes.allSatisfy { $0.result.attempts.count == 1 })
    }

    @Test("a refused run executes nothing and has the documented JSON shape")
    func refusedRun() async throws {
        let host = try BundledHost.make()
        let parsed = ParsedWorkflow.from(#"{"nodes": [{"name": "A", "type": "math.add", "parameters": {"a": 1}}, {"name": "B", "type": "math.sub", "parameters": {"a": 1, "b": 2}}]}"#)
        let outcome = await HostWorkflows(host: host, tenant: nil).run(parsed)
        guard case .refused(let report) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(report.problems.map(\.code) == [.validationFailed])
        #expect(!outcome.succeeded)
        #expect(host.registry.statisticsSnapshot().isEmpty)
        let json = outcome.json()
        #expect(json["status"] == "failed")
        #expect(json["durationMs"]?.doubleValue == 0)
        #expect(json["nodes"] == .object([:]))
        #expect(json["problems"]?.arrayValue?.first?["code"] == "VALIDATION_FAILED")
        #expect(json["problems"]?.arrayValue?.first?["node"] == "A")
    }

    @Test("a plugin failure with onError fail cancels its dependents and fails the run; independent nodes still run")
    func failureCancelsDependents() async throws {
        let parsed = ParsedWorkflow.from(#"""
            {"nodes": [{"name": "Div", "type": "math.div", "parameters": {"a": 1, "b": 0}},
                       {"name": "After", "type": "math.add", "parameters": {"a": 1, "b": 1}},
                       {"name": "Alone", "type": "math.add", "parameters": {"a": 2, "b": 2}}],
             "connections": {"Div": {"main": [[{"node": "After", "type": "main", "index": 0}]]}}}
            """#)
        let outcome = await HostWorkflows(host: try BundledHost.make(), tenant: nil).run(parsed)
        let result = try #require(outcome.result)
        #expect(result.status == .failed)
        #expect(result["Div"]?.status == .error)
        #expect(result["Div"]?.errorCode == .invalidParameters)
        #expect(result["After"]?.status == .cancelled)
        #expect(result["Alone"]?.output == ["result": 4])
        #expect(outcome.json()["problems"] == .array([]))
    }

    @Test("the tracer gets one event per attempt of every node, in worker lanes within the concurrency",
          .disabled(if: BuildProducts.pluginsAreSanitized, "runs the Swift greeter: a sanitizer-built Swift plugin needs sanitizer symbols the test process does not export"))
    func traceEvents() async throws {
        let tracer = TraceRecorder()
        let outcome = await HostWorkflows(host: try BundledHost.make(), tenant: nil)
            .run(try Examples.parsed("hello"), concurrency: 2, tracer: tracer)
        let attempts = try #require(outcome.result).nodes.map(\.result.attempts.count).reduce(0, +)
        #expect(tracer.events.count == attempts)
        #expect(Set(tracer.events.map(\.nodeName)) == ["Greet", "Shout", "Whisper", "Join", "Length", "Double"])
        #expect(tracer.events.allSatisfy { $0.lane < 2 })
    }

    @Test("a policy that restricts a node type refuses the run with NODE_TYPE_DISABLED_FOR_TENANT on that node")
    func tenantRestriction() async throws {
        let host = try BundledHost.make(policy: ["tenants": [["tenantId": "acme", "restrictedNodeTypes": ["string.lower"]]]])
        let outcome = await HostWorkflows(host: host, tenant: "acme").run(try Examples.parsed("hello"))
        let problems = outcome.validation.problems
        #expect(problems.map(\.code) == [.nodeTypeDisabledForTenant])
        #expect(problems.first?.node == "Whisper")
        #expect(outcome.result == nil)
    }

    @Test("an unknown tenant is reported once, not once per node")
    func unknownTenantOnce() throws {
        let host = try BundledHost.make(policy: ["tenants": [["tenantId": "acme"]]])
        let report = HostWorkflows(host: host, tenant: "globex").validate(try Examples.parsed("hello"))
        #expect(report.problems.map(\.code) == [.tenantUnknown])
        #expect(report.problems.first?.node == nil)
    }
}
