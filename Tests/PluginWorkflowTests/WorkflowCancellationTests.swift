import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginRuntime
import PluginWorkflow
import Testing

/// Cancelling a run from outside with its ``WorkflowRunner/cancellation`` handle, on a real
/// host: the running nodes' plugins see `is_cancelled`, the pending ones are not run.
@Suite("Workflow runs: cancelled from outside")
struct WorkflowCancellationTests {
    @Test("running nodes see is_cancelled (on the lane and under the watchdog), pending ones end cancelled, the run ends cancelled",
          .timeLimit(.minutes(3)))
    func cancelMidRun() async throws {
        let marker = try TemporaryDirectory(prefix: "cancel-marker")
        let markerPath = marker.path + "/marker.log"
        let parsed = ParsedWorkflow.from(#"""
            { "name": "cancel", "settings": { "concurrency": 2 },
              "nodes": [
                { "name": "Slow", "type": "hostile.polite", "parameters": { "ms": 20000, "marker": "\#(markerPath)" } },
                { "name": "Watched", "type": "hostile.polite", "parameters": { "ms": 20000, "marker": "\#(markerPath)" },
                  "timeoutMs": 60000 },
                { "name": "After", "type": "hostile.echo", "parameters": {} } ],
              "connections": { "Slow": { "main": [[ { "node": "After", "type": "main", "index": 0 } ]] } } }
            """#)
        let host = PluginHost(configuration: HostConfiguration(directories: [SearchDirectory(path: try ExecutionPlugins.directory())]))
        let cancellation = CancellationFlag()
        let runner = try WorkflowRunner(
            workflow: parsed.workflow, executor: HostNodeExecutor(host: host, tenant: nil, workflow: parsed.workflow),
            cancellation: cancellation)
        let run = Task { await runner.run() }
        func lines() -> [String] {
            ((try? String(contentsOfFile: markerPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        // Generous: in a busy test process the run's task may wait long for a cooperative thread.
        let deadline = Date().addingTimeInterval(120)
        while lines().filter({ $0 == "started" }).count < 2, Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        try #require(lines().filter { $0 == "started" }.count == 2, "both slow nodes started")
        cancellation.cancel()
        let result = await run.value
        #expect(result.status == .cancelled)
        #expect(result["Slow"]?.errorCode == .cancelled)
        #expect(result["Watched"]?.errorCode == .cancelled)
        #expect(result["Slow"]?.attempts.count == 1, "no retry after a cancel")
        #expect(result["After"]?.status == .cancelled)
        #expect(lines().filter { $0 == "cancelled" }.count == 2, "\(lines())")
        // Both plugins stopped when told, long before their 20 s.
        #expect((result["Slow"]?.durationMs ?? .infinity) < 15_000)
    }
}
