import PluginHostCore
import PluginWorkflow

/// Group commit for the store's journals: every append of every execution waits for a
/// transaction that holds it, and one transaction holds every append that arrived while the
/// previous one was committing.
///
/// Why: a run appends from its lanes' threads and may go on only once the entry is durable
/// (the journal is what a restarted server resumes from). One commit per entry would cap a
/// server at the database's commit rate — an fsync each for SQLite, a round trip and a WAL
/// flush each for PostgreSQL — while ten lanes waiting for ten commits can as well wait for one.
/// The batch is whatever is pending when the writer comes back (at most ``maximumBatch``), so a
/// lone append is written at once and a busy server writes large batches: no timer, no
/// added latency.
///
/// The writer is a dedicated thread (never one of the cooperative pool's: its backend may
/// block on the database), started by the first append and ended after a while with nothing
/// to write, so an idle store holds no thread.
final class JournalCommitter: Sendable {
    struct Row: Sendable {
        var tenantID: String
        var executionID: String
        /// The entry's JSON line (``JournalRows/text(_:)``).
        var text: String
        /// The execution's status as this entry sets it: `running` for a run's start or
        /// resumption, the run's status for its end. Written in the entry's transaction, so an
        /// execution's status and its journal never disagree, and its changes are group-committed too.
        var status: String? = nil
        var at: Double = 0
    }

    /// What a batch does to its executions' rows: per execution, its last status, the time of
    /// its first start in the batch, and of its end when the last status is one.
    struct StatusChange: Sendable {
        var tenantID: String
        var executionID: String
        var status: String
        var startedAt: Double?
        var finishedAt: Double?
    }

    static func statusChanges(_ rows: [Row]) -> [StatusChange] {
        var changes: [StatusChange] = [], index: [String: Int] = [:]
        for row in rows {
            guard let status = row.status else { continue }
            let key = row.tenantID + "\u{0}" + row.executionID
            let position = index[key] ?? {
                changes.append(StatusChange(tenantID: row.tenantID, executionID: row.executionID, status: status))
                index[key] = changes.count - 1
                return changes.count - 1
            }()
            changes[position].status = status
            if status == "running" {
                changes[position].startedAt = changes[position].startedAt ?? row.at
                changes[position].finishedAt = nil
            } else {
                changes[position].finishedAt = row.at
            }
        }
        return changes
    }

    /// Writes one batch, in order, in one transaction; called on the writer thread only.
    typealias Write = @Sendable ([Row]) throws -> Void

    /// One appender's wait: set and signalled by the writer alone, so finishing a batch wakes
    /// exactly its appenders (a shared condition would wake every waiting lane for each batch,
    /// and they would queue on one mutex).
    private typealias Waiter = ConditionGate<(done: Bool, failure: String?)>

    private struct State {
        var pending: [(row: Row, waiter: Waiter)] = []
        var writerRunning = false
    }

    static let maximumBatch = 1024
    /// How long the writer waits for work before its thread ends.
    static let idleSeconds = 2

    /// Guards the queue; its condition wakes the writer only.
    private let gate = ConditionGate(State())
    private let write: Write

    init(write: @escaping Write) {
        self.write = write
    }

    /// Returns when `row` is committed; throws why its batch was not (JOURNAL_FAILED).
    func append(_ row: Row) throws(JournalFailure) {
        let waiter = Waiter((false, nil))
        let startWriter = gate.withLock { state -> Bool in
            state.pending.append((row, waiter))
            defer { state.writerRunning = true }
            return !state.writerRunning
        }
        if startWriter, let failure = DedicatedThread.start({ [self] in runWriter() }) {
            gate.withLock { state in
                state.writerRunning = false
                state.pending.removeAll { $0.waiter === waiter }
            }
            throw JournalFailure(.journalFailed, "Cannot append to the journal of execution \(row.executionID): no thread for the journal writer: \(failure).")
        }
        gate.signal()
        let failure: String? = waiter.locked { held in
            while !held.access({ $0.done }) { _ = held.wait(deadline: nil) }
            return held.access { $0.failure }
        }
        if let failure {
            throw JournalFailure(.journalFailed, "Cannot append to the journal of execution \(row.executionID): \(failure).")
        }
    }

    /// The writer: takes what is pending, writes it, tells its appenders; ends when idle.
    private func runWriter() {
        while true {
            let batch: [(row: Row, waiter: Waiter)]? = gate.locked { held in
                while held.access({ $0.pending.isEmpty }) {
                    if !held.wait(seconds: Self.idleSeconds), held.access({ $0.pending.isEmpty }) {
                        held.access { $0.writerRunning = false }
                        return nil
                    }
                }
                return held.access { state in
                    let count = min(state.pending.count, Self.maximumBatch)
                    defer { state.pending.removeFirst(count) }
                    return Array(state.pending.prefix(count))
                }
            }
            guard let batch else { return }
            var failure: String?
            do { try write(batch.map(\.row)) } catch { failure = "\(error)" }
            for item in batch {
                item.waiter.withLock { $0 = (true, failure) }
                item.waiter.signal()
            }
        }
    }
}

/// One execution's journal in a store: appends go through the store's ``JournalCommitter``,
/// reads straight to the database (`read` returns the entries' lines in append order).
final class StoreJournal: ExecutionJournal {
    private let committer: JournalCommitter
    private let scope: TenantScope
    private let executionID: String
    private let read: @Sendable () throws -> [String]

    init(committer: JournalCommitter, scope: TenantScope, executionID: String, read: @escaping @Sendable () throws -> [String]) {
        self.committer = committer
        self.scope = scope
        self.executionID = executionID
        self.read = read
    }

    func append(_ entry: JournalEntry) throws(JournalFailure) {
        var row = JournalCommitter.Row(tenantID: scope.tenantID, executionID: executionID, text: JournalRows.text(entry))
        switch entry {
        case .runStarted, .runResumed: (row.status, row.at) = ("running", WallClock.now())
        case .runFinished(let status, let at): (row.status, row.at) = (status, at)
        default: break
        }
        try committer.append(row)
    }

    func entries() throws(JournalFailure) -> [JournalEntry] {
        let lines: [String]
        do { lines = try read() } catch {
            throw JournalFailure(.journalInvalid, "Cannot read the journal of execution \(executionID): \(error).")
        }
        return try JournalRows.entries(lines, executionID: executionID)
    }
}
