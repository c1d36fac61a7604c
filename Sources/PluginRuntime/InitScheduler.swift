import Logging
import PluginDiscovery
import PluginHostCore
import PluginLoader
import PluginMetadata

/// Loads and initializes a plan's plugins, dependencies first, at most `concurrency` at a time,
/// each under a timeout.
///
/// Scheduling is a DAG, not layers: a plugin starts as soon as all of its own dependencies have
/// initialized and a slot is free, so one slow plugin holds back only what depends on it. Among
/// ready plugins the earliest in plan order starts first. A plugin whose dependency failed,
/// timed out or is quarantined is skipped (DEPENDENCY_NOT_LOADED), and so are its dependents.
///
/// Threads: each attempt (dlopen, then `init`) runs on its own dedicated thread, and the run is
/// coordinated from one more dedicated thread that sleeps on a semaphore with a timed wait
/// (``InitMailbox``) until an attempt posts its result or the earliest deadline passes. Nothing
/// polls, and nothing runs on (or waits for) the Swift cooperative pool, so neither a hung
/// plugin nor a busy pool can delay the others. On timeout the slot is freed at once and the
/// plugin is quarantined; its thread cannot be killed and is abandoned (see ``InitAttempt``).
/// A hung plugin therefore costs the run its timeout and one thread, never a pool thread.
///
/// Correct under strict concurrency by construction: the bookkeeping (``InitProgress``) is
/// owned by the coordinator alone; init threads share only an atomic claim flag per attempt
/// and the mailbox (a mutex-protected queue).
public enum InitScheduler {
    /// Runs `plan`: every plugin of `plan.order` ends initialized, failed, timed out, skipped or
    /// quarantined, and `plan.excluded` is reported as skipped. `quarantine` (when given) is
    /// consulted before any plugin is loaded and receives plugins whose `init` fails or times
    /// out; saving it is the caller's business. The awaiting task holds no thread meanwhile.
    public static func run(plan: DependencyPlan, options: InitOptions, quarantine: Quarantine?, logger: Logger) async -> InitReport {
        await withCheckedContinuation { continuation in
            let failure = DedicatedThread.start {
                continuation.resume(returning: runBlocking(plan: plan, options: options, quarantine: quarantine, logger: logger))
            }
            if failure != nil {
                // No thread for the coordinator means none for any attempt either: every
                // attempt fails at once, so coordinating here blocks this thread only briefly.
                continuation.resume(returning: runBlocking(plan: plan, options: options, quarantine: quarantine, logger: logger))
            }
        }
    }

    /// ``run(plan:options:quarantine:logger:)`` on the calling thread, which it blocks until
    /// the run ends (at most about the timeout per wave). For synchronous callers; never call
    /// it from the Swift cooperative pool.
    public static func runBlocking(plan: DependencyPlan, options: InitOptions, quarantine: Quarantine?, logger: Logger) -> InitReport {
        let limit = max(1, options.concurrency)
        let runStart = WallClock.monotonicNanoseconds()
        func sinceStart(_ nanoseconds: UInt64) -> Double { Double(nanoseconds &- runStart) / 1e6 }

        var progress = InitProgress(plan: plan)
        var loaded = [LoadedPlugin?](repeating: nil, count: plan.order.count)
        if let quarantine {
            for (index, plugin) in plan.order.enumerated() {
                if let problem = quarantine.reason(for: plugin, configuration: options.configuration(for: InitProgress.id(plugin))) {
                    logger.info("not loading \(InitProgress.id(plugin)): \(problem.message)")
                    progress.settle(index, status: .quarantined, problem: problem, durationMs: 0, startedAtMs: nil)
                }
            }
        }

        let mailbox = InitMailbox()
        var inFlight: [Int: InitAttempt] = [:]
        /// Attempts whose thread claimed them at the deadline and has yet to post its result.
        var postPending = Set<Int>()
        var peak = 0

        /// Failures are logged at `notice`, not `warning`: each reaches its caller in the report
        /// (and from there in `plugin-host load`'s output, `exec`'s error, the embed result), so
        /// a warning line would say the same thing twice.
        func finish(_ attempt: InitAttempt, _ ending: InitAttempt.Ending) {
            let plugin = plan.order[attempt.index]
            let id = InitProgress.id(plugin)
            let startedAtMs = sinceStart(attempt.startedAt)
            switch ending {
            case .completed(.success(let plugin), let nanoseconds):
                let durationMs = Double(nanoseconds) / 1e6
                loaded[attempt.index] = plugin
                logger.info("initialized \(id) in \(durationMs.roundedToMicroseconds) ms")
                progress.settle(attempt.index, status: .initialized, problem: nil, durationMs: durationMs, startedAtMs: startedAtMs)
            case .completed(.failure(var problem), let nanoseconds):
                if problem.code == .initFailed, let quarantine {
                    problem = quarantine.quarantine(plugin, because: problem, configuration: options.configuration(for: id))
                }
                logger.notice("\(problem)")
                progress.settle(attempt.index, status: .failed, problem: problem, durationMs: Double(nanoseconds) / 1e6, startedAtMs: startedAtMs)
            case .timedOut(let phase):
                let what = phase == .loading ? "library did not finish loading (dlopen and its constructors)" : "init did not return"
                var problem = Problem(
                    .initTimeout, .error,
                    "\(id)'s \(what) within \(options.timeout.spoken) (its thread cannot be stopped and is abandoned)",
                    file: plugin.path)
                if let quarantine {
                    problem = quarantine.quarantine(plugin, because: problem, configuration: options.configuration(for: id))
                }
                logger.notice("\(problem)")
                progress.settle(attempt.index, status: .timedOut, problem: problem,
                                durationMs: Double(attempt.deadline &- attempt.startedAt) / 1e6, startedAtMs: startedAtMs)
            }
        }

        while true {
            while inFlight.count < limit, let index = progress.nextReady() {
                let plugin = plan.order[index]
                let id = InitProgress.id(plugin)
                let config = options.configuration(for: id)
                guard case .object = config else {
                    progress.settle(index, status: .failed, problem: Problem(
                        .initFailed, .error,
                        "the configuration for \(id) is \(config.typeName), not a JSON object; pass an object (or nothing for {})",
                        file: plugin.path), durationMs: 0, startedAtMs: nil)
                    continue
                }
                logger.debug("initializing \(id)")
                let attempt = InitAttempt(index: index, startedAt: WallClock.monotonicNanoseconds(), timeout: options.timeout)
                if let error = attempt.start(plugin, config: config, logger: logger, mailbox: mailbox) {
                    finish(attempt, .completed(.failure(Problem(
                        .initFailed, .error,
                        "could not start a thread for \(id)'s init (\(error)); the host is out of threads or memory",
                        file: plugin.path)), nanoseconds: 0))
                    continue
                }
                inFlight[index] = attempt
                peak = max(peak, inFlight.count)
            }
            guard !inFlight.isEmpty else { break }

            // Sleep until a result arrives or the earliest deadline still in play passes. An
            // attempt whose thread won the claim at its deadline is about to post; wait for that.
            let deadlines = inFlight.values.filter { !postPending.contains($0.index) }.map(\.deadline)
            let now = WallClock.monotonicNanoseconds()
            if let earliest = deadlines.min() {
                if earliest > now { mailbox.wait(nanoseconds: earliest - now) }
            } else {
                mailbox.wait(nanoseconds: 1_000_000_000)
            }
            for (index, ending) in mailbox.drain() {
                postPending.remove(index)
                if let attempt = inFlight.removeValue(forKey: index) { finish(attempt, ending) }
            }
            let after = WallClock.monotonicNanoseconds()
            for attempt in inFlight.values.sorted(by: { $0.index < $1.index })
            where attempt.deadline <= after && !postPending.contains(attempt.index) {
                guard attempt.claim() else {
                    postPending.insert(attempt.index)
                    continue
                }
                inFlight[attempt.index] = nil
                finish(attempt, .timedOut(attempt.phase))
            }
        }

        var outcomes = progress.outcomes.map { $0! }
        for (plugin, problem) in plan.excluded {
            outcomes.append(InitProgress.outcome(plugin, .skipped, problem, 0, nil))
        }
        return InitReport(
            outcomes: outcomes, initialized: loaded.compactMap { $0 },
            wallTimeMs: sinceStart(WallClock.monotonicNanoseconds()), peakConcurrency: peak,
            concurrencyLimit: limit, timeoutMs: options.timeout.milliseconds)
    }
}
