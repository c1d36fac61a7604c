import PluginHostCore

/// Enforces a pool's call deadlines on the process's ``DeadlineWatchdog``, so a worker running a
/// call past its deadline is killed on time whatever the caller's threads are doing (an async
/// caller's own timer runs on Swift's cooperative pool, which a busy process may not run promptly).
///
/// At a deadline it kills the worker if the call is still the one running there and ends the
/// call as expired (the caller sees EXECUTION_TIMEOUT, whichever of its timer and this came
/// first). After ``stop()`` (the pool shut down) nothing more fires.
final class DeadlineWatch: Sendable {
    /// Set by ``stop()``; checked by every entry before it acts.
    private let stopped = Locked<Bool>(false)

    func add(_ ticket: WorkerTicket, deadline: UInt64) {
        guard !stopped.withLock({ $0 }) else { return }
        DeadlineWatchdog.shared.schedule(at: deadline, isDone: { [stopped] in ticket.isFinished || stopped.withLock { $0 } }) { [stopped] in
            guard !stopped.withLock({ $0 }) else { return }
            // Finish the call before killing its worker: the worker's death is reported on the
            // pool's reader thread as soon as it happens, and had it finished the call first the
            // caller would see EXECUTION_CRASHED for what is a timeout.
            let running = ticket.placement.flatMap { worker, tag in worker.isRunning(tag: tag) ? worker : nil }
            ticket.finish(.expired)
            running?.terminate(because: "the call's deadline passed", deadline: ticket.deadline)
        }
    }

    func stop() {
        stopped.withLock { $0 = true }
    }
}
