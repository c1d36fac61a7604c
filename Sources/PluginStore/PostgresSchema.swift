/// The PostgreSQL store's tables, as numbered migrations applied in order when a store opens.
/// `schema_migrations` records which ran; a migration, once shipped, is never edited.
///
/// The same tables as ``StoreSchema`` (SQLite), in PostgreSQL's terms: the tenant id is the
/// first column of every primary key, `seq` (a `BIGSERIAL`) gives lists their stable order,
/// times are wall-clock seconds (`DOUBLE PRECISION`, as in SQLite), key digests hex text.
/// Journal entries are ordered by their `seq` too: the one writer of a store's journal commits
/// them in append order, so no per-execution counter is read before each insert.
enum PostgresSchema {
    static let migrations: [(version: Int, name: String, sql: String)] = [
        (1, "tenants, versioned workflows, executions, journals", """
            CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                key_digest TEXT NOT NULL UNIQUE,
                created_at DOUBLE PRECISION NOT NULL);
            CREATE TABLE workflows (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                seq BIGSERIAL NOT NULL UNIQUE,
                name TEXT NOT NULL,
                latest_version INTEGER NOT NULL,
                deleted BOOLEAN NOT NULL DEFAULT FALSE,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (tenant_id, id));
            CREATE INDEX workflows_by_seq ON workflows (tenant_id, seq);
            CREATE INDEX workflows_by_name ON workflows (tenant_id, name, seq);
            CREATE TABLE workflow_versions (
                tenant_id TEXT NOT NULL,
                workflow_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                name TEXT NOT NULL,
                definition TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (tenant_id, workflow_id, version));
            CREATE TABLE executions (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                seq BIGSERIAL NOT NULL UNIQUE,
                workflow_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                status TEXT NOT NULL,
                input TEXT NOT NULL,
                idempotency_key TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                started_at DOUBLE PRECISION,
                finished_at DOUBLE PRECISION,
                PRIMARY KEY (tenant_id, id));
            CREATE UNIQUE INDEX executions_by_idempotency_key ON executions (tenant_id, idempotency_key)
                WHERE idempotency_key IS NOT NULL;
            CREATE INDEX executions_by_seq ON executions (tenant_id, seq);
            CREATE INDEX executions_by_workflow ON executions (tenant_id, workflow_id, seq);
            CREATE INDEX executions_unfinished ON executions (seq) WHERE status IN ('queued', 'running');
            CREATE INDEX executions_finished ON executions (finished_at) WHERE finished_at IS NOT NULL;
            CREATE TABLE journal_entries (
                tenant_id TEXT NOT NULL,
                execution_id TEXT NOT NULL,
                seq BIGSERIAL NOT NULL,
                entry TEXT NOT NULL,
                PRIMARY KEY (tenant_id, execution_id, seq));
            """),
        (2, "dead letters", """
            CREATE TABLE dead_letters (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                seq BIGSERIAL NOT NULL UNIQUE,
                execution_id TEXT NOT NULL,
                workflow_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                error TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                resolved_at DOUBLE PRECISION,
                replayed_as TEXT,
                PRIMARY KEY (tenant_id, id),
                UNIQUE (tenant_id, execution_id));
            CREATE INDEX dead_letters_by_seq ON dead_letters (tenant_id, seq);
            """),
    ]
}
