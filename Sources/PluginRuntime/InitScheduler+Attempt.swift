#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import PluginDiscovery
import PluginHostCore
import PluginLoader
import PluginMetadata
import Synchronization

/// One plugin's load and `init`, running on a thread of its own, raced against a deadline.
///
/// Exactly one of two parties settles an attempt, whoever ``claim()``s it first: the init
/// thread when the plugin returns (it then posts the result to the run's ``InitMailbox``), or
/// the coordinator when the deadline passes (it then reports INIT_TIMEOUT). The loser does
/// nothing, so a late result is dropped and never reaches a report.
///
/// An in-process `init` cannot be killed (there is no safe way to stop a thread inside foreign
/// code). After a timeout the thread is abandoned: it keeps running, or sleeping, in the plugin
/// until the plugin returns or the process exits, holding whatever the plugin holds (including
/// the loader's lock on that `LoadedPlugin`'s init, so nobody may call its `initialize` again).
final class InitAttempt: Sendable {
    /// Where the attempt is; a timeout names it.
    enum Phase: UInt8, Sendable {
        /// `dlopen` (the library's constructors) and the descriptor checks.
        case loading = 0
        /// The plugin's `init`.
        case initializing = 1
    }

    enum Ending: Sendable {
        /// The thread returned before the deadline; `nanoseconds` is its own load + init time.
        case completed(Result<LoadedPlugin, Problem>, nanoseconds: UInt64)
        case timedOut(Phase)
    }

    let index: Int
    /// Monotonic nanoseconds.
    let startedAt: UInt64
    let deadline: UInt64
    private let claimed = Atomic<Bool>(false)
    private let phaseValue = Atomic<UInt8>(Phase.loading.rawValue)

    init(index: Int, startedAt: UInt64, timeout: Duration) {
        self.index = index
        self.startedAt = startedAt
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
        deadline = startedAt &+ UInt64(clamping: nanoseconds)
    }

    var phase: Phase { Phase(rawValue: phaseValue.load(ordering: .relaxed)) ?? .loading }

    /// True for the first caller only: that caller reports how the attempt ended.
    func claim() -> Bool { !claimed.exchange(true, ordering: .acquiringAndReleasing) }

    /// Starts the attempt's thread: load, then `init` with `config`, then (if still unclaimed)
    /// post the result to `mailbox`. Returns nil when the thread started, else why not.
    func start(_ plugin: ScannedPlugin, config: JSONValue, logger: Logger, mailbox: InitMailbox) -> String? {
        return DedicatedThread.start { [self] in
            let begin = WallClock.monotonicNanoseconds()
            let result = PluginLoader.load(plugin, logger: logger).flatMap { loaded in
                phaseValue.store(Phase.initializing.rawValue, ordering: .relaxed)
                return loaded.initialize(config: config).map { loaded }
            }
            let elapsed = WallClock.monotonicNanoseconds() - begin
            if claim() { mailbox.post(index, .completed(result, nanoseconds: elapsed)) }
        }
    }
}
