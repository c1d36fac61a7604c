import Foundation
import PluginHostCore

/// When a ``CronExpression`` fires in an IANA time zone: its firings as instants (whole epoch
/// seconds), each at most once.
///
/// Daylight-saving changes follow cronie's rule, which operators of cron already expect:
/// - a schedule that fires **every hour** (its hour field covers 0–23, e.g. `*/15 * * * *`) runs
///   by the clock: local times skipped by a change do not exist and do not fire, and an hour
///   lived twice fires twice;
/// - a schedule at **fixed hours** (`30 2 * * *`) runs by the calendar: a local time skipped
///   by a change fires once at the change (02:30 on the night clocks jump from 02:00 to 03:00
///   fires at 03:00), and a local time lived twice fires at its first occurrence only.
/// Several skipped local times falling on one instant fire once.
public struct CronSchedule: Sendable {
    public let expression: CronExpression
    public let timeZone: TimeZone

    /// How far ahead ``next(after:)`` looks: an expression that matches no date in that long
    /// (`0 0 30 2 *`) never fires.
    static let horizonDays: Int64 = 366 * 30

    public init(_ expression: CronExpression, timeZone: TimeZone) {
        self.expression = expression
        self.timeZone = timeZone
    }

    /// The first firing strictly after `instant` (epoch seconds); nil when there is none within
    /// ``horizonDays`` days.
    public func next(after instant: Int64) -> Int64? {
        // Local hours are visited in calendar order, from two hours before the instant's (an
        // hour lived twice maps back), and every hour's firings come after the previous hour's:
        // the first hour with a firing after `instant` holds the answer.
        let start = civilSeconds(of: instant) - 7200
        let firstDay = floorDivide(start, 86_400), firstHour = Int(floorDivide(start - firstDay * 86_400, 3600))
        var day = firstDay
        while day <= firstDay + Self.horizonDays {
            let date = CivilDateParts(daysSinceEpoch: day)
            guard expression.months.contains(Int(date.month)) else {
                // The first day of the next month.
                let next = date.month == 12 ? CivilDate(year: date.year + 1, month: 1, day: 1) : CivilDate(year: date.year, month: date.month + 1, day: 1)
                day = next.daysSinceEpoch
                continue
            }
            if expression.matches(date) {
                for hour in expression.hours.values(from: day == firstDay ? firstHour : 0) {
                    if let firing = firings(inHour: day * 86_400 + Int64(hour) * 3600).first(where: { $0 > instant }) { return firing }
                }
            }
            day += 1
        }
        return nil
    }

    /// The firings of one local hour (its start as civil seconds: local time counted as if UTC),
    /// ascending.
    private func firings(inHour hourStart: Int64) -> [Int64] {
        let minutes = expression.minutes.values(), seconds = expression.seconds.values()
        // The usual case: one offset for the whole hour, so local times map to instants by it.
        let first = instants(ofCivil: hourStart), last = instants(ofCivil: hourStart + 3599)
        if first.count == 1, last.count == 1, first[0] - hourStart == last[0] - hourStart - 3599 {
            let shift = first[0] - hourStart
            return minutes.flatMap { minute in seconds.map { hourStart + Int64(minute * 60 + $0) + shift } }
        }
        // A change of offset within the hour: each local time on its own.
        var firings: [Int64] = []
        for minute in minutes {
            for second in seconds {
                let civil = hourStart + Int64(minute * 60 + second)
                let mapped = instants(ofCivil: civil)
                switch mapped.count {
                case 0 where !expression.everyHour: firings.append(gapEnd(civil))
                case 0: break
                case 2 where !expression.everyHour: firings.append(mapped[0])
                default: firings += mapped
                }
            }
        }
        return Array(Set(firings)).sorted()
    }

    /// The instants whose local time is `civil`: one, none (skipped by a change), or two
    /// (lived twice), ascending.
    private func instants(ofCivil civil: Int64) -> [Int64] {
        // The offsets two days either side cover every change but the rarest historical ones.
        let offsets = Set([offset(at: civil - 172_800), offset(at: civil + 172_800), offset(at: civil)])
        return offsets.map { civil - $0 }.filter { offset(at: $0) == civil - $0 }.sorted()
    }

    /// The first instant after a change that skipped local time `civil`: where the offset
    /// becomes the later one (found by bisection between the two mappings).
    private func gapEnd(_ civil: Int64) -> Int64 {
        let before = offset(at: civil - 172_800), after = offset(at: civil + 172_800)
        var low = civil - max(before, after), high = civil - min(before, after)
        // Invariant: the offset at `low` is the earlier one, at `high` the later one.
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == before { low = middle } else { high = middle }
        }
        return high
    }

    private func offset(at instant: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant))))
    }

    /// `instant`'s local time, counted in seconds as if it were UTC.
    func civilSeconds(of instant: Int64) -> Int64 { instant + offset(at: instant) }
}

/// A civil date with its weekday, for matching.
struct CivilDateParts {
    let month: Int64
    let day: Int64
    let year: Int64
    /// 0 (Sunday) … 6.
    let weekday: Int64

    init(daysSinceEpoch days: Int64) {
        let date = CivilDate(daysSinceEpoch: days)
        (year, month, day) = (date.year, date.month, date.day)
        weekday = CivilDate.weekday(daysSinceEpoch: days)
    }
}

private func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let quotient = a / b
    return a % b < 0 ? quotient - 1 : quotient
}
