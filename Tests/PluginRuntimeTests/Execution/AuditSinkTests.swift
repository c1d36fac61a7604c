import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginTenancy
import Synchronization
import Testing

/// ``AuditSink``: the host writes audit records to a sink it is given, with the file log's
/// rules (started before plugin code, finished after; a record not kept refuses the call).
@Suite("Execution: audit records through a sink")
struct AuditSinkTests {
    final class MemorySink: AuditSink {
        let records = Mutex<[AuditRecord]>([])
        let refuse = Atomic<Bool>(false)

        func append(_ record: AuditRecord) -> Problem? {
            if refuse.load(ordering: .relaxed) { return Problem(.auditFailed, .error, "The test sink is full.") }
            records.withLock { $0.append(record) }
            return nil
        }
    }

    static func host(_ sink: MemorySink) throws -> PluginHost {
        PluginHost(configuration: HostConfiguration(
            directories: [SearchDirectory(path: try ExecutionPlugins.directory())], policy: try policySet(AuditLab.policy),
            logger: testLogger, clock: ManualClock(), auditSink: sink))
    }

    @Test("an audited tenant's execution is recorded in the sink, started then finished, and no file is written")
    func recorded() throws {
        let sink = MemorySink()
        let lab = try AuditLab()
        let host = try Self.host(sink)
        let result = host.execute(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "acme")
        #expect(result.status == .success)
        let records = sink.records.withLock { $0 }
        #expect(records.map(\.phase) == [.started, .finished])
        #expect(records.allSatisfy { $0.executionID == result.executionID && $0.tenant == "acme" })
        #expect(host.execute(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "quiet").status == .success)
        #expect(sink.records.withLock { $0.count } == 2, "a tenant without auditLogging leaves nothing")
        #expect(!FileManager.default.fileExists(atPath: lab.log))
    }

    @Test("a sink that cannot keep the started record refuses the execution: AUDIT_FAILED, the plugin not called")
    func refused() throws {
        let sink = MemorySink()
        sink.refuse.store(true, ordering: .relaxed)
        let lab = try AuditLab()
        let host = try Self.host(sink)
        let result = host.execute(nodeType: "hostile.ids", parameters: lab.ids(), tenant: "acme")
        #expect(result.errorCode == .auditFailed)
        #expect(result.output == nil)
        #expect(lab.marker.lines.isEmpty, "the plugin was not called")
    }
}
