import PluginHostCore
import PluginRuntime

/// The ``WorkflowNodeExecutor`` of a real host: each workflow node becomes one
/// `host.execute(… recovery:)` call, so a workflow node gets exactly the pipeline `exec` gets
/// (tenant check, lookup, on-demand load, data isolation, schema validation, the call, audit)
/// plus its retries, fallback, skip/continue and timeout.
///
/// Recoveries are read once per run, when the executor is made, from the nodes' fields and the
/// workflow's settings (``WorkflowRecovery``). A node whose recovery fields are invalid (only
/// possible when the caller skipped validation) fails with `RECOVERY_INVALID` without running.
public struct HostNodeExecutor: WorkflowNodeExecutor {
    public let host: PluginHost
    public let tenant: String?
    /// By node index: the recovery to apply, or the problem that makes it unusable.
    private let recoveries: [Result<NodeRecovery, Problem>]

    public init(host: PluginHost, tenant: String?, workflow: Workflow) {
        self.host = host
        self.tenant = tenant
        let reading = WorkflowRecovery(settings: workflow.settings)
        recoveries = workflow.nodes.enumerated().map { index, node in
            let (recovery, problems) = reading.recovery(for: node, pointer: "/nodes/\(index)")
            if let recovery, !reading.settingsProblems.containsError { return .success(recovery) }
            let first = (reading.settingsProblems + problems).first { $0.severity == .error }
            return .failure(first ?? Problem(.recoveryInvalid, .error, "The recovery settings of node `\(node.name)` are invalid; run `plugin-host validate`."))
        }
    }

    /// The recovery applied to the node at `index` in the workflow, or why there is none.
    public func recovery(nodeIndex index: Int) -> Result<NodeRecovery, Problem> { recoveries[index] }

    public func execute(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) async -> NodeResult {
        // Made for another workflow than the one running: refuse rather than guess.
        guard recoveries.indices.contains(context.nodeIndex) else {
            return .failure(nodeType: node.type, code: .recoveryInvalid, message: "This executor was made for another workflow; make one per workflow.", startedAt: WallClock.now())
        }
        let recovery: NodeRecovery
        switch recoveries[context.nodeIndex] {
        case .success(let found): recovery = found
        case .failure(let problem):
            return .failure(nodeType: node.type, code: problem.code, message: problem.message, startedAt: WallClock.now())
        }
        return await host.execute(nodeType: node.type, parameters: parameters, input: input, tenant: tenant, recovery: recovery)
    }
}
