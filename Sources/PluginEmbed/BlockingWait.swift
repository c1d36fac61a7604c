import Dispatch
import PluginHostCore

/// Runs async host work (``PluginHost/load()``, workflow runs) to completion from a synchronous
/// C call.
///
/// The work runs in a detached task on Swift's cooperative pool while the calling thread —
/// the embedder's own (a Python thread, a pthread) — sleeps on a semaphore. The wait never
/// occupies a pool thread, so any number of callers blocking at once cannot starve the pool
/// that must finish their work. (A caller that *is* a pool thread, i.e. Swift async code
/// calling the C API, could; such callers should use the Swift modules directly.)
enum BlockingWait {
    static func run<Value: Sendable>(_ operation: @escaping @Sendable () async -> Value) -> Value {
        let outcome = Locked<Value?>(nil)
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            let value = await operation()
            outcome.withLock { $0 = value }
            finished.signal()
        }
        finished.wait()
        // The task stored the value before signalling, so it is there.
        return outcome.withLock { $0! }
    }
}
