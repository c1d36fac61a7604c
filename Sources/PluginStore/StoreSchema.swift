import GRDB

/// The store's tables, as versioned migrations applied in order when a store opens (GRDB's
/// `DatabaseMigrator` records which ran). A migration, once shipped, is never edited: a change
/// is a new one.
///
/// Every table that holds a tenant's data has `tenant_id` as the first column of its primary
/// key (and ``tenantTables`` lists them, for removing a tenant); `seq` columns give lists a
/// stable order for their cursors.
enum StoreSchema {
    /// The tables removing a tenant empties.
    static let tenantTables = ["workflows", "workflow_versions", "executions", "journal_entries", "dead_letters"]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1: tenants, versioned workflows, executions, journals") { db in
            try db.execute(sql: """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY NOT NULL,
                    key_digest BLOB NOT NULL UNIQUE,
                    created_at REAL NOT NULL);
                CREATE TABLE workflows (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    latest_version INTEGER NOT NULL,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    UNIQUE (tenant_id, id));
                CREATE INDEX workflows_by_name ON workflows (tenant_id, name, seq);
                CREATE TABLE workflow_versions (
                    tenant_id TEXT NOT NULL,
                    workflow_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    PRIMARY KEY (tenant_id, workflow_id, version));
                CREATE TABLE executions (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    workflow_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    input TEXT NOT NULL,
                    idempotency_key TEXT,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL,
                    UNIQUE (tenant_id, id));
                CREATE UNIQUE INDEX executions_by_idempotency_key ON executions (tenant_id, idempotency_key)
                    WHERE idempotency_key IS NOT NULL;
                CREATE INDEX executions_by_workflow ON executions (tenant_id, workflow_id, seq);
                CREATE INDEX executions_unfinished ON executions (status) WHERE status IN ('queued', 'running');
                CREATE TABLE journal_entries (
                    tenant_id TEXT NOT NULL,
                    execution_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    entry TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, execution_id, position));
                """)
        }
        migrator.registerMigration("2: dead letters") { db in
            try db.execute(sql: """
                CREATE TABLE dead_letters (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    execution_id TEXT NOT NULL,
                    workflow_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    error TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    resolved_at REAL,
                    replayed_as TEXT,
                    UNIQUE (tenant_id, id),
                    UNIQUE (tenant_id, execution_id));
                """)
        }
        return migrator
    }
}
