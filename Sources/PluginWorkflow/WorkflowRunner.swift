import PluginHostCore
import PluginLoader
import PluginRuntime
import Synchronization

/// Runs a workflow as a DAG: each node once all its parents are done, up to `concurrency` at a time.
///
/// Semantics:
/// - A node's input is a JSON array of its parents' output items, in connection order (see
///   ``Workflow``): an array output contributes its elements, `null` or no output contributes
///   nothing, any other value contributes itself as one item. A root node gets `[]`.
/// - A parent that ended `skipped` (`onError: skip`) has no output: its children still run and
///   get no items from it. A `$ref` to a skipped node does not resolve.
/// - `$ref`s are resolved just before the node runs; one that does not resolve fails the node
///   with `INVALID_PARAMETERS` without calling the executor.
/// - A node that ends `error` (its recovery, applied inside the executor, did not save it) or
///   `cancelled` cancels every descendant not yet run (status `cancelled`, error "not run:
///   upstream node X failed", no error code) and fails the run; independent branches go on.
///
/// Scheduling: structured concurrency with a pool of at most `concurrency` worker tasks in
/// one task group. A worker loops: take a ready node, run it, store its result in the node's
/// slot, then in one critical section record how it ended (which makes children ready) and
/// take the next; all bookkeeping under one lock, in arrays indexed by node number. A worker
/// exits when nothing is ready, or when more is ready than it can take and the pool is below
/// the limit; the group's owner then tops the pool up to the number of ready nodes. So a
/// chain runs on one worker with no task switches, and the limit holds: never more than
/// `concurrency` nodes execute at once.
///
/// With a ``BlockingWorkflowNodeExecutor`` (the host's ``HostNodeExecutor``) the workers are
/// lanes on threads the executor owns, not tasks: each calls the executor synchronously, so a
/// node's plugin call runs on its lane and costs no hand-off to another thread and back (that
/// hand-off was most of a real node's cost: 20–33 µs of the 21–33 µs per node measured before).
/// Same scheduling, same limit; a worker that exits tops the lanes up itself. A lane stuck in a
/// plugin call past its time limit is given up by the executor, which carries it on on a new
/// thread (``BlockingWorkflowNodeExecutor/executeOnLane(node:parameters:input:context:replacement:)``).
public struct WorkflowRunner: Sendable {
    public let graph: WorkflowGraph
    public let executor: any WorkflowNodeExecutor
    /// The effective limit: the override if given, else the workflow's `settings.concurrency`.
    public let concurrency: Int
    public let tracer: TraceRecorder?
    public let progress: (@Sendable (RunProgress) -> Void)?
    /// Where the run records its progress, and the journal it resumes, if any.
    public let journaling: RunJournaling?
    /// Cancels the run from outside: the nodes not started end `cancelled`, the running ones
    /// see `is_cancelled`, and the run ends `cancelled`. Cancelling the run's task does the same.
    public let cancellation: CancellationFlag
    /// Told of every node that starts and finishes, and of the run's end (see ``RunEvent``).
    public let events: (@Sendable (RunEvent) -> Void)?
    /// Whether connections carry data and failures (a workflow) or only order (compensations).
    public let connections: ConnectionMeaning
    /// Added to every lane number in the trace, so a second run on the same recorder (a
    /// rollback) draws in lanes of its own.
    public let traceLaneOffset: Int
    /// The run's input: what every node without parents gets as its input items (`[]` by default).
    public let input: JSONValue

    /// Prepares a run; throws the graph problems (duplicate names, dangling connections,
    /// cycles, bad `$ref`s) of a workflow that cannot be scheduled. Node types, parameters and
    /// tenants are the executor's business (and ``WorkflowValidator``'s beforehand).
    ///
    /// `progress` is called after every node finishes, serially and under the scheduler's
    /// lock: it must be quick (a terminal line should throttle itself). `events` is called on
    /// the thread that started or finished the node, not under the lock, concurrently from
    /// several lanes: it must be quick and thread-safe (``RunEvent/stream(bufferingNewest:)``
    /// turns it into an `AsyncStream`).
    public init(
        workflow: Workflow, executor: any WorkflowNodeExecutor, concurrency: Int? = nil, tracer: TraceRecorder? = nil,
        progress: (@Sendable (RunProgress) -> Void)? = nil, journaling: RunJournaling? = nil,
        cancellation: CancellationFlag = CancellationFlag(), events: (@Sendable (RunEvent) -> Void)? = nil,
        connections: ConnectionMeaning = .dataFlow, traceLaneOffset: Int = 0, input: JSONValue = .array([])
    ) throws(WorkflowValidationReport) {
        let graph = WorkflowGraph(workflow)
        let problems = graph.structureProblems()
        if problems.containsError { throw WorkflowValidationReport(problems: problems) }
        self.graph = graph
        self.executor = executor
        self.concurrency = max(1, concurrency ?? workflow.settings.concurrency)
        self.tracer = tracer
        self.progress = progress
        self.journaling = journaling
        self.cancellation = cancellation
        self.events = events
        self.connections = connections
        self.traceLaneOffset = traceLaneOffset
        self.input = input
        if case .orderOnly(let inputs) = connections, inputs.count != graph.nodeCount {
            preconditionFailure("an order-only run needs one input per node (\(inputs.count) for \(graph.nodeCount))")
        }
    }

    /// Runs every node and returns all results; never throws (a failed node is data).
    public func run() async -> WorkflowRunResult {
        let started = WallClock.monotonicNanoseconds()
        let slots = NodeResultSlots(count: graph.nodeCount)
        let shared = RunContext.Run(workflowName: graph.workflow.name, settings: graph.workflow.settings, cancellation: cancellation)
        let journal = RunJournal(journaling, cancellation: cancellation)
        let replayed: [Int: NodeResult]
        switch await offThePool(journal, { [graph] () -> Result<[Int: NodeResult], JournalFailure> in
            do throws(JournalFailure) { return .success(try journal.begin(graph: graph)) } catch { return .failure(error) }
        }) {
        case .success(let results): replayed = results
        case .failure(let error): return refusedResume(error, since: started)
        }
        let scheduler = Scheduler(slots: slots, state: SchedulerState(
            graph: graph, concurrency: concurrency, slots: slots, progress: progress, replayed: replayed,
            connections: connections, rootInput: input))
        let context = LaneRunContext(shared: shared, journal: journal)
        if let blocking = executor as? any BlockingWorkflowNodeExecutor {
            await runOnLanes(blocking, scheduler, context)
        } else {
            await withTaskCancellationHandler {
                await withTaskGroup(of: Void.self) { group in
                    var spawn = scheduler.state.withLock { $0.claimWorkers() }
                    while true {
                        for _ in 0..<spawn {
                            group.addTask { await self.work(scheduler, context) }
                        }
                        guard await group.next() != nil else { break }
                        spawn = scheduler.state.withLock { $0.claimWorkers() }
                    }
                }
            } onCancel: {
                cancellation.cancel()
            }
        }
        // Taking the lock once more orders every worker's result store before the reads.
        let failed = scheduler.state.withLock { $0.failed }
        var anyUnreached = false
        let nodes = slots.takeAll { index, result -> (name: String, result: NodeResult) in
            // Moved out of the slot, not copied. Every node ends with a result in an acyclic
            // graph; the fallback only guards the invariant.
            if let result { return (graph.workflow.nodes[index].name, result) }
            anyUnreached = true
            return (graph.workflow.nodes[index].name, Self.unreached(graph.workflow.nodes[index]))
        }
        let elapsed = Double(WallClock.monotonicNanoseconds() - started) / 1e6
        let problems = journal.problems
        let status: WorkflowRunResult.Status
        if cancellation.isCancelled && problems.isEmpty && (failed > 0 || anyUnreached) {
            // A cancel that came after every node had finished cancelled nothing.
            status = .cancelled
        } else {
            status = failed > 0 || anyUnreached || !problems.isEmpty ? .failed : .success
        }
        var result = WorkflowRunResult(status: status, durationMs: elapsed, nodes: nodes, problems: problems)
        await offThePool(journal) { journal.end(status: status) }
        result.problems = journal.problems
        events?(.runFinished(result))
        return result
    }

    /// Runs `body`, which waits for the journal, on a lane's thread when the executor has lanes:
    /// a journal append blocks its thread until the entry is durable (a database commit), and
    /// a run's start and end must not hold one of the cooperative pool's few threads for that
    /// long (with a store's commits, every run doing so starved the server's request handling).
    /// Without a journal, or with an executor that has no lanes, it runs here.
    private func offThePool<T: Sendable>(_ journal: RunJournal, _ body: @escaping @Sendable () -> T) async -> T {
        guard journal.isActive, let lanes = executor as? any BlockingWorkflowNodeExecutor else { return body() }
        return await withCheckedContinuation { (done: CheckedContinuation<T, Never>) in
            lanes.startLane { done.resume(returning: body()) }
        }
    }

    /// Why the run stops starting nodes now, if it does: the journal failed, or it was cancelled.
    private func stopReason(_ context: LaneRunContext) -> String? {
        guard context.shared.cancellation.isCancelled else { return nil }
        return context.journal.hasFailed ? "not run: the run's journal failed" : "not run: the run was cancelled"
    }

    /// A run whose journal could not be resumed (JOURNAL_INVALID) or not even started
    /// (JOURNAL_FAILED): nothing ran, every node says why.
    private func refusedResume(_ failure: JournalFailure, since started: UInt64) -> WorkflowRunResult {
        let reason = failure.code == .journalInvalid ? "the journal could not be resumed" : "the run's journal could not record its start"
        let nodes = graph.workflow.nodes.map { node -> (name: String, result: NodeResult) in
            var result = NodeResult(nodeType: node.type, status: .cancelled, startedAt: WallClock.now())
            result.error = "not run: " + reason
            return (node.name, result)
        }
        let result = WorkflowRunResult(
            status: .failed, durationMs: Double(WallClock.monotonicNanoseconds() - started) / 1e6, nodes: nodes,
            problems: [failure.problem])
        events?(.runFinished(result))
        return result
    }

    /// One worker task: runs ready nodes one at a time until the scheduler tells it to exit.
    private func work(_ scheduler: Scheduler, _ context: LaneRunContext) async {
        var job = scheduler.state.withLock { $0.nextJob(cancelled: stopReason(context)) }
        let nodes = graph.workflow.nodes
        while let current = job {
            let mark = traceMark()
            let result: NodeResult
            switch begin(current, context) {
            case .run(let nodeContext):
                result = await executor.execute(node: nodes[current.index], parameters: current.parameters, input: current.input, context: nodeContext)
            case .refused(let refusal):
                result = refusal
            }
            job = finished(current, result, since: mark, scheduler, context) { $0.nextJob(cancelled: stopReason(context)) }
        }
        // Its last result was only queued (see RunJournal): written before the worker ends.
        context.journal.flush()
    }

    /// What a node needs before it runs: its context (with the execution id the journal
    /// recorded), or, when the journal could not record its start, the failure it ends with.
    private enum Begin {
        case run(RunContext)
        case refused(NodeResult)
    }

    private func begin(_ job: ScheduledJob, _ context: LaneRunContext) -> Begin {
        var nodeContext = RunContext(run: context.shared, nodeIndex: job.index, lane: job.lane)
        let node = graph.workflow.nodes[job.index]
        if context.journal.isActive {
            switch context.journal.nodeStarted(node.name) {
            case .success(let id): nodeContext.executionID = id
            case .failure(let failure):
                return .refused(.failure(
                    nodeType: node.type, code: failure.code, message: failure.message + " The node was not run.",
                    startedAt: WallClock.now()))
            }
        }
        events?(.nodeStarted(node: node.name, index: job.index, executionID: nodeContext.executionID))
        return .run(nodeContext)
    }

    /// The lanes of a ``BlockingWorkflowNodeExecutor``: the same workers as ``work(_:_:)``, each
    /// on a thread the executor starts, calling it synchronously, so a node runs on its lane
    /// with no hand-off. A worker that exits tops the lanes up itself (the owner's job in the
    /// task-group form); the last one to exit, with nothing left to start, ends the run.
    /// Cancelling the task stops lanes from taking new nodes, as in the task-group form.
    private func runOnLanes(_ executor: any BlockingWorkflowNodeExecutor, _ scheduler: Scheduler, _ context: LaneRunContext) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (over: CheckedContinuation<Void, Never>) in
                let spawn = scheduler.state.withLock { $0.claimWorkers() }
                if spawn == 0 { over.resume(); return }
                for _ in 0..<spawn {
                    executor.startLane { self.lane(executor, scheduler, context, over) }
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    private func lane(
        _ executor: any BlockingWorkflowNodeExecutor, _ scheduler: Scheduler, _ context: LaneRunContext,
        _ over: CheckedContinuation<Void, Never>, from first: (job: ScheduledJob?, spawn: Int, last: Bool)? = nil
    ) {
        var step = first ?? scheduler.state.withLock { $0.nextJobOrExit(cancelled: stopReason(context)) }
        let nodes = graph.workflow.nodes
        // Made once per lane, not per node: what a replacement thread needs to carry the lane on.
        let cursor = LaneCursor()
        let replacement: @Sendable (NodeResult) -> Void = { result in
            guard let current = cursor.job else { return }
            let next = self.finished(current, result, since: cursor.mark, scheduler, context) {
                $0.nextJobOrExit(cancelled: self.stopReason(context))
            }
            self.lane(executor, scheduler, context, over, from: next)
        }
        while let current = step.job {
            let mark = traceMark()
            let result: NodeResult
            switch begin(current, context) {
            case .run(let nodeContext):
                cursor.job = current
                cursor.mark = mark
                guard let returned = executor.executeOnLane(
                    node: nodes[current.index], parameters: current.parameters, input: current.input, context: nodeContext,
                    replacement: replacement)
                else {
                    // This thread was given up to a late plugin call: the replacement carries the lane on.
                    return
                }
                result = returned
            case .refused(let refusal):
                result = refusal
            }
            step = finished(current, result, since: mark, scheduler, context) { $0.nextJobOrExit(cancelled: stopReason(context)) }
        }
        // Its last result was only queued (see RunJournal): written before the lane ends,
        // unless this is the run's last lane, whose end writes it with `runFinished`.
        if !step.last { context.journal.flush() }
        for _ in 0..<step.spawn {
            executor.startLane { self.lane(executor, scheduler, context, over) }
        }
        if step.last { over.resume() }
    }

    /// When a node started, on both clocks, for its trace events (zero without a tracer).
    private func traceMark() -> (nanoseconds: UInt64, epoch: Double) {
        tracer == nil ? (0, 0) : (WallClock.monotonicNanoseconds(), WallClock.now())
    }

    /// Records a worker's finished node (trace, journal, events, result slot, scheduler) and
    /// returns what `next` decides in the same critical section (its next job). The journal
    /// entry is queued before the scheduler learns of the result, so no child's start is
    /// journaled before its parent's result is (it is written with the child's `nodeStarted`,
    /// or before it).
    private func finished<Next>(
        _ job: ScheduledJob, _ result: NodeResult, since mark: (nanoseconds: UInt64, epoch: Double), _ scheduler: Scheduler,
        _ context: LaneRunContext, next: (inout SchedulerState) -> Next
    ) -> Next {
        let node = graph.workflow.nodes[job.index]
        if let tracer {
            record(result, of: node, lane: job.lane + traceLaneOffset, from: mark.nanoseconds, epoch: mark.epoch, into: tracer)
        }
        if context.journal.isActive { context.journal.nodeFinished(node.name, result) }
        events?(.nodeFinished(node: node.name, index: job.index, result: result))
        let status = result.status
        let output = result.output
        // Stored before the lock (see NodeResultSlots): the critical section stays short.
        scheduler.slots.store(result, at: job.index)
        return scheduler.state.withLock { state in
            state.complete(job, status: status, output: output)
            return next(&state)
        }
    }

    /// Records the node's attempts, placed on the monotonic clock and clamped into the span
    /// the worker held the lane, so events in one lane never overlap whatever the executor's
    /// clocks say. A node that never reached the plugin is one event with attempt 0.
    private func record(_ result: NodeResult, of node: WorkflowNode, lane: Int, from start: UInt64, epoch: Double, into tracer: TraceRecorder) {
        let end = max(WallClock.monotonicNanoseconds(), start)
        let span = end - start
        func event(_ attempt: Int, _ from: UInt64, _ to: UInt64, _ status: NodeStatus, _ code: ProblemCode?) -> TraceEvent {
            TraceEvent(nodeName: node.name, nodeType: node.type, attempt: attempt, lane: lane, startNanoseconds: from, endNanoseconds: to, status: status, errorCode: code)
        }
        guard !result.attempts.isEmpty else {
            tracer.record(event(0, start, end, result.status, result.errorCode))
            return
        }
        for attempt in result.attempts {
            let offset = UInt64(min(max((attempt.startedAt - epoch) * 1e9, 0), Double(span)))
            let length = UInt64(min(max(attempt.durationMs * 1e6, 0), Double(span - offset)))
            tracer.record(event(attempt.number, start + offset, start + offset + length, attempt.status, attempt.errorCode))
        }
    }

    private static func unreached(_ node: WorkflowNode) -> NodeResult {
        var result = NodeResult(nodeType: node.type, status: .cancelled, startedAt: WallClock.now())
        result.error = "not run: no upstream path finished"
        return result
    }
}

/// What a run's connections mean.
public enum ConnectionMeaning: Sendable {
    /// A workflow: a node's input is its parents' output items, and a node that fails cancels
    /// everything downstream of it.
    case dataFlow
    /// Order only (a rollback's compensations): each node gets its given input (one per node,
    /// in node order), still runs only after its parents, and runs even when they failed.
    case orderOnly(inputs: [JSONValue])
}

/// What every worker of one run shares: the contexts' common part and the journal.
final class LaneRunContext: Sendable {
    let shared: RunContext.Run
    let journal: RunJournal

    init(shared: RunContext.Run, journal: RunJournal) {
        self.shared = shared
        self.journal = journal
    }
}

/// The node a lane is running and when it started: what a replacement thread needs to finish
/// that node and carry the lane on, if the executor gives the lane's thread up.
///
/// Why `@unchecked Sendable`: one thread owns it at a time. The lane's thread writes it before
/// each node and reads nothing back; the executor calls the replacement (which reads it) only
/// after giving that thread up, which then returns without touching it, and the executor's
/// hand-over is ordered by a lock.
private final class LaneCursor: @unchecked Sendable {
    var job: ScheduledJob?
    var mark: (nanoseconds: UInt64, epoch: Double) = (0, 0)
}

/// The scheduler's state behind its lock, shared by the workers of one run.
final class Scheduler: Sendable {
    let slots: NodeResultSlots
    let state: Locked<SchedulerState>

    init(slots: NodeResultSlots, state: consuming SchedulerState) {
        self.slots = slots
        self.state = Locked(state)
    }
}
