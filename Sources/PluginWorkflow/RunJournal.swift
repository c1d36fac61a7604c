import PluginHostCore
import PluginLoader
import PluginRuntime
import Synchronization

/// A run's journal and, when it resumes one, what it resumes: what a caller gives
/// ``WorkflowRunner`` for a run that can be picked up after a crash.
public struct RunJournaling: Sendable {
    public var journal: any ExecutionJournal
    /// The workflow's version, recorded at the start and checked on a resume.
    public var version: String
    /// The journal's entries read for a resume; nil for a new run (the journal must be empty).
    public var replay: JournalReplay?

    public init(journal: any ExecutionJournal, version: String, replay: JournalReplay? = nil) {
        self.journal = journal
        self.version = version
        self.replay = replay
    }
}

/// The runner's side of a journal: the entries in their order, an execution id for every node
/// it starts (the journaled one for a node that runs again), and the first failure, after which
/// the run is cancelled (what it would do next could not be resumed) and reports JOURNAL_FAILED.
///
/// Entries are written by whichever lane needs one durable (a combining writer: one append of
/// the run in flight, the next one carrying everything queued meanwhile), so a node's result
/// and what follows it on its lane cost one commit, not two. A `nodeFinished` is queued without
/// waiting: it is written with its lane's next entry (the next node's `nodeStarted`, in the same
/// append and before it) or, when the lane has nothing more to run, by ``flush()`` before the lane
/// ends. Children start only after their parents' results are queued, and every append writes
/// all that was queued before it, so a child's start is never durable without its parents'
/// results, and no lane ends or takes another node with its last result still unwritten.
final class RunJournal: Sendable {
    private let journaling: RunJournaling?
    private let ids = ExecutionIDs()
    private let cancellation: CancellationFlag
    private let failures = Mutex<[Problem]>([])
    private let queue = ConditionGate(Queue())

    /// Entries are numbered 1, 2, … as they are queued; an entry is settled once the append
    /// holding it returned, written or failed.
    private struct Queue {
        var pending: [JournalEntry] = []
        var queued = 0
        var settled = 0
        var writing = false
        /// Appends that failed: the numbers of their entries, and why.
        var failed: [(entries: ClosedRange<Int>, failure: JournalFailure)] = []

        func failure(of number: Int) -> JournalFailure? {
            failed.first { $0.entries.contains(number) }?.failure
        }
    }

    init(_ journaling: RunJournaling?, cancellation: CancellationFlag) {
        self.journaling = journaling
        self.cancellation = cancellation
    }

    var isActive: Bool { journaling != nil }
    var hasFailed: Bool { failures.withLock { !$0.isEmpty } }
    /// The journal's failures, for the run's `problems`.
    var problems: [Problem] { failures.withLock { $0 } }

    /// Records the run's start (or its resumption) and returns the replayed results by node
    /// index; throws JOURNAL_INVALID for a journal of another workflow or version, or one that
    /// contradicts itself, and JOURNAL_FAILED when the first entry cannot be written.
    func begin(graph: WorkflowGraph) throws(JournalFailure) -> [Int: NodeResult] {
        guard let journaling else { return [:] }
        if let replay = journaling.replay {
            let results = try replay.results(for: graph, version: journaling.version)
            try journaling.journal.append(.runResumed(at: WallClock.now()))
            return results
        }
        try journaling.journal.append(.runStarted(RunStart(
            workflowName: graph.workflow.name, version: journaling.version, nodeCount: graph.nodeCount,
            startedAt: WallClock.now())))
        return [:]
    }

    /// The id `node` runs under, recorded (with the results queued before it) before it runs.
    func nodeStarted(_ node: String) -> Result<ExecutionID, JournalFailure> {
        guard let journaling else { return .success(ids.nextID()) }
        let id = journaling.replay?.executionID(of: node) ?? ids.nextID()
        do throws(JournalFailure) {
            try write(.nodeStarted(node: node, executionID: id))
            return .success(id)
        } catch {
            return .failure(error)
        }
    }

    /// Queues the node's result; its lane's next entry or ``flush()`` writes it.
    func nodeFinished(_ node: String, _ result: NodeResult) {
        guard isActive else { return }
        _ = enqueue(.nodeFinished(node: node, result: result))
    }

    /// Writes what is queued; a lane calls it before it ends.
    func flush() {
        guard isActive else { return }
        let last = queue.withLock { $0.queued }
        try? settle(upTo: last)
    }

    func end(status: WorkflowRunResult.Status) {
        guard isActive else { return }
        try? write(.runFinished(status: status.rawValue, at: WallClock.now()))
    }

    /// Queues `entry` and returns once it is written; throws (after recording the failure) when
    /// the append holding it failed.
    private func write(_ entry: JournalEntry) throws(JournalFailure) {
        try settle(upTo: enqueue(entry))
    }

    private func enqueue(_ entry: JournalEntry) -> Int {
        queue.withLock { queue in
            queue.pending.append(entry)
            queue.queued += 1
            return queue.queued
        }
    }

    /// Returns once entries up to `number` are settled, writing them itself when no other lane
    /// is: each append takes everything pending, so the journal's order is the queue's.
    private func settle(upTo number: Int) throws(JournalFailure) {
        guard let journal = journaling?.journal else { return }
        while true {
            let batch = queue.locked { held -> (entries: [JournalEntry], numbers: ClosedRange<Int>)? in
                while true {
                    let (settled, writing) = held.access { ($0.settled, $0.writing) }
                    if settled >= number { return nil }
                    if !writing { break }
                    _ = held.wait(deadline: nil)
                }
                return held.access { queue in
                    queue.writing = true
                    defer { queue.pending.removeAll(keepingCapacity: true) }
                    return (queue.pending, queue.settled + 1...queue.queued)
                }
            }
            guard let batch else { break }
            var failure: JournalFailure?
            do throws(JournalFailure) { try journal.append(contentsOf: batch.entries) } catch { failure = error }
            if let failure { fail(failure) }
            queue.withLock { queue in
                queue.settled = batch.numbers.upperBound
                queue.writing = false
                if let failure { queue.failed.append((batch.numbers, failure)) }
            }
            queue.broadcast()
        }
        if let failure = queue.withLock({ $0.failure(of: number) }) { throw failure }
    }

    private func fail(_ failure: JournalFailure) {
        failures.withLock { $0.append(failure.problem) }
        cancellation.cancel()
    }
}
