import PluginHostCore
import PluginLoader
import PluginRuntime

/// Runs compensations with the same scheduler, executor and rules as the nodes they undo: a
/// failed run's at once (`automatic`), or a saved plan later (`manual`, `plugin-host rollback`).
///
/// The plan becomes a workflow of its own: one node per compensation (named like the node it
/// undoes, its `$ref`s already resolved, its own retry policy, `onError: fail`), a connection
/// from each compensation to those that must wait for it, run with order-only connections
/// (``ConnectionMeaning/orderOnly(inputs:)``): each compensation gets the undone node's output
/// as input, and one that fails does not stop the others. Concurrency is the workflow's.
public struct RollbackRun: Sendable {
    public let workflowName: String
    public let concurrency: Int
    /// Makes the executor for the compensations' workflow (the host's, for its tenant).
    public let executor: @Sendable (Workflow) -> any WorkflowNodeExecutor
    public let tracer: TraceRecorder?
    /// The trace lanes start after the forward run's (`concurrency`), named "rollback n".
    public let traceLaneOffset: Int
    /// Where each compensation's result is journaled, if the run keeps a journal.
    public let journal: (any ExecutionJournal)?

    public init(
        workflowName: String, concurrency: Int, executor: @escaping @Sendable (Workflow) -> any WorkflowNodeExecutor,
        tracer: TraceRecorder? = nil, traceLaneOffset: Int = 0, journal: (any ExecutionJournal)? = nil
    ) {
        self.workflowName = workflowName
        self.concurrency = max(1, concurrency)
        self.executor = executor
        self.tracer = tracer
        self.traceLaneOffset = traceLaneOffset
        self.journal = journal
    }

    /// The rollback of a finished run under `strategy`: nil when none applies (the run
    /// succeeded, the strategy is `none`, or no node that succeeded has a compensation); for
    /// `manual` the plan only; for `automatic` the
    /// compensations run. `done` holds compensations that already finished (a resumed run's,
    /// from its journal): they are not run again.
    public func apply(
        to result: WorkflowRunResult, of workflow: Workflow, strategy: RollbackStrategy, done: [String: NodeResult] = [:]
    ) async -> RollbackResult? {
        guard strategy != .none, result.status == .failed || result.status == .cancelled else { return nil }
        let (plan, unprepared) = RollbackPlanner(graph: WorkflowGraph(workflow)).plan(results: result.nodes)
        // Nothing that succeeded declares a compensation: nothing to undo, and the run stays
        // `failed` (a "rolled back" run with no compensation would claim work that never happened).
        guard !plan.isEmpty || !unprepared.isEmpty else { return nil }
        if strategy == .manual {
            return RollbackResult(strategy: .manual, status: .planned, plan: plan, compensations: unprepared)
        }
        return await run(plan, unprepared: unprepared, done: done, strategy: strategy)
    }

    /// The plan of a finished run of `workflow` from its node results by name (a journal's):
    /// what `manual` would have left, for a rollback started later. A node without a result
    /// (one the scheduler cancelled, which is not journaled) did not succeed: nothing to undo.
    public static func plan(
        for workflow: Workflow, results: [String: NodeResult]
    ) -> (plan: [PlannedCompensation], unprepared: [(name: String, result: NodeResult)]) {
        let aligned = workflow.nodes.map { node in
            (name: node.name, result: results[node.name] ?? NodeResult(nodeType: node.type, status: .cancelled, startedAt: 0))
        }
        return RollbackPlanner(graph: WorkflowGraph(workflow)).plan(results: aligned)
    }

    /// Runs `plan` (a manual plan read back from a saved result, or an automatic one).
    public func run(
        _ plan: [PlannedCompensation], unprepared: [(name: String, result: NodeResult)] = [], done: [String: NodeResult] = [:],
        strategy: RollbackStrategy = .manual
    ) async -> RollbackResult {
        let pending = plan.filter { done[$0.node] == nil }.map { entry -> PlannedCompensation in
            var entry = entry
            entry.after.removeAll { done[$0] != nil }
            return entry
        }
        var results = unprepared
        let journalFailures = Locked<[Problem]>([])
        if !pending.isEmpty {
            let workflow = Workflow(
                name: workflowName + " (rollback)", settings: WorkflowSettings(concurrency: concurrency),
                nodes: pending.map { WorkflowNode(name: $0.node, type: $0.type, parameters: $0.parameters, retry: $0.retry, onError: "fail") },
                edges: pending.flatMap { entry in entry.after.map { WorkflowEdge(from: $0, to: entry.node) } })
            if let tracer {
                for lane in 0..<concurrency { tracer.name(lane: traceLaneOffset + lane, "rollback \(lane + 1)") }
            }
            var events: (@Sendable (RunEvent) -> Void)?
            if let journal {
                events = { event in
                    if case .nodeFinished(let node, _, let result) = event {
                        do throws(JournalFailure) {
                            try journal.append(.compensationFinished(node: node, result: result))
                        } catch {
                            journalFailures.withLock { $0.append(error.problem) }
                        }
                    }
                }
            }
            let inputs = pending.map(\.input)
            do throws(WorkflowValidationReport) {
                let runner = try WorkflowRunner(
                    workflow: workflow, executor: executor(workflow), concurrency: concurrency, tracer: tracer,
                    events: events, connections: .orderOnly(inputs: inputs), traceLaneOffset: traceLaneOffset)
                results += await runner.run().nodes
            } catch {
                // A plan edited by hand can name a compensation it does not hold, or carry
                // data that reads as a `$ref`: nothing of it runs, and every entry says why.
                let why = error.problems.first { $0.severity == .error }?.message ?? "the plan is inconsistent"
                results += pending.map { entry in
                    (entry.node, NodeResult.failure(
                        nodeType: entry.type, code: .compensationInvalid, message: "Not run: the rollback plan cannot be scheduled: \(why)",
                        startedAt: WallClock.now()))
                }
            }
        }
        // Plan order, with the ones done before in their place.
        let byName = Dictionary(results.map { ($0.name, $0.result) }, uniquingKeysWith: { first, _ in first })
        var ordered: [(name: String, result: NodeResult)] = plan.compactMap { entry in
            (done[entry.node] ?? byName[entry.node]).map { (entry.node, $0) }
        }
        ordered += unprepared.filter { item in !plan.contains { $0.node == item.name } }
        let failed = ordered.contains { $0.result.status != .success }
        var rollback = RollbackResult(strategy: strategy, status: failed ? .rollbackFailed : .rolledBack, plan: plan, compensations: ordered)
        rollback.problems = journalFailures.withLock { $0 }
        return rollback
    }
}

extension WorkflowRunResult {
    /// The result with `rollback` applied: its status becomes `rolledBack`, `rollbackFailed` or
    /// `degraded` (manual); unchanged without one.
    public func with(rollback: RollbackResult?) -> WorkflowRunResult {
        guard let rollback else { return self }
        var result = self
        result.rollback = rollback
        result.problems += rollback.problems
        switch rollback.status {
        case .rolledBack: result.status = .rolledBack
        case .rollbackFailed: result.status = .rollbackFailed
        case .planned: result.status = .degraded
        }
        return result
    }
}
