#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Wall-clock and monotonic time without Foundation, for results and durations.
///
/// Durations come from CLOCK_MONOTONIC (never jumps); timestamps in results come from
/// CLOCK_REALTIME and are formatted only when a result is printed, never on the hot path.
public enum WallClock {
    /// Seconds since the Unix epoch.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Monotonic nanoseconds, for measuring durations.
    public static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// The monotonic time now and the wall-clock time (seconds since the Unix epoch) it
    /// corresponds to, from one clock read: the hot path pays for one `clock_gettime`, not two.
    ///
    /// The wall time is the monotonic time plus an offset between the two clocks that is
    /// re-read at most every ``offsetLifetimeNanoseconds``, so a step of the system clock
    /// (NTP, an administrator) shows in timestamps within that time. A thread may use an
    /// offset one refresh old while another stores a new one; both are real offsets, so a
    /// timestamp is never off by more than the clock stepped meanwhile. Durations always come
    /// from the monotonic time and never jump.
    public static func stamp() -> (monotonic: UInt64, wall: Double) {
        let monotonic = monotonicNanoseconds()
        let takenAt = offsetTakenAt.load(ordering: .relaxed)
        var offset = offsetNanoseconds.load(ordering: .relaxed)
        if takenAt == 0 || monotonic &- takenAt > offsetLifetimeNanoseconds {
            var spec = timespec()
            clock_gettime(CLOCK_REALTIME, &spec)
            offset = (Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)) &- Int64(bitPattern: monotonic)
            offsetNanoseconds.store(offset, ordering: .relaxed)
            offsetTakenAt.store(monotonic, ordering: .relaxed)
        }
        return (monotonic, wall(monotonic: monotonic, offset: offset))
    }

    /// How long a measured offset between the two clocks is trusted: 50 ms.
    static let offsetLifetimeNanoseconds: UInt64 = 50_000_000
    private static let offsetNanoseconds = Atomic<Int64>(0)
    private static let offsetTakenAt = Atomic<UInt64>(0)

    private static func wall(monotonic: UInt64, offset: Int64) -> Double {
        let nanoseconds = Int64(bitPattern: monotonic) &+ offset
        return Double(nanoseconds / 1_000_000_000) + Double(nanoseconds % 1_000_000_000) / 1e9
    }

    /// `2026-11-22T04:42:00.123Z` for an epoch time in seconds.
    public static func iso8601(_ seconds: Double) -> String {
        var whole = time_t(seconds.rounded(.down))
        let millis = Int(((seconds - Double(whole)) * 1000).rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
