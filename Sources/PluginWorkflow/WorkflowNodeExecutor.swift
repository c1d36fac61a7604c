import PluginHostCore
import PluginLoader
import PluginRuntime

/// Runs one workflow node: the only way this module reaches plugins.
///
/// The host implements it over its runtime (lookup, tenant check, validation, retries,
/// timeouts and the `onError` strategy all happen inside `execute`); tests implement it with
/// fakes. It is called concurrently from up to `concurrency` tasks at once.
public protocol WorkflowNodeExecutor: Sendable {
    /// Runs `node` with its `$ref`s already resolved into `parameters`, and its parents'
    /// output items as `input` (a JSON array), and returns its result.
    ///
    /// The result's status decides what happens downstream: `success` and `skipped` let the
    /// children run; `error` (recovery exhausted, or `onError: fail`) and `cancelled` cancel
    /// every descendant and fail the run. Record each attempt in `attempts` (with
    /// `startedAt` and `durationMs`): the trace is drawn from them.
    func execute(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) async -> NodeResult
}

/// An executor that can also run a node synchronously on a thread it owns, so a workflow's
/// lanes call plugins themselves instead of handing every node to another thread and back
/// (``WorkflowRunner`` runs its lanes on ``startLane(_:)``'s threads when the executor is one).
public protocol BlockingWorkflowNodeExecutor: WorkflowNodeExecutor {
    /// ``WorkflowNodeExecutor/execute(node:parameters:input:context:)``, blocking the calling
    /// thread, which is one ``startLane(_:)`` started.
    ///
    /// The executor may give the thread up to a node that does not finish in time (a plugin
    /// call past its `timeoutMs` that C code cannot be stopped in): it then returns nil, once
    /// it can, and calls `replacement` with the node's result on another thread it started,
    /// which carries on as the lane. The caller must end the work it does on the given-up
    /// thread at once. Otherwise it returns the result and never calls `replacement`.
    func executeOnLane(
        node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext,
        replacement: @escaping @Sendable (NodeResult) -> Void
    ) -> NodeResult?

    /// Runs `lane` on a thread that may block (not one of Swift's cooperative pool).
    func startLane(_ lane: @escaping @Sendable () -> Void)
}

/// Where a node execution sits in its run.
public struct RunContext: Sendable {
    /// What every node of one run shares, held once so making a context costs one retain.
    final class Run: Sendable {
        let workflowName: String
        let settings: WorkflowSettings
        let cancellation: CancellationFlag

        init(workflowName: String, settings: WorkflowSettings, cancellation: CancellationFlag) {
            self.workflowName = workflowName
            self.settings = settings
            self.cancellation = cancellation
        }
    }

    private let run: Run
    /// The node's position in the workflow's `nodes`.
    public var nodeIndex: Int
    /// The worker lane (0-based) the node runs in: the smallest lane free when it started,
    /// so at most `concurrency` lanes exist. The trace draws lane `n` as "worker n+1".
    public var lane: Int
    /// The id the node must run under, when the run keeps a journal (the one journaled before
    /// it started; for a node resumed after a crash, the id it had then). Nil: the executor's own.
    public var executionID: ExecutionID?

    /// The workflow's name.
    public var workflowName: String { run.workflowName }
    /// The workflow's settings: the recovery defaults the node inherits.
    public var settings: WorkflowSettings { run.settings }
    /// The run's cancellation: an executor hands it to the call, so a cancelled run's
    /// running nodes see `is_cancelled`.
    public var cancellation: CancellationFlag { run.cancellation }

    public init(workflowName: String, nodeIndex: Int, lane: Int, settings: WorkflowSettings) {
        self.init(run: Run(workflowName: workflowName, settings: settings, cancellation: CancellationFlag()), nodeIndex: nodeIndex, lane: lane)
    }

    init(run: Run, nodeIndex: Int, lane: Int) {
        self.run = run
        self.nodeIndex = nodeIndex
        self.lane = lane
    }

    /// How the host should run the node: under the context's execution id and cancellation.
    public var control: ExecutionControl { ExecutionControl(executionID: executionID, cancellation: run.cancellation) }
}

/// What a run reports as it goes, for a store, a live progress view or a stream of
/// Server-Sent Events (``WorkflowRunner/events``).
public enum RunEvent: Sendable {
    /// A node is about to run (after its journal entry, if the run keeps one).
    case nodeStarted(node: String, index: Int, executionID: ExecutionID?)
    /// A node ran and this is its final result (after retries and recovery). Nodes the
    /// scheduler ends itself (cancelled descendants, an unresolvable `$ref`) are in the run's
    /// result, not reported here.
    case nodeFinished(node: String, index: Int, result: NodeResult)
    /// The run is over: its whole result.
    case runFinished(WorkflowRunResult)

    /// An `AsyncStream` of a run's events and the observer to give the runner: the stream
    /// keeps the newest `limit` events when its reader falls behind (a slow reader never
    /// stalls the run's lanes) and finishes after `runFinished`.
    public static func stream(bufferingNewest limit: Int = 1024) -> (events: AsyncStream<RunEvent>, observer: @Sendable (RunEvent) -> Void) {
        let (stream, continuation) = AsyncStream<RunEvent>.makeStream(bufferingPolicy: .bufferingNewest(limit))
        return (stream, { event in
            continuation.yield(event)
            if case .runFinished = event { continuation.finish() }
        })
    }
}

/// How far a run has come, for a progress line on a terminal.
public struct RunProgress: Sendable, Hashable {
    /// Nodes finished, whatever their status (cancelled ones included).
    public var done: Int
    /// Nodes executing right now.
    public var running: Int
    /// All nodes of the workflow.
    public var total: Int
    /// Nodes that ended `error` or `cancelled` so far.
    public var failed: Int

    public init(done: Int, running: Int, total: Int, failed: Int) {
        self.done = done
        self.running = running
        self.total = total
        self.failed = failed
    }
}
