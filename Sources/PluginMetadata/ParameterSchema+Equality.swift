import PluginHostCore

/// JSON equality as JSON Schema defines it, for `enum` and `const`, and exact number order
/// for `minimum` and `maximum`.
///
/// `JSONValue`'s own `==` is not it: it tells `.int(2)` from `.double(2.0)`, and Swift's
/// `String ==` treats canonically equivalent strings (`é` and `e` + U+0301) as equal, while
/// JSON compares code points. A plugin written in C sees bytes, so the host does too.
enum JSONEquality {
    /// Same Unicode scalars (same UTF-8 bytes), with no normalization.
    @inline(__always)
    static func sameText(_ a: String, _ b: String) -> Bool { String.sameUTF8(a, b) }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int, _), (.double, _): return b.isNumber && compareNumbers(a, b) == 0
        case (.string(let x), .string(let y)): return sameText(x, y)
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for index in x.indices where !equal(x[index], y[index]) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for member in x.members {
                guard let other = y.members.first(where: { sameText($0.key, member.key) }),
                      equal(member.value, other.value) else { return false }
            }
            return true
        default: return false
        }
    }

    /// The sign of `a - b` for two numbers, exact for every pair of `Int64` and `Double`
    /// (an integer beyond 2^53 is not rounded to compare it with a double). 0 for non-numbers.
    static func compareNumbers(_ a: JSONValue, _ b: JSONValue) -> Int {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.double(let x), .double(let y)): return x < y ? -1 : (x > y ? 1 : 0)
        case (.int(let x), .double(let y)): return compare(x, y)
        case (.double(let x), .int(let y)): return -compare(y, x)
        default: return 0
        }
    }

    /// The sign of `i - d`, exactly.
    static func compare(_ i: Int64, _ d: Double) -> Int {
        if d >= 9_223_372_036_854_775_808.0 { return -1 }
        if d < -9_223_372_036_854_775_808.0 { return 1 }
        let floor = d.rounded(.down)
        let whole = Int64(floor)
        if i < whole { return -1 }
        if i > whole { return 1 }
        return floor == d ? 0 : -1
    }
}
