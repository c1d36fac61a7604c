import Logging
import PluginHostCore
import PluginLoader
import PluginRuntime
import PluginStore
import PluginWorkflow
import Synchronization

/// Runs accepted executions: a bounded queue in memory, drained by a fixed number of worker
/// tasks in this process, every run journaled in the store as it goes.
///
/// The store is the truth, the queue only a wake-up: an execution is committed (`queued`)
/// before it is enqueued, so a crash loses nothing accepted — at the next start
/// ``resumeUnfinished()`` enqueues every execution still `queued` or `running`, and each runs
/// from its journal (finished nodes not again, started ones again under their execution ids).
/// A full queue refuses new work (the route answers 503) rather than growing without bound.
public final class ExecutionQueue: Sendable {
    public struct Job: Sendable, Hashable {
        public var scope: TenantScope
        public var executionID: String
    }

    private let state: ServiceState
    private let logger: Logger
    private let stream: AsyncStream<Job>
    private let continuation: AsyncStream<Job>.Continuation
    private let depth = Atomic<Int>(0)
    public let capacity: Int
    public let workers: Int
    /// Who waits for an execution to end (`waitMs`).
    let completions = ExecutionCompletions()
    /// Running executions' cancellation handles, by execution id.
    private let running = Mutex<[String: CancellationFlag]>([:])

    public init(state: ServiceState, workers: Int, capacity: Int = 10_000, logger: Logger) {
        self.state = state
        self.workers = max(1, workers)
        self.capacity = capacity
        self.logger = logger
        (stream, continuation) = AsyncStream<Job>.makeStream(bufferingPolicy: .unbounded)
    }

    /// Queues a committed execution; false when the queue is full.
    public func enqueue(_ job: Job) -> Bool {
        guard depth.wrappingAdd(1, ordering: .relaxed).newValue <= capacity else {
            depth.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        continuation.yield(job)
        return true
    }

    /// Enqueues what a previous process accepted and did not finish.
    public func resumeUnfinished() async throws(StoreError) -> Int {
        let unfinished = try await state.store.unfinishedExecutions()
        for (scope, execution) in unfinished { _ = enqueue(Job(scope: scope, executionID: execution.id)) }
        return unfinished.count
    }

    /// How many executions run in this process now.
    public var runningCount: Int { running.withLock { $0.count } }

    /// Cancels a running execution (its nodes see `is_cancelled`); false when it is not running here.
    public func cancel(_ executionID: String) -> Bool {
        guard let flag = running.withLock({ $0[executionID] }) else { return false }
        flag.cancel()
        return true
    }

    /// The worker tasks; returns when the queue is finished (``stop()``).
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<workers {
                group.addTask { [self] in
                    for await job in stream {
                        depth.wrappingSubtract(1, ordering: .relaxed)
                        await execute(job)
                    }
                }
            }
        }
    }

    /// Why a failed run failed, for its dead letter: the first node that ended in error, or the
    /// first problem when nothing ran (a workflow no longer valid, a journal that failed).
    static func reason(_ outcome: WorkflowRunOutcome) -> String {
        if let failed = outcome.result?.nodes.first(where: { $0.result.status == .error }) {
            return "\(failed.name): \(failed.result.errorCode?.rawValue ?? "EXECUTION_ERROR"): \(failed.result.error ?? "it failed")"
        }
        let problem = outcome.validation.problems.first { $0.severity == .error } ?? outcome.result?.problems.first
        return problem.map { "\($0.code.rawValue): \($0.message)" } ?? "the run failed"
    }

    /// Stops taking jobs; the workers finish the one they run.
    public func stop() { continuation.finish() }

    private func execute(_ job: Job) async {
        let store = state.store
        do throws(StoreError) {
            guard let execution = try await store.execution(job.scope, id: job.executionID) else { return }
            guard execution.status == "queued" || execution.status == "running" else { return }
            guard let stored = try await store.workflow(job.scope, id: execution.workflowID, version: execution.version) else {
                try await store.setStatus(job.scope, execution: job.executionID, "failed")
                completions.finish(job.executionID)
                return
            }
            // The journal sets the status: `running` with the run's first entry, the final one
            // with its last, each in that entry's commit. A queued execution has no journal yet.
            let journal = store.journal(job.scope, execution: job.executionID)
            let entries = execution.status == "queued" ? nil : try? await store.journalEntries(job.scope, execution: job.executionID)
            let replay = entries.flatMap { $0.isEmpty ? nil : try? JournalReplay(entries: $0) }
            let workflows = state.workflows(for: job.scope)
            let parsed = workflows.parse(bytes: Array(stored.definition.utf8))
            let cancellation = CancellationFlag()
            running.withLock { $0[job.executionID] = cancellation }
            let input = (try? JSONParser.parse(execution.input)) ?? .array([])
            let outcome = await workflows.run(
                parsed, journaling: RunJournaling(journal: journal, version: String(execution.version), replay: replay),
                cancellation: cancellation, input: input)
            running.withLock { _ = $0.removeValue(forKey: job.executionID) }
            let status = outcome.result?.status ?? .failed
            // Unless the journal could not record the end (or the run never started).
            let journaled = outcome.result.map { result in !result.problems.contains { $0.code == .journalFailed || $0.code == .journalInvalid } } ?? false
            if !journaled { try await store.setStatus(job.scope, execution: job.executionID, status.rawValue) }
            state.metrics.recordExecution(status: status.rawValue, nodes: outcome.result?.nodes ?? [])
            if status == .failed || status == .rollbackFailed {
                try await store.addDeadLetter(job.scope, execution: execution, error: Self.reason(outcome))
            }
        } catch {
            logger.error("execution \(job.executionID) could not be recorded: \(error.message)")
        }
        completions.finish(job.executionID)
    }
}

/// Callers waiting for executions to end, each up to its own time limit.
final class ExecutionCompletions: Sendable {
    /// One caller's wait; register before the execution is enqueued, so its end cannot be missed.
    final class Ticket: Sendable {
        fileprivate let state = Mutex<(done: Bool, continuation: CheckedContinuation<Void, Never>?)>((false, nil))

        /// Returns when the execution ended or `nanoseconds` passed, whichever comes first.
        func wait(nanoseconds: UInt64) async {
            let timer = Task { [self] in
                try? await Task.sleep(nanoseconds: nanoseconds)
                resume()
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if state.done { return true }
                    state.continuation = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
            timer.cancel()
        }

        fileprivate func resume() {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.done = true
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume()
        }
    }

    private let tickets = Mutex<[String: [Ticket]]>([:])

    func register(_ executionID: String) -> Ticket {
        let ticket = Ticket()
        tickets.withLock { $0[executionID, default: []].append(ticket) }
        return ticket
    }

    /// Forgets a ticket whose caller stopped waiting.
    func unregister(_ executionID: String, _ ticket: Ticket) {
        tickets.withLock { tickets in
            tickets[executionID]?.removeAll { $0 === ticket }
            if tickets[executionID]?.isEmpty == true { tickets[executionID] = nil }
        }
    }

    func finish(_ executionID: String) {
        let waiting = tickets.withLock { $0.removeValue(forKey: executionID) } ?? []
        for ticket in waiting { ticket.resume() }
    }
}
