#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value guarded by a pthread mutex, with a condition variable to wait for it to change:
/// what the call threads and synchronous callers with a deadline block on.
///
/// Like the house `Locked`, it is built on pthreads so ThreadSanitizer sees every hand-off.
/// The condition variable runs on CLOCK_MONOTONIC, so a deadline is not moved by changes to
/// the wall clock.
final class ConditionGate<Value>: @unchecked Sendable {
    // @unchecked: `value` is only touched inside `withLock`, under `mutex`; the mutex and the
    // condition variable are heap-allocated once and never move.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }

    /// Runs `body` under the lock with a `wait(seconds)` that releases the lock until signalled
    /// or `seconds` pass; it returns false on timeout. Re-check the value after every wait
    /// (wake-ups may be spurious).
    func withLock<Result>(_ body: (inout Value, _ wait: (Int) -> Bool) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value) { seconds in
            self.wait(until: WallClock.monotonicNanoseconds() &+ UInt64(max(0, seconds)) * 1_000_000_000)
        }
    }

    /// Runs `body` under the lock with a `wait(deadline)` that releases the lock until signalled
    /// or the monotonic time `deadline` (nanoseconds; nil: no limit); false on timeout.
    func withLock<Result>(deadline body: (inout Value, _ wait: (UInt64?) -> Bool) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value) { deadline in
            guard let deadline else {
                pthread_cond_wait(self.condition, self.mutex)
                return true
            }
            return self.wait(until: deadline)
        }
    }

    /// Must be called with the mutex held.
    private func wait(until deadline: UInt64) -> Bool {
        var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(condition, mutex, &spec) != ETIMEDOUT
    }

    /// Wakes one waiter.
    func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiter.
    func broadcast() { pthread_cond_broadcast(condition) }
}
