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
///
/// It is a ``BlockingWorkflowNodeExecutor``: a run's lanes are the host's own threads, and each
/// calls `PluginHost.executeOnLane`, so every in-process node runs on its lane with no hand-off
/// at all, with or without a time limit: a `timeoutMs` is watched by the process's watchdog,
/// which gives a lane stuck in a late plugin call up and carries the run on on a new thread.
public struct HostNodeExecutor: BlockingWorkflowNodeExecutor {
    public let host: PluginHost
    public let tenant: String?
    /// By node index: the recovery to apply, or the problem that makes it unusable.
    private let recoveries: [Result<NodeRecovery, Problem>]

    public init(host: PluginHost, tenant: String?, workflow: Workflow) {
        self.host = host
        self.tenant = tenant
        let reading = WorkflowRecovery(settings: workflow.settings)
        recoveries = workflow.nodes.enumerated().map { index, node in
            // Read without the node's pointer first: it is needed only to word a problem.
            let (recovery, _) = reading.recovery(for: node, pointer: "")
            if let recovery, !reading.settingsProblems.containsError { return .success(recovery) }
            let problems = reading.recovery(for: node, pointer: "/nodes/\(index)").1
            let first = (reading.settingsProblems + problems).first { $0.severity == .error }
            return .failure(first ?? Problem(.recoveryInvalid, .error, "The recovery settings of node `\(node.name)` are invalid; run `plugin-host validate`."))
        }
    }

    /// The recovery applied to the node at `index` in the workflow, or why there is none.
    public func recovery(nodeIndex index: Int) -> Result<NodeRecovery, Problem> { recoveries[index] }

    public func execute(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) async -> NodeResult {
        switch recovery(for: node, context: context) {
        case .run(let recovery):
            return await host.execute(
                nodeType: node.type, parameters: parameters, input: input, tenant: tenant, recovery: recovery,
                control: context.control)
        case .refused(let result):
            return result
        }
    }

    public func executeOnLane(
        node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext,
        replacement: @escaping @Sendable (NodeResult) -> Void
    ) -> NodeResult? {
        switch recovery(for: node, context: context) {
        case .run(let recovery):
            return host.executeOnLane(
                nodeType: node.type, parameters: parameters, input: input, tenant: tenant, recovery: recovery,
                control: context.control, replacement: replacement)
        case .refused(let result):
            return result
        }
    }

    public func startLane(_ lane: @escaping @Sendable () -> Void) {
        host.runOnHostThread(lane)
    }

    private enum Plan {
        case run(NodeRecovery)
        case refused(NodeResult)
    }

    /// The node's recovery, or the failed result for a node that has none to run with.
    private func recovery(for node: WorkflowNode, context: RunContext) -> Plan {
        // Made for another workflow than the one running: refuse rather than guess.
        guard recoveries.indices.contains(context.nodeIndex) else {
            return .refused(.failure(
                nodeType: node.type, code: .recoveryInvalid, message: "This executor was made for another workflow; make one per workflow.",
                startedAt: WallClock.now()))
        }
        switch recoveries[context.nodeIndex] {
        case .success(let found): return .run(found)
        case .failure(let problem):
            return .refused(.failure(nodeType: node.type, code: problem.code, message: problem.message, startedAt: WallClock.now()))
        }
    }
}
