import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// ph_host_execute through the built library.
@Suite("Embedding: executing nodes", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct ExecuteTests {
    private func execute(_ nodeType: String, _ params: String, input: String = "@null", tenant: String = "@null",
                         options: String = "@null") throws -> EmbedDriver.Call {
        try EmbedDriver.run(["create", options, "exec", tenant, nodeType, params, input])[1]
    }

    @Test("a node that succeeds is PH_OK with the exec --json result and no error")
    func success() throws {
        let call = try execute("math.add", #"{"a":2,"b":3}"#)
        #expect(call.status == Status.ok)
        #expect(call.error == nil)
        #expect(call.doc?["output"] == ["result": 5])
        #expect(call.doc?["status"] == "success")
        #expect(call.doc?["nodeType"] == "math.add")
        #expect(call.doc?["attempts"] == 1)
    }

    @Test("input items reach the node unchanged")
    func input() throws {
        let directory = try TemporaryDirectory(prefix: "embed-input")
        let source = CPluginBuilder.echoPluginSource(id: "org.test.input", nodeType: "test.input")
            .replacingOccurrences(of: "call->params_json, call->params_len", with: "call->input_json, call->input_len")
        try CPluginBuilder.build(source: source, name: "libinput.so", in: directory)
        let calls = try EmbedDriver.run([
            "create", JSONWriter.string(["pluginPath": [.string(directory.path)]]),
            "exec", "@null", "test.input", #"{"value":1}"#, #"[{"x":1},{"y":[true]}]"#,
            "exec", "@null", "test.input", #"{"value":1}"#, "@null",
        ])
        #expect(calls[1].doc?["output"] == [["x": 1], ["y": [true]]], "\(calls[1])")
        #expect(calls[2].doc?["output"] == [])
    }

    @Test("an unknown node type is NOT_FOUND with a result and an error naming the node")
    func unknownNodeType() throws {
        let call = try execute("math.addd", "{}")
        #expect(call.status == Status.notFound)
        #expect(call.errorCode == "NODE_TYPE_NOT_FOUND")
        #expect(call.error?["node"] == "math.addd")
        #expect(call.doc?["errorCode"] == "NODE_TYPE_NOT_FOUND")
        #expect(call.error?["message"]?.stringValue?.contains("did you mean math.add") == true)
    }

    @Test("parameters that fail the schema are INVALID_PARAMETERS (VALIDATION_FAILED) with the violations")
    func validationFailed() throws {
        let call = try execute("math.add", #"{"a":"two","b":3}"#)
        #expect(call.status == Status.invalidParameters)
        #expect(call.errorCode == "VALIDATION_FAILED")
        #expect(call.doc?["validationErrors"]?.arrayValue?.first?["path"] == "/a")
    }

    @Test("a plugin's own failure is its status, with the result and error set")
    func pluginFailure() throws {
        let call = try execute("math.div", #"{"a":1,"b":0}"#)
        #expect(call.status == Status.invalidParameters)
        #expect(call.errorCode == "INVALID_PARAMETERS")
        #expect(call.error?["message"] == "division by zero: b must not be 0")
        #expect(call.doc?["status"] == "error")
    }

    @Test("malformed or wrongly shaped JSON arguments are INVALID_ARGUMENT with no result", arguments: [
        ("{\"a\":", "@null", "params_json is not valid JSON"),
        ("[1,2]", "@null", "params_json must be a JSON object, not array"),
        ("@null", "@null", "params_json is NULL"),
        ("{}", "{}", "input_json must be a JSON array, not object"),
        ("{}", "[", "input_json is not valid JSON"),
    ])
    func badArguments(params: String, input: String, message: String) throws {
        let call = try execute("math.add", params, input: input)
        #expect(call.status == Status.invalidArgument)
        #expect(call.errorCode == "INVALID_ARGUMENT")
        #expect(call.error?["message"]?.stringValue?.hasPrefix(message) == true, "\(call)")
        #expect(call.doc == nil)
    }

    @Test("a NULL node type is INVALID_ARGUMENT")
    func nullNodeType() throws {
        let call = try execute("@null", "{}")
        #expect(call.status == Status.invalidArgument)
        #expect(call.error?["message"]?.stringValue?.hasPrefix("node_type is NULL") == true)
    }

    @Test("with NULL out parameters the status alone still tells success from failure")
    func nullOutParameters() throws {
        let calls = try EmbedDriver.run(["create", "@null", "no-outs", "exec", "no-outs", "exec-fail"])
        #expect(calls[1].status == Status.ok)
        #expect(calls[2].status == Status.invalidParameters)
    }

    private static let policy = #"{"policy":{"tenants":[{"tenantId":"acme","allowedNodeTypes":["math.*"]}]}}"#

    @Test("a tenant allowed the node type runs it")
    func tenantAllowed() throws {
        let call = try execute("math.add", #"{"a":1,"b":2}"#, tenant: "acme", options: Self.policy)
        #expect(call.status == Status.ok, "\(call)")
    }

    @Test("a node type disallowed for the tenant is PH_ERR_POLICY")
    func tenantDisallowed() throws {
        let call = try execute("string.upper", #"{"text":"a"}"#, tenant: "acme", options: Self.policy)
        #expect(call.status == Status.policy)
        #expect(call.errorCode == "NODE_TYPE_DISABLED_FOR_TENANT")
    }

    @Test("an unknown tenant, or none, under a policy is NOT_FOUND (TENANT_UNKNOWN)", arguments: ["globex", "@null"])
    func tenantUnknown(tenant: String) throws {
        let call = try execute("math.add", #"{"a":1,"b":2}"#, tenant: tenant, options: Self.policy)
        #expect(call.status == Status.notFound)
        #expect(call.errorCode == "TENANT_UNKNOWN")
    }
}
