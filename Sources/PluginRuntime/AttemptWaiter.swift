#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore
import PluginIsolation
import PluginLoader
import Synchronization

/// Runs one plugin call on a host-owned thread and hands its end to whoever waits first:
/// the call finishing, the time limit, or the caller giving up. Only the first end counts;
/// when it is not the call's, the call's ``CancellationFlag`` is set so `is_cancelled` turns
/// true for the plugin, and whatever the call returns later is dropped.
///
/// In process, the abandoned call keeps running on its thread until the plugin returns: C code
/// cannot be stopped safely, so the host stops waiting; it never kills it. A plugin that is not
/// thread-safe keeps its lock until then, so its next calls wait for the abandoned one (with a
/// time limit they time out too). In a worker process the host can stop it, and does: the
/// pool kills the worker (``WorkerPool/abandon(_:because:)``).
final class AttemptWaiter: Sendable {
    /// What the plugin's `is_cancelled` reads: set when the waiter gives up, and answering to
    /// the caller's flag too (a run cancelled from outside).
    let cancellation: CancellationFlag
    private let state = ConditionGate<State>(State())
    /// Set once an end is recorded: what a spinning waiter reads without the lock.
    private let ended = Atomic<Bool>(false)
    /// How long a synchronous waiter yields its core, checking ``ended``, before it sleeps on
    /// the condition variable (and never past the call's deadline). A worker's answer usually
    /// arrives within tens of microseconds; catching it while yielding saves the futex sleep
    /// and wake-up, which on a virtual machine cost more than the call itself. Bounded in time,
    /// not in yields: on a busy machine one yield can give the core away for milliseconds.
    static let yieldingNanoseconds: UInt64 = 200_000

    init(caller: CancellationFlag? = nil) {
        cancellation = CancellationFlag(parent: caller)
    }

    struct State {
        var end: AttemptEnd?
        var continuation: CheckedContinuation<AttemptEnd, Never>?
        /// Stops the call in its worker; set once the call was sent to a pool.
        var abandon: (@Sendable () -> Void)?
    }

    /// Starts `request` where `route` says: on one of `threads`, or in a worker of the pool.
    /// `deadline` lets a worker skip a batched call whose time ran out before it started.
    func start(_ request: PluginCallRequest, route: CallRoute, on threads: PluginCallThreads, deadline: CallDeadline?) {
        switch route {
        case .inProcess(let plugin):
            threads.run { [self] in
                let outcome = plugin.execute(request, cancellation: cancellation)
                settle(.returned(outcome))
            }
        case .worker(let pool, let plugin):
            let call = WorkerCall(plugins: plugin.loadOrder, request: request, deadline: deadline?.nanoseconds)
            let ticket = pool.submit(call) { [self] end in
                settle(AttemptEnd(end, timeoutMs: deadline?.timeoutMs))
            }
            let abandon: @Sendable () -> Void = { pool.abandon(ticket, because: "the host stopped waiting for the call") }
            let alreadyOver = state.withLock { state -> Bool in
                guard let end = state.end else {
                    state.abandon = abandon
                    return false
                }
                return !end.isCallsOwn
            }
            if alreadyOver { abandon() }
        }
    }

    /// Records `end` if it is the first; returns whether it was. An end that is not the call's
    /// own (a timeout, a cancel) sets the cancellation flag and stops a call in a worker.
    @discardableResult
    func settle(_ end: AttemptEnd) -> Bool {
        let (first, continuation, abandon) = state.withLock { state -> (Bool, CheckedContinuation<AttemptEnd, Never>?, (@Sendable () -> Void)?) in
            guard state.end == nil else { return (false, nil, nil) }
            state.end = end
            defer { state.continuation = nil }
            return (true, state.continuation, state.abandon)
        }
        guard first else { return false }
        ended.store(true, ordering: .releasing)
        if !end.isCallsOwn {
            cancellation.cancel()
            abandon?()
        }
        state.broadcast()
        continuation?.resume(returning: end)
        return true
    }

    /// Blocks the calling thread until the call ends or `limit` passes (nil: no limit).
    func wait(until limit: CallDeadline?) -> AttemptEnd {
        let deadline = limit?.nanoseconds
        let stopYielding = min(deadline ?? .max, WallClock.monotonicNanoseconds() &+ Self.yieldingNanoseconds)
        while !ended.load(ordering: .acquiring), WallClock.monotonicNanoseconds() < stopYielding { sched_yield() }
        let end = state.locked { held -> AttemptEnd? in
            while held.access({ $0.end }) == nil {
                if !held.wait(deadline: deadline) { break }
            }
            return held.access { $0.end }
        }
        if let end { return end }
        settle(.timedOut(timeoutMs: limit?.timeoutMs ?? 0))
        return state.withLock { $0.end! }
    }

    /// Suspends the calling task until the call ends, `limit` passes, or the task is
    /// cancelled; holds no thread while waiting. The limit is kept by the process's
    /// ``DeadlineWatchdog`` thread, not by a sleeping task: a cooperative pool busy with other
    /// work could run such a timer seconds late, and the call would run on past its timeout.
    func wait(until limit: CallDeadline?) async -> AttemptEnd {
        let watch = limit.map { limit in
            DeadlineWatchdog.shared.schedule(at: limit.nanoseconds) { [self] in settle(.timedOut(timeoutMs: limit.timeoutMs)) }
        }
        defer { if let watch { DeadlineWatchdog.shared.cancel(watch) } }
        let end = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<AttemptEnd, Never>) in
                let ready = state.withLock { state -> AttemptEnd? in
                    if let end = state.end { return end }
                    state.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            settle(.cancelled)
        }
        return end
    }
}

extension AttemptEnd {
    /// Whether the call itself ended this way (returned, crashed, refused), rather than the
    /// host giving up on it (a timeout, a cancel).
    var isCallsOwn: Bool {
        switch self {
        case .timedOut, .cancelled: false
        case .returned, .outOfMemory, .crashed, .workerRefused: true
        }
    }
}
