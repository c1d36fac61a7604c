#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore

/// Loads and initializes plugins in throwaway worker processes before the host trusts them,
/// so a constructor or `init` that crashes or hangs is found without the host ever running it.
///
/// Batched, as GStreamer's plugin scanner is: one probe process takes a whole list and loads
/// it in order; when it dies, the plugin it was loading is the culprit (PROBE_CRASHED with the
/// signal), a new probe is started, and it carries on with the rest. A plugin that does not
/// answer within `timeout` has its probe killed (INIT_TIMEOUT) and the rest go on in a new one.
/// With `concurrency` above one, the list is dealt round-robin to that many probes at once.
public enum PluginProbe {
    /// How probing one plugin ended.
    public enum Outcome: Sendable {
        /// It loaded and its `init` succeeded.
        case loaded
        /// Loading or `init` failed with this problem (LOAD_FAILED, INIT_FAILED, …).
        case failed(Problem)
        /// Its probe process died while loading or initializing it.
        case crashed(WorkerExit, crash: WorkerCrashReport?)
        /// It did not finish loading and initializing within the timeout.
        case timedOut
        /// No probe process could be started.
        case unavailable(Problem)
    }

    /// Probes `plugins`; one outcome per plugin, in order.
    public static func run(_ plugins: [WorkerPluginSpec], launch: WorkerLaunch, timeout: Duration, concurrency: Int = 1) -> [Outcome] {
        guard !plugins.isEmpty else { return [] }
        let lanes = max(1, min(concurrency, plugins.count))
        let indices = (0..<lanes).map { lane in Array(stride(from: lane, to: plugins.count, by: lanes)) }
        let results = ConditionGate<[Int: Outcome]>([:])
        for lane in indices {
            let run: @Sendable () -> Void = {
                let outcomes = probe(lane.map { plugins[$0] }, launch: launch, timeout: timeout)
                results.withLock { table in for (index, outcome) in zip(lane, outcomes) { table[index] = outcome } }
                results.broadcast()
            }
            if DedicatedThread.start(run) != nil { run() }
        }
        return results.locked { held in
            while held.access({ $0.count }) < plugins.count { _ = held.wait(deadline: nil) }
            return held.access { table in (0..<plugins.count).map { table[$0]! } }
        }
    }

    /// One lane: probe processes, one after another, until every plugin has an outcome.
    private static func probe(_ plugins: [WorkerPluginSpec], launch: WorkerLaunch, timeout: Duration) -> [Outcome] {
        var outcomes: [Outcome] = []
        var startFailures = 0
        while outcomes.count < plugins.count {
            let remaining = Array(plugins[outcomes.count...])
            switch probeOnce(remaining, launch: launch, timeout: timeout) {
            case .finished(let some):
                outcomes += some
                startFailures = 0
            case .unavailable(let problem):
                startFailures += 1
                if startFailures >= 2 {
                    outcomes += remaining.map { _ in .unavailable(problem) }
                }
            }
        }
        return outcomes
    }

    private enum Pass {
        /// Outcomes for a prefix of the plugins given (at least one).
        case finished([Outcome])
        case unavailable(Problem)
    }

    /// One probe process: loads `plugins` in order until they are done or it dies.
    private static func probeOnce(_ plugins: [WorkerPluginSpec], launch: WorkerLaunch, timeout: Duration) -> Pass {
        let timeoutNanoseconds = UInt64(clamping: timeout.components.seconds) * 1_000_000_000
            + UInt64(clamping: timeout.components.attoseconds / 1_000_000_000)
        let mailbox = ConditionGate<Mailbox>(Mailbox())
        let started = WorkerSpawner.shared.start(launch) { _, event in
            mailbox.withLock { box in
                switch event {
                case .ready: box.ready = true
                case .died(let exit, _): box.exit = exit
                }
            }
            mailbox.broadcast()
        }
        let worker: WorkerProcess
        switch started {
        case .success(let process): worker = process
        case .failure(let problem): return .unavailable(problem)
        }
        // The handshake: a worker that cannot even start is not any plugin's fault.
        let handshakeDeadline = WallClock.monotonicNanoseconds() &+ 10_000_000_000
        let ready = mailbox.locked { held -> Bool in
            while !held.access({ $0.ready }), held.access({ $0.exit }) == nil {
                if !held.wait(deadline: handshakeDeadline) { break }
            }
            return held.access { $0.ready }
        }
        guard ready else {
            worker.terminate(because: "the probe did not complete its handshake")
            let exit = waitForExit(mailbox)
            return .unavailable(Problem(.workerUnavailable, .error,
                "the probe process \(launch.executable) \(exit) before it was ready; run it by hand to see why"))
        }
        worker.send { _, tag in
            var encoder = FrameEncoder()
            var requests: [WorkerProcess.Pending] = []
            for (index, plugin) in plugins.enumerated() {
                WorkerLoadRequest(slot: UInt32(index + 1), plugin: plugin).encode(into: &encoder, tag: tag(index))
                requests.append(WorkerProcess.Pending(loads: 1, expectsResult: false) { reply in
                    mailbox.withLock { $0.replies[index] = reply }
                    mailbox.broadcast()
                })
            }
            return (requests, encoder, Set(1...UInt32(plugins.count)))
        }
        var outcomes: [Outcome] = []
        var itemStart = WallClock.monotonicNanoseconds()
        for index in plugins.indices {
            let deadline = itemStart &+ timeoutNanoseconds
            let reply = mailbox.locked { held -> WorkerProcess.Reply? in
                while held.access({ $0.replies[index] }) == nil {
                    if !held.wait(deadline: deadline) { break }
                }
                return held.access { $0.replies[index] }
            }
            itemStart = WallClock.monotonicNanoseconds()
            switch reply {
            case .loaded(let loaded)?:
                outcomes.append(loaded.problem.map { .failed($0.with(file: plugins[index].path)) } ?? .loaded)
            case .died(let death)?:
                outcomes.append(.crashed(death.exit, crash: death.crash))
                return .finished(outcomes)
            case .executed?, nil:
                outcomes.append(.timedOut)
                worker.terminate(because: "\(plugins[index].pluginID) did not finish loading within the probe's timeout")
                _ = waitForExit(mailbox)
                return .finished(outcomes)
            }
        }
        worker.closeInput()
        let exitDeadline = WallClock.monotonicNanoseconds() &+ 1_000_000_000
        let exited = mailbox.locked { held -> Bool in
            while held.access({ $0.exit }) == nil {
                if !held.wait(deadline: exitDeadline) { break }
            }
            return held.access { $0.exit } != nil
        }
        if !exited {
            worker.terminate(because: "the probe did not exit after its work")
            _ = waitForExit(mailbox)
        }
        return .finished(outcomes)
    }

    private struct Mailbox {
        var ready = false
        var exit: WorkerExit?
        var replies: [Int: WorkerProcess.Reply] = [:]
    }

    private static func waitForExit(_ mailbox: ConditionGate<Mailbox>) -> WorkerExit {
        mailbox.locked { held in
            while held.access({ $0.exit }) == nil { _ = held.wait(deadline: nil) }
            return held.access { $0.exit! }
        }
    }
}
