/// A set of acceptable versions, written as in npm and Cargo: `^1.2.3`, `~1.2`, `>=1.0.0 <2.0.0`,
/// `1.2.3`, `=1.2.3`, `*`, and alternatives joined with `||`.
///
/// Semantics follow npm (node-semver), which Cargo shares for these forms:
/// - `^` allows changes that do not modify the left-most non-zero component:
///   `^1.2.3` = `>=1.2.3 <2.0.0`, `^0.2.3` = `>=0.2.3 <0.3.0`, `^0.0.3` = `>=0.0.3 <0.0.4`,
///   and with missing components `^1.2` = `>=1.2.0 <2.0.0`, `^0.0` = `<0.1.0`, `^0` = `<1.0.0`.
/// - `~` allows patch changes when a minor is given, else minor changes: `~1.2.3` = `>=1.2.3 <1.3.0`,
///   `~1.2` = `>=1.2.0 <1.3.0`, `~1` = `>=1.0.0 <2.0.0`.
/// - A bare version is exact (npm, not Cargo's implied caret); a partial one is a wildcard:
///   `1.2` = `>=1.2.0 <1.3.0`. `x`, `X` and `*` stand for a missing component.
/// - `>1` = `>=2.0.0`, `<=1.2` = `<1.3.0`, `<1.2` = `<1.2.0` (partial bounds as in npm).
/// - Space-separated comparators must all hold; `||` alternatives need any one to hold.
/// - Prereleases (semver §9/§11): a prerelease version satisfies an alternative only when that
///   alternative names a prerelease of the same `MAJOR.MINOR.PATCH` (`>=1.2.3-beta.2` admits
///   `1.2.3-beta.3`, not `1.2.4-alpha`), so a release range never picks up unstable versions.
///
/// Rejected rather than guessed: empty text or an empty alternative, hyphen ranges (`1 - 2`),
/// Ruby's `~>`, a prerelease on a partial version, build metadata in a range, anything that is
/// not ASCII. Upper bounds exclude every prerelease of the bound (npm's `<2.0.0-0`).
public struct VersionRange: Sendable, Hashable, CustomStringConvertible {
    /// One bound on a version.
    struct Comparator: Sendable, Hashable {
        enum Operation: Sendable, Hashable { case less, lessOrEqual, greater, greaterOrEqual, equal }
        var operation: Operation
        var version: SemanticVersion

        func matches(_ candidate: SemanticVersion) -> Bool {
            switch operation {
            case .less: return candidate < version
            case .lessOrEqual: return candidate <= version
            case .greater: return candidate > version
            case .greaterOrEqual: return candidate >= version
            case .equal: return candidate == version
            }
        }
    }

    /// Comparators that must all hold, and the `MAJOR.MINOR.PATCH` triples whose prereleases
    /// the text named (and so may match).
    struct Alternative: Sendable, Hashable {
        var comparators: [Comparator] = []
        var prereleaseCores: [[Int]] = []
    }

    let alternatives: [Alternative]
    /// The text as written.
    let text: String

    /// The range with whitespace normalized (`>=1.0.0 <2.0.0 || ^3.0.0`), built on demand.
    public var description: String {
        text.split(separator: "||", omittingEmptySubsequences: false)
            .map { $0.split(whereSeparator: Self.isSpace).joined(separator: " ") }
            .joined(separator: " || ")
    }

    /// Parses `text`; nil when it is not one of the supported forms.
    public init?(_ text: String) {
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        var alternatives: [Alternative] = []
        for part in text.split(separator: "||", omittingEmptySubsequences: false) {
            var alternative = Alternative()
            // npm accepts `>= 1.2.3`: an operator standing alone applies to the next token.
            var pendingOperator: Substring?
            var isEmpty = true
            for token in part.split(whereSeparator: Self.isSpace) {
                isEmpty = false
                let op = Self.operatorPrefix(token)
                if op.count == token.count {
                    guard pendingOperator == nil else { return nil }
                    pendingOperator = token
                    continue
                }
                if let pending = pendingOperator {
                    guard op.isEmpty, Self.parse(op: pending, version: token, into: &alternative) else { return nil }
                    pendingOperator = nil
                } else {
                    guard Self.parse(op: op, version: token[op.endIndex...], into: &alternative) else { return nil }
                }
            }
            guard pendingOperator == nil, !isEmpty else { return nil }
            alternatives.append(alternative)
        }
        self.alternatives = alternatives
        self.text = text
    }

    private static func isSpace(_ character: Character) -> Bool { character == " " || character == "\t" }

    /// The leading comparison operator of `token` (`>=`, `<`, `^`, …), empty when there is none.
    private static func operatorPrefix(_ token: Substring) -> Substring {
        let bytes = token.utf8
        guard let first = bytes.first else { return token[token.startIndex..<token.startIndex] }
        var length = 0
        switch first {
        case UInt8(ascii: "<"), UInt8(ascii: ">"):
            length = bytes.dropFirst().first == UInt8(ascii: "=") ? 2 : 1
        case UInt8(ascii: "="), UInt8(ascii: "^"), UInt8(ascii: "~"):
            length = 1
        default:
            length = 0
        }
        return token.prefix(length)
    }

    /// Whether `version` is in the range.
    public func contains(_ version: SemanticVersion) -> Bool {
        let core = [version.major, version.minor, version.patch]
        return alternatives.contains { alternative in
            guard alternative.comparators.allSatisfy({ $0.matches(version) }) else { return false }
            return !version.isPrerelease || alternative.prereleaseCores.contains(core)
        }
    }

    /// A version with possibly missing (or `x`/`*`) trailing components.
    private struct Partial {
        var numbers: [Int]  // 0 to 3 leading components that were given
        var prerelease: [String]

        var full: SemanticVersion {
            SemanticVersion(major: numbers.count > 0 ? numbers[0] : 0, minor: numbers.count > 1 ? numbers[1] : 0,
                            patch: numbers.count > 2 ? numbers[2] : 0, prerelease: prerelease)
        }

        /// The first version above everything this partial matches (`1.2` → `1.3.0`).
        /// nil for `*`, which has no upper end.
        var nextUp: SemanticVersion? {
            switch numbers.count {
            case 0: return nil
            case 1: return Self.lowest(numbers[0] + 1, 0, 0)
            case 2: return Self.lowest(numbers[0], numbers[1] + 1, 0)
            default: return Self.lowest(numbers[0], numbers[1], numbers[2] + 1)
            }
        }

        /// The lowest version with this core: its first prerelease, `X.Y.Z-0`.
        static func lowest(_ major: Int, _ minor: Int, _ patch: Int) -> SemanticVersion {
            SemanticVersion(major: major, minor: minor, patch: patch, prerelease: ["0"])
        }
    }

    private static func parsePartial(_ text: Substring) -> Partial? {
        if text.contains("+") { return nil }
        var core = text
        var prerelease: [String] = []
        if let dash = text.firstIndex(of: "-") {
            // Only a full version may carry a prerelease; let SemanticVersion check it.
            guard let full = SemanticVersion(String(text)) else { return nil }
            prerelease = full.prerelease
            core = text[..<dash]
        }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var numbers: [Int] = []
        var wildcard = false
        for part in parts {
            if part == "x" || part == "X" || part == "*" {
                wildcard = true
            } else {
                // Below Int.max so that the bounds (`^9` → `<10.0.0`) can add one without trapping.
                guard !wildcard, let number = SemanticVersion.number(part), number < Int.max else { return nil }
                numbers.append(number)
            }
        }
        if !prerelease.isEmpty && numbers.count != 3 { return nil }
        return Partial(numbers: numbers, prerelease: prerelease)
    }

    private static func parse(op: Substring, version text: Substring, into alternative: inout Alternative) -> Bool {
        guard !text.isEmpty, let partial = parsePartial(text) else { return false }
        if !partial.prerelease.isEmpty { alternative.prereleaseCores.append(Array(partial.numbers)) }
        func add(_ operation: Comparator.Operation, _ version: SemanticVersion) {
            alternative.comparators.append(Comparator(operation: operation, version: version))
        }
        let n = partial.numbers
        switch op {
        case "", "=":
            if n.count == 3 { add(.equal, partial.full); break }
            add(.greaterOrEqual, partial.full)
            if let upper = partial.nextUp { add(.less, upper) }
        case ">=":
            add(.greaterOrEqual, partial.full)
        case ">":
            if n.count == 3 { add(.greater, partial.full) }
            else if let upper = partial.nextUp { add(.greaterOrEqual, upper.release) }
            else { add(.less, Partial.lowest(0, 0, 0)) }  // `>*` matches nothing, as in npm
        case "<":
            add(.less, n.count == 3 ? partial.full : Partial.lowest(partial.full.major, partial.full.minor, partial.full.patch))
        case "<=":
            if n.count == 3 { add(.lessOrEqual, partial.full) }
            else if let upper = partial.nextUp { add(.less, upper) }
        case "^":
            add(.greaterOrEqual, partial.full)
            let upper: SemanticVersion?
            if n.count == 0 { upper = nil }
            else if n[0] != 0 || n.count == 1 { upper = Partial.lowest(n[0] + 1, 0, 0) }
            else if n[1] != 0 || n.count == 2 { upper = Partial.lowest(0, n[1] + 1, 0) }
            else { upper = Partial.lowest(0, 0, n[2] + 1) }
            if let upper { add(.less, upper) }
        case "~":
            add(.greaterOrEqual, partial.full)
            if n.count >= 2 { add(.less, Partial.lowest(n[0], n[1] + 1, 0)) }
            else if n.count == 1 { add(.less, Partial.lowest(n[0] + 1, 0, 0)) }
        default:
            return false
        }
        return true
    }
}

extension SemanticVersion {
    /// The same core without prerelease or build (`2.0.0-0` → `2.0.0`).
    fileprivate var release: SemanticVersion { SemanticVersion(major: major, minor: minor, patch: patch) }
}
