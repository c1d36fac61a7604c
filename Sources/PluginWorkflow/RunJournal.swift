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
final class RunJournal: Sendable {
    private let journaling: RunJournaling?
    private let ids = ExecutionIDs()
    private let cancellation: CancellationFlag
    private let failures = Mutex<[Problem]>([])

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

    /// The id `node` runs under, recorded before it runs.
    func nodeStarted(_ node: String) -> Result<ExecutionID, JournalFailure> {
        guard let journaling else { return .success(ids.nextID()) }
        let id = journaling.replay?.executionID(of: node) ?? ids.nextID()
        do throws(JournalFailure) {
            try journaling.journal.append(.nodeStarted(node: node, executionID: id))
            return .success(id)
        } catch {
            fail(error)
            return .failure(error)
        }
    }

    func nodeFinished(_ node: String, _ result: NodeResult) {
        guard let journaling else { return }
        do throws(JournalFailure) {
            try journaling.journal.append(.nodeFinished(node: node, result: result))
        } catch {
            fail(error)
        }
    }

    func end(status: WorkflowRunResult.Status) {
        guard let journaling else { return }
        do throws(JournalFailure) {
            try journaling.journal.append(.runFinished(status: status.rawValue, at: WallClock.now()))
        } catch {
            fail(error)
        }
    }

    private func fail(_ failure: JournalFailure) {
        failures.withLock { $0.append(failure.problem) }
        cancellation.cancel()
    }
}
