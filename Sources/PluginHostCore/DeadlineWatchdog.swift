/// Runs actions at their deadlines from one thread of its own, so a time limit fires on time
/// whatever the caller's threads are doing.
///
/// Why a thread and not a sleeping `Task`: an async caller's timer runs on Swift's cooperative
/// pool, which has one thread per core and which a busy process (synchronous work, blocking
/// calls) may not run for seconds; a timeout that waits for a free cooperative thread is not a
/// timeout. The process has one watchdog (``shared``): the worker pools' call deadlines, the
/// in-process attempts of async callers and the plugin calls workflow lanes make themselves all
/// use it.
///
/// The thread starts with the first deadline and sleeps until the earliest one. A call that
/// ends on its own takes its entry back with ``cancel(_:)`` (O(1)), so entries never pile up
/// until their deadlines however many calls finish early; an entry whose `isDone` answers true
/// is dropped at the next wake-up too, for callers that cannot cancel. Scheduling wakes the
/// thread only when the new deadline is earlier than the one it sleeps until: calls with equal
/// time limits, the common case, cost a lock and no system call.
public final class DeadlineWatchdog: Sendable {
    /// The process's watchdog.
    public static let shared = DeadlineWatchdog()

    /// An entry, for ``cancel(_:)``.
    public struct Token: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private struct Entry {
        var deadline: UInt64
        var isDone: (@Sendable () -> Bool)?
        var fire: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var started = false
        /// The deadline the thread sleeps until (`.max`: none), or nil while it is awake.
        var sleepingUntil: UInt64?
    }

    private let gate = ConditionGate<State>(State())

    public init() {}

    /// Runs `fire` on the watchdog's thread once ``WallClock/monotonicNanoseconds()`` reaches
    /// `deadline`, unless the entry is cancelled or `isDone` answers true first. `fire` must be
    /// quick and must not block: it runs on the thread that serves every other deadline.
    @discardableResult
    public func schedule(
        at deadline: UInt64, isDone: (@Sendable () -> Bool)? = nil, fire: @escaping @Sendable () -> Void
    ) -> Token {
        let (token, start, wake) = gate.withLock { state -> (Token, Bool, Bool) in
            state.nextID &+= 1
            state.entries[state.nextID] = Entry(deadline: deadline, isDone: isDone, fire: fire)
            let start = !state.started
            state.started = true
            return (Token(id: state.nextID), start, state.sleepingUntil.map { deadline < $0 } ?? false)
        }
        if start {
            // Without a thread (the process is out of them) nothing fires yet: the next
            // schedule tries to start one again.
            if DedicatedThread.start({ [self] in run() }) != nil { gate.withLock { $0.started = false } }
        } else if wake {
            gate.signal()
        }
        return token
    }

    /// Takes back an entry that has not fired: its `fire` will not run. Returns whether it was
    /// still waiting (false: it fired or is firing, or was cancelled already).
    @discardableResult
    public func cancel(_ token: Token) -> Bool {
        gate.withLock { $0.entries.removeValue(forKey: token.id) != nil }
    }

    /// Entries waiting now (for tests: finished calls must not linger).
    public var pendingCount: Int { gate.withLock { $0.entries.count } }

    private func run() {
        while true {
            let due: [Entry] = gate.locked { held in
                while true {
                    let now = WallClock.monotonicNanoseconds()
                    let (due, earliest) = held.access { state -> ([Entry], UInt64) in
                        var due: [Entry] = []
                        var earliest = UInt64.max
                        for (id, entry) in state.entries {
                            if entry.deadline <= now {
                                due.append(entry)
                                state.entries.removeValue(forKey: id)
                            } else if entry.isDone?() == true {
                                state.entries.removeValue(forKey: id)
                            } else {
                                earliest = min(earliest, entry.deadline)
                            }
                        }
                        return (due, earliest)
                    }
                    if !due.isEmpty { return due }
                    held.access { $0.sleepingUntil = earliest }
                    _ = held.wait(deadline: earliest == .max ? nil : earliest)
                    held.access { $0.sleepingUntil = nil }
                }
            }
            for entry in due { entry.fire() }
        }
    }
}
