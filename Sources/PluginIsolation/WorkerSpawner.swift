import PluginHostCore

/// The one thread that starts every worker process, for the life of the host process.
///
/// Why one long-lived thread: a worker asks the kernel to kill it when its parent dies
/// (`PR_SET_PDEATHSIG`), and for the kernel "parent" means the *thread* that started it. A
/// worker started from a pool thread that later retires would be killed with that thread. This
/// thread never exits, so workers die exactly when the host does.
public final class WorkerSpawner: Sendable {
    public typealias Job = @Sendable () -> Void

    /// The process's spawner.
    public static let shared = WorkerSpawner()

    private let gate = ConditionGate<State>(State())

    struct State {
        var jobs: [Job] = []
        var started = false
    }

    private init() {}

    /// Runs `job` on the spawner thread, after the jobs before it.
    public func run(_ job: @escaping Job) {
        let start = gate.withLock { state -> Bool in
            state.jobs.append(job)
            defer { state.started = true }
            return !state.started
        }
        if start {
            if DedicatedThread.start({ [self] in work() }) != nil {
                // No thread: run the jobs here (their workers then die with this thread).
                gate.withLock { $0.started = false }
                while let next = gate.withLock({ $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }) { next() }
            }
        } else {
            gate.signal()
        }
    }

    /// Starts a worker on the spawner thread and returns it, blocking the caller until then.
    public func start(_ launch: WorkerLaunch, events: @escaping @Sendable (WorkerProcess, WorkerProcess.Event) -> Void) -> Result<WorkerProcess, Problem> {
        let done = ConditionGate<Result<WorkerProcess, Problem>?>(nil)
        run {
            let result = WorkerProcess.start(launch, events: events)
            done.withLock { $0 = result }
            done.broadcast()
        }
        return done.locked { held in
            while held.access({ $0 }) == nil { _ = held.wait(deadline: nil) }
            return held.access { $0! }
        }
    }

    private func work() {
        while true {
            let job: Job = gate.locked { held in
                while held.access({ $0.jobs.isEmpty }) { _ = held.wait(deadline: nil) }
                return held.access { $0.jobs.removeFirst() }
            }
            job()
        }
    }
}
