import PluginHostCore
import PluginRuntime
import Synchronization

/// Where a run writes its progress as it goes, so that another process can resume it: the seam
/// between the engine and storage. The engine ships two (``InMemoryJournal``, ``FileJournal``);
/// the service's SQLite and PostgreSQL stores implement the same protocol.
///
/// The runner appends, in this order: ``JournalEntry/runStarted(_:)`` (or
/// ``JournalEntry/runResumed(at:)`` when resuming), then for every node it executes a
/// ``JournalEntry/nodeStarted(node:executionID:)`` **before** any plugin code for it runs and a
/// ``JournalEntry/nodeFinished(node:result:)`` with its final result (after retries and
/// recovery), and last ``JournalEntry/runFinished(status:at:)``. A node's `nodeFinished` is
/// appended before or together with its children's `nodeStarted`, so a child's start always
/// follows its parents' results; the runner hands a result over with its lane's next entry
/// (``append(contentsOf:)``), so a node and the next one on its lane cost one write, not two.
/// Lanes append concurrently: an implementation serializes appends itself.
///
/// An append that throws stops the run from starting more nodes (their results would not be
/// resumable); the run's result names the failure (`JOURNAL_FAILED`).
public protocol ExecutionJournal: Sendable {
    /// Records `entry` so that ``entries()`` in a later process returns it; returns only once
    /// it is as durable as the implementation promises (the file journal: in the kernel, so a
    /// killed process loses nothing; `fsync` per entry when asked, for power loss).
    func append(_ entry: JournalEntry) throws(JournalFailure)
    /// Records `entries` in their order, as one append: all as durable as ``append(_:)``
    /// promises when it returns (a store commits them in one transaction). The default appends
    /// them one by one.
    func append(contentsOf entries: [JournalEntry]) throws(JournalFailure)
    /// Every entry appended so far, in append order.
    func entries() throws(JournalFailure) -> [JournalEntry]
}

extension ExecutionJournal {
    public func append(contentsOf entries: [JournalEntry]) throws(JournalFailure) {
        for entry in entries { try append(entry) }
    }
}

/// One record of a run's progress.
public enum JournalEntry: Sendable {
    /// The run began.
    case runStarted(RunStart)
    /// A node is about to execute under `executionID` (the id it keeps if it runs again).
    case nodeStarted(node: String, executionID: ExecutionID)
    /// A node's final result.
    case nodeFinished(node: String, result: NodeResult)
    /// The final result of the compensation that undoes `node` (a rollback).
    case compensationFinished(node: String, result: NodeResult)
    /// The run was resumed from this journal (wall-clock seconds).
    case runResumed(at: Double)
    /// The run ended with this status (``WorkflowRunResult/Status``'s raw value).
    case runFinished(status: String, at: Double)
}

/// What a journal's first entry says of its run: the workflow and the version it ran, so that
/// a resume on anything else is refused.
public struct RunStart: Sendable, Hashable {
    public var workflowName: String
    /// The workflow's version as its owner counts them: a store's version number, or for the
    /// CLI a digest of the workflow file's bytes (``WorkflowDigest``).
    public var version: String
    public var nodeCount: Int
    /// Wall-clock seconds.
    public var startedAt: Double

    public init(workflowName: String, version: String, nodeCount: Int, startedAt: Double) {
        self.workflowName = workflowName
        self.version = version
        self.nodeCount = nodeCount
        self.startedAt = startedAt
    }
}

/// Why a journal could not be written or read: `JOURNAL_FAILED` or `JOURNAL_INVALID`, with a
/// sentence naming the journal and what to do.
public struct JournalFailure: Error, Sendable, CustomStringConvertible {
    public var code: ProblemCode
    public var message: String

    public init(_ code: ProblemCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
    public var problem: Problem { Problem(code, .error, message) }
}

/// A journal's entries read for a resume: which nodes have a final result (not run again) and
/// which were started without one (run again, with the same execution id).
public struct JournalReplay: Sendable {
    public let start: RunStart
    /// By node name.
    public private(set) var finished: [String: NodeResult] = [:]
    /// Started and never finished, by node name: the id each runs again with.
    public private(set) var startedOnly: [String: ExecutionID] = [:]
    /// How many times the run was resumed before.
    public private(set) var resumes = 0
    /// Set when the run had ended (a resume then runs nothing and returns the same results).
    public private(set) var finishedStatus: String?
    /// Compensations that finished, by the node they undo: a resumed rollback does not run them again.
    public private(set) var compensations: [String: NodeResult] = [:]

    /// Reads `entries`; the first must be `runStarted` and every node must be started before
    /// it finishes. Throws JOURNAL_INVALID naming the first entry that breaks this.
    public init(entries: [JournalEntry]) throws(JournalFailure) {
        guard case .runStarted(let start)? = entries.first else {
            throw JournalFailure(.journalInvalid, "The journal does not begin with the run's start; it is not a run journal.")
        }
        self.start = start
        for (position, entry) in entries.enumerated().dropFirst() {
            switch entry {
            case .runStarted:
                throw JournalFailure(.journalInvalid, "Entry \(position + 1) starts a second run; one journal holds one run.")
            case .nodeStarted(let node, let id):
                if finished[node] == nil { startedOnly[node] = id }
            case .nodeFinished(let node, let result):
                guard startedOnly.removeValue(forKey: node) != nil || finished[node] != nil else {
                    throw JournalFailure(.journalInvalid, "Entry \(position + 1) finishes node `\(node)`, which the journal never started.")
                }
                finished[node] = result
            case .compensationFinished(let node, let result):
                compensations[node] = result
            case .runResumed:
                resumes += 1
            case .runFinished(let status, _):
                finishedStatus = status
            }
        }
    }

    /// The replayed results by node index in `graph`, after checking that the journal belongs
    /// to this workflow and version and that every finished node's parents finished too.
    func results(for graph: WorkflowGraph, version: String) throws(JournalFailure) -> [Int: NodeResult] {
        guard start.workflowName == graph.workflow.name, start.version == version, start.nodeCount == graph.nodeCount else {
            throw JournalFailure(.journalInvalid, """
                The journal is of workflow `\(start.workflowName)` version \(start.version) (\(start.nodeCount) nodes), \
                not of `\(graph.workflow.name)` version \(version) (\(graph.nodeCount) nodes): resume with the workflow it ran, \
                or start a new run with a new journal.
                """)
        }
        var results: [Int: NodeResult] = [:]
        for (name, result) in finished {
            guard let node = graph.index(of: name) else {
                throw JournalFailure(.journalInvalid, "The journal has a result for node `\(name)`, which the workflow does not have.")
            }
            results[node] = result
        }
        for node in results.keys {
            for parent in graph.parentIndices(of: node) where results[parent] == nil {
                throw JournalFailure(.journalInvalid, """
                    The journal has a result for node `\(graph.workflow.nodes[node].name)` but none for its parent \
                    `\(graph.workflow.nodes[parent].name)`: it was not written by a run of this workflow.
                    """)
            }
        }
        return results
    }

    /// The execution id a node started without finishing runs again with.
    func executionID(of name: String) -> ExecutionID? { startedOnly[name] }
}

/// A journal in memory: for tests, and for embedders that persist entries their own way.
public final class InMemoryJournal: ExecutionJournal {
    private let stored = Mutex<[JournalEntry]>([])

    public init(entries: [JournalEntry] = []) {
        stored.withLock { $0 = entries }
    }

    public func append(_ entry: JournalEntry) throws(JournalFailure) {
        stored.withLock { $0.append(entry) }
    }

    public func append(contentsOf entries: [JournalEntry]) throws(JournalFailure) {
        stored.withLock { $0.append(contentsOf: entries) }
    }

    public func entries() throws(JournalFailure) -> [JournalEntry] {
        stored.withLock { $0 }
    }
}
