#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore

/// Host-owned threads that run plugin calls off the caller's thread: every call of the async
/// `execute` (so plugin code never occupies Swift's cooperative pool, which has one thread per
/// core) and every synchronous call with a time limit (so the caller can stop waiting); and the
/// lanes of workflow runs, which call plugins themselves (``PluginHost/runOnHostThread(_:)``).
///
/// A small reusable pool: a job goes to an idle thread when there is one, else a new thread is
/// started, so a call never queues behind another (a hung plugin call holds its thread, and
/// must not delay anyone else's). Threads idle for ``idleSeconds`` exit, except ``keptIdle``
/// of them. Starting a thread costs ~15 µs; reusing one costs a condition-variable hand-off.
///
/// A call abandoned by a timeout keeps its thread until the plugin returns (C code cannot be
/// stopped safely); if it never returns, that thread is lost for the life of the process.
final class PluginCallThreads: Sendable {
    typealias Job = @Sendable () -> Void

    /// Threads kept when idle; more exit after ``idleSeconds`` without work.
    let keptIdle: Int
    let idleSeconds: Int
    private let gate: ConditionGate<State>

    struct State {
        var jobs: [Job] = []
        var idle = 0
        var threads = 0
        /// Jobs handed out so far (a payload for tests and statistics).
        var started: UInt64 = 0
    }

    init(keptIdle: Int = 4, idleSeconds: Int = 10) {
        self.keptIdle = keptIdle
        self.idleSeconds = idleSeconds
        gate = ConditionGate(State())
    }

    /// Runs `job` on a pool thread, starting one if none is idle.
    func run(_ job: @escaping Job) {
        let spawn = gate.withLock { state -> Bool in
            state.jobs.append(job)
            state.started &+= 1
            if state.idle >= state.jobs.count {
                return false
            }
            state.threads += 1
            return true
        }
        if spawn {
            startThread()
        } else {
            gate.signal()
        }
    }

    /// Jobs handed to the threads so far: calls, lanes, replacement lanes.
    var jobsStarted: UInt64 { gate.withLock { $0.started } }

    /// Threads alive now (busy or idle).
    var threadCount: Int { gate.withLock { $0.threads } }

    private func startThread() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { raw in
            let pool = Unmanaged<PluginCallThreads>.fromOpaque(raw!).takeRetainedValue()
            pool.work()
            return nil
        }, box)
        pthread_attr_destroy(&attributes)
        if status != 0 {
            // No thread could be started: run the job here rather than losing it.
            Unmanaged<PluginCallThreads>.fromOpaque(box).release()
            gate.withLock { $0.threads -= 1 }
            if let job = gate.withLock({ $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }) { job() }
        }
    }

    /// A pool thread's loop: take a job, run it, wait for the next; exit when idle too long.
    private func work() {
        while true {
            let job: Job? = gate.locked { held in
                while held.access({ $0.jobs.isEmpty }) {
                    held.access { $0.idle += 1 }
                    let signalled = held.wait(seconds: idleSeconds)
                    let retire = held.access { state -> Bool in
                        state.idle -= 1
                        guard !signalled, state.jobs.isEmpty, state.idle >= keptIdle else { return false }
                        state.threads -= 1
                        return true
                    }
                    if retire { return nil }
                }
                return held.access { $0.jobs.removeFirst() }
            }
            guard let job else { return }
            job()
        }
    }
}
