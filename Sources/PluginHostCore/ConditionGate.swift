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
public final class ConditionGate<Value>: @unchecked Sendable {
    // @unchecked: `value` is only touched inside `withLock` and `locked`, under `mutex`; the mutex and the
    // condition variable are heap-allocated once and never move.
    fileprivate let mutex: UnsafeMutablePointer<pthread_mutex_t>
    fileprivate let condition: UnsafeMutablePointer<pthread_cond_t>
    fileprivate var value: Value

    public init(_ value: Value) {
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

    public func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }

    /// Runs `body` under the lock with a ``Held`` through which it reads and changes the value
    /// and waits for it to change.
    ///
    /// Why not an `inout Value` with a wait inside, as ``withLock(_:)`` gives: Swift assumes an
    /// `inout` access is exclusive for its whole duration, so the optimizer may keep parts of
    /// the value in registers across the wait — and another thread changes it during the wait
    /// (that is the point of waiting). Release builds then read stale state (lost jobs, hangs,
    /// crashes on freed buffers). With ``Held`` each ``Held/access(_:)`` is a fresh access
    /// that begins and ends between waits.
    public func locked<Result>(_ body: (Held) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(Held(gate: self))
    }

    /// The lock, held: valid only inside ``locked(_:)``'s body.
    public struct Held {
        fileprivate let gate: ConditionGate

        /// One access to the value; never wait inside `body`.
        public func access<T>(_ body: (inout Value) -> T) -> T { body(&gate.value) }

        /// Releases the lock until signalled or `seconds` pass; false on timeout. Wake-ups may
        /// be spurious: re-check the value afterwards.
        public func wait(seconds: Int) -> Bool {
            gate.wait(until: WallClock.monotonicNanoseconds() &+ UInt64(max(0, seconds)) * 1_000_000_000)
        }

        /// Releases the lock until signalled or the monotonic time `deadline` (nanoseconds;
        /// nil: no limit); false on timeout.
        public func wait(deadline: UInt64?) -> Bool {
            guard let deadline else {
                pthread_cond_wait(gate.condition, gate.mutex)
                return true
            }
            return gate.wait(until: deadline)
        }
    }

    /// Must be called with the mutex held.
    fileprivate func wait(until deadline: UInt64) -> Bool {
        var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(condition, mutex, &spec) != ETIMEDOUT
    }

    /// Wakes one waiter.
    public func signal() { pthread_cond_signal(condition) }

    /// Wakes every waiter.
    public func broadcast() { pthread_cond_broadcast(condition) }
}
