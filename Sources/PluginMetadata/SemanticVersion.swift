/// A semantic version (semver 2.0): `MAJOR.MINOR.PATCH[-prerelease][+build]`.
///
/// Parsing is strict, because plugin versions decide dependency resolution: no leading zeros,
/// no `v` prefix, no sign, no empty identifiers, ASCII only. Precedence follows semver §11
/// exactly (an alphanumeric prerelease identifier such as `-1` is text, not the number −1).
/// Build metadata is ignored by `<` and `==` alike. Numeric components must fit in `Int`.
///
/// The type is its own: a general version package brought Foundation (and ICU, ~35 MB) into
/// every process that links the metadata layer — the host, `libplugin_host.so` and each worker
/// process, whose start-up time is a crash's recovery time.
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public let patch: Int
    public let prerelease: [String]
    public let build: [String]
    public var isPrerelease: Bool { !prerelease.isEmpty }

    /// Parses `text`; nil unless it is exactly a semver 2.0 version.
    public init?(_ text: String) {
        // Byte positions of the first '+' and the first '-' before it (UTF-8 view: no grapheme work).
        let utf8 = text.utf8
        let plus = utf8.firstIndex(of: UInt8(ascii: "+"))
        let coreAndPrerelease = text[..<(plus ?? text.endIndex)]
        let dash = coreAndPrerelease.utf8.firstIndex(of: UInt8(ascii: "-"))
        var build: [String] = []
        if let plus {
            guard let identifiers = Self.identifiers(text[utf8.index(after: plus)...], numeric: false) else { return nil }
            build = identifiers
        }
        var prerelease: [String] = []
        if let dash {
            guard let identifiers = Self.identifiers(coreAndPrerelease[utf8.index(after: dash)...], numeric: true) else { return nil }
            prerelease = identifiers
        }
        guard let (major, minor, patch) = Self.core(coreAndPrerelease[..<(dash ?? coreAndPrerelease.endIndex)]) else {
            return nil
        }
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    /// A release version (no prerelease, no build), as ranges build their bounds.
    public init(major: Int, minor: Int, patch: Int, prerelease: [String] = []) {
        precondition(major >= 0 && minor >= 0 && patch >= 0, "version components are non-negative")
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = []
    }

    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prerelease.joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    /// Semver §11 precedence: core numbers, then a release above its prereleases, then the
    /// prerelease identifiers left to right (numbers numerically and below text, text in ASCII
    /// order), then the shorter list first.
    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        let (l, r) = (lhs, rhs)
        if (l.major, l.minor, l.patch) != (r.major, r.minor, r.patch) {
            return (l.major, l.minor, l.patch) < (r.major, r.minor, r.patch)
        }
        switch (l.prerelease.isEmpty, r.prerelease.isEmpty) {
        case (true, _): return false
        case (false, true): return true
        case (false, false): break
        }
        for (a, b) in zip(l.prerelease, r.prerelease) where a != b {
            switch (number(Substring(a)), number(Substring(b))) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
            }
        }
        return l.prerelease.count < r.prerelease.count
    }

    /// Equal precedence; build metadata does not count (semver §10), matching `<`.
    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch) && lhs.prerelease == rhs.prerelease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(prerelease)
    }

    /// `MAJOR.MINOR.PATCH`, each a numeric identifier, read in one pass over the bytes.
    private static func core(_ text: Substring) -> (Int, Int, Int)? {
        var numbers = (0, 0, 0)
        var count = 0
        var value = 0
        var digits = 0
        var leadingZero = false
        func finish() -> Bool {
            guard digits > 0, !(leadingZero && digits > 1), count < 3 else { return false }
            switch count {
            case 0: numbers.0 = value
            case 1: numbers.1 = value
            default: numbers.2 = value
            }
            count += 1
            value = 0
            digits = 0
            return true
        }
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard finish() else { return nil }
            } else if byte >= 0x30 && byte <= 0x39 {
                if digits == 0 { leadingZero = byte == 0x30 }
                let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int(byte - 0x30))
                guard !overflow1, !overflow2 else { return nil }
                value = sum
                digits += 1
            } else {
                return nil
            }
        }
        guard finish(), count == 3 else { return nil }
        return numbers
    }

    /// A numeric identifier: ASCII digits, no leading zero, fits in `Int`.
    static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              text == "0" || text.first != "0" else { return nil }
        return Int(text)
    }

    /// Dot-separated identifiers of `[0-9A-Za-z-]`, none empty. With `numeric`, all-digit
    /// identifiers must also be valid numbers (prerelease rules; build metadata allows `01`).
    private static func identifiers(_ text: Substring, numeric: Bool) -> [String]? {
        var result: [String] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.utf8.allSatisfy(Self.isIdentifierByte) else { return nil }
            if numeric, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), number(part) == nil { return nil }
            result.append(String(part))
        }
        return result
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"): return true
        default: return false
        }
    }
}
