import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// `plugin-host run --journal / --resume` and Ctrl-C, as a user drives them: a real process,
/// killed with `kill -9` or interrupted with SIGINT.
@Suite("CLI: run --journal, --resume and Ctrl-C")
struct RunJournalCLITests {
    /// A layered workflow of `layers × width` `hostile.ids` nodes that each sleep `ms` and then
    /// append `<attempt> <execution id>` to `marker`.
    static func idsWorkflow(layers: Int, width: Int, ms: Int, marker: String, concurrency: Int) -> String {
        var nodes: [String] = [], connections: [String] = []
        for layer in 0..<layers {
            for index in 0..<width {
                nodes.append(#"{"name":"l\#(layer)n\#(index)","type":"hostile.ids","parameters":{"ms":\#(ms),"marker":"\#(marker)"}}"#)
            }
        }
        for layer in 0..<(layers - 1) {
            for index in 0..<width {
                let targets = [index, (index + 1) % width].map { #"{"node":"l\#(layer + 1)n\#($0)","type":"main","index":0}"# }
                connections.append(#""l\#(layer)n\#(index)":{"main":[[\#(targets.joined(separator: ","))]]}"#)
            }
        }
        return #"{"name":"ids","settings":{"concurrency":\#(concurrency)},"nodes":[\#(nodes.joined(separator: ","))],"connections":{\#(connections.joined(separator: ","))}}"#
    }

    static func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PLUGIN_HOST_PATH"] = nil
        environment["XDG_CACHE_HOME"] = NSTemporaryDirectory() + "/plugin-host-cli-tests-cache-\(getpid())"
        environment["SWIFT_BACKTRACE"] = "enable=no"
        return environment
    }

    static func lines(_ path: String) -> [Substring] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: true)
    }

    @Test("kill -9 in the middle of a 1 000-node run, then --resume: every node ran to completion once, those in flight at most twice",
          .timeLimit(.minutes(2)))
    func killAndResume() throws {
        let directory = try TemporaryDirectory(prefix: "journal-cli")
        let marker = directory.path + "/marker.log"
        let journal = directory.path + "/run.jsonl"
        let workflow = try directory.write(
            "ids.workflow.json", Self.idsWorkflow(layers: 100, width: 10, ms: 2, marker: marker, concurrency: 4))
        let plugins = try ExecutionPlugins.directory()
        let common = ["--no-default-plugins", "--plugin-dir", plugins, "--json"]

        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuildProducts.cli)
        process.arguments = ["run", workflow, "--journal", journal] + common
        process.environment = Self.environment()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once about a third of the nodes have finished (two entries per node).
        let deadline = Date().addingTimeInterval(60)
        while Self.lines(journal).count < 700, process.isRunning, Date() < deadline { usleep(2_000) }
        #expect(process.isRunning, "the run ended before it could be killed; make its nodes slower")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        // What the journal says was in flight at the kill: started, never finished.
        var started: [String: String] = [:], finished = Set<String>()
        for line in Self.lines(journal).dropLast() {   // the last line may be torn
            let entry = try JSONParser.parse(String(line))
            if entry["entry"] == "nodeStarted", let node = entry["node"]?.stringValue { started[node] = entry["executionId"]?.stringValue }
            if entry["entry"] == "nodeFinished", let node = entry["node"]?.stringValue { finished.insert(node) }
        }
        let inFlight = Set(started.keys).subtracting(finished)
        #expect(finished.count > 100 && finished.count < 1_000, "\(finished.count) finished before the kill")
        #expect(inFlight.count <= 5, "at most the run's 4 lanes (and a torn last entry's node) were in flight: \(inFlight)")

        let resumed = try ProcessRunner.run(BuildProducts.cli, ["run", workflow, "--resume", journal] + common, environment: Self.environment())
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let document = try JSONParser.parse(resumed.stdout)
        #expect(document["status"] == "success")
        let nodes = try #require(document["nodes"]?.objectValue)
        #expect(nodes.members.count == 1_000)
        #expect(nodes.members.allSatisfy { $0.value["status"] == "success" })

        // The marker: one line per call that ran to completion, `<attempt> <execution id>`.
        var completions: [String: Int] = [:]
        for line in Self.lines(marker) {
            let id = String(line.split(separator: " ").last ?? "")
            completions[id, default: 0] += 1
        }
        #expect(completions.count == 1_000, "every node ran to completion: \(completions.count) ids")
        let inFlightIDs = Set(inFlight.compactMap { started[$0] })
        for (id, count) in completions {
            if inFlightIDs.contains(id) {
                #expect(count <= 2, "\(id) was in flight and ran \(count) times")
            } else {
                #expect(count == 1, "\(id) ran \(count) times")
            }
        }
        // A node run again kept its execution id.
        for node in inFlight {
            #expect(nodes[node]?["executionId"]?.stringValue == started[node], "\(node)")
        }
    }

    @Test("--journal refuses a file that exists; --resume refuses an edited workflow with JOURNAL_INVALID")
    func refusals() throws {
        let directory = try TemporaryDirectory(prefix: "journal-cli-refusals")
        let marker = directory.path + "/marker.log"
        let journal = directory.path + "/run.jsonl"
        let workflow = try directory.write("ids.workflow.json", Self.idsWorkflow(layers: 2, width: 2, ms: 0, marker: marker, concurrency: 2))
        let plugins = try ExecutionPlugins.directory()
        let common = ["--no-default-plugins", "--plugin-dir", plugins, "--json"]
        let first = try ProcessRunner.run(BuildProducts.cli, ["run", workflow, "--journal", journal] + common, environment: Self.environment())
        #expect(first.status == 0, "\(first.stderr)")
        let again = try ProcessRunner.run(BuildProducts.cli, ["run", workflow, "--journal", journal] + common, environment: Self.environment())
        #expect(again.status == 2)
        #expect(again.stderr.contains("JOURNAL_FAILED") && again.stderr.contains("--resume"), "\(again.stderr)")

        // The same run resumed: nothing runs again, the same results.
        let callsBefore = Self.lines(marker).count
        let resumed = try ProcessRunner.run(BuildProducts.cli, ["run", workflow, "--resume", journal] + common, environment: Self.environment())
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(Self.lines(marker).count == callsBefore)

        // The file edited since: refused, nothing runs.
        _ = try directory.write("ids.workflow.json", Self.idsWorkflow(layers: 2, width: 2, ms: 1, marker: marker, concurrency: 2))
        let edited = try ProcessRunner.run(BuildProducts.cli, ["run", workflow, "--resume", journal] + common, environment: Self.environment())
        #expect(edited.status == 1)
        let document = try JSONParser.parse(edited.stdout)
        #expect(document["problems"]?.arrayValue?.first?["code"] == "JOURNAL_INVALID", "\(edited.stdout)")
        #expect(Self.lines(marker).count == callsBefore)
    }

    @Test("Ctrl-C cancels the run: the running plugin sees is_cancelled, the result is printed, exit 130", .timeLimit(.minutes(1)))
    func interrupt() throws {
        let directory = try TemporaryDirectory(prefix: "interrupt-cli")
        let marker = directory.path + "/marker.log"
        let workflow = try directory.write("slow.workflow.json", #"""
            {"name":"slow","nodes":[
              {"name":"Slow","type":"hostile.polite","parameters":{"ms":30000,"marker":"\#(marker)"}},
              {"name":"After","type":"hostile.echo","parameters":{}}],
             "connections":{"Slow":{"main":[[{"node":"After","type":"main","index":0}]]}}}
            """#)
        let output = directory.path + "/out.json"
        FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuildProducts.cli)
        process.arguments = ["run", workflow, "--no-default-plugins", "--plugin-dir", try ExecutionPlugins.directory(), "--json"]
        process.environment = Self.environment()
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !Self.lines(marker).contains("started"), Date() < deadline { usleep(2_000) }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let document = try JSONParser.parse(try String(contentsOfFile: output, encoding: .utf8))
        #expect(document["status"] == "cancelled")
        #expect(document["nodes"]?["Slow"]?["errorCode"] == "CANCELLED")
        #expect(document["nodes"]?["After"]?["status"] == "cancelled")
        #expect(Self.lines(marker).contains("cancelled"))
    }
}
