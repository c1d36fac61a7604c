import PluginHostCore

/// Enforces calls' deadlines from a thread of its own, so a worker running a call past its
/// deadline is killed on time whatever the caller's threads are doing (an async caller's own
/// timer runs on Swift's cooperative pool, which a busy process may not run promptly).
///
/// The thread starts with the first deadline and sleeps until the earliest one; at a deadline it
/// kills the worker if the call is still the one running there and ends the call as expired
/// (the caller sees EXECUTION_TIMEOUT, whichever of its timer and this came first).
final class DeadlineWatch: Sendable {
    private let gate = ConditionGate<State>(State())

    struct State {
        var entries: [(deadline: UInt64, ticket: WorkerTicket)] = []
        var started = false
        var stopped = false
    }

    func add(_ ticket: WorkerTicket, deadline: UInt64) {
        let start = gate.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.entries.append((deadline, ticket))
            defer { state.started = true }
            return !state.started
        }
        if start {
            if DedicatedThread.start({ [self] in run() }) != nil { gate.withLock { $0.started = false } }
        } else {
            gate.signal()
        }
    }

    func stop() {
        gate.withLock { $0.stopped = true }
        gate.broadcast()
    }

    private func run() {
        while true {
            let due: [WorkerTicket]? = gate.locked { held in
                while true {
                    if held.access({ $0.stopped }) { return nil }
                    held.access { state in state.entries.removeAll { $0.ticket.isFinished } }
                    let now = WallClock.monotonicNanoseconds()
                    let due = held.access { state -> [WorkerTicket] in
                        let due = state.entries.filter { $0.deadline <= now }.map(\.ticket)
                        state.entries.removeAll { $0.deadline <= now }
                        return due
                    }
                    if !due.isEmpty { return due }
                    let earliest = held.access { $0.entries.map(\.deadline).min() }
                    _ = held.wait(deadline: earliest)
                }
            }
            guard let due else { return }
            for ticket in due {
                if let (worker, tag) = ticket.placement, worker.isRunning(tag: tag) {
                    worker.terminate(because: "the call's deadline passed", deadline: ticket.deadline)
                }
                ticket.finish(.expired)
            }
        }
    }
}
