/// A cron expression as Vixie cron (and cronie, and most schedulers after them) read it: five
/// fields — minute, hour, day of month, month, day of week — or six with a leading seconds
/// field, or one of the names `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily`
/// (`@midnight`), `@hourly`.
///
/// A field is a comma-separated list of items; an item is `*`, a value, or a range `A-B`, each
/// optionally with a step (`*/15`, `0-30/10`; `5/15` is `5-max/15`). Months take `JAN`…`DEC`,
/// days of the week `SUN`…`SAT` (any case), and 0 or 7 for Sunday. As in Vixie cron, when both
/// day fields are restricted a day matches if **either** does (`0 0 1 * MON`: the 1st and every
/// Monday); a day field whose text starts with `*` counts as unrestricted, so `*/2` there makes
/// the other one decide together with it (both must match).
///
/// Bounded work per input byte: the text is at most ``maximumLength`` bytes and each field a
/// set of at most 60 values, so parsing is linear and a schedule's next firing a bounded search
/// (``CronSchedule``).
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The text as given.
    public let text: String
    let seconds: ValueSet
    let minutes: ValueSet
    let hours: ValueSet
    let daysOfMonth: ValueSet
    let months: ValueSet
    let daysOfWeek: ValueSet
    let dayOfMonthStar: Bool
    let dayOfWeekStar: Bool

    public static let maximumLength = 256

    public var description: String { text }

    /// Whether it fires in every hour of the day: such a schedule runs by the clock through
    /// daylight-saving changes (see ``CronSchedule``), one at fixed hours by the calendar.
    var everyHour: Bool { hours == ValueSet(0...23) }

    public init(parsing text: String) throws(CronError) {
        self.text = text
        guard text.utf8.count <= Self.maximumLength else {
            throw CronError(text, "is longer than \(Self.maximumLength) bytes; a cron expression is five or six short fields.")
        }
        var fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if fields.count == 1, fields[0].hasPrefix("@") {
            guard let expanded = Self.names[fields[0].lowercased()] else {
                throw CronError(text, "is not one of the names \(Self.names.keys.sorted().joined(separator: ", ")).")
            }
            fields = expanded.split(separator: " ").map(String.init)
        }
        guard fields.count == 5 || fields.count == 6 else {
            throw CronError(text, "has \(fields.count) field\(fields.count == 1 ? "" : "s"); write five (minute hour day-of-month month day-of-week), six with a leading seconds field, or a name such as @daily.")
        }
        if fields.count == 5 { fields.insert("0", at: 0) }
        seconds = try Self.field(fields[0], "seconds", 0...59, text: text)
        minutes = try Self.field(fields[1], "minute", 0...59, text: text)
        hours = try Self.field(fields[2], "hour", 0...23, text: text)
        daysOfMonth = try Self.field(fields[3], "day-of-month", 1...31, text: text)
        months = try Self.field(fields[4], "month", 1...12, names: Self.monthNames, text: text)
        var weekdays = try Self.field(fields[5], "day-of-week", 0...7, names: Self.dayNames, text: text)
        if weekdays.contains(7) { weekdays.insert(0) }
        weekdays.remove(7)
        daysOfWeek = weekdays
        dayOfMonthStar = fields[3].hasPrefix("*")
        dayOfWeekStar = fields[5].hasPrefix("*")
    }

    /// Whether the expression's day fields and month accept a civil date.
    func matches(_ date: CivilDateParts) -> Bool {
        guard months.contains(Int(date.month)) else { return false }
        let byDay = daysOfMonth.contains(Int(date.day)), byWeekday = daysOfWeek.contains(Int(date.weekday))
        return dayOfMonthStar || dayOfWeekStar ? byDay && byWeekday : byDay || byWeekday
    }

    static let names: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .enumerated().reduce(into: [String: Int]()) { $0[$1.element] = $1.offset + 1 }
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        .enumerated().reduce(into: [String: Int]()) { $0[$1.element] = $1.offset }

    private static func field(
        _ field: String, _ name: String, _ range: ClosedRange<Int>, names: [String: Int] = [:], text: String
    ) throws(CronError) -> ValueSet {
        func fail(_ message: String) -> CronError { CronError(text, "has \(message) in its \(name) field `\(field)`.") }
        func value(_ token: Substring) throws(CronError) -> Int {
            if let number = Int(token), range.contains(number) { return number }
            if let named = names[token.lowercased()] { return named }
            if Int(token) != nil { throw fail("`\(token)`, outside \(range.lowerBound)–\(range.upperBound),") }
            throw fail("`\(token)`, not a number\(names.isEmpty ? "" : " or a name such as \(names.keys.sorted().first!.uppercased())"),")
        }
        var set = ValueSet()
        for item in field.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let base = parts[0]
            var step = 1
            if parts.count == 2 {
                guard let number = Int(parts[1]), number >= 1, number <= range.count else {
                    throw fail("the step `\(parts[1])`, not a whole number from 1 to \(range.count),")
                }
                step = number
            }
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try value(base[..<dash]), high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw fail("the range `\(base)` running backwards (write \(high)-\(low))") }
                bounds = low...high
            } else if base.isEmpty {
                throw fail("an empty item")
            } else {
                let start = try value(base)
                bounds = start...(parts.count == 2 ? range.upperBound : start)
            }
            for number in stride(from: bounds.lowerBound, through: bounds.upperBound, by: step) { set.insert(number) }
        }
        return set
    }
}

/// Why a cron expression was refused: the expression and a sentence saying what to change.
public struct CronError: Error, Sendable, CustomStringConvertible {
    public let message: String

    init(_ text: String, _ problem: String) {
        message = "The cron expression `\(text)` \(problem)"
    }

    public var description: String { message }
}

/// A set of small non-negative integers (0…63), as one word.
struct ValueSet: Sendable, Hashable {
    private var bits: UInt64 = 0

    init() {}
    init(_ range: ClosedRange<Int>) {
        for value in range { insert(value) }
    }

    func contains(_ value: Int) -> Bool { value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0 }
    mutating func insert(_ value: Int) { bits |= 1 << UInt64(value) }
    mutating func remove(_ value: Int) { bits &= ~(1 << UInt64(value)) }
    var isEmpty: Bool { bits == 0 }

    /// The members from `start` up, ascending.
    func values(from start: Int = 0) -> [Int] {
        (max(start, 0)..<64).filter(contains)
    }
}
