/// Runs actions at their deadlines from one thread of its own, so a time limit fires on time
/// whatever the caller's threads are doing.
///
/// Why a thread and not a sleeping `Task`: an async caller's timer runs on Swift's cooperative
/// pool, which has one thread per core and which a busy process (synchronous work, blocking
/// calls) may not run for seconds; a timeout that waits for a free cooperative thread is not a
/// timeout. The process has one watchdog (``shared``): the worker pools' call deadlines and the
/// in-process attempts of async callers both use it.
///
/// The thread starts with the first deadline and sleeps until the earliest one. An entry whose
/// `isDone` answers true (the call ended on its own) is dropped at the next wake-up without
/// firing, so finished calls do not pile up until their deadlines.
public final class DeadlineWatchdog: Sendable {
    /// The process's watchdog.
    public static let shared = DeadlineWatchdog()

    private struct Entry {
        var deadline: UInt64
        var isDone: @Sendable () -> Bool
        var fire: @Sendable () -> Void
    }

    private struct State {
        var entries: [Entry] = []
        var started = false
    }

    private let gate = ConditionGate<State>(State())

    public init() {}

    /// Runs `fire` on the watchdog's thread once ``WallClock/monotonicNanoseconds()`` reaches
    /// `deadline`, unless `isDone` answers true first. `fire` must be quick and must not block:
    /// it runs on the thread that serves every other deadline.
    public func schedule(at deadline: UInt64, isDone: @escaping @Sendable () -> Bool, fire: @escaping @Sendable () -> Void) {
        let start = gate.withLock { state -> Bool in
            state.entries.append(Entry(deadline: deadline, isDone: isDone, fire: fire))
            defer { state.started = true }
            return !state.started
        }
        if start {
            // Without a thread (the process is out of them) nothing fires yet: the next
            // schedule tries to start one again.
            if DedicatedThread.start({ [self] in run() }) != nil { gate.withLock { $0.started = false } }
        } else {
            gate.signal()
        }
    }

    private func run() {
        while true {
            let due: [Entry] = gate.locked { held in
                while true {
                    held.access { state in state.entries.removeAll { $0.isDone() } }
                    let now = WallClock.monotonicNanoseconds()
                    let due = held.access { state -> [Entry] in
                        let due = state.entries.filter { $0.deadline <= now }
                        state.entries.removeAll { $0.deadline <= now }
                        return due
                    }
                    if !due.isEmpty { return due }
                    let earliest = held.access { $0.entries.map(\.deadline).min() }
                    _ = held.wait(deadline: earliest)
                }
            }
            for entry in due { entry.fire() }
        }
    }
}
