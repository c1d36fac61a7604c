import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
@testable import PluginRuntime
import PluginWorkflow
import Testing

/// Workflow nodes with `timeoutMs` on the host's lanes: each lane calls its plugins itself,
/// the watchdog gives a lane up to a call past its deadline, and the run goes on without it.
@Suite("Workflows: time limits on the lanes")
struct WorkflowWatchdogTests {
    static func host() throws -> PluginHost {
        PluginHost(configuration: HostConfiguration(directories: [SearchDirectory(path: try ExecutionPlugins.directory())]))
    }

    @Test("a 300-node chain with a time limit on every node hands no call to another thread")
    func timedChainStaysOnItsLane() async throws {
        let nodes = (0..<300).map { #"{ "name": "n\#($0)", "type": "hostile.echo", "parameters": { "i": \#($0) } }"# }
        let connections = (1..<300).map { #""n\#($0 - 1)": { "main": [[ { "node": "n\#($0)", "type": "main", "index": 0 } ]] }"# }
        let workflow = ParsedWorkflow.from("""
            { "name": "timed-chain", "settings": { "concurrency": 2, "timeoutMs": 10000 },
              "nodes": [\(nodes.joined(separator: ","))], "connections": { \(connections.joined(separator: ",")) } }
            """)
        let host = try Self.host()
        _ = await host.execute(nodeType: "hostile.echo", parameters: [:])   // loads the plugin first
        let before = host.callThreads.jobsStarted
        let outcome = await HostWorkflows(host: host, tenant: nil).run(workflow)
        let result = try #require(outcome.result)
        #expect(outcome.succeeded)
        #expect(result.nodes.count == 300)
        #expect(result["n299"]?.output == ["i": 299])
        let jobs = host.callThreads.jobsStarted - before
        #expect(jobs <= 2, "\(jobs) jobs on host threads for 300 timed nodes: only the lanes should be")
    }

    @Test("a node stuck past its timeoutMs: the run goes on (onError continue) and ends before the plugin returns")
    func stuckNodeDoesNotHoldTheRun() async throws {
        let marker = try TemporaryDirectory(prefix: "watchdog-marker")
        let markerPath = marker.path + "/marker.log"
        let workflow = ParsedWorkflow.from(#"""
            { "name": "stuck", "settings": { "concurrency": 1 },
              "nodes": [
                { "name": "Stuck", "type": "hostile.stubborn", "parameters": { "ms": 3000, "marker": "\#(markerPath)" },
                  "timeoutMs": 100, "onError": "continue" },
                { "name": "After", "type": "hostile.echo", "parameters": { "after": true } },
                { "name": "Other", "type": "hostile.echo", "parameters": { "other": true }, "timeoutMs": 5000 } ],
              "connections": { "Stuck": { "main": [[ { "node": "After", "type": "main", "index": 0 } ]] } } }
            """#)
        let host = try Self.host()
        let outcome = await HostWorkflows(host: host, tenant: nil).run(workflow)
        let result = try #require(outcome.result)
        #expect(outcome.succeeded)
        #expect(result["Stuck"]?.attempts.map(\.errorCode) == [.executionTimeout])
        #expect(result["Stuck"]?.recoveryApplied != nil)
        #expect(result["After"]?.output == ["after": true])
        #expect(result["Other"]?.output == ["other": true])
        // The given-up thread comes back when the plugin returns (and drops its output); the
        // plugin writes its marker only then, so the file's time is when the stuck call ended.
        let deadline = Date().addingTimeInterval(20)
        while !(((try? String(contentsOfFile: markerPath, encoding: .utf8)) ?? "").contains("finished")), Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: markerPath)
        let pluginReturned = try #require(attributes[.modificationDate] as? Date).timeIntervalSince1970
        // The node after the stuck one ran on the replacement lane, before the plugin returned:
        // the lane was given up, not waited for (times from the results, not from this task,
        // which a busy test process may resume late).
        let after = try #require(result["After"])
        #expect(after.finishedAt < pluginReturned, "After finished at \(after.finishedAt), the stuck call returned at \(pluginReturned)")
    }
}
