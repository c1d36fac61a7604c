import PluginHostCore

/// Group commit: callers hand in one item each and wait until a transaction holding it has
/// committed; one transaction holds every item that arrived while the previous one was
/// committing.
///
/// Why: a write that must be durable before its caller goes on (a journal entry, an accepted
/// execution behind its `202`) costs a commit, and one commit per write caps a store at the
/// database's commit rate — an fsync each for SQLite, a round trip and a WAL flush each for
/// PostgreSQL — while fifty callers waiting for fifty commits can as well wait for one. The
/// batch is whatever is pending when the writer comes back (at most ``maximumBatch``), so a
/// lone item is written at once and a busy store writes large batches: no timer, no added
/// latency. One batch is in flight at a time, which is what keeps batches large.
///
/// Two kinds of writer, for two kinds of caller:
/// - ``Writer/blocking(_:)`` for callers on their own threads (a run's lanes appending to its
///   journal): the writer is a dedicated thread, never one of the cooperative pool's (it blocks
///   on the database), started by the first item and ended after ``idleSeconds`` with nothing
///   to write, so an idle store holds no thread; callers wait on their own condition.
/// - ``Writer/async(_:)`` for callers in tasks (a route accepting an execution): the writer is
///   a task that ends as soon as nothing is pending; callers wait in a continuation and hold
///   no thread.
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    enum Writer: Sendable {
        /// Writes a batch in one transaction and returns one outcome per item, in order.
        case blocking(@Sendable ([Item]) throws -> [Outcome])
        case async(@Sendable ([Item]) async throws -> [Outcome])
    }

    /// Told an item's outcome, or why its batch did not commit; called by the writer alone.
    private typealias Completion = @Sendable (Result<Outcome, any Error>) -> Void

    private struct State {
        var pending: [(item: Item, done: Completion)] = []
        var writerRunning = false
    }

    static var maximumBatch: Int { 1024 }
    /// How long a blocking writer waits for work before its thread ends.
    static var idleSeconds: Int { 2 }

    /// Guards the queue; its condition wakes a blocking writer only (each caller has its own,
    /// so finishing a batch wakes exactly its callers, not every waiting one).
    private let gate = ConditionGate(State())
    private let writer: Writer

    init(_ writer: Writer) {
        self.writer = writer
    }

    /// Returns `item`'s outcome once its batch committed (for callers that may block).
    func commit(_ item: Item) throws -> Outcome {
        let waiter = ConditionGate<Result<Outcome, any Error>?>(nil)
        try enqueue(item) { result in
            waiter.withLock { $0 = result }
            waiter.signal()
        }
        return try waiter.locked { held in
            while held.access({ $0 == nil }) { _ = held.wait(deadline: nil) }
            return held.access { $0! }
        }.get()
    }

    /// Returns `item`'s outcome once its batch committed (for callers in tasks).
    func commit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            do {
                try enqueue(item) { continuation.resume(with: $0) }
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    private func enqueue(_ item: Item, done: @escaping Completion) throws {
        let startWriter = gate.withLock { state -> Bool in
            state.pending.append((item, done))
            defer { state.writerRunning = true }
            return !state.writerRunning
        }
        guard startWriter else {
            gate.signal()
            return
        }
        switch writer {
        case .blocking(let write):
            if let failure = DedicatedThread.start({ [self] in runBlockingWriter(write) }) {
                let abandoned = gate.withLock { state in
                    defer { state.writerRunning = false; state.pending.removeAll() }
                    return state.pending.map(\.done)
                }
                let error = NoWriter(reason: failure)
                for done in abandoned { done(.failure(error)) }
                throw error
            }
        case .async(let write):
            Task { await runAsyncWriter(write) }
        }
    }

    private func runBlockingWriter(_ write: @Sendable ([Item]) throws -> [Outcome]) {
        while let batch = nextBatch(waiting: true) {
            finish(batch, Result { try write(batch.map(\.item)) })
        }
    }

    private func runAsyncWriter(_ write: @Sendable ([Item]) async throws -> [Outcome]) async {
        while let batch = nextBatch(waiting: false) {
            let outcomes: Result<[Outcome], any Error>
            do { outcomes = .success(try await write(batch.map(\.item))) } catch { outcomes = .failure(error) }
            finish(batch, outcomes)
        }
    }

    /// What is pending (at most ``maximumBatch``), or nil when the writer should end: at once
    /// when nothing is (`waiting` false) or after ``idleSeconds`` of nothing.
    private func nextBatch(waiting: Bool) -> [(item: Item, done: Completion)]? {
        gate.locked { held in
            while held.access({ $0.pending.isEmpty }) {
                if !waiting || (!held.wait(seconds: Self.idleSeconds) && held.access({ $0.pending.isEmpty })) {
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
    }

    private func finish(_ batch: [(item: Item, done: Completion)], _ outcomes: Result<[Outcome], any Error>) {
        switch outcomes {
        case .success(let outcomes) where outcomes.count == batch.count:
            for (entry, outcome) in zip(batch, outcomes) { entry.done(.success(outcome)) }
        case .success(let outcomes):
            let error = MiscountedBatch(items: batch.count, outcomes: outcomes.count)
            for entry in batch { entry.done(.failure(error)) }
        case .failure(let error):
            for entry in batch { entry.done(.failure(error)) }
        }
    }

    struct NoWriter: Error, CustomStringConvertible {
        var reason: String
        var description: String { "no thread for the writer: \(reason)" }
    }

    struct MiscountedBatch: Error, CustomStringConvertible {
        var items: Int
        var outcomes: Int
        var description: String { "the store returned \(outcomes) outcomes for a batch of \(items)" }
    }
}
