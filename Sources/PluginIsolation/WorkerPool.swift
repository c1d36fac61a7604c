#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore
import PluginLoader

/// A pool of worker processes that run node calls, so a plugin that crashes, exits, hangs or
/// runs out of memory costs only its own call.
///
/// A call goes to an idle worker at once; when every worker is busy it waits in the pool's
/// queue, and a new worker is started while the pool is below ``maximumWorkers``. A worker that
/// becomes idle takes up to ``batchLimit`` queued calls in one write and answers them in order,
/// so a workflow with many ready nodes pays one round trip per batch, not per node.
///
/// When a worker dies, the call it was running ends with ``WorkerCallEnd/crashed(_:)``; the
/// calls queued behind it in the same batch never started and go back to the front of the
/// queue; and a replacement is started at once. ``abandon(_:because:)`` is how the host stops a
/// call (a timeout, a cancelled task): a queued call is dropped, a running one has its worker
/// killed — the CPU is really freed — and a batched one not yet started is skipped by the
/// worker when its deadline has passed.
///
/// One pool serves one tenant under one set of limits (see ``WorkerLaunch``): workers never
/// carry one tenant's plugin state into another's calls.
public final class WorkerPool: Sendable {
    public let launch: WorkerLaunch
    public let maximumWorkers: Int
    public let batchLimit: Int
    private let state = Locked(State())
    /// Stops calls whose deadline passed, on a thread of its own (see ``DeadlineWatch``).
    private let watch = DeadlineWatch()

    struct State {
        var workers: [Int32: Member] = [:]
        var starting = 0
        var queue: [Queued] = []
        /// Plugin path → the slot number workers load it into.
        var slots: [String: UInt32] = [:]
        var closed = false
        /// The most workers alive at once: a dead worker is replaced while below it.
        var target = 0
        /// Workers that died before their handshake, in a row: past a few, stop trying.
        var failedStarts = 0
        var lastStartProblem: Problem?
        var statistics = WorkerPoolStatistics()
        var deathAt: UInt64?
    }

    struct Member {
        let worker: WorkerProcess
        /// Calls sent to it and not yet answered (counted here, under the pool's lock, so a
        /// caller woken by the last answer already finds the worker idle).
        var inFlight = 0
        var ready = false
        /// Takes no more calls, and is told to exit once idle: it ran out of memory, and a
        /// heap at its limit would fail the next call too.
        var retiring = false
    }

    struct Queued {
        let call: WorkerCall
        let ticket: WorkerTicket
    }

    /// How many workers may die before their handshake, in a row, before calls fail with
    /// WORKER_UNAVAILABLE instead of starting yet another.
    static let startAttempts = 3

    public init(launch: WorkerLaunch, maximumWorkers: Int = 4, batchLimit: Int = 64) {
        self.launch = launch
        self.maximumWorkers = max(1, maximumWorkers)
        self.batchLimit = max(1, batchLimit)
    }

    /// A pool nobody holds any more kills its workers (their reader threads reap them); call
    /// ``shutdown(grace:)`` first to let them shut their plugins down.
    deinit {
        watch.stop()
        for member in state.withLock({ Array($0.workers.values) }) { member.worker.terminate(because: "the pool was released") }
    }

    /// Sends `call` to a worker; `completion` gets how it ended, once, on a pool thread (or at
    /// once, on the caller's, when the pool is shut down). The ticket lets the caller abandon it.
    @discardableResult
    public func submit(_ call: WorkerCall, completion: @escaping @Sendable (WorkerCallEnd) -> Void) -> WorkerTicket {
        let ticket = WorkerTicket(completion: completion, deadline: call.deadline)
        let refused = state.withLock { state -> Problem? in
            guard !state.closed else {
                return Problem(.workerUnavailable, .error, "the worker pool is shut down; the host is stopping")
            }
            state.queue.append(Queued(call: call, ticket: ticket))
            return nil
        }
        if let refused {
            ticket.finish(.unavailable(refused))
            return ticket
        }
        if let deadline = call.deadline { watch.add(ticket, deadline: deadline) }
        pump()
        return ticket
    }

    /// Stops waiting for `ticket`'s call: dropped if still queued, its worker killed if it is
    /// running (`reason` goes into the kill's record). Its completion may still be called; the
    /// caller ignores it.
    public func abandon(_ ticket: WorkerTicket, because reason: String) {
        let removed = state.withLock { state -> Bool in
            guard let index = state.queue.firstIndex(where: { $0.ticket === ticket }) else { return false }
            state.queue.remove(at: index)
            return true
        }
        if removed { return }
        if let (worker, tag) = ticket.abandon(), worker.isRunning(tag: tag) {
            state.withLock { $0.statistics.killed += 1 }
            worker.terminate(because: reason, deadline: ticket.deadline)
        }
    }

    /// Workers alive and through their handshake.
    public var readyWorkers: Int { state.withLock { $0.workers.values.filter(\.ready).count } }

    public var statistics: WorkerPoolStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.alive = state.workers.count
            statistics.queued = state.queue.count
            return statistics
        }
    }

    /// The pids of the workers alive now (for tests and diagnostics).
    public var workerPIDs: [Int32] { state.withLock { Array($0.workers.keys).sorted() } }

    /// Refuses new calls, fails queued ones, and stops every worker: each is asked to exit
    /// (its plugins' `shutdown` runs), and killed if it has not within `grace`. Returns when
    /// every worker is reaped.
    public func shutdown(grace: Duration = .milliseconds(500)) {
        let (queued, workers) = state.withLock { state in
            state.closed = true
            defer { state.queue = [] }
            return (state.queue, state.workers.values.map(\.worker))
        }
        for item in queued {
            item.ticket.finish(.unavailable(Problem(.workerUnavailable, .error, "the host stopped before the call could run")))
        }
        watch.stop()
        for worker in workers { worker.closeInput() }
        let (seconds, attoseconds) = grace.components
        let deadline = WallClock.monotonicNanoseconds() &+ UInt64(max(0, seconds)) * 1_000_000_000 &+ UInt64(max(0, attoseconds / 1_000_000_000))
        while WallClock.monotonicNanoseconds() < deadline, state.withLock({ !$0.workers.isEmpty || $0.starting > 0 }) {
            usleep(1000)
        }
        for worker in state.withLock({ $0.workers.values.map(\.worker) }) { worker.terminate(because: "the host is shutting down") }
        while state.withLock({ !$0.workers.isEmpty || $0.starting > 0 }) { usleep(1000) }
    }

    // MARK: - Dispatch

    /// Hands queued calls to idle workers, and starts workers for what is left.
    ///
    /// Parallelism first: when more calls wait than there are idle workers, workers are started
    /// (up to ``maximumWorkers``), and an idle worker takes only its fair share of the queue —
    /// the queue divided among the idle workers and those starting — so slow calls are not
    /// lined up behind each other in one worker while others could run them. Fast calls still
    /// travel in batches: a worker that comes back idle takes its share of what is left.
    private func pump() {
        while true {
            let step = state.withLock { state -> Step in
                guard !state.queue.isEmpty else { return Step() }
                var step = Step()
                let idle = state.workers.filter { $0.value.ready && $0.value.inFlight == 0 && !$0.value.retiring }.map(\.key)
                let working = state.workers.values.filter { !$0.retiring }.count
                let startable = state.closed ? 0 : max(0, maximumWorkers - working - state.starting)
                let unserved = state.queue.count - idle.count
                if unserved > 0, startable > 0 {
                    if state.failedStarts >= Self.startAttempts, idle.isEmpty, working == 0, state.starting == 0 {
                        step.failed = state.queue
                        step.problem = state.lastStartProblem
                        state.queue = []
                        return step
                    }
                    if state.failedStarts < Self.startAttempts {
                        step.start = min(startable, unserved)
                        state.starting += step.start
                    }
                }
                guard let pid = idle.first else { return step }
                let sharers = idle.count + state.starting
                let share = (state.queue.count + sharers - 1) / max(1, sharers)
                let count = min(state.queue.count, batchLimit, max(1, share))
                state.workers[pid]!.inFlight = count
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                for item in batch {
                    for plugin in item.call.plugins where state.slots[plugin.path] == nil {
                        state.slots[plugin.path] = UInt32(state.slots.count + 1)
                    }
                }
                step.send = (state.workers[pid]!.worker, batch, state.slots)
                return step
            }
            for _ in 0..<step.start { WorkerSpawner.shared.run { [self] in startWorker() } }
            if !step.failed.isEmpty {
                let problem = step.problem ?? Problem(.workerUnavailable, .error,
                    "worker processes die before they are ready; run \(launch.executable) by hand to see why")
                for item in step.failed { item.ticket.finish(.unavailable(problem)) }
            }
            guard let (worker, batch, slots) = step.send else { return }
            send(batch, to: worker, slots: slots)
        }
    }

    /// What one look at the pool decided: workers to start, calls to fail, a batch to send.
    private struct Step {
        var start = 0
        var failed: [Queued] = []
        var problem: Problem?
        var send: (WorkerProcess, [Queued], [String: UInt32])?
    }

    private func send(_ batch: [Queued], to worker: WorkerProcess, slots: [String: UInt32]) {
        let live = batch.filter { $0.ticket.beginSending(to: worker) }
        if live.count < batch.count { answered(batch.count - live.count, by: worker) }
        let sent = worker.send { loaded, tag in
            var encoder = FrameEncoder()
            var asked = Set<UInt32>()
            var requests: [WorkerProcess.Pending] = []
            let now = WallClock.monotonicNanoseconds()
            for (index, item) in live.enumerated() {
                let requestTag = tag(index)
                var loads = 0
                for plugin in item.call.plugins {
                    let slot = slots[plugin.path]!
                    guard !loaded.contains(slot), !asked.contains(slot) else { continue }
                    asked.insert(slot)
                    WorkerLoadRequest(slot: slot, plugin: plugin).encode(into: &encoder, tag: requestTag)
                    loads += 1
                }
                let remaining = item.call.deadline.map { $0 > now ? max(1, $0 - now) : 1 } ?? 0
                WorkerExecuteRequest(slot: slots[item.call.plugins.last!.path]!, request: item.call.request, remainingNanoseconds: remaining)
                    .encode(into: &encoder, tag: requestTag)
                item.ticket.sent(tag: requestTag)
                let ticket = item.ticket, call = item.call
                requests.append(WorkerProcess.Pending(
                    loads: loads, expectsResult: true, isObsolete: { ticket.isFinished || ticket.isAbandoned }
                ) { [self] reply in
                    deliver(reply, call: call, ticket: ticket, worker: worker)
                })
            }
            return (requests, encoder, asked)
        }
        if !sent {
            answered(live.count, by: worker)
            requeue(live)
        } else {
            state.withLock { $0.statistics.calls += UInt64(live.count); $0.statistics.batches += 1 }
            // A call abandoned while it was being sent: stop it now if it is the one running.
            for item in live {
                if let (abandonedWorker, tag) = item.ticket.abandonedWhileSending(), abandonedWorker.isRunning(tag: tag) {
                    abandonedWorker.terminate(because: "the host stopped waiting for the call")
                }
            }
        }
    }

    private func deliver(_ reply: WorkerProcess.Reply, call: WorkerCall, ticket: WorkerTicket, worker: WorkerProcess) {
        switch reply {
        case .loaded:
            break  // a failed load is reported again by the execute that needed it
        case .executed(let executed):
            switch executed.ending {
            case .called(let outcome, let allocationFailed):
                if allocationFailed { state.withLock { $0.workers[worker.pid]?.retiring = true } }
                let idle = answered(1, by: worker)
                ticket.finish(.returned(outcome, allocationFailed: allocationFailed))
                if idle { pump() }
            case .notLoaded(let problem):
                let idle = answered(1, by: worker)
                ticket.finish(.notLoaded(problem))
                if idle { pump() }
            case .expired:
                let idle = answered(1, by: worker)
                ticket.finish(.expired)
                if idle { pump() }
            }
        case .died(let death):
            if death.wasRunning {
                if death.killedBecause == nil { state.withLock { $0.statistics.crashes += 1 } }
                ticket.finish(.crashed(death))
            } else if !ticket.isAbandoned {
                ticket.resetForRequeue()
                requeue([Queued(call: call, ticket: ticket)])
            }
        }
    }

    /// Counts `count` of the worker's calls as answered; true when it is idle now. A retiring
    /// worker that is idle is told to exit (it is replaced when it has).
    @discardableResult
    private func answered(_ count: Int, by worker: WorkerProcess) -> Bool {
        let (idle, retiring) = state.withLock { state -> (Bool, Bool) in
            guard var member = state.workers[worker.pid] else { return (false, false) }
            member.inFlight = max(0, member.inFlight - count)
            state.workers[worker.pid] = member
            return (member.inFlight == 0, member.retiring)
        }
        if idle, retiring { worker.closeInput() }
        return idle && !retiring
    }

    private func requeue(_ items: [Queued]) {
        state.withLock { state in state.queue.insert(contentsOf: items, at: 0) }
        pump()
    }

    // MARK: - Workers coming and going

    /// On the spawner thread: starts one worker (it joins the pool when its handshake arrives).
    private func startWorker() {
        switch WorkerProcess.start(launch, events: { [weak self] worker, event in self?.handle(event, of: worker) }) {
        case .success(let worker):
            let closed = state.withLock { state -> Bool in
                state.starting -= 1
                state.statistics.started += 1
                if state.closed { return true }
                state.workers[worker.pid] = Member(worker: worker)
                state.target = max(state.target, state.workers.count)
                return false
            }
            if closed { worker.terminate(because: "the pool was shut down while the worker started") }
        case .failure(let problem):
            state.withLock { state in
                state.starting -= 1
                state.failedStarts = Self.startAttempts
                state.lastStartProblem = problem
            }
            pump()
        }
    }

    private func handle(_ event: WorkerProcess.Event, of worker: WorkerProcess) {
        switch event {
        case .ready:
            state.withLock { state in
                state.workers[worker.pid]?.ready = true
                state.failedStarts = 0
                if let deathAt = state.deathAt {
                    state.statistics.lastReplacementMs = Double(WallClock.monotonicNanoseconds() &- deathAt) / 1e6
                    state.deathAt = nil
                }
            }
            pump()
        case .died(let exit, let stopped):
            let replace = state.withLock { state -> Bool in
                if let stopped { state.statistics.lastStop = stopped }
                let member = state.workers.removeValue(forKey: worker.pid)
                if member?.ready != true {
                    state.failedStarts += 1
                    state.lastStartProblem = Problem(.workerUnavailable, .error,
                        "the worker \(launch.executable) \(exit) before it was ready; run it by hand to see why")
                }
                state.deathAt = WallClock.monotonicNanoseconds()
                guard !state.closed, state.failedStarts < Self.startAttempts,
                      state.workers.count + state.starting < state.target else { return false }
                state.starting += 1
                return true
            }
            if replace { WorkerSpawner.shared.run { [self] in startWorker() } }
        }
    }
}
