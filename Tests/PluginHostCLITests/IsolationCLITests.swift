import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

@Suite("plugin-host with --isolation process")
struct IsolationCLITests {
    /// Pids of `plugin-host-worker` processes whose environment carries `mark`.
    static func workers(marked mark: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                  let command = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: command, as: UTF8.self).contains("plugin-host-worker"),
                  let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ"),
                  String(decoding: environment, as: UTF8.self).contains(mark) else { return nil }
            return pid
        }
    }

    @Test("the isolation example: each bad node's code, the independent branch's result, exit 1, no worker left behind",
          .disabled(if: IsolationPlugins.workerIsSanitized, "a sanitized worker has no memory limit, so the example's 10 GB node would really allocate 10 GB"))
    func example() throws {
        let mark = "PLUGIN_HOST_TEST_MARK=\(UUID().uuidString)"
        let (status, document, stderr) = try CLI.json(
            ["run", WorkflowFiles.example("isolation"), "--isolation", "process", "--memory-mb", "256", "--json"],
            environment: ["PLUGIN_HOST_TEST_MARK": String(mark.dropFirst("PLUGIN_HOST_TEST_MARK=".count))])
        #expect(status == 1, "stderr: \(stderr)")
        #expect(document["status"] == "failed")
        let nodes = try #require(document["nodes"])
        #expect(nodes["Segfault"]?["errorCode"] == "EXECUTION_CRASHED")
        #expect(nodes["Segfault"]?["error"]?.stringValue?.contains("SIGSEGV") == true)
        #expect(nodes["Abort"]?["errorCode"] == "EXECUTION_CRASHED")
        #expect(nodes["Abort"]?["error"]?.stringValue?.contains("SIGABRT") == true)
        #expect(nodes["Exit"]?["errorCode"] == "EXECUTION_CRASHED")
        #expect(nodes["Exit"]?["error"]?.stringValue?.contains("exited with status 0") == true)
        #expect(nodes["Hang"]?["errorCode"] == "EXECUTION_TIMEOUT")
        #expect(nodes["Hog"]?["errorCode"] == "RESOURCE_EXHAUSTED")
        #expect(nodes["Shout"]?["output"] == ["result": "THE BRANCH FINISHED"])
        #expect(nodes["Double"]?["output"] == ["result": 10])
        #expect(Self.workers(marked: mark).isEmpty, "workers outlived plugin-host")
    }

    @Test("a segfaulting node under exec: one EXECUTION_CRASHED line naming the signal, exit 1, never a signal")
    func execCrash() throws {
        let result = try CLI.run(["exec", "hazard.segfault", "--isolation", "process"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("EXECUTION_CRASHED: hazard.segfault (org.plugin-host.hazard 1.0.0) crashed its worker process: the worker was killed by SIGSEGV (signal 11)"), "\(result.stderr)")
    }

    @Test("a plugin's printf in a worker never reaches stdout: --json stays one document")
    func stdoutStaysClean() throws {
        let (status, document, stderr) = try CLI.json(["exec", "hazard.print", "--isolation", "process", "--json"])
        #expect(status == 0)
        #expect(document["status"] == "success")
        #expect(stderr.contains("hazard.print: a line on stdout"))
    }

    @Test("load --isolate: a constructor that segfaults is PROBE_CRASHED, the rest load, plugin-host exits 1 by itself")
    func loadIsolate() throws {
        let dir = try TemporaryDirectory()
        try CPluginBuilder.build(source: ProbePlugins.constructorCrash(), name: "crasher.so", in: dir)
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "good.so", in: dir)
        let cache = try TemporaryDirectory()
        let (status, report, stderr) = try CLI.json(["load", "--isolate", "--json", dir.path], environment: ["XDG_CACHE_HOME": cache.path])
        #expect(status == 1, "stderr: \(stderr)")
        let outcomes = try #require(report["plugins"]?.arrayValue)
        let crasher = try #require(outcomes.first { $0["id"] == "org.test.crasher" })
        #expect(crasher["status"] == "crashed")
        #expect(crasher["code"] == "PROBE_CRASHED")
        #expect(crasher["message"]?.stringValue?.contains("SIGSEGV") == true)
        #expect(outcomes.first { $0["id"] == "org.test.echo" }?["status"] == "initialized")
        // Without --isolate the quarantine still keeps the crasher out of the host.
        let human = try CLI.run(["load", dir.path], environment: ["XDG_CACHE_HOME": cache.path])
        #expect(human.status == 1)
        #expect(human.stdout.contains("QUARANTINED"), "\(human.stdout)")
        #expect(human.stdout.contains("PROBE_CRASHED"))
    }

    @Test("an unknown --isolation value is a usage error naming the choices")
    func badFlag() throws {
        let result = try CLI.run(["exec", "math.add", "--isolation", "sandbox"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("none") && result.stderr.contains("process"), "\(result.stderr)")
    }
}
