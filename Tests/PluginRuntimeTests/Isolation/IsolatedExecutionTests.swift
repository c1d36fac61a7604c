import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import Testing

@Suite("Isolation: calls in worker processes")
struct IsolatedExecutionTests {
    @Test("a node run in a worker gives the in-process result's shape and value")
    func sameResult() throws {
        let isolated = try isolatedHost()
        defer { isolated.shutdownWorkers() }
        let inProcess = PluginHost(configuration: HostConfiguration(
            directories: [.init(path: try IsolationPlugins.directory())], logger: testLogger))
        let a = isolated.execute(nodeType: "math.add", parameters: ["a": 2, "b": 3])
        let b = inProcess.execute(nodeType: "math.add", parameters: ["a": 2, "b": 3])
        #expect(a.status == .success, "\(a.error ?? "")")
        #expect(a.output == ["result": 5])
        #expect(a.output == b.output)
        #expect(a.attempts.count == 1 && b.attempts.count == 1)
        #expect(a.executionID != nil)
        // The host never loaded the plugin itself: only the worker registry knows the node.
        #expect(isolated.registry.node("math.add") == nil)
        #expect(isolated.isolatedRegistry.node("math.add")?.pluginID == "org.plugin-host.math")
        #expect(!isolated.workerProcessIDs.isEmpty)
    }

    @Test("a worker that dies in a call gives EXECUTION_CRASHED naming the signal or exit and the plugin; the next call works",
          arguments: [
            ("hazard.segfault", JSONValue.object([:]), "SIGSEGV (signal 11)"),
            ("hazard.abort", JSONValue.object([:]), "SIGABRT (signal 6)"),
            ("hazard.exit", JSONValue.object(["status": 0]), "exited with status 0"),
            ("hazard.exit", JSONValue.object(["status": 7]), "exited with status 7"),
          ])
    func crashes(nodeType: String, parameters: JSONValue, cause: String) throws {
        let host = try isolatedHost()
        defer { host.shutdownWorkers() }
        let crashed = host.execute(nodeType: nodeType, parameters: parameters)
        #expect(crashed.status == .error)
        #expect(crashed.errorCode == .executionCrashed)
        #expect(crashed.error?.contains(cause) == true, "\(crashed.error ?? "")")
        #expect(crashed.error?.contains("org.plugin-host.hazard") == true)
        let after = host.execute(nodeType: "math.add", parameters: ["a": 1, "b": 1])
        #expect(after.output == ["result": 2], "\(after.error ?? "")")
    }

    @Test("EXECUTION_CRASHED is retried by default, counts for the circuit breaker and the error metrics")
    func crashRecovery() throws {
        let host = try isolatedHost(failureThreshold: 3)
        defer { host.shutdownWorkers() }
        let retried = host.execute(nodeType: "hazard.segfault", parameters: [:], recovery: NodeRecovery(retry: RetryPolicy(initialIntervalMs: 1, maximumAttempts: 3)))
        #expect(retried.attempts.map(\.errorCode) == [.executionCrashed, .executionCrashed, .executionCrashed])
        let open = host.execute(nodeType: "hazard.segfault", parameters: [:])
        #expect(open.errorCode == .circuitOpen)
        let errors = host.statistics()["errors"]?["byCode"]?["EXECUTION_CRASHED"]
        #expect(errors == 3, "\(host.statistics()["errors"] ?? .null)")
        #expect(host.statistics()["workers"]?.arrayValue?.first?["crashes"] == 3)
    }

    @Test("a call past timeoutMs in a worker is stopped: its worker is gone within 100 ms of the deadline")
    func timeoutKills() async throws {
        let host = try isolatedHost()
        defer { host.shutdownWorkers() }
        // A warm worker with the hazard plugin probed and loaded, so the call starts at once.
        #expect(await host.execute(nodeType: "hazard.print", parameters: [:]).status == .success)
        let spinning = host.workerProcessIDs
        let result = await host.execute(nodeType: "hazard.spin", parameters: [:], recovery: NodeRecovery(timeoutMs: 300))
        #expect(result.errorCode == .executionTimeout)
        #expect(result.error?.contains("killed its worker process") == true)
        // The host's own clocks say when it killed the worker and when it had reaped it: this
        // test's task may itself run late on a loaded machine, the host's threads must not.
        let deadline = Date().addingTimeInterval(5)
        while spinning.contains(where: IsolationPlugins.processExists), Date() < deadline { usleep(1_000) }
        #expect(!spinning.contains(where: IsolationPlugins.processExists), "the spinning worker is still there")
        let stop = try #require(host.statistics()["workers"]?.arrayValue?.first?["lastStop"])
        let late = try #require(stop["afterDeadlineMs"]?.doubleValue)
        let reap = try #require(stop["reapMs"]?.doubleValue)
        #expect(late + reap < 100, "killed \(late) ms after the deadline, reaped \(reap) ms later")
    }

    @Test("a call given up while queued behind another in its worker is stopped when it starts, not left to spin forever")
    func abandonedBehindAnother() async throws {
        let host = try isolatedHost(maximumWorkers: 1)
        defer { host.shutdownWorkers() }
        // Both calls are submitted before the pool's one worker is ready, so they go to it as one
        // batch: the allocation first, then the spin, which starts once the allocation returns.
        let first = Task { await host.execute(nodeType: "hazard.allocate", parameters: ["mb": 512]) }
        try await Task.sleep(for: .milliseconds(2))
        let second = Task { await host.execute(nodeType: "hazard.spin", parameters: [:]) }
        try await Task.sleep(for: .milliseconds(20))
        second.cancel()  // given up while the allocation still runs: the spin is not the one running
        #expect(await second.value.errorCode == .cancelled)
        #expect(await first.value.status == .success)
        // Had the spin been left running, the one worker would never answer again.
        let after = await host.execute(nodeType: "math.add", parameters: ["a": 1, "b": 2], recovery: NodeRecovery(timeoutMs: 10_000))
        #expect(after.status == .success, "\(after.json())")
    }

    @Test("memory past limits.memoryMb is RESOURCE_EXHAUSTED, whether the plugin fails cleanly or crashes",
          .disabled(if: IsolationPlugins.workerIsSanitized, "a sanitizer owns malloc and address space: no memory limit there"),
          arguments: [true, false])
    func memoryLimit(checked: Bool) throws {
        let host = try isolatedHost(limits: ResourceLimits(memoryMb: 256))
        defer { host.shutdownWorkers() }
        let result = host.execute(nodeType: "hazard.allocate", parameters: ["mb": 1024, "checked": .bool(checked)])
        #expect(result.errorCode == .resourceExhausted, "\(result.error ?? "")")
        #expect(result.error?.contains("256 MiB") == true)
        let small = host.execute(nodeType: "hazard.allocate", parameters: ["mb": 64])
        #expect(small.output == ["allocatedMb": 64], "\(small.error ?? "")")
    }

    @Test("CPU past limits.cpuSecondsPerCall is RESOURCE_EXHAUSTED")
    func cpuLimit() throws {
        let host = try isolatedHost(limits: ResourceLimits(memoryMb: 2048, cpuSecondsPerCall: 1))
        defer { host.shutdownWorkers() }
        let begin = Date()
        let result = host.execute(nodeType: "hazard.spin", parameters: [:])
        #expect(result.errorCode == .resourceExhausted, "\(result.error ?? "")")
        #expect(result.error?.contains("1 CPU seconds per call") == true)
        #expect(Date().timeIntervalSince(begin) < 10)
    }

    @Test("tenants get their own workers: one tenant's crash leaves another's worker running")
    func tenantsApart() throws {
        let policy = try policySet(#"{"defaultPolicy": {"isolation": "process"}, "tenants": [{"tenantId": "a"}, {"tenantId": "b"}]}"#)
        let host = try isolatedHost(policy: policy)
        defer { host.shutdownWorkers() }
        #expect(host.execute(nodeType: "math.add", parameters: ["a": 1, "b": 2], tenant: "b").output == ["result": 3])
        let tenantB = host.workerProcessIDs
        #expect(host.execute(nodeType: "hazard.segfault", parameters: [:], tenant: "a").errorCode == .executionCrashed)
        #expect(tenantB.allSatisfy(IsolationPlugins.processExists))
        #expect(host.execute(nodeType: "math.add", parameters: ["a": 2, "b": 2], tenant: "b").output == ["result": 4])
    }

    @Test("a policy's isolation wins over the host's: process for one tenant, in-process for another")
    func policyDecides() throws {
        let policy = try policySet(#"{"tenants": [{"tenantId": "safe", "isolation": "process"}, {"tenantId": "fast", "isolation": "none"}]}"#)
        let host = PluginHost(configuration: HostConfiguration(
            directories: [.init(path: try IsolationPlugins.directory())], policy: policy, logger: testLogger,
            isolation: IsolationOptions(mode: .none, workerExecutable: IsolationPlugins.worker)))
        defer { host.shutdownWorkers() }
        #expect(host.execute(nodeType: "hazard.segfault", parameters: [:], tenant: "safe").errorCode == .executionCrashed)
        #expect(host.execute(nodeType: "math.add", parameters: ["a": 1, "b": 1], tenant: "fast").output == ["result": 2])
        #expect(host.registry.node("math.add") != nil, "the in-process tenant loads the plugin here")
        #expect(host.registry.node("hazard.segfault") == nil, "the hazard plugin was never loaded here")
    }

    @Test("a missing worker executable is WORKER_UNAVAILABLE with what to do, not a hang")
    func missingWorker() throws {
        let host = PluginHost(configuration: HostConfiguration(
            directories: [.init(path: try IsolationPlugins.directory())], logger: testLogger,
            isolation: IsolationOptions(mode: .process, workerExecutable: "/nonexistent/plugin-host-worker")))
        let result = host.execute(nodeType: "math.add", parameters: ["a": 1, "b": 1])
        #expect(result.errorCode == .workerUnavailable || result.errorCode == .executionCrashed, "\(result.errorCode?.rawValue ?? "")")
        #expect(result.error != nil)
    }

    @Test("validation and the tenant check stay in the host: no worker is started for a refused call")
    func refusalsBeforeWorkers() throws {
        let host = try isolatedHost()
        let result = host.execute(nodeType: "math.add", parameters: ["a": "two", "b": 3])
        #expect(result.errorCode == .validationFailed)
        #expect(host.workerProcessIDs.isEmpty)
    }

    @Test("a caller making one call after another keeps reusing one worker")
    func sequentialReuse() throws {
        let host = try isolatedHost()
        defer { host.shutdownWorkers() }
        for index in 0..<50 {
            #expect(host.execute(nodeType: "math.add", parameters: ["a": .int(Int64(index)), "b": 0]).output == ["result": .int(Int64(index))])
        }
        #expect(host.workerProcessIDs.count == 1)
        #expect(host.statistics()["workers"]?.arrayValue?.first?["started"] == 1)
    }

    @Test("many concurrent calls through a small pool all finish, in order per call")
    func concurrentCalls() async throws {
        let host = try isolatedHost()
        defer { host.shutdownWorkers() }
        let results = await withTaskGroup(of: (Int, JSONValue?).self) { group in
            for index in 0..<200 {
                group.addTask { (index, await host.execute(nodeType: "math.add", parameters: ["a": .int(Int64(index)), "b": 1]).output) }
            }
            var all: [(Int, JSONValue?)] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { $0.1 == ["result": .int(Int64($0.0 + 1))] })
        #expect(host.workerProcessIDs.count <= 4)
    }
}

@Suite("Isolation: function nodes and workflows in worker processes")
struct IsolatedFunctionAndWorkflowTests {
    /// zlib's crc32 as a zero-code function node (libz.so.1 is part of every Debian system).
    static let zlibManifest = """
        { "id": "org.test.zlib", "name": "zlib", "version": "1.0.0", "abi": "1.0", "description": "crc32 from zlib, no code.",
          "threadSafe": true, "dependencies": {}, "library": "libz.so.1",
          "nodes": [ { "nodeType": "zlib.crc32", "version": "1.0.0", "category": "checksum", "supportedVersions": [1],
            "description": "crc32(crc, data, len) of zlib.",
            "function": { "symbol": "crc32", "signature": "uint64(uint64,string,uint32)", "params": ["crc", "data", "len"] } } ] }
        """

    @Test("a zero-code function node runs through libffi in a worker; a length past its data is EXECUTION_CRASHED, not a dead host")
    func functionNodeCrash() throws {
        let dir = try TemporaryDirectory(prefix: "zlib")
        try dir.write("zlib.plugin.json", Self.zlibManifest)
        let host = try isolatedHost(directories: [dir.path])
        defer { host.shutdownWorkers() }
        let fine = host.execute(nodeType: "zlib.crc32", parameters: ["crc": 0, "data": "hello", "len": 5])
        #expect(fine.output == ["result": 907_060_870], "\(fine.error ?? "")")
        let wild = host.execute(nodeType: "zlib.crc32", parameters: ["crc": 0, "data": "hello", "len": 4_000_000_000])
        #expect(wild.errorCode == .executionCrashed, "\(wild.error ?? "")")
        #expect(wild.error?.contains("SIGSEGV") == true)
        #expect(host.execute(nodeType: "zlib.crc32", parameters: ["crc": 0, "data": "hello", "len": 5]).output == fine.output)
    }
}
