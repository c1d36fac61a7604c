import ArgumentParser
import PluginHostCore
import PluginMetadata
import PluginRuntime

/// `plugin-host exec NODE_TYPE`: find the plugin providing a node type, load it, run one node.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Execute one node and print its result.",
        discussion: "Exits 0 when the node succeeded, 1 when it failed, 2 on a usage error."
    )

    @Argument(help: "The node type to execute, e.g. math.add.")
    var nodeType: String

    @Option(help: "The node's parameters as a JSON object.")
    var params: String = "{}"

    @Option(help: "The node's input items as a JSON array.")
    var input: String = "[]"

    @Option(name: .customLong("plugin-dir"), help: "A plugin directory to search (repeatable; default: PLUGIN_HOST_PATH, else the bundled plugins).")
    var pluginDirectories: [String] = []

    @OptionGroup var mode: ModeOptions
    @OptionGroup var discovery: DiscoveryOptions
    @OptionGroup var initialization: InitOptionGroup
    @OptionGroup var tenancy: TenancyOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try Self.parseJSON(params, option: "--params", expected: "object")
        _ = try Self.parseJSON(input, option: "--input", expected: "array")
    }

    /// Parses an option's JSON, turning a syntax error into a usage error that says where.
    static func parseJSON(_ text: String, option: String, expected: String) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw ValidationError("\(option) is not valid JSON: \(error). Quote it for the shell, e.g. \(option) '{\"a\":2}'.")
        }
        guard value.typeName == expected else {
            throw ValidationError("\(option) must be a JSON \(expected), not \(value.typeName).")
        }
        return value
    }

    func run() async throws {
        let parameters = try Self.parseJSON(params, option: "--params", expected: "object")
        let items = try Self.parseJSON(input, option: "--input", expected: "array")
        var configuration = discovery.configuration(directories: pluginDirectories, mode: mode.mode)
        configuration.initOptions = try initialization.options()
        try tenancy.apply(to: &configuration)
        let host = PluginHost(configuration: configuration)
        let result = await host.execute(nodeType: nodeType, parameters: parameters, input: items, tenant: tenancy.tenant)
        if output.json {
            Terminal.printJSON(result.json())
        } else if result.succeeded {
            print(JSONWriter.string(result.output ?? .null, style: .pretty))
        } else {
            Terminal.error("\(result.errorCode?.rawValue ?? "ERROR"): \(result.error ?? "the node failed")")
            for violation in result.validationErrors {
                Terminal.error("  \(violation.path.isEmpty ? "/" : violation.path): \(violation.message)")
            }
        }
        if !result.succeeded { throw ExitCode(1) }
    }
}
