import PluginHostCore
import PluginHostTestSupport
import Testing

/// ph_host_run_workflow through the built library.
@Suite("Embedding: workflows", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct WorkflowTests {
    static func workflow(_ nodes: [String], connections: String = "{}") -> String {
        #"{"name":"t","nodes":[\#(nodes.joined(separator: ","))],"connections":\#(connections)}"#
    }

    static let add = #"{"name":"Add","type":"math.add","typeVersion":1,"parameters":{"a":2,"b":3}}"#
    static let double = #"{"name":"Double","type":"math.mul","typeVersion":1,"parameters":{"a":{"$ref":"Add#/result"},"b":2}}"#
    static let addToDouble = #"{"Add":{"main":[[{"node":"Double","type":"main","index":0}]]}}"#

    private func run(_ workflow: String, tenant: String = "@null", options: String = "@null") throws -> EmbedDriver.Call {
        try EmbedDriver.run(["create", options, "run", tenant, workflow])[1]
    }

    @Test("a workflow that succeeds is PH_OK with the run --json document")
    func success() throws {
        let call = try run(Self.workflow([Self.add, Self.double], connections: Self.addToDouble))
        #expect(call.status == Status.ok, "\(call)")
        #expect(call.error == nil)
        #expect(call.doc?["status"] == "success")
        #expect(call.doc?["nodes"]?["Double"]?["output"] == ["result": 10])
    }

    @Test("a node that fails fails the run with its status, code and node name")
    func nodeFails() throws {
        let divide = #"{"name":"Divide","type":"math.div","typeVersion":1,"parameters":{"a":1,"b":0}}"#
        let call = try run(Self.workflow([divide]))
        #expect(call.status == Status.invalidParameters)
        #expect(call.errorCode == "INVALID_PARAMETERS")
        #expect(call.error?["node"] == "Divide")
        #expect(call.doc?["status"] == "failed")
        #expect(call.doc?["nodes"]?["Divide"]?["status"] == "error")
    }

    @Test("an invalid workflow is not run: PH_ERR_INVALID_PARAMETERS and every problem in the result")
    func invalidWorkflow() throws {
        let unknown = #"{"name":"X","type":"math.nope","typeVersion":1,"parameters":{}}"#
        let cycle = #"{"Add":{"main":[[{"node":"Add","type":"main","index":0}]]}}"#
        let call = try run(Self.workflow([Self.add, unknown], connections: cycle))
        #expect(call.status == Status.invalidParameters)
        #expect(call.doc?["nodes"] == .object(JSONObject()))
        let codes = (call.doc?["problems"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue }
        #expect(codes.contains("WORKFLOW_CYCLE") && codes.contains("NODE_TYPE_NOT_FOUND"), "\(codes)")
        #expect(call.error?["message"]?.stringValue?.hasPrefix("the workflow is invalid and was not run") == true)
    }

    @Test("workflow JSON that is malformed, NULL or not an object is INVALID_ARGUMENT with no result",
          arguments: ["{\"nodes\":", "@null", "[]"])
    func malformed(workflow: String) throws {
        let call = try run(workflow)
        #expect(call.status == Status.invalidArgument)
        #expect(call.errorCode == "INVALID_ARGUMENT")
        #expect(call.doc == nil)
    }

    @Test("the tenant applies to every node of the run")
    func tenant() throws {
        let options = #"{"policy":{"tenants":[{"tenantId":"acme","allowedNodeTypes":["string.*"]}]}}"#
        let call = try run(Self.workflow([Self.add]), tenant: "acme", options: options)
        #expect(call.status == Status.invalidParameters)
        #expect(call.errorCode == "NODE_TYPE_DISABLED_FOR_TENANT")
    }

    @Test("run with NULL out parameters still reports the status")
    func withoutOutputs() throws {
        let calls = try EmbedDriver.run(["create", "@null", "no-outs", "run"])
        #expect(calls[1].status == Status.invalidParameters)  // math.div by zero
    }
}
