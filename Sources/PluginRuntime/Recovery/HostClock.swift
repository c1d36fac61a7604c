import Synchronization

/// A monotonic time source, injected wherever the host makes decisions by elapsed time (circuit
/// breaker cool-downs), so tests step time by hand instead of sleeping.
public protocol HostClock: Sendable {
    /// Nanoseconds from an arbitrary fixed origin; never decreases.
    func nowNanoseconds() -> UInt64
}

/// The real clock: CLOCK_MONOTONIC, which wall-clock changes (NTP, a person) never move.
public struct MonotonicClock: HostClock {
    public init() {}
    public func nowNanoseconds() -> UInt64 { WallClock.monotonicNanoseconds() }
}

/// A clock that moves only when told to, for deterministic tests of time-based behaviour.
///
/// Safe to share across threads: the time is an atomic, so one thread may advance it while
/// others read it.
public final class ManualClock: HostClock {
    private let now: Atomic<UInt64>

    public init(nanoseconds: UInt64 = 0) { now = Atomic(nanoseconds) }

    public func nowNanoseconds() -> UInt64 { now.load(ordering: .acquiring) }

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
