/// A set of Unicode scalars, as a pattern's class, `.` or class escape matches one of them.
///
/// Kept as sorted, disjoint ranges (a class such as `[^a-z]` is two ranges, not a million
/// scalars), plus a 128-bit map of its ASCII part so the common test is one shift and mask.
/// Values are scalar values; the surrogate range may appear in a complement but never matches,
/// as no Swift string holds a surrogate.
struct PatternScalarSet: Sendable {
    /// Sorted by lower bound, disjoint and never adjacent (adjacent ranges are merged).
    let ranges: [ClosedRange<UInt32>]
    private let asciiLow: UInt64
    private let asciiHigh: UInt64

    static let largestScalar: UInt32 = 0x10FFFF

    /// The set of the scalars in `ranges`, in any order, overlapping or not.
    init(_ ranges: [ClosedRange<UInt32>]) {
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
        var low: UInt64 = 0, high: UInt64 = 0
        for range in merged where range.lowerBound < 128 {
            for value in range.lowerBound...min(range.upperBound, 127) {
                if value < 64 { low |= 1 << UInt64(value) } else { high |= 1 << UInt64(value - 64) }
            }
        }
        asciiLow = low
        asciiHigh = high
    }

    /// Every scalar value not in this set.
    var inverted: PatternScalarSet {
        var complement: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { complement.append(next...(range.lowerBound - 1)) }
            next = range.upperBound &+ 1
        }
        if next <= Self.largestScalar, ranges.last?.upperBound != Self.largestScalar {
            complement.append(next...Self.largestScalar)
        }
        return PatternScalarSet(complement)
    }

    /// Whether the scalar value `value` is in the set: a bit test for ASCII, else a binary search.
    @inline(__always)
    func contains(_ value: UInt32) -> Bool {
        if value < 64 { return asciiLow & (1 << UInt64(value)) != 0 }
        if value < 128 { return asciiHigh & (1 << UInt64(value - 64)) != 0 }
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            let range = ranges[middle]
            if value < range.lowerBound {
                high = middle
            } else if value > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    /// `\d`: ASCII digits only, as ECMA-262 (never Arabic-Indic digits that `strtol` rejects).
    static let digits = PatternScalarSet([0x30...0x39])
    /// `\w`: ASCII letters, digits and `_`, as ECMA-262 without the `i` flag.
    static let wordCharacters = PatternScalarSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    /// ECMA-262's LineTerminator: what `.` does not match.
    static let lineTerminators = PatternScalarSet([0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029])
    /// `\s`: ECMA-262's WhiteSpace (tab, VT, FF, space, NBSP, ZWNBSP, category Zs) and LineTerminator.
    static let whitespace = PatternScalarSet([
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A,
        0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ])
    /// `.`: any scalar but a line terminator (ECMA-262 without the `s` flag).
    static let anyButLineTerminator = lineTerminators.inverted

    /// Whether `value` is a `\w` character, for `\b` and `\B`.
    @inline(__always)
    static func isWordCharacter(_ value: UInt32) -> Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x5F, 0x61...0x7A: true
        default: false
        }
    }
}
