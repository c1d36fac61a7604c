import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
@testable import PluginRuntime
@testable import PluginTenancy
import Testing

/// A tenant that audits (`acme`), one that does not (`quiet`), the audit log's place and the
/// marker the `hostile.*` test plugins append to when they are called.
struct AuditLab {
    static let policy = """
        { "tenants": [ { "tenantId": "acme", "auditLogging": true, "restrictedNodeTypes": ["serial.*"] },
                       { "tenantId": "quiet" } ] }
        """

    let directory: TemporaryDirectory
    let marker: Marker
    /// Where the host is told to write the audit log.
    let log: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "audit-lab")
        marker = try Marker()
        log = directory.url("audit.jsonl")
    }

    /// Makes the log path unusable: `directory` puts a directory there (open fails with
    /// EISDIR, as it always did), `symlink` a link to a writable file (which the host used to
    /// follow, append to and chmod).
    func breakLog(_ how: BrokenLog) throws {
        switch how {
        case .directory:
            try FileManager.default.createDirectory(atPath: log, withIntermediateDirectories: false)
        case .symlink:
            let target = try directory.write("target.jsonl", "", mode: 0o644)
            #expect(symlink(target, log) == 0)
        }
    }

    /// A host over the execution test plugins; `process` runs every call in worker processes.
    func host(process: Bool = false) throws -> PluginHost {
        PluginHost(configuration: HostConfiguration(
            directories: [SearchDirectory(path: try ExecutionPlugins.directory())], policy: try policySet(Self.policy),
            auditLogPath: log, logger: testLogger, clock: ManualClock(),
            isolation: process
                ? IsolationOptions(mode: .process, limits: IsolationOptions.defaultLimits, workerExecutable: IsolationPlugins.worker)
                : IsolationOptions()))
    }

    /// The log's records (none when there is no readable log file).
    var records: [JSONValue] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
    }

    /// `hostile.ids`'s parameters: append to the marker, fail the first `failures` attempts.
    func ids(failures: Int = 0) -> JSONValue { ["marker": .string(marker.path), "failures": .int(Int64(failures))] }
}

extension PluginHost {
    /// The synchronous `execute`, callable from an async test.
    func executeBlocking(
        nodeType: String, parameters: JSONValue, tenant: String, recovery: NodeRecovery = .none
    ) -> NodeResult {
        execute(nodeType: nodeType, parameters: parameters, tenant: tenant, recovery: recovery)
    }
}

enum BrokenLog: String, CaseIterable, CustomTestStringConvertible {
    case directory, symlink
    var testDescription: String { rawValue }
}

/// The ways into an execution: the synchronous call with one attempt on the calling thread,
/// the synchronous call with retries, and the async form.
enum ExecutionPath: String, CaseIterable, CustomTestStringConvertible {
    case single, retrying, async
    var testDescription: String { rawValue }

    var nodeRecovery: NodeRecovery { self == .single ? .none : recovery(attempts: 3) }

    func execute(_ host: PluginHost, _ nodeType: String, _ parameters: JSONValue, tenant: String = "acme") async -> NodeResult {
        switch self {
        case .single, .retrying:
            return host.executeBlocking(nodeType: nodeType, parameters: parameters, tenant: tenant, recovery: nodeRecovery)
        case .async:
            return await host.execute(nodeType: nodeType, parameters: parameters, tenant: tenant, recovery: nodeRecovery)
        }
    }
}

@Suite("Audit ahead: a started record before any plugin code, the outcome after")
struct AuditExecutionTests {
    @Test("an audited execution leaves started then finished with its execution id; retries share the started record",
          arguments: ExecutionPath.allCases)
    func startedThenFinished(path: ExecutionPath) async throws {
        let lab = try AuditLab()
        let host = try lab.host()
        let result = await path.execute(host, "hostile.ids", lab.ids(failures: path == .single ? 0 : 2))
        #expect(result.status == .success, "\(result.error ?? "")")
        let id = try #require(result.executionID)
        #expect(lab.marker.lines.count == (path == .single ? 1 : 3))
        let records = lab.records
        #expect(records.map { $0["phase"] } == ["started", "finished"])
        #expect(records.map { $0["executionId"] } == [.string(id), .string(id)])
        #expect(records.map { $0["status"] } == ["running", "success"])
        #expect(records.allSatisfy { $0["tenant"] == "acme" && $0["nodeType"] == "hostile.ids" })
        #expect(records.allSatisfy { $0["pluginId"] == "org.test.hostile" && $0["pluginVersion"] == "1.0.0" })
        #expect(records[0]["errorCode"] == .null && records[0]["durationMs"]?.doubleValue == 0)
    }

    @Test("the started record is on disk while the plugin runs")
    func startedIsWrittenBeforeTheCall() throws {
        let lab = try AuditLab()
        let host = try lab.host()
        let done = DispatchSemaphore(value: 0)
        let parameters: JSONValue = ["ms": 1_500, "marker": .string(lab.marker.path)]
        Thread {
            _ = host.execute(nodeType: "hostile.stubborn", parameters: parameters, tenant: "acme")
            done.signal()
        }.start()
        let deadline = Date().addingTimeInterval(1.2)
        var seen: [JSONValue] = []
        while Date() < deadline, seen.isEmpty {
            seen = lab.records
            if seen.isEmpty { usleep(2_000) }
        }
        #expect(seen.map { $0["phase"] } == ["started"])
        #expect(!lab.marker.lines.contains("finished"))  // the plugin is still inside its call
        done.wait()
        #expect(lab.records.map { $0["phase"] } == ["started", "finished"])
        #expect(lab.marker.lines == ["finished"])
    }

    @Test("a fallback runs under the execution's one started record")
    func fallbackSharesTheStartedRecord() throws {
        let lab = try AuditLab()
        let host = try lab.host()
        let result = host.execute(
            nodeType: "hostile.ids", parameters: lab.ids(failures: 5), tenant: "acme",
            recovery: recovery(attempts: 2, onError: .fallback, fallback: "hostile.echo"))
        #expect(result.status == .success, "\(result.error ?? "")")
        #expect(lab.marker.lines.count == 2)
        #expect(lab.records.map { $0["phase"] } == ["started", "finished"])
    }

    @Test("when the started record cannot be written the plugin is not called: AUDIT_FAILED, no output",
          arguments: ExecutionPath.allCases, BrokenLog.allCases)
    func brokenLogStopsTheCall(path: ExecutionPath, broken: BrokenLog) async throws {
        let lab = try AuditLab()
        let host = try lab.host()
        // Loaded and called once for a tenant that does not audit, so only the audit can stop it.
        #expect(host.executeBlocking(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "quiet").status == .success)
        #expect(lab.marker.lines.count == 1)
        try lab.breakLog(broken)

        let result = await path.execute(host, "hostile.ids", lab.ids())
        #expect(result.status == .error)
        #expect(result.errorCode == .auditFailed)
        #expect(result.output == nil)
        #expect(result.attempts.isEmpty)
        #expect(result.error?.contains(lab.log) == true, "\(result.error ?? "")")
        #expect(result.error?.contains("The plugin was not called.") == true, "\(result.error ?? "")")
        #expect(lab.marker.lines.count == 1, "the plugin was called: \(lab.marker.lines)")
        if broken == .symlink {
            #expect(try String(contentsOfFile: lab.directory.url("target.jsonl"), encoding: .utf8).isEmpty)
        }
        // A tenant that does not audit is not affected.
        #expect(host.executeBlocking(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "quiet").status == .success)
        #expect(lab.marker.lines.count == 2)
    }

    @Test("a plugin loaded on demand is not loaded (its init is plugin code) when the started record cannot be written",
          arguments: ExecutionPath.allCases)
    func brokenLogStopsTheLoad(path: ExecutionPath) async throws {
        let lab = try AuditLab()
        let host = try lab.host()
        try lab.breakLog(.directory)
        let result = await path.execute(host, "hostile.ids", lab.ids())
        #expect(result.errorCode == .auditFailed)
        #expect(host.registry.node("hostile.ids") == nil)
        #expect(lab.marker.lines.isEmpty)
    }

    @Test("a write that fails after the log opened (ENOSPC) stops the call too")
    func failingWriteStopsTheCall() throws {
        let lab = try AuditLab()
        let host = try lab.host()
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        host.state.withLock { $0.auditLogs[lab.log] = AuditLog(adopting: fd, path: lab.log, durability: .none) }
        #expect(host.executeBlocking(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "quiet").status == .success)
        let result = host.execute(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "acme")
        #expect(result.errorCode == .auditFailed)
        #expect(result.error?.contains("No space left on device") == true, "\(result.error ?? "")")
        #expect(result.output == nil)
        #expect(lab.marker.lines.count == 1)
    }

    @Test("when the finished record cannot be written the result is AUDIT_FAILED and the output is withheld")
    func failingFinishedRecordWithholdsOutput() throws {
        let lab = try AuditLab()
        let host = try lab.host()
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd) }
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        host.state.withLock { $0.auditLogs[lab.log] = AuditLog(adopting: writeEnd, path: lab.log, durability: .none) }

        let outcome = Locked<NodeResult?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let result = host.execute(nodeType: "hostile.stubborn", parameters: ["ms": 1_000], tenant: "acme")
            outcome.withLock { $0 = result }
            done.signal()
        }.start()
        // Read the started record, then fill the pipe so the finished record cannot go in.
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !received.contains(UInt8(ascii: "\n")) {
            received += PipeDrain.drain(readEnd)
            usleep(1_000)
        }
        let started = try JSONParser.parse(String(decoding: received.dropLast(), as: UTF8.self))
        #expect(started["phase"] == "started")
        let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
        for size in [4096, 1] {
            while filler.withUnsafeBytes({ write(writeEnd, $0.baseAddress, size) }) > 0 {}
        }
        done.wait()
        let result = try #require(outcome.withLock { $0 })
        #expect(result.status == .error)
        #expect(result.errorCode == .auditFailed)
        #expect(result.output == nil)
        #expect(result.attempts.map(\.errorCode) == [nil])  // the plugin itself succeeded
    }

    @Test("refusals before plugin code keep their one finished record")
    func refusalsHaveOneRecord() throws {
        let lab = try AuditLab()
        let host = try lab.host()
        #expect(host.executeBlocking(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "quiet").status == .success)
        let denied = host.execute(nodeType: "serial.check", parameters: [:], tenant: "acme")
        #expect(denied.errorCode == .nodeTypeDisabledForTenant)
        let unknown = host.execute(nodeType: "nobody.here", parameters: [:], tenant: "acme", recovery: recovery(attempts: 3))
        #expect(unknown.errorCode == .nodeTypeNotFound)
        let invalid = host.execute(nodeType: "hostile.ids", parameters: [1], tenant: "acme")
        #expect(invalid.errorCode == .validationFailed)
        let records = lab.records
        #expect(records.map { $0["phase"] } == ["finished", "finished", "finished"])
        #expect(records.map { $0["errorCode"] } == ["NODE_TYPE_DISABLED_FOR_TENANT", "NODE_TYPE_NOT_FOUND", "VALIDATION_FAILED"])
        #expect(Set(records.compactMap { $0["executionId"]?.stringValue }).count == 3)
        #expect(lab.marker.lines.count == 1)
    }

    @Test("under process isolation the host writes both records around the worker's call, and a broken log stops it before any probe",
          arguments: [false, true])
    func processIsolation(broken: Bool) async throws {
        let lab = try AuditLab()
        let host = try lab.host(process: true)
        defer { host.shutdownWorkers() }
        if broken { try lab.breakLog(.symlink) }
        let result = await host.execute(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "acme")
        if broken {
            #expect(result.errorCode == .auditFailed)
            #expect(result.output == nil)
            #expect(lab.marker.lines.isEmpty)
            #expect(host.isolatedRegistry.node("hostile.ids") == nil)
            #expect(host.workerProcessIDs.isEmpty)
        } else {
            #expect(result.status == .success, "\(result.error ?? "")")
            #expect(lab.marker.lines.count == 1)
            #expect(host.registry.node("hostile.ids") == nil)  // the host never loaded it itself
            #expect(lab.records.map { $0["phase"] } == ["started", "finished"])
            #expect(lab.records.map { $0["executionId"]?.stringValue } == [result.executionID, result.executionID])
        }
        let sync = host.executeBlocking(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "acme")
        #expect(sync.errorCode == (broken ? .auditFailed : nil))
        #expect(lab.marker.lines.count == (broken ? 0 : 2))
    }
}
