import PluginHostCore

/// One call submitted to a ``WorkerPool``: where it is, and its completion, called once.
public final class WorkerTicket: Sendable {
    private let state: Locked<State>

    struct State {
        var completion: (@Sendable (WorkerCallEnd) -> Void)?
        var worker: WorkerProcess?
        var tag: UInt32?
        var abandoned = false
    }

    /// The call's deadline (monotonic nanoseconds), if it has one.
    let deadline: UInt64?

    init(completion: @escaping @Sendable (WorkerCallEnd) -> Void, deadline: UInt64?) {
        state = Locked(State(completion: completion))
        self.deadline = deadline
    }

    /// Calls the completion, the first time only.
    func finish(_ end: WorkerCallEnd) {
        let completion = state.withLock { state -> (@Sendable (WorkerCallEnd) -> Void)? in
            defer { state.completion = nil }
            return state.completion
        }
        completion?(end)
    }

    var isAbandoned: Bool { state.withLock { $0.abandoned } }

    /// Whether its completion has been called.
    var isFinished: Bool { state.withLock { $0.completion == nil } }

    /// Its worker and tag once sent.
    var placement: (WorkerProcess, UInt32)? {
        state.withLock { state in
            guard let worker = state.worker, let tag = state.tag else { return nil }
            return (worker, tag)
        }
    }

    /// About to be sent to `worker`: false when it was abandoned (then it is not sent).
    func beginSending(to worker: WorkerProcess) -> Bool {
        state.withLock { state in
            guard !state.abandoned, state.completion != nil else { return false }
            state.worker = worker
            return true
        }
    }

    func sent(tag: UInt32) { state.withLock { $0.tag = tag } }

    func resetForRequeue() {
        state.withLock { state in
            state.worker = nil
            state.tag = nil
        }
    }

    /// Marks it abandoned; returns its worker and tag when it has been sent.
    func abandon() -> (WorkerProcess, UInt32)? {
        state.withLock { state in
            state.abandoned = true
            guard let worker = state.worker, let tag = state.tag else { return nil }
            return (worker, tag)
        }
    }

    /// Its worker and tag if it was abandoned (checked after sending, for the race with ``abandon()``).
    func abandonedWhileSending() -> (WorkerProcess, UInt32)? {
        state.withLock { state in
            guard state.abandoned, let worker = state.worker, let tag = state.tag else { return nil }
            return (worker, tag)
        }
    }
}
