import ArgumentParser
import PluginHostCore
import PluginRuntime

/// The input limits (`--max-workflow-nodes` and the rest): each flag overrides one field of
/// ``InputLimits``, whose defaults apply when it is absent. One flag per field, named after it,
/// so a refusal's "HostConfiguration.limits.maximumWorkflowNodes" leads straight to the flag.
struct InputLimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The most nodes a workflow may have (default \(InputLimits().maximumWorkflowNodes)).", valueName: "count"))
    var maxWorkflowNodes: Int?

    @Option(help: ArgumentHelp("The most connections a workflow may have (default \(InputLimits().maximumWorkflowConnections)).", valueName: "count"))
    var maxWorkflowConnections: Int?

    @Option(help: ArgumentHelp("The largest workflow file, in bytes (default \(InputLimits().maximumWorkflowBytes), 256 MiB).", valueName: "bytes"))
    var maxWorkflowBytes: Int?

    @Option(name: .customLong("max-json-depth"), help: ArgumentHelp("The deepest nesting of arrays and objects in a workflow or policy file and in JSON options such as --params (default \(InputLimits().maximumJSONDepth)).", valueName: "levels"))
    var maxJSONDepth: Int?

    @Option(help: ArgumentHelp("The largest policy file, in bytes (default \(InputLimits().maximumPolicyBytes), 16 MiB).", valueName: "bytes"))
    var maxPolicyBytes: Int?

    @Option(help: ArgumentHelp("The most tenants plus node type patterns a policy may list (default \(InputLimits().maximumPolicyEntries)).", valueName: "count"))
    var maxPolicyEntries: Int?

    func validate() throws {
        let given: [(String, Int?)] = [
            ("--max-workflow-nodes", maxWorkflowNodes), ("--max-workflow-connections", maxWorkflowConnections),
            ("--max-workflow-bytes", maxWorkflowBytes), ("--max-json-depth", maxJSONDepth),
            ("--max-policy-bytes", maxPolicyBytes), ("--max-policy-entries", maxPolicyEntries),
        ]
        for (flag, value) in given {
            if let value, value < 1 { throw ValidationError("\(flag) must be at least 1.") }
        }
    }

    /// The defaults with every given flag applied.
    var limits: InputLimits {
        var limits = InputLimits()
        if let maxWorkflowNodes { limits.maximumWorkflowNodes = maxWorkflowNodes }
        if let maxWorkflowConnections { limits.maximumWorkflowConnections = maxWorkflowConnections }
        if let maxWorkflowBytes { limits.maximumWorkflowBytes = maxWorkflowBytes }
        if let maxJSONDepth { limits.maximumJSONDepth = maxJSONDepth }
        if let maxPolicyBytes { limits.maximumPolicyBytes = maxPolicyBytes }
        if let maxPolicyEntries { limits.maximumPolicyEntries = maxPolicyEntries }
        return limits
    }

    func apply(to configuration: inout HostConfiguration) { configuration.limits = limits }
}
