import Foundation
import Logging
import NIOCore
import PluginHostCore
import PluginWorkflow
import PostgresNIO

/// ``ServiceStore`` on a PostgreSQL server (postgres-nio): for several `serve` processes on one
/// database, and the fleet's.
///
/// Queries go through a connection pool (`PostgresClient`, run by the store); journal appends
/// through one dedicated connection driven by the ``JournalCommitter``'s thread with
/// postgres-nio's future API, so a lane waiting for its entry never holds a thread of the
/// cooperative pool. Migrations run at open under an advisory lock, so processes starting
/// together apply each once. Every statement names the tenant, as in ``SQLiteStore``.
public final class PostgresStore: ServiceStore {
    /// The URL with its password masked, for messages.
    public let location: String
    private let client: PostgresClient
    private let running: Task<Void, Never>
    private let journalConnection: DedicatedConnection
    private let committer: JournalCommitter
    /// Accepted executions, committed in groups (one statement per batch).
    private let accepts: GroupCommit<ExecutionAccept, ExecutionAccept.Outcome>

    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`, with
    /// `?sslmode=disable|prefer|require` and libpq's `?host=/socket/directory`) and migrates.
    public init(url: String) async throws(StoreError) {
        location = StoreLocation.postgres(url: url).description
        let configuration = try PostgresURL.configuration(url)
        var options = PostgresClient.Configuration.Options()
        options.maximumConnections = 16
        options.connectTimeout = .seconds(5)
        var clientConfiguration = configuration.client
        clientConfiguration.options = options
        let client = PostgresClient(configuration: clientConfiguration)
        self.client = client
        running = Task { await client.run() }
        journalConnection = DedicatedConnection(configuration: configuration.connection)
        committer = JournalCommitter { [journalConnection] rows in try journalConnection.insert(rows) }
        accepts = GroupCommit(.async { [client, location] accepts in try await Self.insert(accepts, client: client, location: location) })
        do {
            try await migrate()
        } catch {
            running.cancel()
            throw error
        }
    }

    deinit {
        running.cancel()
        journalConnection.close()
    }

    // MARK: Tenants

    public func createTenant(id: String) async throws(StoreError) -> String {
        try TenantIDs.check(id)
        let key = APIKeys.newKey()
        let inserted = try await rows("""
            INSERT INTO tenants (id, key_digest, created_at) VALUES (\(id), \(APIKeys.hexDigest(key)), \(WallClock.now()))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """)
        guard !inserted.isEmpty else { throw TenantIDs.exists(id) }
        return key
    }

    public func tenants() async throws(StoreError) -> [TenantRecord] {
        try await rows("SELECT id, created_at FROM tenants ORDER BY id").map { row throws(StoreError) in
            let (id, createdAt) = try decode(row, (String, Double).self)
            return TenantRecord(id: id, createdAt: createdAt)
        }
    }

    public func removeTenant(id: String) async throws(StoreError) {
        try await transaction { connection in
            guard try await !connection.query("DELETE FROM tenants WHERE id = \(id) RETURNING id", logger: Self.logger).collect().isEmpty
            else { throw StoreError(.notFound, "There is no tenant `\(id)`.") }
            for table in StoreSchema.tenantTables {
                var binds = PostgresBindings()
                binds.append(id)
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE tenant_id = $1", binds: binds), logger: Self.logger)
            }
        }
    }

    public func rotateKey(id: String) async throws(StoreError) -> String {
        let key = APIKeys.newKey()
        let updated = try await rows("UPDATE tenants SET key_digest = \(APIKeys.hexDigest(key)) WHERE id = \(id) RETURNING id")
        guard !updated.isEmpty else { throw StoreError(.notFound, "There is no tenant `\(id)`.") }
        return key
    }

    public func scope(forKey key: String) async throws(StoreError) -> TenantScope? {
        // Looked up by digest: the key itself is never stored or compared.
        try await prepared(PostgresStatements.TenantByKey(digest: APIKeys.hexDigest(key))).first
            .map { row throws(StoreError) in TenantScope(tenantID: try decode(row, String.self)) }
    }

    // MARK: Workflows

    public func createWorkflow(_ scope: TenantScope, name: String, definition: String) async throws(StoreError) -> StoredWorkflow {
        let id = Identifiers.new()
        let now = WallClock.now()
        try await transaction { connection in
            try await connection.query("""
                INSERT INTO workflows (tenant_id, id, name, latest_version, created_at, updated_at)
                VALUES (\(scope.tenantID), \(id), \(name), 1, \(now), \(now))
                """, logger: Self.logger)
            try await connection.query("""
                INSERT INTO workflow_versions (tenant_id, workflow_id, version, name, definition, created_at)
                VALUES (\(scope.tenantID), \(id), 1, \(name), \(definition), \(now))
                """, logger: Self.logger)
        }
        return StoredWorkflow(id: id, name: name, version: 1, definition: definition, createdAt: now, updatedAt: now)
    }

    private static let workflowColumns = "w.id, v.name, v.version, v.definition, w.created_at, v.created_at"

    public func workflow(_ scope: TenantScope, id: String) async throws(StoreError) -> StoredWorkflow? {
        try await prepared(PostgresStatements.LatestWorkflow(tenantID: scope.tenantID, id: id)).first.map(Self.storedWorkflow)
    }

    public func workflow(_ scope: TenantScope, id: String, version: Int) async throws(StoreError) -> StoredWorkflow? {
        try await prepared(PostgresStatements.WorkflowVersion(tenantID: scope.tenantID, id: id, version: version)).first.map(Self.storedWorkflow)
    }

    public func versions(_ scope: TenantScope, id: String) async throws(StoreError) -> [StoredWorkflow] {
        try await rows("""
            SELECT \(unescaped: Self.workflowColumns) FROM workflows w JOIN workflow_versions v
              ON v.tenant_id = w.tenant_id AND v.workflow_id = w.id
            WHERE w.tenant_id = \(scope.tenantID) AND w.id = \(id) ORDER BY v.version
            """).map(Self.storedWorkflow)
    }

    public func updateWorkflow(
        _ scope: TenantScope, id: String, name: String, definition: String, expectedVersion: Int?
    ) async throws(StoreError) -> StoredWorkflow {
        let now = WallClock.now()
        return try await transaction { connection in
            // FOR UPDATE: concurrent updates of one workflow queue on its row, so each reads the
            // version the previous one wrote and versions are consecutive.
            guard let row = try await connection.query("""
                SELECT latest_version, created_at FROM workflows WHERE tenant_id = \(scope.tenantID) AND id = \(id) AND NOT deleted FOR UPDATE
                """, logger: Self.logger).collect().first
            else { throw StoreError(.notFound, "There is no workflow `\(id)`.") }
            let (latest, createdAt) = try decode(row, (Int, Double).self)
            if let expectedVersion, expectedVersion != latest {
                throw StoreError(.versionConflict, "Workflow `\(id)` is at version \(latest), not \(expectedVersion); read it again and retry with If-Match: \"\(latest)\".")
            }
            let version = latest + 1
            try await connection.query("""
                UPDATE workflows SET latest_version = \(version), name = \(name), updated_at = \(now)
                WHERE tenant_id = \(scope.tenantID) AND id = \(id)
                """, logger: Self.logger)
            try await connection.query("""
                INSERT INTO workflow_versions (tenant_id, workflow_id, version, name, definition, created_at)
                VALUES (\(scope.tenantID), \(id), \(version), \(name), \(definition), \(now))
                """, logger: Self.logger)
            return StoredWorkflow(id: id, name: name, version: version, definition: definition, createdAt: createdAt, updatedAt: now)
        }
    }

    public func deleteWorkflow(_ scope: TenantScope, id: String) async throws(StoreError) {
        let deleted = try await rows("""
            UPDATE workflows SET deleted = TRUE WHERE tenant_id = \(scope.tenantID) AND id = \(id) AND NOT deleted RETURNING id
            """)
        guard !deleted.isEmpty else { throw StoreError(.notFound, "There is no workflow `\(id)`.") }
    }

    public func listWorkflows(_ scope: TenantScope, limit: Int, cursor: String?, name: String?) async throws(StoreError) -> Page<WorkflowSummary> {
        try await page(
            "SELECT seq, id, name, latest_version, created_at, updated_at FROM workflows WHERE tenant_id = $1 AND NOT deleted",
            scope, filters: [("name", name)], limit: limit, cursor: cursor
        ) { row throws(StoreError) in
            let (_, id, name, version, createdAt, updatedAt) = try decode(row, (Int64, String, String, Int, Double, Double).self)
            return WorkflowSummary(id: id, name: name, version: version, createdAt: createdAt, updatedAt: updatedAt)
        }
    }

    // MARK: Executions

    static let executionColumns = "seq, id, workflow_id, version, status, input, idempotency_key, created_at, started_at, finished_at"
    /// The same, of a table named `e` in a join.
    private static let executionColumnsOfE = executionColumns.split(separator: ", ").map { "e." + $0 }.joined(separator: ", ")

    public func createExecution(
        _ scope: TenantScope, workflowID: String, version: Int, input: String, idempotencyKey: String?
    ) async throws(StoreError) -> (execution: ExecutionRecord, created: Bool) {
        try await ExecutionAccept.commit(scope, workflowID: workflowID, version: version, input: input,
                                         idempotencyKey: idempotencyKey, through: accepts, store: "the PostgreSQL database \(location)")
    }

    /// One batch of accepts in one statement, so one commit: a row is inserted only if its
    /// version exists, and not when its tenant used its idempotency key already (a request
    /// earlier in the batch included: the unique index decides, in `unnest`'s order). The few
    /// not inserted are then told apart by a read.
    private static func insert(
        _ accepts: [ExecutionAccept], client: PostgresClient, location: String
    ) async throws(StoreError) -> [ExecutionAccept.Outcome] {
        let inserted = Set(try await rows(on: client, location: location, """
            INSERT INTO executions (tenant_id, id, workflow_id, version, status, input, idempotency_key, created_at)
            SELECT a.tenant_id, a.id, a.workflow_id, a.version, 'queued', a.input, CASE WHEN a.keyed THEN a.idempotency_key END, a.created_at
            FROM unnest(\(accepts.map(\.tenantID))::text[], \(accepts.map(\.id))::text[], \(accepts.map(\.workflowID))::text[],
                        \(accepts.map(\.version))::int8[], \(accepts.map(\.input))::text[], \(accepts.map { $0.idempotencyKey ?? "" })::text[],
                        \(accepts.map { $0.idempotencyKey != nil })::bool[], \(accepts.map(\.createdAt))::float8[])
                WITH ORDINALITY AS a(tenant_id, id, workflow_id, version, input, idempotency_key, keyed, created_at, n)
            WHERE EXISTS (SELECT 1 FROM workflow_versions v
                          WHERE v.tenant_id = a.tenant_id AND v.workflow_id = a.workflow_id AND v.version = a.version)
            ORDER BY a.n
            ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id
            """).map { row throws(StoreError) in try decode(row, String.self) })
        // Not inserted: a used Idempotency-Key (its execution, read for the whole batch in one
        // query) or a version that does not exist.
        let replays = accepts.filter { !inserted.contains($0.id) && $0.idempotencyKey != nil }
        var existing: [String: ExecutionRecord] = [:]
        if !replays.isEmpty {
            for row in try await rows(on: client, location: location, """
                SELECT e.tenant_id, \(unescaped: Self.executionColumnsOfE)
                FROM executions e JOIN unnest(\(replays.map(\.tenantID))::text[], \(replays.map { $0.idempotencyKey ?? "" })::text[]) AS k(t, key)
                  ON e.tenant_id = k.t AND e.idempotency_key = k.key
                """) {
                let record = try Self.executionRecord(row, offset: 1)
                existing[try decode(row, String.self) + "\u{0}" + (record.idempotencyKey ?? "")] = record
            }
        }
        return accepts.map { accept in
            if inserted.contains(accept.id) { return .created }
            if let key = accept.idempotencyKey, let record = existing[accept.tenantID + "\u{0}" + key] { return .existing(record) }
            return .noVersion
        }
    }

    public func execution(_ scope: TenantScope, id: String) async throws(StoreError) -> ExecutionRecord? {
        try await prepared(PostgresStatements.Execution(tenantID: scope.tenantID, id: id)).first.map(Self.executionRecord)
    }

    public func setStatus(_ scope: TenantScope, execution id: String, _ status: String) async throws(StoreError) {
        let now = WallClock.now()
        let column = status == "running" ? "started_at" : status == "queued" ? nil : "finished_at"
        var binds = PostgresBindings()
        binds.append(status)
        binds.append(scope.tenantID)
        binds.append(id)
        var set = ""
        if let column {
            binds.append(now)
            set = ", \(column) = $4"
        }
        let updated = try await rows(PostgresQuery(
            unsafeSQL: "UPDATE executions SET status = $1\(set) WHERE tenant_id = $2 AND id = $3 RETURNING id", binds: binds))
        guard !updated.isEmpty else { throw StoreError(.notFound, "There is no execution `\(id)`.") }
    }

    public func listExecutions(
        _ scope: TenantScope, workflowID: String?, status: String?, limit: Int, cursor: String?
    ) async throws(StoreError) -> Page<ExecutionRecord> {
        try await page(
            "SELECT \(Self.executionColumns) FROM executions WHERE tenant_id = $1", scope,
            filters: [("workflow_id", workflowID), ("status", status)], limit: limit, cursor: cursor, Self.executionRecord)
    }

    public func journal(_ scope: TenantScope, execution id: String) -> any ExecutionJournal {
        StoreJournal(committer: committer, scope: scope, executionID: id) { [journalConnection] in
            try journalConnection.lines(scope: scope, executionID: id)
        }
    }

    public func journalEntries(_ scope: TenantScope, execution id: String) async throws(StoreError) -> [JournalEntry] {
        let lines = try await rows("""
            SELECT entry FROM journal_entries WHERE tenant_id = \(scope.tenantID) AND execution_id = \(id) ORDER BY seq
            """).map { row throws(StoreError) in try decode(row, String.self) }
        do throws(JournalFailure) { return try JournalRows.entries(lines, executionID: id) } catch {
            throw StoreError(error.code, error.message)
        }
    }

    public func unfinishedExecutions() async throws(StoreError) -> [(scope: TenantScope, execution: ExecutionRecord)] {
        try await rows("""
            SELECT tenant_id, \(unescaped: Self.executionColumns) FROM executions WHERE status IN ('queued', 'running') ORDER BY seq
            """).map { row throws(StoreError) in
            (TenantScope(tenantID: try decode(row, String.self)), try Self.executionRecord(row, offset: 1))
        }
    }

    // MARK: Dead letters

    private static let letterColumns = "seq, id, execution_id, workflow_id, version, error, created_at, resolved_at, replayed_as"

    public func addDeadLetter(_ scope: TenantScope, execution: ExecutionRecord, error: String) async throws(StoreError) {
        try await rows("""
            INSERT INTO dead_letters (tenant_id, id, execution_id, workflow_id, version, error, created_at)
            VALUES (\(scope.tenantID), \(Identifiers.new()), \(execution.id), \(execution.workflowID), \(execution.version), \(error), \(WallClock.now()))
            ON CONFLICT (tenant_id, execution_id) DO NOTHING
            """)
    }

    public func deadLetters(_ scope: TenantScope, includeResolved: Bool, limit: Int, cursor: String?) async throws(StoreError) -> Page<DeadLetter> {
        let query = "SELECT \(Self.letterColumns) FROM dead_letters WHERE tenant_id = $1" + (includeResolved ? "" : " AND resolved_at IS NULL")
        return try await page(query, scope, filters: [], limit: limit, cursor: cursor, Self.deadLetter)
    }

    public func deadLetter(_ scope: TenantScope, id: String) async throws(StoreError) -> DeadLetter? {
        try await rows("""
            SELECT \(unescaped: Self.letterColumns) FROM dead_letters WHERE tenant_id = \(scope.tenantID) AND id = \(id)
            """).first.map(Self.deadLetter)
    }

    public func resolveDeadLetter(_ scope: TenantScope, id: String, replayedAs: String?) async throws(StoreError) {
        let updated = try await rows("""
            UPDATE dead_letters SET resolved_at = COALESCE(resolved_at, \(WallClock.now())), replayed_as = COALESCE(\(replayedAs), replayed_as)
            WHERE tenant_id = \(scope.tenantID) AND id = \(id) RETURNING id
            """)
        guard !updated.isEmpty else { throw StoreError(.notFound, "There is no dead letter `\(id)`.") }
    }

    // MARK: Retention

    public func purge(finishedBefore cutoff: Double) async throws(StoreError) -> Int {
        try await transaction { connection in
            let old = "SELECT tenant_id, id FROM executions WHERE finished_at IS NOT NULL AND finished_at < $1"
            for table in ["journal_entries", "dead_letters"] {
                var binds = PostgresBindings()
                binds.append(cutoff)
                try await connection.query(PostgresQuery(
                    unsafeSQL: "DELETE FROM \(table) WHERE (tenant_id, execution_id) IN (\(old))", binds: binds), logger: Self.logger)
            }
            return try await connection.query("""
                DELETE FROM executions WHERE finished_at IS NOT NULL AND finished_at < \(cutoff) RETURNING 1
                """, logger: Self.logger).collect().count
        }
    }

    // MARK: Rows

    private static func storedWorkflow(_ row: PostgresRow) throws(StoreError) -> StoredWorkflow {
        let (id, name, version, definition, createdAt, updatedAt) = try decode(row, (String, String, Int, String, Double, Double).self)
        return StoredWorkflow(id: id, name: name, version: version, definition: definition, createdAt: createdAt, updatedAt: updatedAt)
    }

    /// An execution from ``executionColumns`` starting at column `offset`.
    private static func executionRecord(_ row: PostgresRow) throws(StoreError) -> ExecutionRecord {
        try executionRecord(row, offset: 0)
    }

    private static func executionRecord(_ row: PostgresRow, offset: Int) throws(StoreError) -> ExecutionRecord {
        let cells = row.makeRandomAccess()
        do {
            return ExecutionRecord(
                id: try cells[offset + 1].decode(String.self), workflowID: try cells[offset + 2].decode(String.self),
                version: try cells[offset + 3].decode(Int.self), status: try cells[offset + 4].decode(String.self),
                input: try cells[offset + 5].decode(String.self), idempotencyKey: try cells[offset + 6].decode(String?.self),
                createdAt: try cells[offset + 7].decode(Double.self), startedAt: try cells[offset + 8].decode(Double?.self),
                finishedAt: try cells[offset + 9].decode(Double?.self))
        } catch {
            throw StoreError(.storeUnavailable, "An execution row of the PostgreSQL store cannot be read: \(String(reflecting: error)).")
        }
    }

    private static func deadLetter(_ row: PostgresRow) throws(StoreError) -> DeadLetter {
        let (_, id, execution, workflow, version, error, createdAt, resolvedAt, replayedAs) =
            try decode(row, (Int64, String, String, String, Int, String, Double, Double?, String?).self)
        return DeadLetter(id: id, executionID: execution, workflowID: workflow, version: version, error: error, createdAt: createdAt,
                          resolvedAt: resolvedAt, replayedAs: replayedAs)
    }

    // MARK: Plumbing

    static let logger = Logger(label: "plugin-host.store.postgres")

    /// Applies the migrations not yet recorded, in order, each in its own transaction, under
    /// an advisory lock held for the session (another process opening the store waits).
    private func migrate() async throws(StoreError) {
        do {
            try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(7260417)", logger: Self.logger)
                do {
                    try await connection.query("""
                        CREATE TABLE IF NOT EXISTS schema_migrations (
                            version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)
                        """, logger: Self.logger)
                    var applied = Set<Int>()
                    for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: Self.logger).decode(Int.self) {
                        applied.insert(version)
                    }
                    for migration in PostgresSchema.migrations where !applied.contains(migration.version) {
                        try await connection.query("BEGIN", logger: Self.logger)
                        do {
                            // One statement per query: the extended protocol takes no more.
                            for statement in migration.sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                                try await connection.query(PostgresQuery(unsafeSQL: String(statement)), logger: Self.logger)
                            }
                            try await connection.query("""
                                INSERT INTO schema_migrations (version, name, applied_at)
                                VALUES (\(migration.version), \(migration.name), \(WallClock.now()))
                                """, logger: Self.logger)
                            try await connection.query("COMMIT", logger: Self.logger)
                        } catch {
                            _ = try? await connection.query("ROLLBACK", logger: Self.logger)
                            throw error
                        }
                    }
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(7260417)", logger: Self.logger)
                    throw error
                }
                try await connection.query("SELECT pg_advisory_unlock(7260417)", logger: Self.logger)
            }
        } catch {
            throw StoreError(.storeUnavailable, "Cannot open the PostgreSQL database \(location): \(Self.describe(error)). Check the URL, that the server runs and that the user may create tables.")
        }
    }

    /// One page by keyset on `seq`, as ``SQLiteStore``'s: `query` selects `seq` first and is
    /// filtered by the tenant as `$1`; each filter with a value adds `AND column = $n`.
    private func page<Item: Sendable>(
        _ query: String, _ scope: TenantScope, filters: [(column: String, value: String?)], limit: Int, cursor: String?,
        _ item: (PostgresRow) throws(StoreError) -> Item
    ) async throws(StoreError) -> Page<Item> {
        let after = try Cursors.position(cursor)
        let limit = max(1, min(limit, 1000))
        var binds = PostgresBindings()
        binds.append(scope.tenantID)
        binds.append(after)
        var sql = query + " AND seq > $2"
        for filter in filters {
            guard let value = filter.value else { continue }
            binds.append(value)
            sql += " AND \(filter.column) = $\(binds.count)"
        }
        binds.append(limit + 1)
        sql += " ORDER BY seq LIMIT $\(binds.count)"
        let found = try await rows(PostgresQuery(unsafeSQL: sql, binds: binds))
        var items: [Item] = []
        for row in found.prefix(limit) { items.append(try item(row)) }
        let next = found.count > limit ? Cursors.cursor(after: try decode(found[limit - 1], Int64.self)) : nil
        return Page(items: items, nextCursor: next)
    }

    /// A prepared statement's rows (``PostgresStatements``), collected; failures as ``rows(_:)``'s.
    private func prepared<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws(StoreError) -> [PostgresRow]
    where Statement.Row == PostgresRow {
        do {
            var found: [PostgresRow] = []
            for try await row in try await client.execute(statement, logger: Self.logger) { found.append(row) }
            return found
        } catch {
            throw StoreError(.storeUnavailable, "The PostgreSQL database \(location) failed: \(Self.describe(error)).")
        }
    }

    /// A statement's rows, collected; failures are STORE_UNAVAILABLE naming the database.
    @discardableResult
    private func rows(_ query: PostgresQuery) async throws(StoreError) -> [PostgresRow] {
        try await Self.rows(on: client, location: location, query)
    }

    private static func rows(on client: PostgresClient, location: String, _ query: PostgresQuery) async throws(StoreError) -> [PostgresRow] {
        do { return try await client.query(query, logger: logger).collect() } catch {
            throw StoreError(.storeUnavailable, "The PostgreSQL database \(location) failed: \(Self.describe(error)).")
        }
    }

    /// `body` in one transaction on one pooled connection: committed when it returns, rolled
    /// back when it throws. A `StoreError` thrown inside passes through as it is.
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(StoreError) -> T {
        do {
            return try await client.withConnection { connection in
                try await connection.query("BEGIN", logger: Self.logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: Self.logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: Self.logger)
                    throw error
                }
            }
        } catch let error as StoreError { throw error } catch {
            throw StoreError(.storeUnavailable, "The PostgreSQL database \(location) failed: \(Self.describe(error)).")
        }
    }

    /// The server's own message when there is one (PSQLError hides it from `description`).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}

/// A row's first column, or its columns as a tuple; a type mismatch is STORE_UNAVAILABLE.
private func decode<T: PostgresDecodable>(_ row: PostgresRow, _ type: T.Type) throws(StoreError) -> T {
    do { return try row.makeRandomAccess()[0].decode(T.self) } catch {
        throw StoreError(.storeUnavailable, "A row of the PostgreSQL store cannot be read as \(T.self): \(String(reflecting: error)).")
    }
}

private func decode<each Column: PostgresDecodable>(_ row: PostgresRow, _ type: (repeat each Column).Type) throws(StoreError) -> (repeat each Column) {
    do { return try row.decode(type) } catch {
        throw StoreError(.storeUnavailable, "A row of the PostgreSQL store cannot be read: \(String(reflecting: error)).")
    }
}
