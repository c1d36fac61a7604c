#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Starts detached pthreads for plugin code and for the scheduler's coordinator.
///
/// Plugin code never runs on the Swift cooperative pool: a hung `init` would pin one of its
/// few threads (one per core) for good and could starve the whole process.
public enum DedicatedThread {
    /// Box for the closure while it crosses `pthread_create` as a raw pointer.
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread (nobody joins it: an abandoned one may never end).
    /// Returns nil when the thread started, else why not (`pthread_create`'s error).
    public static func start(_ body: @escaping @Sendable () -> Void) -> String? {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { raw in
            let work = Unmanaged<Work>.fromOpaque(raw!).takeRetainedValue()
            work.body()
            return nil
        }, work)
        guard status != 0 else {
            pthread_detach(thread)  // nobody joins it; its resources go when it ends
            return nil
        }
        Unmanaged<Work>.fromOpaque(work).release()
        return String(cString: strerror(status))
    }
}
