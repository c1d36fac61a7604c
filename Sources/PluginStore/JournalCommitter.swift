import PluginHostCore
import PluginWorkflow

/// The store's journal appends, every execution's, group-committed (``GroupCommit``): a run
/// appends from its lanes' threads and may go on only once the entry is durable (the journal is
/// what a restarted server resumes from), and ten lanes waiting for ten commits can as well
/// wait for one.
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

    /// An item is one append: its rows go in the same transaction, in order.
    private let commits: GroupCommit<[Row], Void>

    init(write: @escaping Write) {
        commits = GroupCommit(.blocking { appends in
            try write(appends.count == 1 ? appends[0] : appends.flatMap { $0 })
            return Array(repeating: (), count: appends.count)
        })
    }

    /// Returns when `rows` (one execution's) are committed; throws why their batch was not
    /// (JOURNAL_FAILED).
    func append(_ rows: [Row]) throws(JournalFailure) {
        guard let first = rows.first else { return }
        do { try commits.commit(rows) } catch {
            throw JournalFailure(.journalFailed, "Cannot append to the journal of execution \(first.executionID): \(error).")
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
        try committer.append([row(entry)])
    }

    /// In one transaction (a node's result with the next node's start).
    func append(contentsOf entries: [JournalEntry]) throws(JournalFailure) {
        try committer.append(entries.map(row))
    }

    private func row(_ entry: JournalEntry) -> JournalCommitter.Row {
        var row = JournalCommitter.Row(tenantID: scope.tenantID, executionID: executionID, text: JournalRows.text(entry))
        switch entry {
        case .runStarted, .runResumed: (row.status, row.at) = ("running", WallClock.now())
        case .runFinished(let status, let at): (row.status, row.at) = (status, at)
        default: break
        }
        return row
    }

    func entries() throws(JournalFailure) -> [JournalEntry] {
        let lines: [String]
        do { lines = try read() } catch {
            throw JournalFailure(.journalInvalid, "Cannot read the journal of execution \(executionID): \(error).")
        }
        return try JournalRows.entries(lines, executionID: executionID)
    }
}
