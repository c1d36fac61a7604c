import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

@Suite("plugin-host validate")
struct ValidateCLITests {
    @Test("the hello example is valid: exit 0 and a summary line")
    func helloValid() throws {
        let result = try CLI.run(["validate", WorkflowFiles.example("hello")])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasSuffix("hello.workflow.json: valid (6 nodes, 0 errors, 0 warnings)\n"))
    }

    @Test("one bad workflow reports every validation code at once, in order, each on its node; exit 1")
    func everyProblemAtOnce() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("broken.json", WorkflowFiles.everyProblem)
        let policy = try dir.write("policy.json", WorkflowFiles.policy)
        let (status, report, _) = try CLI.json(["validate", file, "--json", "--policy", policy, "--tenant", "acme"])
        #expect(status == 1)
        #expect(report["valid"] == false)
        #expect(report.problemPairs == [
            ["WORKFLOW_INVALID", "Pong"],
            ["RECOVERY_INVALID", "-"],
            ["DUPLICATE_NODE_NAME", "Add"],
            ["DANGLING_CONNECTION", "Add"],
            ["WORKFLOW_CYCLE", "Ping"],
            ["REF_NOT_UPSTREAM", "Early"],
            ["VALIDATION_FAILED", "Add"],
            ["NODE_TYPE_NOT_FOUND", "Typo"],
            ["TYPE_VERSION_UNSUPPORTED", "Old"],
            ["NODE_TYPE_DISABLED_FOR_TENANT", "Banned"],
            ["RECOVERY_INVALID", "Ping"],
        ])
        let problems = try #require(report["problems"]?.arrayValue)
        #expect(problems.allSatisfy { $0["severity"] == "error" && !($0["message"]?.stringValue ?? "").isEmpty })
        #expect(problems[4]["message"]?.stringValue?.contains("Ping → Pong → Ping") == true)
        #expect(problems[7]["message"]?.stringValue?.contains("did you mean math.add") == true)
    }

    @Test("the human list prints every problem with its code and node, then the verdict")
    func humanList() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("broken.json", WorkflowFiles.everyProblem)
        let result = try CLI.run(["validate", file])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 11)
        #expect(lines.contains { $0.hasPrefix("error NODE_TYPE_NOT_FOUND [Typo]: ") })
        #expect(lines.last?.hasSuffix("broken.json: invalid (9 nodes, 10 errors, 0 warnings)") == true)
    }

    @Test("an unknown tenant is one TENANT_UNKNOWN problem for the whole workflow")
    func unknownTenant() throws {
        let dir = try TemporaryDirectory()
        let policy = try dir.write("policy.json", WorkflowFiles.policy)
        let (status, report, _) = try CLI.json(["validate", WorkflowFiles.example("hello"), "--json", "--policy", policy, "--tenant", "globex"])
        #expect(status == 1)
        #expect(report.problemPairs == [["TENANT_UNKNOWN", "-"]])
    }

    @Test("--dot prints the graph exactly; problems go to stderr and the exit still reflects validity")
    func dot() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("math.json", WorkflowFiles.math)
        let result = try CLI.run(["validate", file, "--dot"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            digraph "math" {
              rankdir=LR;
              node [shape=box];
              n0 [label="Two\\n(math.add)"];
              n1 [label="Three\\n(math.add)"];
              n2 [label="Six\\n(math.mul)"];
              n0 -> n2;
              n1 -> n2;
              n0 -> n2 [style=dashed, label="/result"];
              n1 -> n2 [style=dashed, label="/result"];
            }

            """)
        let broken = try dir.write("broken.json", WorkflowFiles.everyProblem)
        let invalid = try CLI.run(["validate", broken, "--dot"])
        #expect(invalid.status == 1)
        #expect(invalid.stdout.hasPrefix("digraph \"broken\" {"))
        #expect(invalid.stderr.contains("error WORKFLOW_CYCLE [Ping]: "))
    }

    @Test("usage errors exit 2: --dot with --json, a missing file")
    func usage() throws {
        let both = try CLI.run(["validate", WorkflowFiles.example("hello"), "--dot", "--json"])
        #expect(both.status == 2)
        #expect(both.stderr.contains("--dot and --json"))
        let missing = try CLI.run(["validate", "/nonexistent/workflow.json"])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("FILE_UNREADABLE: cannot read the workflow file /nonexistent/workflow.json"))
        let directory = try CLI.run(["validate", "/tmp"])
        #expect(directory.status == 2)
        #expect(directory.stderr.contains("not a regular file"))
    }

    @Test("text that is not JSON is WORKFLOW_INVALID, exit 1")
    func notJSON() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("bad.json", "{\"nodes\": [")
        let (status, report, _) = try CLI.json(["validate", file, "--json"])
        #expect(status == 1)
        #expect(report.problemPairs == [["WORKFLOW_INVALID", "-"]])
    }
}

/// Invalid UTF-8 in what the CLI reads as JSON is refused by the JSON parser with the offset of
/// the first bad byte, never repaired to U+FFFD (the embed API refuses the same bytes).
@Suite("plugin-host: invalid UTF-8 in JSON input")
struct InvalidUTF8CLITests {
    @Test("a workflow file with invalid UTF-8 is WORKFLOW_INVALID naming the byte offset")
    func workflowFile() throws {
        let dir = try TemporaryDirectory()
        let prefix = Array(#"{"nodes":[{"name":""#.utf8)
        let file = try dir.write("bad.json", prefix + [0xFF] + Array(#"","type":"math.add"}]}"#.utf8))
        let (status, report, _) = try CLI.json(["validate", file, "--json"])
        #expect(status == 1)
        let problems = try #require(report["problems"]?.arrayValue)
        #expect(problems.map { $0["code"]?.stringValue } == ["WORKFLOW_INVALID"])
        let message = problems.first?["message"]?.stringValue ?? ""
        #expect(message.contains("invalid UTF-8 at byte offset \(prefix.count)"), "\(message)")
    }

    @Test("--params with invalid UTF-8 is refused naming the byte offset, in both spellings", arguments: [
        #"--params "$(printf '{"a":"\377"}')""#, #""--params=$(printf '{"a":"\377"}')""#,
    ])
    func paramsArgument(spelling: String) throws {
        let result = try ProcessRunner.run("/bin/sh", ["-c", "exec \"$0\" exec math.add \(spelling)", BuildProducts.cli])
        #expect(result.status == 64 || result.status == 2, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains("--params is not valid JSON: invalid UTF-8 at byte offset 6"), "\(result.stderr)")
    }
}
