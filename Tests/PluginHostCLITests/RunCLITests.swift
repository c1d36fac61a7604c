import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

@Suite("plugin-host run")
struct RunCLITests {
    @Test("the README's main job: the hello example succeeds, a table row per node, no progress noise off a TTY",
          .disabled(if: sanitizedSwiftPlugin, "a sanitizer-built Swift plugin cannot load into the plain CLI"))
    func hello() throws {
        let result = try CLI.run(["run", WorkflowFiles.example("hello")])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr == "")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("NODE ") == true)
        #expect(lines.contains { $0.hasPrefix("Double ") && $0.hasSuffix(#"{"result":82}"#) })
        #expect(lines.last?.hasPrefix("run success: 6 nodes (6 success) in ") == true)
    }

    @Test("--json prints status, durationMs, every node in workflow order, problems and stats")
    func json() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("math.json", WorkflowFiles.math)
        let (status, document, stderr) = try CLI.json(["run", file, "--json"])
        #expect(status == 0, "stderr: \(stderr)")
        #expect(document["status"] == "success")
        #expect(document["durationMs"]?.doubleValue ?? -1 >= 0)
        #expect(document["nodes"]?.objectValue?.keys.map { $0 } == ["Two", "Three", "Six"])
        #expect(document["nodes"]?["Six"]?["output"] == ["result": 6])
        #expect(document["nodes"]?["Six"]?["attempts"] == 1)
        #expect(document["problems"] == .array([]))
        #expect(document["stats"]?.objectValue != nil)
    }

    @Test("--trace writes valid Chrome trace JSON with one X event per attempt")
    func trace() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("math.json", WorkflowFiles.math)
        let tracePath = dir.url("run.trace.json")
        let (status, document, _) = try CLI.json(["run", file, "--json", "--trace", tracePath, "--concurrency", "2"])
        #expect(status == 0)
        let attempts = document["nodes"]?.objectValue?.map { $0.value }.compactMap { $0["attempts"]?.intValue }.reduce(0, +)
        let trace = try JSONParser.parse(Array(try #require(FileManager.default.contents(atPath: tracePath))))
        let events = try #require(trace["traceEvents"]?.arrayValue)
        let complete = events.filter { $0["ph"] == "X" }
        #expect(Int64(complete.count) == attempts)
        #expect(Set(complete.compactMap { $0["name"]?.stringValue }) == ["Two", "Three", "Six"])
        #expect(complete.allSatisfy { $0["args"]?["attempt"] == 1 && $0["args"]?["status"] == "success" })
        #expect(complete.allSatisfy { ($0["tid"]?.intValue ?? 0) >= 1 && ($0["tid"]?.intValue ?? 9) <= 2 })
        #expect(trace["displayTimeUnit"] == "ms")
    }

    @Test("a failed node fails the run: exit 1, its error in the table, dependents cancelled")
    func failedRun() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("failing.json", WorkflowFiles.failing)
        let (status, document, _) = try CLI.json(["run", file, "--json"])
        #expect(status == 1)
        #expect(document["status"] == "failed")
        #expect(document["nodes"]?["Div"]?["errorCode"] == "INVALID_PARAMETERS")
        #expect(document["nodes"]?["After"]?["status"] == "cancelled")
        let human = try CLI.run(["run", file])
        #expect(human.status == 1)
        #expect(human.stdout.contains("INVALID_PARAMETERS: "))
        #expect(human.stdout.split(separator: "\n").last?.hasPrefix("run failed: 2 nodes (1 error, 1 cancelled)") == true)
    }

    @Test("an invalid workflow is refused: exit 1, nothing ran, the documented refusal shape, an empty trace")
    func refused() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("broken.json", WorkflowFiles.everyProblem)
        let tracePath = dir.url("t.json")
        let (status, document, _) = try CLI.json(["run", file, "--json", "--trace", tracePath])
        #expect(status == 1)
        #expect(document["status"] == "failed")
        #expect(document["durationMs"]?.doubleValue == 0)
        #expect(document["nodes"] == .object([:]))
        #expect(document.problemPairs.count == 10)
        let trace = try JSONParser.parse(Array(try #require(FileManager.default.contents(atPath: tracePath))))
        #expect(trace["traceEvents"]?.arrayValue?.filter { $0["ph"] == "X" }.isEmpty == true)
        let human = try CLI.run(["run", file])
        #expect(human.status == 1)
        #expect(human.stdout.hasSuffix("run refused: the workflow is invalid; nothing ran.\n"))
    }

    @Test("usage errors exit 2: --concurrency 0, an unwritable trace, a missing workflow")
    func usage() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("math.json", WorkflowFiles.math)
        #expect(try CLI.run(["run", file, "--concurrency", "0"]).status == 2)
        let trace = try CLI.run(["run", file, "--trace", "/nonexistent-dir/t.json"])
        #expect(trace.status == 2)
        #expect(trace.stderr.contains("--trace /nonexistent-dir/t.json cannot be written"))
        #expect(try CLI.run(["run", dir.url("missing.json")]).status == 2)
    }

    @Test("a tenant denied a node type is refused before anything runs")
    func tenantDenied() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("math.json", WorkflowFiles.math)
        let policy = try dir.write("policy.json", #"{"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["math.add"]}]}"#)
        let (status, document, _) = try CLI.json(["run", file, "--json", "--policy", policy, "--tenant", "acme"])
        #expect(status == 1)
        #expect(document.problemPairs == [["NODE_TYPE_DISABLED_FOR_TENANT", "Six"]])
    }

    @Test("the recovery example ends success with its retries, fallback, skip, continue and timeout in the output",
          .enabled(if: FileManager.default.fileExists(atPath: BuildProducts.plugin("demo")), "needs libph-demo.so (Plugins/demo)"),
          .disabled(if: sanitizedSwiftPlugin, "a sanitizer-built Swift plugin cannot load into the plain CLI"))
    func recoveryExample() throws {
        let dir = try TemporaryDirectory()
        let tracePath = dir.url("recovery.trace.json")
        let (status, document, stderr) = try CLI.json(["run", WorkflowFiles.example("recovery"), "--json", "--trace", tracePath])
        #expect(status == 0, "stderr: \(stderr)")
        #expect(document["status"] == "success")
        let nodes = try #require(document["nodes"])
        #expect(nodes["Flaky"]?["attempts"] == 3)
        #expect(nodes["Divide"]?["recoveryApplied"] == "fallback")
        #expect(nodes["Broken"]?["recoveryApplied"] == "skip")
        #expect(nodes["PassThrough"]?["recoveryApplied"] == "continue")
        #expect(nodes["TooSlow"]?["status"] == "skipped")
        let trace = try JSONParser.parse(Array(try #require(FileManager.default.contents(atPath: tracePath))))
        let flaky = trace["traceEvents"]?.arrayValue?.filter { $0["name"] == "Flaky" && $0["ph"] == "X" } ?? []
        #expect(flaky.map { $0["args"]?["errorCode"] ?? .null } == ["TRANSIENT_ERROR", "TRANSIENT_ERROR", .null])
        let human = try CLI.run(["run", WorkflowFiles.example("recovery")])
        #expect(human.status == 0)
        #expect(human.stdout.contains("fallback → math.add"))
    }

    @Test("the hello example runs to success with --json as well",
          .disabled(if: sanitizedSwiftPlugin, "a sanitizer-built Swift plugin cannot load into the plain CLI"))
    func helloJSON() throws {
        let (status, document, _) = try CLI.json(["run", WorkflowFiles.example("hello"), "--json"])
        #expect(status == 0)
        #expect(document["nodes"]?["Join"]?["output"] == ["result": "HELLO, PLUGIN-HOST! / hello, plugin-host!"])
    }
}
