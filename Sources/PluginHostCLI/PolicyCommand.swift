import ArgumentParser
import PluginHostCore
import PluginTenancy

/// `plugin-host policy check FILE`: validate a tenant policy file.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with tenant policy files.",
        subcommands: [PolicyCheckCommand.self]
    )
}

struct PolicyCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a tenant policy file: errors, and warnings for entries that have no effect.",
        discussion: "Exits 1 if the file has errors (warnings alone exit 0)."
    )

    @Argument(help: "The policy file (JSON).")
    var file: String

    @OptionGroup var inputLimits: InputLimitOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let path = Terminal.absolutePath(file)
        let (set, loadProblems) = TenantPolicySet.load(path: path, limits: inputLimits.limits)
        let problems = loadProblems + (set?.warnings.filter { warning in !loadProblems.contains(warning) } ?? [])
        let valid = set != nil && !problems.containsError
        if output.json {
            Terminal.printJSON([
                "file": .string(path), "valid": .bool(valid),
                "tenants": .array((set?.tenantIDs ?? []).map(JSONValue.string)),
                "problems": .array(problems.map(\.json)),
            ])
        } else {
            for problem in problems { print("\(problem.severity.rawValue) \(problem.code): \(problem.message)") }
            print(valid ? "\(path): valid (\(set?.tenantIDs.count ?? 0) tenants, \(problems.count) warnings)" : "\(path): invalid")
        }
        if !valid { throw ExitCode(1) }
    }
}
