import ArgumentParser
import PluginHostCore
import PluginStore

/// `plugin-host tenant add|list|remove|rotate-key`: the service's tenants and their API keys,
/// in the database `serve` uses.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Manage the service's tenants and their API keys.",
        discussion: """
            Works on the database `plugin-host serve` uses (--database; default: the SQLite file \
            $XDG_STATE_HOME/plugin-host/plugin-host.sqlite). A key is printed once, alone on the last line of \
            stdout, and stored only as its SHA-256 digest: keep it, it cannot be shown again.
            """,
        subcommands: [TenantAddCommand.self, TenantListCommand.self, TenantRemoveCommand.self, TenantRotateKeyCommand.self]
    )
}

/// `--database URL`: `sqlite:PATH`, a path, or `postgres://…`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "The service's database: sqlite:PATH or postgres://user@host:port/db (default: the SQLite file in $XDG_STATE_HOME/plugin-host).")
    var database: String?

    /// The store, opened and migrated; a usage error (exit 2) with the store's sentence when it cannot be.
    func open() async throws -> any ServiceStore {
        do throws(StoreError) {
            return try await StoreLocation.parse(database).open()
        } catch {
            Terminal.error("\(error.code.rawValue): \(error.message)")
            throw ExitCode(2)
        }
    }
}

/// Runs a store call, turning its error into one line on stderr and exit 1.
func storeCall<T>(_ body: () async throws(StoreError) -> T) async throws -> T {
    do throws(StoreError) {
        return try await body()
    } catch {
        Terminal.error("\(error.code.rawValue): \(error.message)")
        throw ExitCode(1)
    }
}

struct TenantAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Create a tenant and print its API key (once).")

    @Argument(help: "The tenant's id (1 to 128 characters, no spaces), as policies name it.")
    var id: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let store = try await database.open()
        let key = try await storeCall { () async throws(StoreError) in try await store.createTenant(id: id) }
        if output.json {
            Terminal.printJSON(["tenantId": .string(id), "apiKey": .string(key)])
        } else {
            Terminal.error("tenant \(id) created; its API key (shown once, send it as Authorization: Bearer KEY):")
            print(key)
        }
    }
}

struct TenantListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tenants (never their keys).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let store = try await database.open()
        let tenants = try await storeCall { () async throws(StoreError) in try await store.tenants() }
        if output.json {
            Terminal.printJSON(["tenants": .array(tenants.map { ["tenantId": .string($0.id), "createdAt": .string(WallClock.iso8601($0.createdAt))] })])
        } else {
            for tenant in tenants { print("\(tenant.id)\t\(WallClock.iso8601(tenant.createdAt))") }
        }
    }
}

struct TenantRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a tenant with its key, workflows, executions and journals.")

    @Argument(help: "The tenant's id.")
    var id: String

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try await database.open()
        try await storeCall { () async throws(StoreError) in try await store.removeTenant(id: id) }
        Terminal.error("tenant \(id) removed.")
    }
}

struct TenantRotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key", abstract: "Give a tenant a new API key (the old one stops working at once) and print it.")

    @Argument(help: "The tenant's id.")
    var id: String

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let store = try await database.open()
        let key = try await storeCall { () async throws(StoreError) in try await store.rotateKey(id: id) }
        if output.json {
            Terminal.printJSON(["tenantId": .string(id), "apiKey": .string(key)])
        } else {
            Terminal.error("tenant \(id) has a new API key (shown once; the old one no longer works):")
            print(key)
        }
    }
}
