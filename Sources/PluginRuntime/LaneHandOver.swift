import PluginLoader
import PluginTenancy
import Synchronization

/// A plugin call with a time limit made by a workflow lane on its own thread, and what the
/// execution needs to go on without that thread if the plugin does not return in time.
///
/// A lane calls the plugin itself (no hand-off to another thread and back, which cost more
/// than a trivial node), and one ``DeadlineWatchdog`` entry watches the call. Two ends race,
/// and exactly one wins, by one compare-and-exchange:
///
/// - the call returns first (``returned()``): the lane takes its steps back and goes on;
/// - the deadline passes first (``abandon()``): `is_cancelled` turns true for the plugin, and a
///   new host thread takes the steps, records the attempt as EXECUTION_TIMEOUT and goes on as
///   the lane (retries, `onError`, the result, the lane's next nodes). The old thread stays in
///   the plugin until it returns (C code cannot be stopped safely), then finds it lost and
///   ends without touching the execution again: its late output is dropped, as a call
///   abandoned by the hand-off waiter's timeout always was.
///
/// Why `@unchecked Sendable`: the steps and the audit state are owned by one thread at a
/// time, never shared. The lane stores them before it schedules the watch and touches them
/// again only after winning; the replacement thread reads them only after winning, and the
/// watchdog's lock (taken by the schedule and by the firing) orders the store before its read.
final class LaneHandOver: @unchecked Sendable {
    /// What the plugin's `is_cancelled` reads: set when the deadline takes the call away, and
    /// answering to the caller's flag too.
    let cancellation: CancellationFlag
    private let outcome = Atomic<UInt8>(Race.calling)
    private var steps: ExecutionSteps?
    private var audit: ExecutionAudit?

    private enum Race {
        static let calling: UInt8 = 0
        static let returned: UInt8 = 1
        static let abandoned: UInt8 = 2
    }

    init(steps: consuming ExecutionSteps, audit: ExecutionAudit?, caller: CancellationFlag?) {
        cancellation = CancellationFlag(parent: caller)
        self.steps = .some(steps)
        self.audit = audit
    }

    /// The call returned: true if it did so before the deadline took the execution away.
    func returned() -> Bool {
        outcome.compareExchange(expected: Race.calling, desired: Race.returned, ordering: .acquiringAndReleasing).exchanged
    }

    /// The deadline passed: true if the call had not returned, and the caller (the watchdog)
    /// now owns the execution. Sets the cancellation flag first thing, so a plugin that polls
    /// it stops as soon as possible.
    func abandon() -> Bool {
        let won = outcome.compareExchange(expected: Race.calling, desired: Race.abandoned, ordering: .acquiringAndReleasing).exchanged
        if won { cancellation.cancel() }
        return won
    }

    /// The execution's steps, for the race's winner, once.
    func takeSteps() -> ExecutionSteps {
        guard let taken = steps.take() else { preconditionFailure("a lane's steps were taken twice") }
        return taken
    }

    /// The execution's audit state, for the race's winner.
    func takeAudit() -> ExecutionAudit? {
        defer { audit = nil }
        return audit
    }
}

/// Where the result of an execution goes when the lane that started it was given up: the
/// caller's `replacement` (``PluginHost/executeOnLane(nodeType:parameters:input:tenant:recovery:replacement:)``),
/// after the `finished` audit record the caller's thread would have written.
struct ExecutionLane: Sendable {
    let replacement: @Sendable (NodeResult) -> Void
    let policy: TenantPolicy
    let executionID: ExecutionID

    func deliver(_ result: NodeResult, host: PluginHost) {
        var result = result
        host.auditFinished(&result, policy: policy, executionID: executionID)
        replacement(result)
    }
}
