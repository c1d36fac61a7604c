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

/// One plugin's load and `init`, run on a dedicated thread and raced against a deadline.
///
/// Plugin code never runs on the Swift cooperative pool: a hung `init` would pin one of its few
/// threads for good and could starve the whole process. Instead each attempt gets its own
/// detached pthread, and the awaiting task is suspended on a continuation (it holds no thread)
/// that exactly one of two parties resumes: the init thread when the plugin returns, or a timer
/// task when the deadline passes. Whoever comes second finds the continuation gone and does
/// nothing. No thread polls, and no thread blocks except the one running plugin code.
///
/// An in-process `init` cannot be killed (there is no safe way to stop a thread in foreign
/// code). After a timeout the thread is abandoned: it keeps running, or sleeping, in the
/// plugin until the plugin returns or the process exits. If it ever returns, its result is
/// dropped; the plugin stays quarantined and is never called again.
enum InitAttempt {
    /// Where the attempt was when it ended; a timeout names it.
    enum Phase: UInt8, Sendable {
        /// `dlopen` (the library's constructors) and the descriptor checks.
        case loading = 0
        /// The plugin's `init`.
        case initializing = 1
    }

    enum Ending: Sendable {
        /// The thread returned within the deadline; `nanoseconds` is its own load + init time.
        case completed(Result<LoadedPlugin, Problem>, nanoseconds: UInt64)
        case timedOut(Phase)
    }

    static func run(_ plugin: ScannedPlugin, config: JSONValue, timeout: Duration, logger: Logger) async -> Ending {
        let gate = Gate()
        let inspection = plugin.inspection
        return await withCheckedContinuation { continuation in
            gate.install(continuation)
            let timer = Task {
                do { try await Task.sleep(for: timeout) } catch { return }  // cancelled: init returned
                gate.finish(.timedOut(gate.phase))
            }
            let started = DedicatedThread.start {
                let begin = WallClock.monotonicNanoseconds()
                let result = PluginLoader.load(inspection, logger: logger).flatMap { loaded in
                    gate.enter(.initializing)
                    return loaded.initialize(config: config).map { loaded }
                }
                gate.finish(.completed(result, nanoseconds: WallClock.monotonicNanoseconds() - begin))
                timer.cancel()
            }
            if let error = started {
                timer.cancel()
                gate.finish(.completed(.failure(Problem(
                    .initFailed, .error,
                    "could not start a thread for \(plugin.manifest?.id ?? plugin.path)'s init (\(error)); the host is out of threads or memory",
                    file: plugin.path)), nanoseconds: 0))
            }
        }
    }

    /// The one-shot meeting point of the init thread, the timer and the waiting task.
    final class Gate: Sendable {
        private let continuation = Mutex<CheckedContinuation<Ending, Never>?>(nil)
        private let phaseValue = Atomic<UInt8>(Phase.loading.rawValue)

        var phase: Phase { Phase(rawValue: phaseValue.load(ordering: .relaxed)) ?? .loading }

        func enter(_ phase: Phase) { phaseValue.store(phase.rawValue, ordering: .relaxed) }

        func install(_ waiting: CheckedContinuation<Ending, Never>) {
            continuation.withLock { $0 = waiting }
        }

        /// Resumes the waiting task with `ending` if nobody has yet; later calls do nothing.
        func finish(_ ending: Ending) {
            let waiting = continuation.withLock { stored -> CheckedContinuation<Ending, Never>? in
                defer { stored = nil }
                return stored
            }
            waiting?.resume(returning: ending)
        }
    }
}

/// Starts detached pthreads for plugin code (see ``InitAttempt``).
enum DedicatedThread {
    /// Box for the closure while it crosses `pthread_create` as a raw pointer.
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread (nobody joins it: an abandoned one may never end).
    /// Returns nil when the thread started, else why not (`pthread_create`'s error).
    static func start(_ body: @escaping @Sendable () -> Void) -> String? {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { raw in
            let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
            work.body()
            return nil
        }, work)
        guard status != 0 else { return nil }
        Unmanaged<Work>.fromOpaque(work).release()
        return String(cString: strerror(status))
    }
}
