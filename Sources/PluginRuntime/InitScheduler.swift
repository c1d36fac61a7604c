import Logging
import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginLoader

/// Loads and initializes a plan's plugins, dependencies first, at most `concurrency` at a time,
/// each under a timeout (DESIGN §4).
///
/// Scheduling is a DAG, not layers: a plugin starts as soon as all of its own dependencies have
/// initialized and a slot is free, so one slow plugin holds back only what depends on it. Among
/// ready plugins the earliest in plan order starts first. A plugin whose dependency failed,
/// timed out or is quarantined is skipped (DEPENDENCY_NOT_LOADED), and so are its dependents.
///
/// Each attempt (dlopen, then `init`) runs on its own dedicated thread, never on the Swift
/// cooperative pool, and the coordinating task awaits it on a continuation that either the
/// thread or a timer resumes (see ``InitAttempt``): nothing busy-waits. On timeout the slot is
/// freed at once and the plugin is quarantined; its thread cannot be killed and is abandoned,
/// so it may linger in the plugin for the life of the process. A hung plugin therefore costs
/// the run its timeout and one thread, never a pool thread and never the other plugins' time.
///
/// Correct under strict concurrency by construction: the bookkeeping (``InitProgress``) lives
/// in the one coordinating task; attempts hand back only Sendable values through the task group.
public enum InitScheduler {
    /// Runs `plan`: every plugin of `plan.order` ends initialized, failed, timed out, skipped or
    /// quarantined, and `plan.excluded` is reported as skipped. `quarantine` (when given) is
    /// consulted before any plugin is loaded and receives plugins whose `init` fails or times
    /// out; saving it is the caller's business.
    public static func run(plan: DependencyPlan, options: InitOptions, quarantine: Quarantine?, logger: Logger) async -> InitReport {
        let limit = max(1, options.concurrency)
        let timeoutMs = options.timeout.milliseconds
        let runStart = WallClock.monotonicNanoseconds()
        func sinceStart(_ nanoseconds: UInt64) -> Double { Double(nanoseconds &- runStart) / 1e6 }

        var progress = InitProgress(plan: plan)
        var loaded = [LoadedPlugin?](repeating: nil, count: plan.order.count)
        if let quarantine {
            for (index, plugin) in plan.order.enumerated() {
                if let problem = quarantine.reason(for: plugin) {
                    logger.info("not loading \(InitProgress.id(plugin)): \(problem.message)")
                    progress.settle(index, status: .quarantined, problem: problem, durationMs: 0, startedAtMs: nil)
                }
            }
        }

        var peak = 0
        await withTaskGroup(of: (index: Int, ending: InitAttempt.Ending, startedAt: UInt64).self) { group in
            var inFlight = 0
            while true {
                while inFlight < limit, let index = progress.nextReady() {
                    let plugin = plan.order[index]
                    let id = InitProgress.id(plugin)
                    let config = options.configurations[id] ?? .object([:])
                    guard case .object = config else {
                        progress.settle(index, status: .failed, problem: Problem(
                            .initFailed, .error,
                            "the configuration for \(id) is \(config.typeName), not a JSON object; pass an object (or nothing for {})",
                            file: plugin.path), durationMs: 0, startedAtMs: nil)
                        continue
                    }
                    inFlight += 1
                    peak = max(peak, inFlight)
                    logger.debug("initializing \(id)")
                    let timeout = options.timeout
                    group.addTask {
                        let startedAt = WallClock.monotonicNanoseconds()
                        let ending = await InitAttempt.run(plugin, config: config, timeout: timeout, logger: logger)
                        return (index, ending, startedAt)
                    }
                }
                guard let (index, ending, startedAt) = await group.next() else { break }
                inFlight -= 1
                let plugin = plan.order[index]
                let id = InitProgress.id(plugin)
                let startedAtMs = sinceStart(startedAt)
                switch ending {
                case .completed(.success(let plugin), let nanoseconds):
                    let durationMs = Double(nanoseconds) / 1e6
                    loaded[index] = plugin
                    logger.info("initialized \(id) in \(durationMs.roundedToMicroseconds) ms")
                    progress.settle(index, status: .initialized, problem: nil, durationMs: durationMs, startedAtMs: startedAtMs)
                case .completed(.failure(let problem), let nanoseconds):
                    logger.warning("\(problem)")
                    if problem.code == .initFailed { quarantine?.quarantine(plugin, because: problem) }
                    progress.settle(index, status: .failed, problem: problem, durationMs: Double(nanoseconds) / 1e6, startedAtMs: startedAtMs)
                case .timedOut(let phase):
                    let what = phase == .loading ? "library did not finish loading (dlopen and its constructors)" : "init did not return"
                    let problem = Problem(
                        .initTimeout, .error,
                        "\(id)'s \(what) within \(options.timeout.spoken); it is quarantined until the file changes (its thread cannot be stopped and is abandoned)",
                        file: plugin.path)
                    logger.warning("\(problem)")
                    quarantine?.quarantine(plugin, because: problem)
                    progress.settle(index, status: .timedOut, problem: problem, durationMs: sinceStart(WallClock.monotonicNanoseconds()) - startedAtMs, startedAtMs: startedAtMs)
                }
            }
        }

        var outcomes = progress.outcomes.map { $0! }
        for (plugin, problem) in plan.excluded {
            outcomes.append(InitProgress.outcome(plugin, .skipped, problem, 0, nil))
        }
        return InitReport(
            outcomes: outcomes, initialized: loaded.compactMap { $0 },
            wallTimeMs: sinceStart(WallClock.monotonicNanoseconds()), peakConcurrency: peak,
            concurrencyLimit: limit, timeoutMs: timeoutMs)
    }
}
