import ArgumentParser
import PluginHostCore
import PluginRuntime
import PluginWorkflow

/// `plugin-host validate WORKFLOW`: every problem with a workflow, at once, without running it.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a workflow without running it: every problem at once, or the graph in Graphviz DOT.",
        discussion: """
            Checks the shape, unique node names, connections, cycles (named as a path), $refs (upstream only), \
            node types (known, allowed for --tenant), typeVersion, parameters against each node's schema, and \
            recovery settings. Reads plugin metadata only; no plugin code runs. \
            --dot prints the graph on stdout (problems go to stderr): plugin-host validate wf.json --dot | dot -Tsvg > wf.svg. \
            Exits 0 when valid (warnings allowed), 1 when invalid, 2 on a usage error.
            """
    )

    @Argument(help: "The workflow file (n8n-style JSON).")
    var workflow: String

    @Flag(help: "Print the workflow graph in Graphviz DOT instead of the problem list.")
    var dot = false

    @Option(name: .customLong("plugin-dir"), help: "A plugin directory to search before PLUGIN_HOST_PATH and the default directories (repeatable).")
    var pluginDirectories: [String] = []

    @OptionGroup var mode: ModeOptions
    @OptionGroup var discovery: DiscoveryOptions
    @OptionGroup var tenancy: TenancyOptions
    @OptionGroup var inputLimits: InputLimitOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if dot && output.json { throw ValidationError("--dot and --json both print on stdout; choose one.") }
    }

    func run() async throws {
        let parsed = try WorkflowFile.read(workflow, limits: inputLimits.limits)
        var configuration = discovery.configuration(directories: pluginDirectories, mode: mode.mode)
        inputLimits.apply(to: &configuration)
        try tenancy.apply(to: &configuration)
        let host = PluginHost(configuration: configuration)
        let report = HostWorkflows(host: host, tenant: tenancy.tenant).validate(parsed)
        if dot {
            print(WorkflowGraph(parsed.workflow).dot(), terminator: "")
            for problem in report.problems { Terminal.error(ProblemListView.line(problem)) }
        } else if output.json {
            Terminal.printJSON(report.json())
        } else {
            print(ProblemListView.render(report, file: workflow, nodeCount: parsed.workflow.nodes.count))
        }
        if !report.valid { throw ExitCode(1) }
    }
}
