import Foundation
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginStore
import PluginWorkflow
import Synchronization
import Testing

/// The store suite, run against every backend: a real SQLite file, and a real PostgreSQL server
/// (``PostgresServer``: a throwaway cluster on a free loopback port, a database per test).
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// Every backend this machine can run (``PostgresServer/runsTests``).
    static let available: [Backend] = PostgresServer.runsTests ? allCases : [.sqlite]

    /// A fresh, empty store (a new file in a new directory, or a new database), kept alive by `directory`.
    func make() async throws -> (store: any ServiceStore, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory(prefix: "store-\(rawValue)")
        switch self {
        case .sqlite: return (try SQLiteStore(path: directory.path + "/state/plugin-host.sqlite"), directory)
        case .postgres: return (try await PostgresStore(url: try PostgresServer.shared.get().database()), directory)
        }
    }
}

@Suite("Service store")
struct ServiceStoreTests {
    static let definition = #"{"name":"w","nodes":[]}"#

    @Test("tenants: a key is shown once, opens its tenant's scope, rotates, and goes with its tenant", arguments: Backend.available)
    func tenants(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let key = try await store.createTenant(id: "acme")
        #expect(key.hasPrefix("phk_") && key.count == 68)
        #expect(try await store.scope(forKey: key) == TenantScope(tenantID: "acme"))
        #expect(try await store.scope(forKey: key + "x") == nil)
        #expect(try await store.scope(forKey: "") == nil)
        await #expect(throws: StoreError.self) { try await store.createTenant(id: "acme") }
        await #expect(throws: StoreError.self) { try await store.createTenant(id: "has space") }
        let rotated = try await store.rotateKey(id: "acme")
        #expect(try await store.scope(forKey: key) == nil, "the old key stops working at once")
        #expect(try await store.scope(forKey: rotated) == TenantScope(tenantID: "acme"))
        _ = try await store.createTenant(id: "globex")
        #expect(try await store.tenants().map(\.id) == ["acme", "globex"])
        let scope = TenantScope(tenantID: "acme")
        let workflow = try await store.createWorkflow(scope, name: "w", definition: Self.definition)
        try await store.removeTenant(id: "acme")
        #expect(try await store.scope(forKey: rotated) == nil)
        #expect(try await store.workflow(scope, id: workflow.id, version: 1) == nil, "a removed tenant's data is gone")
        #expect(try await store.tenants().map(\.id) == ["globex"])
        do { try await store.removeTenant(id: "acme"); Issue.record("removed twice") } catch { #expect(error.code == .notFound) }
    }

    @Test("workflows: versions on update, If-Match conflicts, delete keeps versions, pages by cursor and name", arguments: Backend.available)
    func workflows(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let scope = TenantScope.singleTenant
        let first = try await store.createWorkflow(scope, name: "orders", definition: Self.definition)
        #expect(first.version == 1 && first.id.count == 32)
        #expect(try await store.workflow(scope, id: first.id) == first)
        let second = try await store.updateWorkflow(scope, id: first.id, name: "orders", definition: #"{"v":2}"#, expectedVersion: 1)
        #expect(second.version == 2 && second.createdAt == first.createdAt)
        do {
            _ = try await store.updateWorkflow(scope, id: first.id, name: "orders", definition: #"{"v":3}"#, expectedVersion: 1)
            Issue.record("a stale If-Match was accepted")
        } catch {
            #expect(error.code == .versionConflict)
            #expect(error.message.contains("version 2"))
        }
        #expect(try await store.versions(scope, id: first.id).map(\.version) == [1, 2])
        #expect(try await store.workflow(scope, id: first.id, version: 1)?.definition == Self.definition)
        try await store.deleteWorkflow(scope, id: first.id)
        #expect(try await store.workflow(scope, id: first.id) == nil)
        #expect(try await store.workflow(scope, id: first.id, version: 2)?.definition == #"{"v":2}"#, "executions still read it")
        do { try await store.deleteWorkflow(scope, id: first.id); Issue.record("deleted twice") } catch { #expect(error.code == .notFound) }

        var made: [StoredWorkflow] = []
        for index in 0..<7 { made.append(try await store.createWorkflow(scope, name: index % 2 == 0 ? "even" : "odd", definition: Self.definition)) }
        var seen: [String] = [], cursor: String? = nil
        repeat {
            let page = try await store.listWorkflows(scope, limit: 3, cursor: cursor, name: nil)
            #expect(page.items.count <= 3)
            seen += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == made.map(\.id), "every workflow once, in creation order, the deleted one left out")
        #expect(try await store.listWorkflows(scope, limit: 100, cursor: nil, name: "even").items.count == 4)
        await #expect(throws: StoreError.self) { try await store.listWorkflows(scope, limit: 3, cursor: "bogus", name: nil) }
    }

    @Test("100 concurrent updates of one workflow give versions 1…101, none lost, none repeated", arguments: Backend.available)
    func concurrentUpdates(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let scope = TenantScope.singleTenant
        let workflow = try await store.createWorkflow(scope, name: "busy", definition: Self.definition)
        let failures = await withTaskGroup(of: String?.self) { group in
            for index in 0..<100 {
                group.addTask {
                    do {
                        _ = try await store.updateWorkflow(scope, id: workflow.id, name: "busy", definition: #"{"update":\#(index)}"#, expectedVersion: nil)
                        return nil
                    } catch { return "\(error)" }
                }
            }
            return await group.compactMap { $0 }.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(failures.isEmpty)
        let versions = try await store.versions(scope, id: workflow.id)
        #expect(versions.map(\.version) == Array(1...101))
        let updates = Set(versions.dropFirst().map(\.definition))
        #expect(updates.count == 100, "each update is its own version")
        #expect(try await store.workflow(scope, id: workflow.id)?.version == 101)
    }

    @Test("another tenant's workflow, execution and journal are not found, whatever the id", arguments: Backend.available)
    func isolation(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let acme = TenantScope(tenantID: "acme"), globex = TenantScope(tenantID: "globex")
        let workflow = try await store.createWorkflow(acme, name: "secret", definition: Self.definition)
        let (execution, _) = try await store.createExecution(acme, workflowID: workflow.id, version: 1, input: "[]", idempotencyKey: "k1")
        try store.journal(acme, execution: execution.id).append(.runResumed(at: 1_700_000_000))
        #expect(try await store.workflow(globex, id: workflow.id) == nil)
        #expect(try await store.workflow(globex, id: workflow.id, version: 1) == nil)
        #expect(try await store.versions(globex, id: workflow.id).isEmpty)
        #expect(try await store.listWorkflows(globex, limit: 10, cursor: nil, name: nil).items.isEmpty)
        await #expect(throws: StoreError.self) { try await store.updateWorkflow(globex, id: workflow.id, name: "x", definition: "{}", expectedVersion: nil) }
        await #expect(throws: StoreError.self) { try await store.deleteWorkflow(globex, id: workflow.id) }
        #expect(try await store.execution(globex, id: execution.id) == nil)
        await #expect(throws: StoreError.self) { try await store.setStatus(globex, execution: execution.id, "running") }
        #expect(try await store.listExecutions(globex, workflowID: nil, status: nil, limit: 10, cursor: nil).items.isEmpty)
        #expect(try store.journal(globex, execution: execution.id).entries().isEmpty)
        await #expect(throws: StoreError.self) {
            try await store.createExecution(globex, workflowID: workflow.id, version: 1, input: "[]", idempotencyKey: nil)
        }
        // The same idempotency key is a different execution for another tenant's workflow.
        let theirs = try await store.createWorkflow(globex, name: "theirs", definition: Self.definition)
        let (other, created) = try await store.createExecution(globex, workflowID: theirs.id, version: 1, input: "[]", idempotencyKey: "k1")
        #expect(created && other.id != execution.id)
        #expect(try await store.workflow(acme, id: workflow.id)?.name == "secret", "the owner still sees it")
    }

    @Test("executions: idempotency keys, statuses with their times, lists, and what a restart resumes", arguments: Backend.available)
    func executions(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let scope = TenantScope(tenantID: "acme")
        let workflow = try await store.createWorkflow(scope, name: "w", definition: Self.definition)
        let (first, created) = try await store.createExecution(scope, workflowID: workflow.id, version: 1, input: #"[1]"#, idempotencyKey: "order-7")
        #expect(created && first.status == "queued" && first.input == "[1]")
        let (again, createdAgain) = try await store.createExecution(scope, workflowID: workflow.id, version: 1, input: #"[2]"#, idempotencyKey: "order-7")
        #expect(!createdAgain && again.id == first.id && again.input == "[1]")
        await #expect(throws: StoreError.self) { try await store.createExecution(scope, workflowID: workflow.id, version: 9, input: "[]", idempotencyKey: nil) }
        let (second, _) = try await store.createExecution(scope, workflowID: workflow.id, version: 1, input: "[]", idempotencyKey: nil)
        let (third, _) = try await store.createExecution(scope, workflowID: workflow.id, version: 1, input: "[]", idempotencyKey: nil)
        try await store.setStatus(scope, execution: first.id, "running")
        try await store.setStatus(scope, execution: first.id, "success")
        try await store.setStatus(scope, execution: second.id, "running")
        let done = try #require(try await store.execution(scope, id: first.id))
        #expect(done.status == "success" && done.startedAt != nil && done.finishedAt != nil)
        #expect(try await store.listExecutions(scope, workflowID: workflow.id, status: nil, limit: 2, cursor: nil).items.map(\.id) == [first.id, second.id])
        #expect(try await store.listExecutions(scope, workflowID: nil, status: "queued", limit: 10, cursor: nil).items.map(\.id) == [third.id])
        let unfinished = try await store.unfinishedExecutions()
        #expect(unfinished.map(\.execution.id) == [second.id, third.id])
        #expect(unfinished.allSatisfy { $0.scope == scope })
    }

    @Test("an execution's journal: a real run's entries read back, and a run resumes from them", arguments: Backend.available)
    func journal(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let scope = TenantScope.singleTenant
        let nodes = (0..<12).map { WorkflowNode(name: "n\($0)", type: "test.add") }
        let edges = (1..<12).map { WorkflowEdge(from: "n\($0 - 1)", to: "n\($0)") }
        let workflow = Workflow(name: "chain", nodes: nodes, edges: edges)
        let stored = try await store.createWorkflow(scope, name: "chain", definition: Self.definition)
        let (execution, _) = try await store.createExecution(scope, workflowID: stored.id, version: 1, input: "[]", idempotencyKey: nil)
        let journal = store.journal(scope, execution: execution.id)
        let counter = CountingExecutor()
        let before = WallClock.now()
        let first = try await WorkflowRunner(
            workflow: workflow, executor: counter, journaling: RunJournaling(journal: journal, version: "1")).run()
        #expect(first.status == .success)
        // The journal set the execution's status, in its entries' commits: running at the
        // start, the run's status at the end, with both times.
        let recorded = try #require(try await store.execution(scope, id: execution.id))
        #expect(recorded.status == "success")
        #expect((recorded.startedAt ?? 0) >= before && (recorded.finishedAt ?? 0) >= (recorded.startedAt ?? .infinity))
        let entries = try journal.entries()
        let expectedEntries = 26   // the start, each of 12 nodes started and finished, the end
        #expect(entries.count == expectedEntries)
        let replay = try JournalReplay(entries: entries)
        #expect(replay.finished.count == 12 && replay.finishedStatus == "success")
        #expect(replay.finished["n11"]?.output == [12])

        // A crash after six nodes: a second execution's journal holds the first 13 entries.
        let (crashed, _) = try await store.createExecution(scope, workflowID: stored.id, version: 1, input: "[]", idempotencyKey: nil)
        let partial = store.journal(scope, execution: crashed.id)
        for entry in entries.prefix(13) { try partial.append(entry) }
        let resumedCounter = CountingExecutor()
        let resumed = try await WorkflowRunner(
            workflow: workflow, executor: resumedCounter,
            journaling: RunJournaling(journal: partial, version: "1", replay: try JournalReplay(entries: try partial.entries()))).run()
        #expect(resumed.status == .success)
        #expect(resumed["n11"]?.output == [12])
        #expect(resumedCounter.calls == 6, "only the six nodes without a result ran")
    }

    @Test("dead letters: one per failed execution, listed until resolved, scoped to their tenant", arguments: Backend.available)
    func deadLetters(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let scope = TenantScope(tenantID: "acme")
        let workflow = try await store.createWorkflow(scope, name: "w", definition: Self.definition)
        let (execution, _) = try await store.createExecution(scope, workflowID: workflow.id, version: 1, input: "[]", idempotencyKey: nil)
        try await store.addDeadLetter(scope, execution: execution, error: "Add: EXECUTION_ERROR: boom")
        try await store.addDeadLetter(scope, execution: execution, error: "again")
        let letters = try await store.deadLetters(scope, includeResolved: false, limit: 10, cursor: nil).items
        #expect(letters.count == 1 && letters.first?.error == "Add: EXECUTION_ERROR: boom" && letters.first?.executionID == execution.id)
        let letter = try #require(letters.first)
        #expect(try await store.deadLetters(TenantScope(tenantID: "globex"), includeResolved: true, limit: 10, cursor: nil).items.isEmpty)
        #expect(try await store.deadLetter(TenantScope(tenantID: "globex"), id: letter.id) == nil)
        try await store.resolveDeadLetter(scope, id: letter.id, replayedAs: "e2")
        #expect(try await store.deadLetters(scope, includeResolved: false, limit: 10, cursor: nil).items.isEmpty)
        let resolved = try #require(try await store.deadLetter(scope, id: letter.id))
        #expect(resolved.resolvedAt != nil && resolved.replayedAs == "e2")
        await #expect(throws: StoreError.self) { try await store.resolveDeadLetter(TenantScope(tenantID: "globex"), id: letter.id, replayedAs: nil) }
    }

    @Test("accepts at once are group-committed: one execution per idempotency key, no version is 404, each tenant its own", arguments: Backend.available)
    func concurrentAccepts(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let acme = TenantScope(tenantID: "acme"), globex = TenantScope(tenantID: "globex")
        let ours = try await store.createWorkflow(acme, name: "w", definition: Self.definition)
        let theirs = try await store.createWorkflow(globex, name: "w", definition: Self.definition)
        // 200 accepts at once, so batches hold many: a fifth share one key per tenant, a tenth
        // name a version that does not exist, some reach for the other tenant's workflow.
        enum Outcome: Sendable, Equatable {
            case accepted(id: String, created: Bool), missing
            var id: String? { if case .accepted(let id, _) = self { id } else { nil } }
            var created: Bool { if case .accepted(_, true) = self { true } else { false } }
        }
        let outcomes = try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            for index in 0..<200 {
                group.addTask {
                    let scope = index % 2 == 0 ? acme : globex
                    let workflow = index % 2 == 0 ? ours : theirs
                    let version = index % 10 == 3 ? 2 : 1
                    let foreign = index % 10 == 7
                    do {
                        let (execution, created) = try await store.createExecution(
                            scope, workflowID: foreign ? (index % 2 == 0 ? theirs.id : ours.id) : workflow.id, version: version,
                            input: "[\(index)]", idempotencyKey: index % 5 == 0 ? "shared" : nil)
                        return (index, .accepted(id: execution.id, created: created))
                    } catch let error as StoreError where error.code == .notFound {
                        return (index, .missing)
                    }
                }
            }
            return try await group.reduce(into: [Int: Outcome]()) { $0[$1.0] = $1.1 }
        }
        for index in 0..<200 where index % 10 == 3 || index % 10 == 7 {
            #expect(outcomes[index] == .missing, "accept \(index): no such version for its tenant")
        }
        for tenant in 0..<2 {
            let keyed: [Outcome] = (0..<200).filter { $0 % 5 == 0 && $0 % 2 == tenant }.compactMap { outcomes[$0] }
            let ids = Set(keyed.compactMap(\.id))
            let created = keyed.filter(\.created).count
            #expect(keyed.count == 20 && ids.count == 1 && created == 1, "one execution per key and tenant, created once")
        }
        let accepted = Set(outcomes.values.compactMap(\.id))
        var stored = Set<String>()
        for scope in [acme, globex] {
            let page = try await store.listExecutions(scope, workflowID: nil, status: nil, limit: 500, cursor: nil)
            for execution in page.items {
                stored.insert(execution.id)
                #expect(execution.workflowID == (scope == acme ? ours.id : theirs.id), "each tenant's executions are its own")
            }
        }
        #expect(stored == accepted && accepted.count == 200 - 40 - 40 + 2, "every accepted execution is stored, and only those")
    }

    @Test("journal appends from many threads at once are group-committed: every entry kept, each execution's in its order", arguments: Backend.available)
    func concurrentAppends(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let scope = TenantScope(tenantID: "acme")
        let workflow = try await store.createWorkflow(scope, name: "w", definition: Self.definition)
        var created: [String] = []
        for _ in 0..<8 { created.append(try await store.createExecution(scope, workflowID: workflow.id, version: 1, input: "[]", idempotencyKey: nil).execution.id) }
        let executions = created
        @Sendable func id(_ number: Int) -> ExecutionID {
            let hex = String(number, radix: 16)
            return ExecutionID(String(repeating: "0", count: 32 - hex.count) + hex)!
        }
        let failures = Mutex<[String]>([])
        // 8 threads (as 8 lanes would), one execution each, 150 appends in a row: every append
        // waits for its commit, so the batches hold what the threads sent meanwhile.
        DispatchQueue.concurrentPerform(iterations: executions.count) { index in
            let journal = store.journal(scope, execution: executions[index])
            for number in 0..<150 {
                do throws(JournalFailure) {
                    try journal.append(.nodeStarted(node: "n\(number)", executionID: id(index * 1000 + number)))
                } catch {
                    failures.withLock { $0.append(error.message) }
                }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        for (index, execution) in executions.enumerated() {
            let entries = try await store.journalEntries(scope, execution: execution)
            let nodes = entries.compactMap { entry -> String? in
                if case .nodeStarted(let node, let recorded) = entry, recorded == id(index * 1000 + Int(node.dropFirst())!) { return node }
                return nil
            }
            let expected = (0..<150).map { "n\($0)" }
            #expect(nodes == expected, "execution \(index): \(nodes.count) of 150 in order")
        }
    }

    @Test("retention removes finished executions before the cutoff with their journals and letters, never unfinished ones", arguments: Backend.available)
    func retention(_ backend: Backend) async throws {
        let (store, scratch) = try await backend.make()
        defer { withExtendedLifetime(scratch) {} }
        let scope = TenantScope(tenantID: "acme")
        let workflow = try await store.createWorkflow(scope, name: "w", definition: Self.definition)
        var ids: [ExecutionRecord] = []
        for _ in 0..<3 { ids.append(try await store.createExecution(scope, workflowID: workflow.id, version: 1, input: "[]", idempotencyKey: nil).execution) }
        try await store.setStatus(scope, execution: ids[0].id, "success")
        try await store.setStatus(scope, execution: ids[1].id, "failed")
        try await store.addDeadLetter(scope, execution: ids[1], error: "boom")
        try store.journal(scope, execution: ids[1].id).append(.runFinished(status: "failed", at: WallClock.now()))
        #expect(try await store.purge(finishedBefore: WallClock.now() - 3600) == 0, "nothing is that old")
        #expect(try await store.purge(finishedBefore: WallClock.now() + 1) == 2)
        #expect(try await store.execution(scope, id: ids[0].id) == nil)
        #expect(try await store.execution(scope, id: ids[1].id) == nil)
        #expect(try await store.execution(scope, id: ids[2].id)?.status == "queued", "unfinished executions stay")
        #expect(try store.journal(scope, execution: ids[1].id).entries().isEmpty)
        #expect(try await store.deadLetters(scope, includeResolved: true, limit: 10, cursor: nil).items.isEmpty)
        #expect(try await store.workflow(scope, id: workflow.id) != nil, "workflows are not executions")
    }

    @Test("the database persists across opens, migrations run once, and a bad path is STORE_UNAVAILABLE")
    func reopen() async throws {
        let directory = try TemporaryDirectory(prefix: "store-reopen")
        let path = directory.path + "/deep/er/plugin-host.sqlite"
        let key: String
        let id: String
        do {
            let store = try SQLiteStore(path: path)
            key = try await store.createTenant(id: "acme")
            id = try await store.createWorkflow(TenantScope(tenantID: "acme"), name: "kept", definition: Self.definition).id
        }
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.scope(forKey: key) == TenantScope(tenantID: "acme"))
        #expect(try await reopened.workflow(TenantScope(tenantID: "acme"), id: id)?.name == "kept")
        let blocker = try directory.write("file", "not a directory")
        do {
            _ = try SQLiteStore(path: blocker + "/db.sqlite")
            Issue.record("a path under a file was accepted")
        } catch {
            #expect(error.code == .storeUnavailable)
            #expect(error.message.contains(blocker))
        }
    }
}

/// Each node outputs its input's first item plus one; counts calls.
final class CountingExecutor: WorkflowNodeExecutor {
    private let count = Atomic<Int>(0)
    var calls: Int { count.load(ordering: .relaxed) }

    func execute(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) async -> NodeResult {
        count.add(1, ordering: .relaxed)
        var result = NodeResult(nodeType: node.type, status: .success, startedAt: WallClock.now())
        result.output = [.int((input.arrayValue?.first?.intValue ?? 0) + 1)]
        result.finishedAt = WallClock.now()
        return result
    }
}
