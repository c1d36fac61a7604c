import ArgumentParser
import Foundation
import PluginHostCore
import PluginRuntime
import PluginWorkflow

/// `plugin-host rollback RESULT.json`: run the compensation plan of a `manual` rollback, saved
/// as the `run --json` document of the run that ended `degraded`.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Run the compensation plan saved in a degraded run's `run --json` result.",
        discussion: """
            A workflow with settings.rollback "manual" that fails ends `degraded`, and its `run --json` result \
            holds rollback.plan: which compensations, in which order, with which resolved parameters. This \
            runs that plan under the same host rules as any node (plugin directories, tenant policy, \
            isolation): independent compensations in parallel up to --concurrency, each with its own retries, \
            one that fails not stopping the others. --json prints the rollback as a run's `rollback` member \
            ({strategy, status, compensations, notUndone, plan}). Exits 0 when every compensation succeeded \
            (rolledBack), 1 when one did not (rollbackFailed) or the file has no plan, 2 on a usage error.
            """
    )

    @Argument(help: "A `plugin-host run --json` result whose rollback is a plan (status degraded).")
    var result: String

    @Option(help: "The most compensations running at once.")
    var concurrency: Int = WorkflowSettings.defaultConcurrency


    @OptionGroup var hostOptions: ExecutingHostOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1.") }
    }

    func run() async throws {
        let plan = try Self.readPlan(result, limits: hostOptions.inputLimits.limits)
        let configuration = try hostOptions.configuration()
        let host = PluginHost(configuration: configuration)
        defer { host.shutdownWorkers() }
        let rollback = await HostWorkflows(host: host, tenant: hostOptions.tenancy.tenant).rollback(
            plan, workflowName: "rollback", concurrency: concurrency)
        if output.json {
            var stream = JSONStream(style: .pretty, capacity: 4096)
            rollback.write(to: &stream)
            Terminal.printJSON(bytes: stream.bytes)
        } else {
            print(RunReportView.render(rollback).dropFirst().joined(separator: "\n"))
        }
        if rollback.status != .rolledBack { throw ExitCode(1) }
    }

    /// The plan in a saved result; a file that is not one, or a result without a plan, is a
    /// usage error with a line saying what the file should be.
    static func readPlan(_ path: String, limits: InputLimits) throws -> [PlannedCompensation] {
        let absolute = Terminal.absolutePath(path)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            Terminal.error("FILE_UNREADABLE: cannot read the run result \(absolute); check the path.")
            throw ExitCode(2)
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse([UInt8](data), maximumDepth: limits.maximumJSONDepth)
        } catch {
            Terminal.error("COMPENSATION_INVALID: \(absolute) is not JSON (\(error)); give the `plugin-host run --json` output of a degraded run.")
            throw ExitCode(2)
        }
        guard case .array(let entries)? = document["rollback"]?["plan"] else {
            Terminal.error("COMPENSATION_INVALID: \(absolute) has no rollback.plan; it must be the `run --json` result of a run that ended degraded (settings.rollback \"manual\").")
            throw ExitCode(1)
        }
        if document["rollback"]?["status"] != "planned" {
            Terminal.error("COMPENSATION_INVALID: the rollback in \(absolute) has already run (status \(document["rollback"]?["status"]?.stringValue ?? "?")); nothing to do.")
            throw ExitCode(1)
        }
        do {
            return try entries.map { (entry: JSONValue) throws(ResultReadingError) in try PlannedCompensation(json: entry) }
        } catch {
            Terminal.error("COMPENSATION_INVALID: a rollback.plan entry in \(absolute) cannot be read: \(error).")
            throw ExitCode(2)
        }
    }
}
