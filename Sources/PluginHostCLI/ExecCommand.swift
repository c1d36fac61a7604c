import ArgumentParser
import PluginHostCore
import PluginMetadata
import PluginRuntime
import PluginWorkflow

/// `plugin-host exec NODE_TYPE`: find the plugin providing a node type, load it, run one node.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Execute one node and print its result.",
        discussion: "Exits 0 when the node succeeded (or was skipped by --on-error skip), 1 when it failed, 2 on a usage error."
    )

    @Argument(help: "The node type to execute, e.g. math.add.")
    var nodeType: String

    @Option(help: "The node's parameters as a JSON object.")
    var params: String = "{}"

    @Option(help: "The node's input items as a JSON array.")
    var input: String = "[]"


    @Option(help: ArgumentHelp("A retry policy as JSON, the workflow `retry` format.", discussion: "e.g. '{\"maximumAttempts\":3,\"initialIntervalMs\":100}'", valueName: "json"))
    var retry: String?

    @Option(name: .customLong("on-error"), help: ArgumentHelp("What happens once retries are exhausted: fail, fallback, skip or continue.", valueName: "strategy"))
    var onError: String?

    @Option(name: .customLong("fallback"), help: ArgumentHelp("The node type to run instead when --on-error is fallback.", valueName: "node-type"))
    var fallbackNodeType: String?

    @Option(name: .customLong("timeout-ms"), help: ArgumentHelp("The most one attempt may take, in milliseconds.", valueName: "ms"))
    var timeoutMs: Double?

    @OptionGroup var hostOptions: ExecutingHostOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try parseJSON(params, option: "--params", expected: "object")
        _ = try parseJSON(input, option: "--input", expected: "array")
        _ = try recovery()
    }

    /// The recovery the options ask for, read by the same rules as a workflow node's fields
    /// (so `exec` and `run` can never disagree about what a retry policy means).
    func recovery() throws -> NodeRecovery {
        var node = WorkflowNode(name: "exec", type: nodeType)
        if let retry { node.retry = try parseJSON(retry, option: "--retry", expected: "object") }
        node.onError = onError.map(JSONValue.string)
        node.fallbackNodeType = fallbackNodeType.map(JSONValue.string)
        node.timeoutMs = timeoutMs.map(JSONValue.double)
        let (recovery, problems) = WorkflowRecovery(settings: WorkflowSettings()).recovery(for: node, pointer: "")
        for problem in problems where problem.severity == .warning { Terminal.error("\(problem.code): \(problem.message)") }
        guard let recovery else {
            let errors = problems.filter { $0.severity == .error }.map { "\($0.code): \($0.message)" }
            throw ValidationError(errors.joined(separator: "\n"))
        }
        return recovery
    }

    /// Parses an option's JSON, turning a syntax error into a usage error that says where; nested
    /// no deeper than `--max-json-depth`, like every document the host reads.
    func parseJSON(_ text: String, option: String, expected: String) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONParser.parse(Terminal.rawArgument(text, option: option), maximumDepth: hostOptions.inputLimits.limits.maximumJSONDepth)
        } catch where error.exceededDepth != nil {
            throw ValidationError("\(ProblemCode.jsonTooDeep): \(hostOptions.inputLimits.limits.tooDeep(option)) (\(error)); use --max-json-depth.")
        } catch {
            throw ValidationError("\(option) is not valid JSON: \(error). Quote it for the shell, e.g. \(option) '{\"a\":2}'.")
        }
        guard value.typeName == expected else {
            throw ValidationError("\(option) must be a JSON \(expected), not \(value.typeName).")
        }
        return value
    }

    func run() async throws {
        let parameters = try parseJSON(params, option: "--params", expected: "object")
        let items = try parseJSON(input, option: "--input", expected: "array")
        let configuration = try hostOptions.configuration()
        let host = PluginHost(configuration: configuration)
        defer { host.shutdownWorkers() }
        let result = await host.execute(
            nodeType: nodeType, parameters: parameters, input: items, tenant: hostOptions.tenancy.tenant, recovery: try recovery())
        // A node skipped by `--on-error skip` is a recovered outcome, as in a workflow run.
        let recovered = result.succeeded || result.status == .skipped
        if output.json {
            var stream = JSONStream(style: .pretty)
            result.write(to: &stream)
            Terminal.printJSON(bytes: stream.bytes)
        } else if result.status == .skipped {
            Terminal.error("skipped (--on-error skip) after \(result.errorCode?.rawValue ?? "ERROR"): \(result.error ?? "the node failed")")
        } else if result.succeeded {
            print(JSONWriter.string(result.output ?? .null, style: .pretty))
        } else {
            Terminal.error("\(result.errorCode?.rawValue ?? "ERROR"): \(result.error ?? "the node failed")")
            for violation in result.validationErrors {
                Terminal.error("  \(violation.path.isEmpty ? "/" : violation.path): \(violation.message)")
            }
        }
        if !recovered { throw ExitCode(1) }
    }
}
