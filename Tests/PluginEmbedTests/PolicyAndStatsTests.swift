import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// ph_host_set_policy and ph_host_stats through the built library.
@Suite("Embedding: policies and statistics", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct PolicyAndStatsTests {
    private static let acmeMathOnly = #"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["math.*"]}]}"#

    @Test("a policy set at run time applies to the next execution")
    func setPolicyApplies() throws {
        let calls = try EmbedDriver.run([
            "create", "@null", "policy", Self.acmeMathOnly,
            "exec", "acme", "string.upper", #"{"text":"a"}"#, "@null",
            "exec", "acme", "math.add", #"{"a":1,"b":1}"#, "@null",
        ])
        #expect(calls[1].status == Status.ok)
        #expect(calls[1].error == nil)
        #expect(calls[2].errorCode == "NODE_TYPE_DISABLED_FOR_TENANT")
        #expect(calls[3].status == Status.ok)
    }

    @Test("a NULL policy returns to single-tenant mode")
    func clearPolicy() throws {
        let calls = try EmbedDriver.run([
            "create", JSONWriter.string(["policy": try JSONParser.parse(Self.acmeMathOnly)]),
            "policy", "@null", "exec", "@null", "string.upper", #"{"text":"a"}"#, "@null",
        ])
        #expect(calls[2].status == Status.ok, "\(calls[2])")
    }

    @Test("an invalid policy is POLICY_INVALID and the previous policy stays in force")
    func invalidPolicyKeepsPrevious() throws {
        let calls = try EmbedDriver.run([
            "create", "@null", "policy", Self.acmeMathOnly,
            "policy", #"{"tenants":[{"tenantId":"acme","allowedNodeTypes":"math.*"}]}"#,
            "exec", "acme", "string.upper", #"{"text":"a"}"#, "@null",
        ])
        #expect(calls[2].status == Status.invalidArgument)
        #expect(calls[2].errorCode == "POLICY_INVALID")
        #expect(calls[3].errorCode == "NODE_TYPE_DISABLED_FOR_TENANT")
    }

    @Test("policy JSON that is malformed or not an object is INVALID_ARGUMENT", arguments: ["{", "[]", "\"x\""])
    func malformedPolicy(policy: String) throws {
        let calls = try EmbedDriver.run(["create", "@null", "policy", policy])
        #expect(calls[1].errorCode == "INVALID_ARGUMENT")
    }

    @Test("a policy survives a scan of other directories")
    func policySurvivesRescan() throws {
        let directory = try TemporaryDirectory(prefix: "embed-policy-rescan")
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("string"), toPath: directory.url("libstring.so"))
        let calls = try EmbedDriver.run([
            "create", "@null", "policy", Self.acmeMathOnly, "scan", JSONWriter.string([.string(directory.path)]),
            "exec", "acme", "string.upper", #"{"text":"a"}"#, "@null",
        ])
        #expect(calls[3].errorCode == "NODE_TYPE_DISABLED_FOR_TENANT")
    }

    @Test("stats count calls and errors per node type and errors by code")
    func statsCount() throws {
        let calls = try EmbedDriver.run([
            "create", "@null",
            "exec", "@null", "math.add", #"{"a":1,"b":1}"#, "@null",
            "exec", "@null", "math.add", #"{"a":2,"b":1}"#, "@null",
            "exec", "@null", "math.div", #"{"a":1,"b":0}"#, "@null",
            "stats",
        ])
        let stats = try #require(calls[4].doc)
        #expect(calls[4].status == Status.ok)
        #expect(stats["registry"]?["nodes"]?["math.add"]?["calls"] == 2)
        #expect(stats["registry"]?["nodes"]?["math.div"]?["errors"] == 1)
        #expect(stats["errors"]?["byCode"]?["INVALID_PARAMETERS"] == 1)
        #expect(stats["validationCache"]?["misses"] != nil)
    }

    @Test("stats with NULL out parameters succeed")
    func statsWithoutOutputs() throws {
        let calls = try EmbedDriver.run(["create", "@null", "no-outs", "stats", "no-outs", "policy"])
        #expect(calls[1].status == Status.ok)
        #expect(calls[2].status == Status.ok)
    }
}
