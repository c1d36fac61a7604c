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

    /// `2026-11-22T04:42:00.123Z` for an epoch time in seconds (rounded down to the millisecond).
    public static func iso8601(_ seconds: Double) -> String {
        iso8601(milliseconds: Int64((seconds * 1000).rounded(.down)))
    }

    /// `2026-11-22T04:42:00.123Z` (UTC, millisecond precision, always 24 characters for years
    /// 0000–9999): the one timestamp format of every result, error record and audit record.
    /// The date comes from the civil-from-days algorithm (Howard Hinnant's), not `gmtime_r`, so
    /// it never depends on the process's time zone settings, and the text is written into a
    /// fixed buffer: results print three of these per node, so it must cost little.
    public static func iso8601(milliseconds: Int64) -> String {
        String(unsafeUninitializedCapacity: 24) { buffer in
            writeISO8601(milliseconds: milliseconds, into: buffer.baseAddress!)
            return 24
        }
    }

    /// The ``iso8601(_:)`` text of `seconds` appended to `out` (no `String` in between), in
    /// quotes (a JSON string) unless `quoted` is false.
    public static func writeISO8601(_ seconds: Double, into out: inout [UInt8], quoted: Bool = true) {
        let milliseconds = Int64((seconds * 1000).rounded(.down))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 26) { buffer in
            buffer[0] = UInt8(ascii: "\"")
            writeISO8601(milliseconds: milliseconds, into: buffer.baseAddress! + 1)
            buffer[25] = UInt8(ascii: "\"")
            out.append(contentsOf: quoted ? UnsafeBufferPointer(buffer) : UnsafeBufferPointer(rebasing: buffer[1..<25]))
        }
    }

    /// The 24 bytes of ``iso8601(milliseconds:)`` written at `buffer`.
    private static func writeISO8601(milliseconds: Int64, into buffer: UnsafeMutablePointer<UInt8>) {
        func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
            let q = a / b, r = a % b
            return r < 0 ? (q - 1, r + b) : (q, r)
        }
        let (seconds, millis) = floorDivide(milliseconds, 1000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let date = CivilDate(daysSinceEpoch: days)
        let (year, month, day) = (min(max(date.year, 0), 9999), date.month, date.day)
        func put(_ value: Int64, _ width: Int, at offset: Int) {
            var rest = value
            for position in stride(from: offset + width - 1, through: offset, by: -1) {
                buffer[position] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                rest /= 10
            }
        }
        put(year, 4, at: 0); buffer[4] = 0x2D; put(month, 2, at: 5); buffer[7] = 0x2D; put(day, 2, at: 8)
        buffer[10] = 0x54
        put(secondOfDay / 3600, 2, at: 11); buffer[13] = 0x3A; put(secondOfDay / 60 % 60, 2, at: 14); buffer[16] = 0x3A
        put(secondOfDay % 60, 2, at: 17); buffer[19] = 0x2E; put(millis, 3, at: 20); buffer[23] = 0x5A
    }

    /// The seconds since the epoch that ``iso8601(milliseconds:)`` wrote as `text`
    /// (`YYYY-MM-DDTHH:MM:SS.mmmZ`, UTC); nil for any other text, so a journal or a saved
    /// result read back gives exactly the times it was written with (to the millisecond).
    public static func parseISO8601(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
              bytes[16] == 0x3A, bytes[19] == 0x2E, bytes[23] == 0x5A else { return nil }
        func number(_ offset: Int, _ width: Int) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[offset..<offset + width] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), let millis = number(20, 3),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        let milliseconds = ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1000) + millis
        return Double(milliseconds) / 1000
    }
}

/// A date of the proleptic Gregorian calendar and its day number since 1970-01-01, converted
/// both ways by Howard Hinnant's civil-from-days algorithms: the one calendar of the timestamps
/// (``WallClock/iso8601(_:)``) and of cron schedules, exact for any year and independent of the
/// process's time zone and locale.
public struct CivilDate: Sendable, Hashable {
    public var year: Int64
    /// 1…12.
    public var month: Int64
    /// 1…31.
    public var day: Int64

    public init(year: Int64, month: Int64, day: Int64) {
        (self.year, self.month, self.day) = (year, month, day)
    }

    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    public var daysSinceEpoch: Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// 0 for Sunday … 6 for Saturday (1970-01-01 was a Thursday).
    public static func weekday(daysSinceEpoch days: Int64) -> Int64 {
        let remainder = (days + 4) % 7
        return remainder < 0 ? remainder + 7 : remainder
    }
}
