#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value guarded by a `pthread_mutex_t`: the house lock for shared mutable state.
///
/// Why not `Synchronization.Mutex`: on Linux with Swift 6.3.1, ThreadSanitizer cannot see
/// `Mutex`'s synchronization (contended hand-offs happen in the kernel through futexes it does
/// not model), so every correctly locked access is reported as a race and a sanitizer run
/// says nothing useful. A pthread mutex is intercepted by TSan, so `swift test
/// --sanitize=thread` checks the real thing. Same API shape as `Mutex.withLock`; the cost of
/// an uncontended lock is the same (~20 ns).
public final class Locked<Value>: @unchecked Sendable {
    // `mutex` comes first: a zero-sized `Value` (Void) placed before it would share its address,
    // and TSan would see the unlocked read of the pointer as racing with `value`'s inout access.
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    // @unchecked: `value` is only read or written inside `withLock`, under `mutex`.
    @usableFromInline var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        // Adaptive: a contended lock spins briefly before sleeping in the kernel. Critical
        // sections here are short (a scheduler's bookkeeping, a table update), so the holder
        // is usually done within the spin, and two workers trading one lock no longer pay a
        // futex sleep and wake-up per hand-off.
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    ///
    /// Inlinable, so a caller in another module gets it specialized for its `Value` and
    /// `Result`: called through the generic entry point, every call looked up the metadata of
    /// its result type at run time (callgrind: ~1 100 instructions of a trivial node's dispatch).
    @inlinable @inline(__always)
    public func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
