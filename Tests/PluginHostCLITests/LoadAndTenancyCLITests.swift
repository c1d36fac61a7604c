import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

@Suite("plugin-host load")
struct LoadCLITests {
    @Test("initializes the bundled plugins and prints per-plugin outcomes and totals",
          .disabled(if: BuildProducts.pluginsAreSanitized, "a sanitizer-built Swift plugin needs sanitizer symbols the host executable does not export"))
    func loadsBundledPlugins() throws {
        let (status, report, stderr) = try CLI.json(["load", "--json"])
        #expect(status == 0, "stderr: \(stderr)")
        let outcomes = try #require(report["plugins"]?.arrayValue)
        #expect(outcomes.count == 5)  // math, string, greeter, demo, hazard
        #expect(outcomes.allSatisfy { $0["status"] == "initialized" })
        let human = try CLI.run(["load"])
        #expect(human.status == 0)
        #expect(human.stdout.contains("5 plugins: 5 initialized"))
    }

    @Test("a plugin whose init fails is reported with INIT_FAILED and its message, exit 1")
    func initFailure() throws {
        let dir = try TemporaryDirectory()
        let source = CPluginBuilder.echoPluginSource(id: "org.test.failing", nodeType: "test.failing")
            .replacingOccurrences(of: "(void)host; (void)config; *state = 0; return PH_OK;",
                                  with: "(void)config; *state = 0; host->set_init_error(host, \"database unreachable\"); return PH_ERR_EXECUTION;")
        try CPluginBuilder.build(source: source, name: "failing.so", in: dir)
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "fine.so", in: dir)
        let (status, report, _) = try CLI.json(["load", "--json", dir.path])
        #expect(status == 1)
        let failing = try #require(report["plugins"]?.arrayValue?.first { $0["id"] == "org.test.failing" })
        #expect(failing["status"] == "failed")
        #expect(failing["code"] == "INIT_FAILED")
        #expect(failing["message"]?.stringValue?.contains("database unreachable") == true)
        let fine = try #require(report["plugins"]?.arrayValue?.first { $0["id"] == "org.test.echo" })
        #expect(fine["status"] == "initialized")
    }

    @Test("bad --init-concurrency is a usage error")
    func usage() throws {
        #expect(try CLI.run(["load", "--init-concurrency", "0"]).status == 2)
    }
}

@Suite("plugin-host exec with tenants, and policy check")
struct TenancyCLITests {
    static let policy = """
        { "defaultPolicy": { "restrictedNodeTypes": ["string.*"] },
          "tenants": [ { "tenantId": "acme", "allowedNodeTypes": ["math.*"], "restrictedNodeTypes": [],
                         "dataIsolation": "strict", "auditLogging": true } ] }
        """

    @Test("the tenant matrix end to end: allowed, denied by allow list, default policy, unknown without --tenant")
    func matrix() throws {
        let dir = try TemporaryDirectory()
        let policy = try dir.write("policy.json", Self.policy)
        let audit = dir.url("audit.jsonl")
        func exec(_ node: String, _ params: String, _ extra: [String]) throws -> (Int32, JSONValue) {
            let (status, value, _) = try CLI.json(["exec", node, "--params", params, "--policy", policy,
                                                   "--audit-log", audit, "--json"] + extra)
            return (status, value)
        }
        let allowed = try exec("math.add", #"{"a":1,"b":2}"#, ["--tenant", "acme"])
        #expect(allowed.0 == 0)
        #expect(allowed.1["output"] == ["result": 3])
        let denied = try exec("string.upper", #"{"text":"x"}"#, ["--tenant", "acme"])
        #expect(denied.0 == 1)
        #expect(denied.1["errorCode"] == "NODE_TYPE_DISABLED_FOR_TENANT")
        let byDefault = try exec("string.upper", #"{"text":"x"}"#, ["--tenant", "other"])
        #expect(byDefault.1["errorCode"] == "NODE_TYPE_DISABLED_FOR_TENANT")
        let defaultAllows = try exec("math.mul", #"{"a":2,"b":3}"#, ["--tenant", "other"])
        #expect(defaultAllows.1["output"] == ["result": 6])
        let noTenant = try exec("math.add", #"{"a":1,"b":2}"#, [])
        #expect(noTenant.1["errorCode"] == "TENANT_UNKNOWN")
        let trick = try exec("Math.add", #"{"a":1,"b":2}"#, ["--tenant", "acme"])
        #expect(trick.1["errorCode"] == "NODE_TYPE_DISABLED_FOR_TENANT")

        // acme audits every execution, successes and failures alike: the call that ran plugin
        // code has a started record before its outcome, the two denials only their outcome.
        let lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try JSONParser.parse(String($0)) }
        #expect(records.count == 4)
        #expect(records.map { $0["phase"] } == ["started", "finished", "finished", "finished"])
        #expect(records.map { $0["status"] } == ["running", "success", "error", "error"])
        #expect(records[0]["pluginId"] == "org.plugin-host.math")
        #expect(records[1]["pluginId"] == "org.plugin-host.math")
        #expect(records[0]["executionId"] == records[1]["executionId"])
        #expect(records[1]["executionId"] != records[2]["executionId"])
        #expect(records[2]["errorCode"] == "NODE_TYPE_DISABLED_FOR_TENANT")
        #expect(records.allSatisfy { $0["tenant"] == "acme" })
    }

    @Test("policy check reports errors with exit 1 and warnings with exit 0")
    func policyCheck() throws {
        let dir = try TemporaryDirectory()
        let good = try dir.write("good.json", Self.policy)
        let (status, value, _) = try CLI.json(["policy", "check", "--json", good])
        #expect(status == 0)
        #expect(value["valid"] == true)
        let both = try dir.write("both.json", #"{"tenants":[{"tenantId":"t","allowedNodeTypes":["math.*"],"restrictedNodeTypes":["math.div"]}]}"#)
        let warned = try CLI.json(["policy", "check", "--json", both])
        #expect(warned.status == 0)
        #expect(warned.value.problemCodes.contains("POLICY_INEFFECTIVE"))
        let bad = try dir.write("bad.json", #"{"tenants":[{"tenantId":"t","allowedNodeTypes":["Math.*"]}]}"#)
        let rejected = try CLI.json(["policy", "check", "--json", bad])
        #expect(rejected.status == 1)
        #expect(rejected.value.problemCodes.contains("POLICY_INVALID"))
    }
}
