import PluginHostCore
import PluginHostTestSupport
import Testing

/// `"inputLimits"` in `ph_host_create`'s options, as ph_host_run_workflow and ph_host_set_policy apply them.
@Suite("Embedding: input limits", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct InputLimitTests {
    static func workflow(nodes count: Int) -> String {
        let nodes = (0..<count).map { #"{"name":"n\#($0)","type":"math.add","typeVersion":1,"parameters":{"a":1,"b":2}}"# }
        return #"{"name":"t","nodes":[\#(nodes.joined(separator: ","))],"connections":{}}"#
    }

    @Test("maximumWorkflowNodes: the limit runs, one more is refused as WORKFLOW_TOO_LARGE naming the limit")
    func workflowNodes() throws {
        let options = #"{"inputLimits":{"maximumWorkflowNodes":2}}"#
        let calls = try EmbedDriver.run(["create", options, "run", "@null", Self.workflow(nodes: 2), "run", "@null", Self.workflow(nodes: 3)])
        #expect(calls[0].status == Status.ok, "\(calls[0])")
        #expect(calls[1].status == Status.ok, "\(calls[1])")
        #expect(calls[2].status == Status.invalidParameters, "\(calls[2])")
        #expect(calls[2].errorCode == "WORKFLOW_TOO_LARGE")
        #expect(calls[2].error?["message"]?.stringValue?.contains("has 3 nodes, more than the limit of 2 (HostConfiguration.limits.maximumWorkflowNodes)") == true)
        #expect(calls[2].doc?["problems"]?.arrayValue?.first?["code"] == "WORKFLOW_TOO_LARGE")
    }

    @Test("maximumJSONDepth: a workflow nested past it is refused as JSON_TOO_DEEP, not a syntax error")
    func depth() throws {
        let options = #"{"inputLimits":{"maximumJSONDepth":4}}"#
        // Root, nodes, node, parameters: 4 levels; one array more is 5.
        let deep = #"{"nodes":[{"name":"n","type":"math.add","typeVersion":1,"parameters":{"a":[1],"b":2}}]}"#
        let calls = try EmbedDriver.run(["create", options, "run", "@null", deep])
        #expect(calls[1].errorCode == "JSON_TOO_DEEP", "\(calls[1])")
        #expect(calls[1].error?["message"]?.stringValue?.contains("deeper than the limit of 4 levels") == true)
    }

    @Test("maximumPolicyEntries: ph_host_set_policy over it is POLICY_TOO_LARGE (PH_ERR_INVALID_ARGUMENT), the old policy stays")
    func policyEntries() throws {
        let options = #"{"inputLimits":{"maximumPolicyEntries":2}}"#
        let fits = #"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["math.*"]}]}"#
        let over = #"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["math.*","string.*"]}]}"#
        let calls = try EmbedDriver.run(["create", options, "policy", fits, "policy", over])
        #expect(calls[1].status == Status.ok, "\(calls[1])")
        #expect(calls[2].status == Status.invalidArgument)
        #expect(calls[2].errorCode == "POLICY_TOO_LARGE")
        #expect(calls[2].error?["message"]?.stringValue?.contains("more than the limit of 2 (HostConfiguration.limits.maximumPolicyEntries)") == true)
    }

    @Test("an inputLimits value that is not a positive whole number, or an unknown field, is INVALID_ARGUMENT",
          arguments: [#"{"inputLimits":{"maximumWorkflowNodes":0}}"#, #"{"inputLimits":{"maxNodes":5}}"#, #"{"inputLimits":7}"#])
    func invalidOptions(options: String) throws {
        let calls = try EmbedDriver.run(["create", options])
        #expect(calls[0].status == Status.invalidArgument, "\(calls[0])")
        #expect(calls[0].error?["message"]?.stringValue?.contains("/inputLimits") == true)
    }
}
