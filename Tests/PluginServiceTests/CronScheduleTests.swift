import Foundation
import PluginHostCore
@testable import PluginService
import Testing

/// Cron expressions (Vixie cron's fields, an optional seconds field, the `@` names) and when
/// they fire in a time zone, daylight-saving changes included.
@Suite("Schedules: cron expressions and their firings")
struct CronScheduleTests {
    /// `year-month-day hour:minute:second` UTC as epoch seconds.
    static func utc(_ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64 = 0, _ minute: Int64 = 0, _ second: Int64 = 0) -> Int64 {
        CivilDate(year: year, month: month, day: day).daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second
    }

    static func schedule(_ text: String, _ zone: String = "UTC") throws -> CronSchedule {
        CronSchedule(try CronExpression(parsing: text), timeZone: try #require(TimeZone(identifier: zone)))
    }

    /// The first `count` firings after `instant`.
    static func firings(_ schedule: CronSchedule, after instant: Int64, count: Int) -> [Int64] {
        var found: [Int64] = [], last = instant
        while found.count < count, let next = schedule.next(after: last) {
            found.append(next)
            last = next
        }
        return found
    }

    @Test("fields: lists, ranges, steps, names in any case, 7 for Sunday, the @ names, a leading seconds field")
    func parsing() throws {
        let every = try CronExpression(parsing: "*/15 9-17 * JAN,jul mon-FRI")
        #expect(every.minutes.values() == [0, 15, 30, 45] && every.hours.values() == Array(9...17))
        #expect(every.months.values() == [1, 7] && every.daysOfWeek.values() == [1, 2, 3, 4, 5] && every.seconds.values() == [0])
        #expect(try CronExpression(parsing: "5/20 * * * *").minutes.values() == [5, 25, 45])
        #expect(try CronExpression(parsing: "0 0 * * 7").daysOfWeek.values() == [0])
        #expect(try CronExpression(parsing: "0 0 * * 5-7").daysOfWeek.values() == [0, 5, 6])
        #expect(try CronExpression(parsing: "*/10 * * * * *").seconds.values() == [0, 10, 20, 30, 40, 50])
        let weekly = try CronExpression(parsing: "@weekly")
        #expect(weekly.minutes.values() == [0] && weekly.hours.values() == [0] && weekly.daysOfWeek.values() == [0])
        #expect(try CronExpression(parsing: "@ANNUALLY").months.values() == [1])
        #expect(try CronExpression(parsing: "  0\t12  * * *  ").hours.values() == [12])
    }

    @Test("refusals name the field and say what to write", arguments: [
        ("* * * *", "has 4 fields"), ("61 * * * *", "minute field `61`"), ("* 24 * * *", "outside 0–23"),
        ("* * 0 * *", "day-of-month field"), ("* * * 13 *", "month field"), ("* * * * 8", "day-of-week field"),
        ("*/0 * * * *", "the step `0`"), ("5-2 * * * *", "running backwards (write 2-5)"), ("1,,2 * * * *", "an empty item"),
        ("* * * FOO *", "not a number or a name"), ("@often", "not one of the names"), ("x * * * *", "`x`, not a number"),
    ])
    func refusals(text: String, expected: String) {
        #expect { try CronExpression(parsing: text) } throws: { error in
            let message = (error as? CronError)?.message ?? ""
            return message.contains(expected) && message.contains("`\(text)`")
        }
        #expect(throws: CronError.self) { try CronExpression(parsing: String(repeating: "1,", count: 200) + "1 * * * *") }
    }

    @Test("firings in UTC: steps, seconds, a leap day, both day fields (either matches), and a date that never comes")
    func firingsInUTC() throws {
        let start = Self.utc(2026, 12, 4, 0, 7, 30)
        #expect(Self.firings(try Self.schedule("*/15 * * * *"), after: start, count: 3)
            == [Self.utc(2026, 12, 4, 0, 15), Self.utc(2026, 12, 4, 0, 30), Self.utc(2026, 12, 4, 0, 45)])
        #expect(Self.firings(try Self.schedule("*/20 * * * * *"), after: start, count: 3)
            == [Self.utc(2026, 12, 4, 0, 7, 40), Self.utc(2026, 12, 4, 0, 8), Self.utc(2026, 12, 4, 0, 8, 20)])
        #expect(try Self.schedule("@yearly").next(after: start) == Self.utc(2027, 1, 1))
        #expect(try Self.schedule("0 0 29 2 *").next(after: start) == Self.utc(2028, 2, 29))
        // The 1st of the month or a Monday: 2026-12-07 is a Monday, 2027-01-01 a Friday.
        #expect(Self.firings(try Self.schedule("0 9 1 * mon"), after: start, count: 5)
            == [7, 14, 21, 28].map { Self.utc(2026, 12, $0, 9) } + [Self.utc(2027, 1, 1, 9)])
        // `*/2` in the day of week starts with `*`: both fields must match (Vixie cron).
        // 2027-01-01 is a Friday, 02-01 and 03-01 Mondays, 04-01 a Thursday.
        #expect(try Self.schedule("0 0 1 * */2").next(after: start) == Self.utc(2027, 4, 1))
        #expect(try Self.schedule("0 0 30 2 *").next(after: start) == nil)
        #expect(try Self.schedule("0 0 31 4,6,9,11 *").next(after: start) == nil)
    }

    @Test("New York, clocks forward (2026-03-08 02:00 → 03:00): fixed hours fire once at the change, hourly ones skip what does not exist")
    func springForward() throws {
        let evening = Self.utc(2026, 3, 7, 12)
        #expect(Self.firings(try Self.schedule("30 2 * * *", "America/New_York"), after: evening, count: 3)
            == [Self.utc(2026, 3, 8, 7), Self.utc(2026, 3, 9, 6, 30), Self.utc(2026, 3, 10, 6, 30)])
        // 02:00 and 02:15 do not exist, nor does 02:30: one firing at the change, not three.
        #expect(Self.firings(try Self.schedule("0,15,30 2 * * *", "America/New_York"), after: evening, count: 2)
            == [Self.utc(2026, 3, 8, 7), Self.utc(2026, 3, 9, 6)])
        // Every 30 minutes: 01:30 EST (06:30Z), then 03:00 EDT (07:00Z).
        #expect(Self.firings(try Self.schedule("*/30 * * * *", "America/New_York"), after: Self.utc(2026, 3, 8, 6, 0), count: 3)
            == [Self.utc(2026, 3, 8, 6, 30), Self.utc(2026, 3, 8, 7), Self.utc(2026, 3, 8, 7, 30)])
    }

    @Test("New York, clocks back (2026-11-01 02:00 → 01:00): fixed hours fire at the first 01:30 only, hourly ones in both")
    func fallBack() throws {
        let evening = Self.utc(2026, 10, 31, 12)
        #expect(Self.firings(try Self.schedule("30 1 * * *", "America/New_York"), after: evening, count: 2)
            == [Self.utc(2026, 11, 1, 5, 30), Self.utc(2026, 11, 2, 6, 30)])
        #expect(Self.firings(try Self.schedule("*/30 * * * *", "America/New_York"), after: Self.utc(2026, 11, 1, 4, 45), count: 5)
            == [Self.utc(2026, 11, 1, 5), Self.utc(2026, 11, 1, 5, 30), Self.utc(2026, 11, 1, 6), Self.utc(2026, 11, 1, 6, 30),
                Self.utc(2026, 11, 1, 7)])
        // Seconds through the repeated hour: in order, none twice.
        let seconds = Self.firings(try Self.schedule("*/20 * * * * *", "America/New_York"), after: Self.utc(2026, 11, 1, 5, 59, 30), count: 4)
        #expect(seconds == [Self.utc(2026, 11, 1, 5, 59, 40), Self.utc(2026, 11, 1, 6), Self.utc(2026, 11, 1, 6, 0, 20), Self.utc(2026, 11, 1, 6, 0, 40)])
    }

    @Test("Lord Howe Island moves its clocks by 30 minutes at 02:00 (2026-10-04): the skipped half hour fires once at the change")
    func halfHourChange() throws {
        // Standard +10:30; daylight +11:00 from 2026-10-04 02:00 local (15:30Z on the 3rd).
        let schedule = try Self.schedule("15 2 * * *", "Australia/Lord_Howe")
        let before = Self.utc(2026, 10, 3, 12)
        #expect(schedule.next(after: before) == Self.utc(2026, 10, 3, 15, 30))
        #expect(schedule.next(after: Self.utc(2026, 10, 3, 15, 30)) == Self.utc(2026, 10, 4, 15, 15))
    }
}
