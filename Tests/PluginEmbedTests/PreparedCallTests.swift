import PluginHostCore
import PluginHostTestSupport
import Testing

/// ph_host_execute_as's result forms and prepared calls (ph_host_prepare, ph_node_call_execute,
/// ph_node_call_destroy) through the built library.
@Suite("Embedding: result forms and prepared calls", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct PreparedCallTests {
    static let full = "0", compact = "1", output = "2"

    @Test("each form of a success: the full result, {status, output}, the output alone")
    func formsOfSuccess() throws {
        let calls = try EmbedDriver.run([
            "create", "@null",
            "exec-as", "@null", "math.add", #"{"a":2,"b":3}"#, "@null", Self.full,
            "exec-as", "@null", "math.add", #"{"a":2,"b":3}"#, "@null", Self.compact,
            "exec-as", "@null", "math.add", #"{"a":2,"b":3}"#, "@null", Self.output,
        ])
        #expect(calls[1].status == Status.ok && calls[1].doc?["nodeType"] == "math.add" && calls[1].doc?["attempts"] == 1)
        #expect(calls[2].doc == ["status": "success", "output": ["result": 5]], "\(calls[2])")
        #expect(calls[2].doc?.objectValue?.keys == ["status", "output"])
        #expect(calls[3].doc == ["result": 5], "\(calls[3])")
        #expect(calls[1...3].allSatisfy { $0.status == Status.ok && $0.error == nil })
    }

    @Test("each form of a failure: same status and error; compact names the code, output is NULL")
    func formsOfFailure() throws {
        let calls = try EmbedDriver.run([
            "create", "@null",
            "exec-as", "@null", "math.div", #"{"a":1,"b":0}"#, "@null", Self.full,
            "exec-as", "@null", "math.div", #"{"a":1,"b":0}"#, "@null", Self.compact,
            "exec-as", "@null", "math.div", #"{"a":1,"b":0}"#, "@null", Self.output,
        ])
        let code = try #require(calls[1].doc?["errorCode"]?.stringValue)
        for call in calls[1...3] {
            #expect(call.status == calls[1].status && call.status != Status.ok)
            #expect(call.errorCode == code, "\(call)")
        }
        #expect(calls[2].doc?["status"] == "error")
        #expect(calls[2].doc?["output"] == .null)
        #expect(calls[2].doc?["errorCode"] == .string(code))
        #expect(calls[2].doc?["error"] == calls[1].doc?["error"])
        #expect(calls[3].doc == nil, "\(calls[3])")
    }

    @Test("an unknown result_form is INVALID_ARGUMENT naming the forms, and nothing runs")
    func unknownForm() throws {
        let calls = try EmbedDriver.run(["create", "@null", "exec-as", "@null", "math.add", "{}", "@null", "7", "stats"])
        #expect(calls[1].status == Status.invalidArgument)
        #expect(calls[1].doc == nil)
        #expect(calls[1].error?["message"]?.stringValue?.contains("PH_RESULT_COMPACT") == true, "\(calls[1])")
        #expect(calls[2].doc?["nodes"]?.arrayValue?.isEmpty ?? true, "\(calls[2])")
    }

    @Test("a prepared call runs with each input and gives what ph_host_execute gives")
    func preparedMatchesExecute() throws {
        let calls = try EmbedDriver.run([
            "create", "@null",
            "prepare", "@null", "math.add", #"{"a":40,"b":2}"#,
            "call-exec", "@null", Self.output,
            "call-exec", "[]", Self.compact,
            "call-exec", "@null", Self.full,
            "exec", "@null", "math.add", #"{"a":40,"b":2}"#, "@null",
        ])
        #expect(calls[1].status == Status.ok && calls[1].error == nil)
        #expect(calls[2].doc == ["result": 42], "\(calls[2])")
        #expect(calls[3].doc == ["status": "success", "output": ["result": 42]])
        var prepared = try #require(calls[4].doc?.objectValue), direct = try #require(calls[5].doc?.objectValue)
        for key in ["durationMs", "startedAt", "finishedAt", "executionId", "attemptLog"] {
            prepared[key] = nil
            direct[key] = nil
        }
        #expect(prepared == direct)
    }

    @Test("prepare reads its arguments: NULL, malformed or non-object parameters are INVALID_ARGUMENT")
    func prepareRefusesBadArguments() throws {
        let calls = try EmbedDriver.run([
            "create", "@null",
            "prepare", "@null", "@null", "{}",
            "prepare", "@null", "math.add", "@null",
            "prepare", "@null", "math.add", "{",
            "prepare", "@null", "math.add", "[]",
            "prepare", "@bytes:%FF", "math.add", "{}",
        ])
        for call in calls[1...] {
            #expect(call.status == Status.invalidArgument, "\(call)")
            #expect(call.error?["message"] != nil)
        }
        #expect(calls[2].error?["message"]?.stringValue?.contains("params_json") == true)
    }

    @Test("the pipeline's checks run at execute: an unknown node type prepares, then fails NOT_FOUND each call")
    func checksRunAtExecute() throws {
        let calls = try EmbedDriver.run([
            "create", "@null", "prepare", "@null", "math.addd", "{}", "call-exec", "@null", Self.compact,
        ])
        #expect(calls[1].status == Status.ok)
        #expect(calls[2].status == Status.notFound)
        #expect(calls[2].doc?["errorCode"] == "NODE_TYPE_NOT_FOUND")
        #expect(calls[2].error?["node"] == "math.addd")
    }

    @Test("a destroyed call, a NULL call and a call whose host was destroyed are INVALID_ARGUMENT")
    func staleCalls() throws {
        let destroyedCall = try EmbedDriver.run([
            "create", "@null", "prepare", "@null", "math.add", #"{"a":1,"b":1}"#, "call-destroy", "call-exec", "@null", Self.output,
        ])
        #expect(destroyedCall[3].status == Status.invalidArgument)
        #expect(destroyedCall[3].error?["message"]?.stringValue?.contains("not a live ph_node_call") == true, "\(destroyedCall[3])")

        let nullCall = try EmbedDriver.run(["call-exec", "@null", Self.output, "call-destroy"])
        #expect(nullCall[0].status == Status.invalidArgument)
        #expect(nullCall[0].error?["message"]?.stringValue?.contains("NULL") == true)

        let destroyedHost = try EmbedDriver.run([
            "create", "@null", "prepare", "@null", "math.add", #"{"a":1,"b":1}"#, "call-exec", "@null", Self.output,
            "destroy", "call-exec", "@null", Self.output, "call-destroy",
        ])
        #expect(destroyedHost[2].doc == ["result": 2])
        #expect(destroyedHost[4].status == Status.invalidArgument)
        #expect(destroyedHost[4].error?["message"]?.stringValue?.contains("destroyed") == true, "\(destroyedHost[4])")
    }

    @Test("a policy set after prepare applies to the prepared call's next execute")
    func policyAppliesAtExecute() throws {
        let math = #"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["math.*"]}]}"#
        let policy = #"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["string.*"]}]}"#
        let calls = try EmbedDriver.run([
            "create", #"{"policy":\#(math)}"#,
            "prepare", "acme", "math.add", #"{"a":1,"b":1}"#,
            "call-exec", "@null", Self.output,
            "policy", policy,
            "call-exec", "@null", Self.compact,
        ])
        #expect(calls[2].status == Status.ok, "\(calls[2])")
        #expect(calls[4].status == Status.policy, "\(calls[4])")
        #expect(calls[4].doc?["errorCode"] == "NODE_TYPE_DISABLED_FOR_TENANT")
    }
}
