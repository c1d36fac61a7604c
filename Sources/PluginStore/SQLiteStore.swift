import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import GRDB
import PluginHostCore
import PluginWorkflow

/// ``ServiceStore`` on an embedded SQLite file (GRDB): the service's default.
///
/// WAL mode (a `DatabasePool`: readers never wait for the writer), a busy timeout for other
/// processes on the same file, foreign keys on, and versioned migrations applied when the store
/// opens (``StoreSchema``). Every table holds the tenant id as the first column of its key and
/// every statement here names it.
public final class SQLiteStore: ServiceStore {
    public let path: String
    private let pool: DatabasePool
    /// Journal appends of every execution, committed in groups (one transaction per batch).
    private let committer: JournalCommitter
    /// Accepted executions, committed in groups (one transaction per batch).
    private let accepts: GroupCommit<ExecutionAccept, ExecutionAccept.Outcome>

    /// Opens (creating it and its directory if needed) and migrates the database at `path`.
    public init(path: String) throws(StoreError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            // Created 0600 before SQLite opens it (SQLite gives its -wal and -shm files the same
            // mode): it holds key digests and every tenant's workflows and results.
            let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if created >= 0 { close(created) }
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.foreignKeysEnabled = true
            let pool = try DatabasePool(path: path, configuration: configuration)
            try StoreSchema.migrator.migrate(pool)
            self.pool = pool
            committer = JournalCommitter { rows in try Self.insert(rows, into: pool) }
            accepts = GroupCommit(.async { accepts in try await Self.insert(accepts, into: pool) })
        } catch {
            throw StoreError(.storeUnavailable, "Cannot open the SQLite database \(path): \(error). Check the path and its permissions.")
        }
    }

    // MARK: Tenants

    public func createTenant(id: String) async throws(StoreError) -> String {
        try TenantIDs.check(id)
        let key = APIKeys.newKey()
        try await write { db in
            if try Row.fetchOne(try db.cachedStatement(sql: "SELECT 1 FROM tenants WHERE id = ?"), arguments: [id]) != nil {
                throw TenantIDs.exists(id)
            }
            try db.cachedStatement(sql: "INSERT INTO tenants (id, key_digest, created_at) VALUES (?, ?, ?)").execute(arguments: [id, APIKeys.digest(key), WallClock.now()])
        }
        return key
    }

    public func tenants() async throws(StoreError) -> [TenantRecord] {
        try await read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT id, created_at FROM tenants ORDER BY id")).map {
                TenantRecord(id: $0["id"], createdAt: $0["created_at"])
            }
        }
    }

    public func removeTenant(id: String) async throws(StoreError) {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM tenants WHERE id = ?").execute(arguments: [id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "There is no tenant `\(id)`.") }
            for table in StoreSchema.tenantTables {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE tenant_id = ?").execute(arguments: [id])
            }
        }
    }

    public func rotateKey(id: String) async throws(StoreError) -> String {
        let key = APIKeys.newKey()
        try await write { db in
            try db.cachedStatement(sql: "UPDATE tenants SET key_digest = ? WHERE id = ?").execute(arguments: [APIKeys.digest(key), id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "There is no tenant `\(id)`.") }
        }
        return key
    }

    public func scope(forKey key: String) async throws(StoreError) -> TenantScope? {
        let digest = APIKeys.digest(key)
        return try await read { db in
            // Looked up by digest: the key itself is never stored or compared.
            try String.fetchOne(try db.cachedStatement(sql: "SELECT id FROM tenants WHERE key_digest = ?"), arguments: [digest]).map(TenantScope.init(tenantID:))
        }
    }

    // MARK: Workflows

    public func createWorkflow(_ scope: TenantScope, name: String, definition: String) async throws(StoreError) -> StoredWorkflow {
        let id = Identifiers.new()
        let now = WallClock.now()
        try await write { db in
            try db.cachedStatement(sql: """
                INSERT INTO workflows (tenant_id, id, name, latest_version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)
                """).execute(arguments: [scope.tenantID, id, name, now, now])
            try db.cachedStatement(sql: """
                INSERT INTO workflow_versions (tenant_id, workflow_id, version, name, definition, created_at) VALUES (?, ?, 1, ?, ?, ?)
                """).execute(arguments: [scope.tenantID, id, name, definition, now])
        }
        return StoredWorkflow(id: id, name: name, version: 1, definition: definition, createdAt: now, updatedAt: now)
    }

    public func workflow(_ scope: TenantScope, id: String) async throws(StoreError) -> StoredWorkflow? {
        try await read { db in
            try Row.fetchOne(try db.cachedStatement(sql: """
                SELECT w.id, v.name, v.version, v.definition, w.created_at, v.created_at AS updated_at
                FROM workflows w JOIN workflow_versions v
                  ON v.tenant_id = w.tenant_id AND v.workflow_id = w.id AND v.version = w.latest_version
                WHERE w.tenant_id = ? AND w.id = ? AND w.deleted = 0
                """), arguments: [scope.tenantID, id]).map(Self.storedWorkflow)
        }
    }

    public func workflow(_ scope: TenantScope, id: String, version: Int) async throws(StoreError) -> StoredWorkflow? {
        try await read { db in
            try Row.fetchOne(try db.cachedStatement(sql: """
                SELECT w.id, v.name, v.version, v.definition, w.created_at, v.created_at AS updated_at
                FROM workflows w JOIN workflow_versions v ON v.tenant_id = w.tenant_id AND v.workflow_id = w.id
                WHERE w.tenant_id = ? AND w.id = ? AND v.version = ?
                """), arguments: [scope.tenantID, id, version]).map(Self.storedWorkflow)
        }
    }

    public func versions(_ scope: TenantScope, id: String) async throws(StoreError) -> [StoredWorkflow] {
        try await read { db in
            try Row.fetchAll(try db.cachedStatement(sql: """
                SELECT w.id, v.name, v.version, v.definition, w.created_at, v.created_at AS updated_at
                FROM workflows w JOIN workflow_versions v ON v.tenant_id = w.tenant_id AND v.workflow_id = w.id
                WHERE w.tenant_id = ? AND w.id = ? ORDER BY v.version
                """), arguments: [scope.tenantID, id]).map(Self.storedWorkflow)
        }
    }

    public func updateWorkflow(
        _ scope: TenantScope, id: String, name: String, definition: String, expectedVersion: Int?
    ) async throws(StoreError) -> StoredWorkflow {
        let now = WallClock.now()
        return try await write { db in
            // One write transaction: the version read and the version written cannot be
            // interleaved with another update's, so concurrent updates get consecutive versions.
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: """
                SELECT latest_version, created_at FROM workflows WHERE tenant_id = ? AND id = ? AND deleted = 0
                """), arguments: [scope.tenantID, id])
            else { throw StoreError(.notFound, "There is no workflow `\(id)`.") }
            let latest: Int = row["latest_version"]
            if let expectedVersion, expectedVersion != latest {
                throw StoreError(.versionConflict, "Workflow `\(id)` is at version \(latest), not \(expectedVersion); read it again and retry with If-Match: \"\(latest)\".")
            }
            let version = latest + 1
            try db.cachedStatement(sql: "UPDATE workflows SET latest_version = ?, name = ?, updated_at = ? WHERE tenant_id = ? AND id = ?").execute(arguments: [version, name, now, scope.tenantID, id])
            try db.cachedStatement(sql: """
                INSERT INTO workflow_versions (tenant_id, workflow_id, version, name, definition, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [scope.tenantID, id, version, name, definition, now])
            return StoredWorkflow(id: id, name: name, version: version, definition: definition, createdAt: row["created_at"], updatedAt: now)
        }
    }

    public func deleteWorkflow(_ scope: TenantScope, id: String) async throws(StoreError) {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE workflows SET deleted = 1 WHERE tenant_id = ? AND id = ? AND deleted = 0").execute(arguments: [scope.tenantID, id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "There is no workflow `\(id)`.") }
        }
    }

    public func listWorkflows(_ scope: TenantScope, limit: Int, cursor: String?, name: String?) async throws(StoreError) -> Page<WorkflowSummary> {
        try await page(
            "SELECT seq, id, name, latest_version, created_at, updated_at FROM workflows WHERE tenant_id = ? AND deleted = 0",
            scope, filters: [("name = ?", name)], limit: limit, cursor: cursor
        ) { row in
            WorkflowSummary(id: row["id"], name: row["name"], version: row["latest_version"], createdAt: row["created_at"],
                            updatedAt: row["updated_at"])
        }
    }

    // MARK: Executions

    public func createExecution(
        _ scope: TenantScope, workflowID: String, version: Int, input: String, idempotencyKey: String?
    ) async throws(StoreError) -> (execution: ExecutionRecord, created: Bool) {
        try await ExecutionAccept.commit(scope, workflowID: workflowID, version: version, input: input,
                                         idempotencyKey: idempotencyKey, through: accepts, store: "the SQLite database \(path)")
    }

    /// One batch of accepts in one transaction, each on its own: one that finds no version or
    /// a used idempotency key (a request earlier in the same batch included) changes nothing
    /// for the others.
    private static func insert(_ accepts: [ExecutionAccept], into pool: DatabasePool) async throws -> [ExecutionAccept.Outcome] {
        try await pool.write { db in
            try accepts.map { accept in
                if let key = accept.idempotencyKey, let existing = try Row.fetchOne(try db.cachedStatement(sql: """
                    SELECT * FROM executions WHERE tenant_id = ? AND idempotency_key = ?
                    """), arguments: [accept.tenantID, key]) {
                    return .existing(Self.executionRecord(existing))
                }
                guard try Row.fetchOne(try db.cachedStatement(sql: """
                    SELECT 1 FROM workflow_versions WHERE tenant_id = ? AND workflow_id = ? AND version = ?
                    """), arguments: [accept.tenantID, accept.workflowID, accept.version]) != nil
                else { return .noVersion }
                try db.cachedStatement(sql: """
                    INSERT INTO executions (tenant_id, id, workflow_id, version, status, input, idempotency_key, created_at)
                    VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)
                    """).execute(arguments: [accept.tenantID, accept.id, accept.workflowID, accept.version, accept.input,
                                             accept.idempotencyKey, accept.createdAt])
                return .created
            }
        }
    }

    public func execution(_ scope: TenantScope, id: String) async throws(StoreError) -> ExecutionRecord? {
        try await read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM executions WHERE tenant_id = ? AND id = ?"), arguments: [scope.tenantID, id])
                .map(Self.executionRecord)
        }
    }

    public func setStatus(_ scope: TenantScope, execution id: String, _ status: String) async throws(StoreError) {
        let now = WallClock.now()
        try await write { db in
            let column = status == "running" ? "started_at" : status == "queued" ? nil : "finished_at"
            let set = column.map { ", \($0) = ?" } ?? ""
            var arguments: StatementArguments = [status]
            if column != nil { arguments += [now] }
            arguments += [scope.tenantID, id]
            try db.cachedStatement(sql: "UPDATE executions SET status = ?\(set) WHERE tenant_id = ? AND id = ?").execute(arguments: arguments)
            guard db.changesCount > 0 else { throw StoreError(.notFound, "There is no execution `\(id)`.") }
        }
    }

    public func listExecutions(
        _ scope: TenantScope, workflowID: String?, status: String?, limit: Int, cursor: String?
    ) async throws(StoreError) -> Page<ExecutionRecord> {
        try await page(
            "SELECT * FROM executions WHERE tenant_id = ?", scope, filters: [("workflow_id = ?", workflowID), ("status = ?", status)],
            limit: limit, cursor: cursor, Self.executionRecord)
    }

    public func journal(_ scope: TenantScope, execution id: String) -> any ExecutionJournal {
        StoreJournal(committer: committer, scope: scope, executionID: id) { [pool] in
            try pool.read { db in try Self.journalLines(db, scope: scope, executionID: id) }
        }
    }

    public func journalEntries(_ scope: TenantScope, execution id: String) async throws(StoreError) -> [JournalEntry] {
        let lines = try await read { db in try Self.journalLines(db, scope: scope, executionID: id) }
        do throws(JournalFailure) { return try JournalRows.entries(lines, executionID: id) } catch {
            throw StoreError(error.code, error.message)
        }
    }

    public func unfinishedExecutions() async throws(StoreError) -> [(scope: TenantScope, execution: ExecutionRecord)] {
        try await read { db in
            try Row.fetchAll(try db.cachedStatement(sql: "SELECT * FROM executions WHERE status IN ('queued', 'running') ORDER BY seq")).map { row in
                (TenantScope(tenantID: row["tenant_id"]), Self.executionRecord(row))
            }
        }
    }

    // MARK: Dead letters

    public func addDeadLetter(_ scope: TenantScope, execution: ExecutionRecord, error: String) async throws(StoreError) {
        let id = Identifiers.new()
        let now = WallClock.now()
        try await write { db in
            try db.cachedStatement(sql: """
                INSERT INTO dead_letters (tenant_id, id, execution_id, workflow_id, version, error, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, execution_id) DO NOTHING
                """).execute(arguments: [scope.tenantID, id, execution.id, execution.workflowID, execution.version, error, now])
        }
    }

    public func deadLetters(_ scope: TenantScope, includeResolved: Bool, limit: Int, cursor: String?) async throws(StoreError) -> Page<DeadLetter> {
        let query = "SELECT * FROM dead_letters WHERE tenant_id = ?" + (includeResolved ? "" : " AND resolved_at IS NULL")
        return try await page(query, scope, filters: [], limit: limit, cursor: cursor, Self.deadLetter)
    }

    public func deadLetter(_ scope: TenantScope, id: String) async throws(StoreError) -> DeadLetter? {
        try await read { db in
            try Row.fetchOne(try db.cachedStatement(sql: "SELECT * FROM dead_letters WHERE tenant_id = ? AND id = ?"), arguments: [scope.tenantID, id])
                .map(Self.deadLetter)
        }
    }

    public func resolveDeadLetter(_ scope: TenantScope, id: String, replayedAs: String?) async throws(StoreError) {
        let now = WallClock.now()
        try await write { db in
            try db.cachedStatement(sql: """
                UPDATE dead_letters SET resolved_at = COALESCE(resolved_at, ?), replayed_as = COALESCE(?, replayed_as)
                WHERE tenant_id = ? AND id = ?
                """).execute(arguments: [now, replayedAs, scope.tenantID, id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "There is no dead letter `\(id)`.") }
        }
    }

    public func purge(finishedBefore cutoff: Double) async throws(StoreError) -> Int {
        try await write { db in
            let old = "SELECT tenant_id, id FROM executions WHERE finished_at IS NOT NULL AND finished_at < ?"
            try db.cachedStatement(sql: """
                DELETE FROM journal_entries WHERE (tenant_id, execution_id) IN (\(old))
                """).execute(arguments: [cutoff])
            try db.cachedStatement(sql: """
                DELETE FROM dead_letters WHERE (tenant_id, execution_id) IN (\(old))
                """).execute(arguments: [cutoff])
            try db.cachedStatement(sql: "DELETE FROM executions WHERE finished_at IS NOT NULL AND finished_at < ?").execute(arguments: [cutoff])
            return db.changesCount
        }
    }

    private static func deadLetter(_ row: Row) -> DeadLetter {
        DeadLetter(id: row["id"], executionID: row["execution_id"], workflowID: row["workflow_id"], version: row["version"],
                   error: row["error"], createdAt: row["created_at"], resolvedAt: row["resolved_at"], replayedAs: row["replayed_as"])
    }

    // MARK: Plumbing

    /// One batch of journal entries in one transaction, each numbered after its execution's
    /// last, with the status changes they carry.
    private static func insert(_ rows: [JournalCommitter.Row], into pool: DatabasePool) throws {
        try pool.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO journal_entries (tenant_id, execution_id, position, entry)
                VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM journal_entries WHERE tenant_id = ?1 AND execution_id = ?2), ?3)
                """)
            for row in rows { try statement.execute(arguments: [row.tenantID, row.executionID, row.text]) }
            for change in JournalCommitter.statusChanges(rows) {
                try db.cachedStatement(sql: """
                    UPDATE executions SET status = ?, started_at = COALESCE(started_at, ?), finished_at = ?
                    WHERE tenant_id = ? AND id = ?
                    """).execute(arguments: [change.status, change.startedAt, change.finishedAt, change.tenantID, change.executionID])
            }
        }
    }

    private static func journalLines(_ db: Database, scope: TenantScope, executionID: String) throws -> [String] {
        try String.fetchAll(try db.cachedStatement(sql: """
            SELECT entry FROM journal_entries WHERE tenant_id = ? AND execution_id = ? ORDER BY position
            """), arguments: [scope.tenantID, executionID])
    }

    /// One page of a list, by keyset on `seq` (stable however rows are added): `query` selects
    /// `seq` and the columns `item` reads, already filtered by the tenant (its first `?`);
    /// each filter whose value is not nil adds `AND clause`. One row past `limit` says whether
    /// there is a next page.
    private func page<Item: Sendable>(
        _ query: String, _ scope: TenantScope, filters: [(clause: String, value: String?)], limit: Int, cursor: String?,
        _ item: @escaping @Sendable (Row) -> Item
    ) async throws(StoreError) -> Page<Item> {
        let after = try Cursors.position(cursor)
        let limit = max(1, min(limit, 1000))
        var sql = query + " AND seq > ?"
        var arguments: StatementArguments = [scope.tenantID, after]
        for filter in filters {
            guard let value = filter.value else { continue }
            sql += " AND " + filter.clause
            arguments += [value]
        }
        sql += " ORDER BY seq LIMIT ?"
        arguments += [limit + 1]
        let statement = sql, values = arguments
        return try await read { db in
            let rows = try Row.fetchAll(try db.cachedStatement(sql: statement), arguments: values)
            let next = rows.count > limit ? Cursors.cursor(after: rows[limit - 1]["seq"] as Int64) : nil
            return Page(items: rows.prefix(limit).map(item), nextCursor: next)
        }
    }

    private static func storedWorkflow(_ row: Row) -> StoredWorkflow {
        StoredWorkflow(id: row["id"], name: row["name"], version: row["version"], definition: row["definition"],
                       createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    private static func executionRecord(_ row: Row) -> ExecutionRecord {
        ExecutionRecord(
            id: row["id"], workflowID: row["workflow_id"], version: row["version"], status: row["status"], input: row["input"],
            idempotencyKey: row["idempotency_key"], createdAt: row["created_at"], startedAt: row["started_at"],
            finishedAt: row["finished_at"])
    }

    /// A write transaction; a `StoreError` thrown inside passes through, anything else is
    /// STORE_UNAVAILABLE naming the database.
    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await pool.write(body) } catch let error as StoreError { throw error } catch {
            throw StoreError(.storeUnavailable, "Cannot write to the SQLite database \(path): \(error).")
        }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await pool.read(body) } catch let error as StoreError { throw error } catch {
            throw StoreError(.storeUnavailable, "Cannot read the SQLite database \(path): \(error).")
        }
    }
}
