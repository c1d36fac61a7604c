#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore
import Synchronization

/// A monotonic time source, injected wherever the host makes decisions by elapsed time (circuit
/// breaker cool-downs) or waits (retry backoff), so tests step time by hand instead of sleeping.
public protocol HostClock: Sendable {
    /// Nanoseconds from an arbitrary fixed origin; never decreases.
    func nowNanoseconds() -> UInt64
    /// Blocks the calling thread for `nanoseconds` (the synchronous execution path).
    func sleep(nanoseconds: UInt64)
    /// Suspends the calling task for `nanoseconds` without holding a thread (the async path).
    func sleep(nanoseconds: UInt64) async
}

extension HostClock {
    /// Real time: `nanosleep`, resumed after signals until the whole interval has passed.
    public func sleep(nanoseconds: UInt64) {
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var left = timespec()
        while nanosleep(&request, &left) != 0, errno == EINTR { request = left }
    }

    /// Real time: `Task.sleep`; a cancelled task stops waiting early (the caller checks).
    public func sleep(nanoseconds: UInt64) async {
        try? await Task.sleep(nanoseconds: nanoseconds)
    }
}

/// The real clock: CLOCK_MONOTONIC, which wall-clock changes (NTP, a person) never move.
public struct MonotonicClock: HostClock {
    public init() {}
    public func nowNanoseconds() -> UInt64 { WallClock.monotonicNanoseconds() }
}

/// A clock that moves only when told to, for deterministic tests of time-based behaviour.
///
/// Safe to share across threads: the time is an atomic, so one thread may advance it while
/// others read it. Sleeping on it does not wait: it advances the clock by the interval and
/// remembers it (``sleeps``), so a retry sequence runs at once and its delays can be checked.
public final class ManualClock: HostClock {
    private let slept = Locked<[UInt64]>([])

    private let now: Atomic<UInt64>

    public init(nanoseconds: UInt64 = 0) { now = Atomic(nanoseconds) }

    public func nowNanoseconds() -> UInt64 { now.load(ordering: .acquiring) }

    /// Advances time by `nanoseconds` at once and records the interval.
    public func sleep(nanoseconds: UInt64) { pass(nanoseconds) }

    public func sleep(nanoseconds: UInt64) async { pass(nanoseconds) }

    private func pass(_ nanoseconds: UInt64) {
        slept.withLock { $0.append(nanoseconds) }
        advance(nanoseconds: nanoseconds)
    }

    /// Every interval slept so far, in milliseconds, in order.
    public var sleeps: [Double] { slept.withLock { $0.map { Double($0) / 1e6 } } }

    /// Moves time forward by `milliseconds` (fractions allowed; negative values are ignored,
    /// since a monotonic clock never goes back).
    public func advance(milliseconds: Double) {
        guard milliseconds > 0 else { return }
        advance(nanoseconds: UInt64(min(milliseconds * 1_000_000, Double(UInt64.max >> 1))))
    }

    /// Moves time forward by `nanoseconds`, saturating at the largest representable time.
    public func advance(nanoseconds: UInt64) {
        var current = now.load(ordering: .relaxed)
        while true {
            let (sum, overflow) = current.addingReportingOverflow(nanoseconds)
            let next = overflow ? UInt64.max : sum
            let (exchanged, original) = now.compareExchange(expected: current, desired: next, ordering: .acquiringAndReleasing)
            if exchanged { return }
            current = original
        }
    }
}
