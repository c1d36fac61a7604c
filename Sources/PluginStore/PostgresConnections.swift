import Foundation
import Logging
import NIOCore
import NIOSSL
import PluginHostCore
import PostgresNIO
import Synchronization

/// `postgres://user[:password]@host[:port]/database[?sslmode=…&host=/socket/directory]` as
/// postgres-nio's configurations. `sslmode` is libpq's: `disable`, `prefer` (the default: TLS
/// when the server offers it) or `require`; a `host` parameter naming a directory connects
/// through the Unix socket there, as libpq does.
enum PostgresURL {
    struct Configuration {
        var client: PostgresClient.Configuration
        var connection: PostgresConnection.Configuration
    }

    static func configuration(_ url: String) throws(StoreError) -> Configuration {
        guard let components = URLComponents(string: url), components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw StoreError(.invalidArgument, "--database \(StoreLocation.postgres(url: url)): not a URL; write postgres://user@host:port/database.")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let database = String(components.path.drop { $0 == "/" })
        let port = components.port ?? Int(query["port"] ?? "") ?? 5432
        let name = database.isEmpty ? nil : database
        if let directory = query["host"], directory.hasPrefix("/") {
            let socket = directory + "/.s.PGSQL.\(port)"
            return Configuration(
                client: .init(unixSocketPath: socket, username: username, password: password, database: name),
                connection: .init(unixSocketPath: socket, username: username, password: password, database: name))
        }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let mode = query["sslmode"] ?? "prefer"
        let client: PostgresClient.Configuration.TLS, connection: PostgresConnection.Configuration.TLS
        switch mode {
        case "disable":
            (client, connection) = (.disable, .disable)
        case "prefer", "allow", "require":
            let tls = TLSConfiguration.makeClientConfiguration()
            let context: NIOSSLContext
            do { context = try NIOSSLContext(configuration: tls) } catch {
                throw StoreError(.storeUnavailable, "Cannot set up TLS for PostgreSQL: \(error).")
            }
            (client, connection) = mode == "require" ? (.require(tls), .require(context)) : (.prefer(tls), .prefer(context))
        default:
            throw StoreError(.invalidArgument, "--database: sslmode=\(mode) is not one of disable, prefer, require.")
        }
        return Configuration(
            client: .init(host: host, port: port, username: username, password: password, database: name, tls: client),
            connection: .init(host: host, port: port, username: username, password: password, database: name, tls: connection))
    }
}

/// One PostgreSQL connection for callers that block until the database answers: the journal
/// writer's thread (``JournalCommitter``) and synchronous journal reads. Driven through
/// postgres-nio's futures, completed on its event loop, so a blocked caller never waits for a
/// thread of the cooperative pool. Connects on first use and again after a failure (a server
/// restart): the batch in flight then fails, the next one finds a new connection.
final class DedicatedConnection: Sendable {
    private let configuration: PostgresConnection.Configuration
    private let current = Mutex<PostgresConnection?>(nil)
    private static let logger = Logger(label: "plugin-host.store.postgres.journal")

    init(configuration: PostgresConnection.Configuration) {
        self.configuration = configuration
    }

    /// Inserts one batch of journal entries in one statement (so one commit), in order:
    /// `WITH ORDINALITY … ORDER BY` hands the rows to the `seq` sequence as they were appended.
    /// The executions' status changes go in the same statement (a data-modifying `WITH`), so
    /// in the same commit; times absent are passed as -1.
    func insert(_ rows: [JournalCommitter.Row]) throws {
        let changes = JournalCommitter.statusChanges(rows)
        let query: PostgresQuery = """
            WITH inserted AS (
                INSERT INTO journal_entries (tenant_id, execution_id, entry)
                SELECT t, e, x FROM unnest(\(rows.map(\.tenantID))::text[], \(rows.map(\.executionID))::text[], \(rows.map(\.text))::text[])
                    WITH ORDINALITY AS u(t, e, x, n) ORDER BY n
                RETURNING 1)
            UPDATE executions SET status = c.status, started_at = COALESCE(executions.started_at, NULLIF(c.started, -1)),
                finished_at = NULLIF(c.finished, -1)
            FROM unnest(\(changes.map(\.tenantID))::text[], \(changes.map(\.executionID))::text[], \(changes.map(\.status))::text[],
                        \(changes.map { $0.startedAt ?? -1 })::float8[], \(changes.map { $0.finishedAt ?? -1 })::float8[])
                AS c(tenant_id, id, status, started, finished)
            WHERE executions.tenant_id = c.tenant_id AND executions.id = c.id
            """
        _ = try run(query)
    }

    /// One execution's journal lines in append order.
    func lines(scope: TenantScope, executionID: String) throws -> [String] {
        try run("SELECT entry FROM journal_entries WHERE tenant_id = \(scope.tenantID) AND execution_id = \(executionID) ORDER BY seq")
            .map { try $0.decode(String.self) }
    }

    func close() {
        current.withLock { connection in
            if let connection { Self.close(connection) }
            connection = nil
        }
    }

    private func run(_ query: PostgresQuery) throws -> PostgresQueryResult {
        let connection = try connected()
        do {
            return try connection.query(query, logger: Self.logger).wait()
        } catch {
            // Whatever went wrong, the next call starts from a new connection.
            current.withLock { current in
                if current === connection { current = nil }
            }
            Self.close(connection)
            throw DatabaseFailure(message: PostgresStore.describe(error))
        }
    }

    /// Closes without waiting; the connection is kept until it is closed (postgres-nio
    /// requires a connection be closed before it goes).
    private static func close(_ connection: PostgresConnection) {
        let closed: EventLoopFuture<Void> = connection.close()
        closed.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    private func connected() throws -> PostgresConnection {
        try current.withLock { current in
            if let connection = current, !connection.isClosed { return connection }
            do {
                let connection = try PostgresConnection.connect(
                    on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 0, logger: Self.logger
                ).wait()
                current = connection
                return connection
            } catch {
                throw DatabaseFailure(message: "cannot connect: \(PostgresStore.describe(error))")
            }
        }
    }

    struct DatabaseFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
