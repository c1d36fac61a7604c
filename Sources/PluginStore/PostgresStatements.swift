import PluginHostCore
import PostgresNIO

/// The PostgreSQL store's hottest statements as named prepared statements: postgres-nio
/// prepares each once per connection and then only binds and executes it, where a plain query
/// is parsed and planned by the server on every call (under load that planning was the
/// server's largest share of the CPU). Rows come back as they are, for the store's decoders.
enum PostgresStatements {
    /// The latest version of a workflow (`GET /v1/workflows/{id}`, every execute).
    struct LatestWorkflow: PostgresPreparedStatement {
        static let sql = """
            SELECT w.id, v.name, v.version, v.definition, w.created_at, v.created_at FROM workflows w JOIN workflow_versions v
              ON v.tenant_id = w.tenant_id AND v.workflow_id = w.id AND v.version = w.latest_version
            WHERE w.tenant_id = $1 AND w.id = $2 AND NOT w.deleted
            """
        var tenantID: String
        var id: String

        func makeBindings() throws -> PostgresBindings { bindings(tenantID, id) }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    /// One version of a workflow (what a worker runs).
    struct WorkflowVersion: PostgresPreparedStatement {
        static let sql = """
            SELECT w.id, v.name, v.version, v.definition, w.created_at, v.created_at FROM workflows w JOIN workflow_versions v
              ON v.tenant_id = w.tenant_id AND v.workflow_id = w.id
            WHERE w.tenant_id = $1 AND w.id = $2 AND v.version = $3
            """
        var tenantID: String
        var id: String
        var version: Int

        func makeBindings() throws -> PostgresBindings {
            var bindings = bindings(tenantID, id)
            bindings.append(version)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    /// The tenant of an API key's digest (every authenticated request).
    struct TenantByKey: PostgresPreparedStatement {
        static let sql = "SELECT id FROM tenants WHERE key_digest = $1"
        var digest: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(digest)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }

    /// One execution (workers, `GET /v1/executions/{id}`, `waitMs`).
    struct Execution: PostgresPreparedStatement {
        static let sql = "SELECT \(PostgresStore.executionColumns) FROM executions WHERE tenant_id = $1 AND id = $2"
        var tenantID: String
        var id: String

        func makeBindings() throws -> PostgresBindings { bindings(tenantID, id) }
        func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
    }
}

private func bindings(_ first: String, _ second: String) -> PostgresBindings {
    var bindings = PostgresBindings(capacity: 7)
    bindings.append(first)
    bindings.append(second)
    return bindings
}
