import ArgumentParser
import Foundation
import Logging
import PluginHostCore
import PluginLoader
import PluginRuntime
import PluginService
import PluginStore

/// `plugin-host serve`: the workflow service over HTTP.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the workflow API over HTTP: stored, versioned workflows per tenant.",
        discussion: """
            Listens on 127.0.0.1:8080 unless --listen says otherwise, on the database --database names (default: \
            the SQLite file $XDG_STATE_HOME/plugin-host/plugin-host.sqlite, migrated at start). Requests carry \
            Authorization: Bearer KEY with a key from `plugin-host tenant add`; a database without tenants is served \
            as one tenant without keys, on a loopback address only. Scans and loads the plugins at start \
            (--plugin-dir, --policy as for run); node calls run in worker processes unless --isolation none. \
            Executions run --workers at a time, each journaled in the database, and those a previous process \
            accepted and did not finish are resumed at start. SIGTERM or SIGINT stops accepting, lets requests \
            in flight finish and running executions --shutdown-grace seconds; the rest resume at the next start. Routes: GET /openapi.json.
            """
    )

    @Option(help: "Where to listen, HOST:PORT (port 0: any free port, printed at start).")
    var listen: String = "127.0.0.1:8080"

    @Option(help: "How many executions run at once (default: 16 per core). They mostly wait for their journal's commits, so many more than the cores keep the commits' batches full.")
    var workers: Int = 16 * ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("request-timeout"), help: "Seconds a request's body may take to arrive (408 REQUEST_TIMEOUT after); connections idle twice as long are closed.")
    var requestTimeout: Int = 30

    @Option(name: .customLong("shutdown-grace"), help: "Seconds running executions get to finish after SIGTERM or SIGINT; what still runs then is resumed from its journal at the next start.")
    var shutdownGrace: Int = 10

    @Option(name: .customLong("log-format"), help: "How log lines look on stderr: text (key=value metadata) or json (one object per line). Each answered request is one line.")
    var logFormat: ServiceLogHandler.Format = .text

    @Option(name: .customLong("retain-days"), help: "Delete executions (with their journals and dead letters) finished more than this many days ago, hourly (default: keep them).")
    var retainDays: Double?

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var hostOptions: ExecutingHostOptions

    func validate() throws {
        if workers < 1 { throw ValidationError("--workers must be at least 1.") }
        if requestTimeout < 1 { throw ValidationError("--request-timeout must be at least 1 second.") }
        if shutdownGrace < 0 { throw ValidationError("--shutdown-grace must be 0 or more seconds.") }
        if let retainDays, !(retainDays > 0) { throw ValidationError("--retain-days must be a positive number of days.") }
    }

    func run() async throws {
        let listening = try await storeCall { () throws(StoreError) in try ServiceConfiguration.parse(listen: listen) }
        let store = try await database.open()
        let singleTenant = try await storeCall { () async throws(StoreError) in try await store.tenants().isEmpty }
        do throws(StoreError) { try listening.check(singleTenant: singleTenant) } catch {
            Terminal.error("\(error.code.rawValue): \(error.message)")
            throw ExitCode(2)
        }
        // A service runs other people's workflows: node calls run in worker processes unless
        // --isolation none says otherwise.
        let host = PluginHost(configuration: try hostOptions.configuration(isolation: .process))
        defer { host.shutdownWorkers() }
        let report = await host.load()
        var logger = Logger(label: "plugin-host.serve") { [logFormat] in ServiceLogHandler(label: $0, format: logFormat) }
        logger.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["PLUGIN_HOST_LOG"] ?? "") ?? .info
        let state = ServiceState(store: store, host: host, singleTenant: singleTenant, bodyTimeout: .seconds(requestTimeout))
        let location = (try? StoreLocation.parse(database.database))?.description ?? "?"
        let drained = try await ServiceServer.run(
            state, configuration: listening, workers: workers, retainDays: retainDays, shutdownGrace: .seconds(shutdownGrace), logger: logger
        ) { address in
            Terminal.error("""
                plugin-host serve: listening on http://\(address) (\(singleTenant ? "single tenant, no keys" : "API keys required"), \
                \(report.initialized.count) plugins loaded, database \(location))
                """)
        }
        if !drained {
            // As a crash would, on purpose: the executions still running resume from their
            // journals at the next start; the workers die with this process (PR_SET_PDEATHSIG).
            PluginExitGuard.hostExits()
            _exit(0)
        }
    }
}

extension ServiceLogHandler.Format: ExpressibleByArgument {}
