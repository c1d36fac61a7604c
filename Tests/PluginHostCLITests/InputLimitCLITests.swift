import PluginHostCore
import PluginHostTestSupport
import Testing

/// The `--max-*` flags: each sets one ``InputLimits`` field for the command.
@Suite("plugin-host input limits")
struct InputLimitCLITests {
    static let twoNodes = #"{"name":"w","nodes":[{"name":"A","type":"math.add","parameters":{"a":1,"b":2}},{"name":"B","type":"math.add","parameters":{"a":1,"b":2}}],"connections":{}}"#

    @Test("validate --max-workflow-nodes: the limit is valid, below it WORKFLOW_TOO_LARGE with the limit; exit 1")
    func workflowNodes() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("two.json", Self.twoNodes)
        let fits = try CLI.run(["validate", file, "--max-workflow-nodes", "2"])
        #expect(fits.status == 0, "\(fits.stdout)\(fits.stderr)")
        let (status, report, _) = try CLI.json(["validate", file, "--json", "--max-workflow-nodes", "1"])
        #expect(status == 1)
        let problem = try #require(report["problems"]?.arrayValue?.first)
        #expect(problem["code"] == "WORKFLOW_TOO_LARGE")
        #expect(problem["message"]?.stringValue == "The workflow has 2 nodes, more than the limit of 1 (HostConfiguration.limits.maximumWorkflowNodes); split it or raise the limit.")
    }

    @Test("run --max-workflow-bytes refuses a larger file by its size; nothing runs")
    func workflowBytes() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("two.json", Self.twoNodes)
        let size = Self.twoNodes.utf8.count
        let (status, document, _) = try CLI.json(["run", file, "--json", "--max-workflow-bytes", "\(size - 1)"])
        #expect(status == 1)
        #expect(document["nodes"] == .object(JSONObject()))
        #expect(document["problems"]?.arrayValue?.first?["code"] == "WORKFLOW_TOO_LARGE")
        let (ran, result, _) = try CLI.json(["run", file, "--json", "--max-workflow-bytes", "\(size)"])
        #expect(ran == 0)
        #expect(result["status"] == "success")
    }

    @Test("policy check --max-policy-entries and --max-json-depth: POLICY_TOO_LARGE and JSON_TOO_DEEP, exit 1")
    func policyLimits() throws {
        let dir = try TemporaryDirectory()
        let policy = try dir.write("policy.json", #"{"tenants":[{"tenantId":"acme","allowedNodeTypes":["math.*"]}]}"#)
        #expect(try CLI.run(["policy", "check", policy, "--max-policy-entries", "2", "--max-json-depth", "4"]).status == 0)
        let entries = try CLI.run(["policy", "check", policy, "--max-policy-entries", "1"])
        #expect(entries.status == 1)
        #expect(entries.stdout.contains("error POLICY_TOO_LARGE: The policy has 2 entries"), "\(entries.stdout)")
        let depth = try CLI.run(["policy", "check", policy, "--max-json-depth", "3"])
        #expect(depth.status == 1)
        #expect(depth.stdout.contains("error JSON_TOO_DEEP: "), "\(depth.stdout)")
    }

    @Test("a limit flag below 1 is a usage error (exit 2)")
    func usage() throws {
        let result = try CLI.run(["validate", "whatever.json", "--max-json-depth", "0"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--max-json-depth must be at least 1"))
    }

    @Test("exec --params nested past --max-json-depth is JSON_TOO_DEEP, a usage error naming the option (exit 2)")
    func execParameterDepth() throws {
        let nested = #"{"a":"# + String(repeating: "[", count: 6) + String(repeating: "]", count: 6) + "}"
        let refused = try CLI.run(["exec", "math.add", "--params", nested, "--max-json-depth", "5"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("JSON_TOO_DEEP: --params nests arrays and objects deeper than the limit of 5 levels"), "\(refused.stderr)")
        // Within the limit the nesting is no longer what stops it (math.add then checks its schema).
        let deeper = try CLI.run(["exec", "math.add", "--params", nested, "--max-json-depth", "7"])
        #expect(!deeper.stderr.contains("JSON_TOO_DEEP"), "\(deeper.stderr)")
    }
}
