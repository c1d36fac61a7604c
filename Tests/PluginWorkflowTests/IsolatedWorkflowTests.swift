import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginWorkflow
import Testing

@Suite("Workflows with process isolation")
struct IsolatedWorkflowTests {
    static func host() throws -> PluginHost {
        PluginHost(configuration: HostConfiguration(
            directories: [SearchDirectory(path: try IsolationPlugins.directory())],
            isolation: IsolationOptions(mode: .process, limits: ResourceLimits(memoryMb: 256), workerExecutable: IsolationPlugins.worker)))
    }

    @Test("crashing nodes fail with their codes, what depends on them is cancelled, and an independent branch finishes")
    func crashAndBranch() async throws {
        let workflow = ParsedWorkflow.from(#"""
            { "name": "crash-and-branch", "settings": { "concurrency": 4 },
              "nodes": [
                { "name": "Crash", "type": "hazard.segfault", "parameters": {} },
                { "name": "AfterCrash", "type": "math.add", "parameters": { "a": 1, "b": 1 } },
                { "name": "Hang", "type": "hazard.spin", "parameters": {}, "timeoutMs": 200 },
                { "name": "Add", "type": "math.add", "parameters": { "a": 2, "b": 3 } },
                { "name": "Double", "type": "math.mul", "parameters": { "a": { "$ref": "Add#/result" }, "b": 2 } } ],
              "connections": {
                "Crash": { "main": [[ { "node": "AfterCrash", "type": "main", "index": 0 } ]] },
                "Add": { "main": [[ { "node": "Double", "type": "main", "index": 0 } ]] } } }
            """#)
        let host = try Self.host()
        defer { host.shutdownWorkers() }
        let outcome = await HostWorkflows(host: host, tenant: nil).run(workflow)
        let result = try #require(outcome.result)
        #expect(!outcome.succeeded)
        #expect(result["Crash"]?.errorCode == .executionCrashed)
        #expect(result["AfterCrash"]?.status == .cancelled)
        #expect(result["Hang"]?.errorCode == .executionTimeout)
        #expect(result["Double"]?.output == ["result": 10])
    }

    @Test("a crash retried with a fallback recovers the node, as in process")
    func fallbackAfterCrash() async throws {
        let workflow = ParsedWorkflow.from(#"""
            { "name": "fallback", "nodes": [
                { "name": "Risky", "type": "hazard.segfault", "parameters": {},
                  "retry": { "maximumAttempts": 2, "initialIntervalMs": 1 }, "onError": "fallback", "fallbackNodeType": "hazard.print" } ],
              "connections": {} }
            """#)
        let host = try Self.host()
        defer { host.shutdownWorkers() }
        let outcome = await HostWorkflows(host: host, tenant: nil).run(workflow)
        let risky = try #require(outcome.result?["Risky"])
        #expect(risky.status == .success)
        #expect(risky.fallbackNodeType == "hazard.print")
        #expect(risky.attempts.map(\.errorCode) == [.executionCrashed, .executionCrashed, nil])
    }
}
