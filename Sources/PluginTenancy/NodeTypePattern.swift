import PluginHostCore
import PluginMetadata

/// One entry of a tenant's allow or restrict list: an exact node type or a `prefix.*` glob.
///
/// Only two shapes exist so that what a policy allows is obvious from reading it, and so that
/// no spelling trick can widen it: both the exact name and the prefix must pass
/// ``ManifestNames/isValidNodeType(_:)`` (lowercase ASCII, no whitespace, no Unicode), and the
/// only wildcard is a whole last segment. `math.*` matches `math.add` and `math.x.y`, never
/// `math` itself and never `mathx.add`. There is no `*` alone, no `ma*`, no `?`, no case folding,
/// no trimming and no normalization: anything else is rejected when the policy is read.
public enum NodeTypePattern: Sendable, Hashable, CustomStringConvertible {
    /// Exactly this canonical node type.
    case exact(String)
    /// Any node type that starts with this canonical node type followed by a dot and at least
    /// one more segment (the pattern `prefix.*`). The stored value has no `.*`.
    case prefix(String)

    /// Reads a pattern as written in a policy file; nil when it is neither shape.
    public init?(_ text: String) {
        let bytes = text.utf8
        if bytes.count > 2, bytes.last == UInt8(ascii: "*"), bytes.dropLast().last == UInt8(ascii: ".") {
            let stem = String(decoding: bytes.dropLast(2), as: UTF8.self)
            guard ManifestNames.isValidNodeType(stem) else { return nil }
            self = .prefix(stem)
        } else {
            guard ManifestNames.isValidNodeType(text) else { return nil }
            self = .exact(text)
        }
    }

    /// The pattern as it is written in a policy file (`math.add`, `math.*`).
    public var description: String {
        switch self {
        case .exact(let name): return name
        case .prefix(let stem): return stem + ".*"
        }
    }

    /// Whether `nodeType` is matched. Callers pass canonical node types; a non-canonical one can
    /// still only match byte for byte, never loosely.
    public func matches(_ nodeType: String) -> Bool {
        switch self {
        case .exact(let name): return NodeTypePattern.sameBytes(name, nodeType)
        case .prefix(let stem): return NodeTypePattern.hasPrefixStem(nodeType, stem)
        }
    }

    /// Whether every node type `other` matches is also matched by `self`, so `other` adds
    /// nothing beside `self` (`math.*` covers `math.add`, `math.x.*` and `math.*`).
    public func covers(_ other: NodeTypePattern) -> Bool {
        switch (self, other) {
        case (.exact(let a), .exact(let b)): return NodeTypePattern.sameBytes(a, b)
        case (.exact, .prefix): return false
        case (.prefix(let stem), .exact(let name)): return NodeTypePattern.hasPrefixStem(name, stem)
        case (.prefix(let stem), .prefix(let otherStem)):
            return NodeTypePattern.sameBytes(stem, otherStem) || NodeTypePattern.hasPrefixStem(otherStem, stem)
        }
    }

    /// Byte equality. Swift's `==` on strings compares canonically equivalent Unicode as equal
    /// (`é` precomposed equals `e` + combining acute, the Kelvin sign equals `K`); a policy must
    /// not, so names and tenant ids compare as bytes.
    static func sameBytes(_ a: String, _ b: String) -> Bool { String.sameUTF8(a, b) }

    /// Byte equality when `ascii` is known to be ASCII (a canonical node type or a validated
    /// tenant id), at the cost of `==`. Exact because a string canonically equivalent to an
    /// ASCII string but spelled differently is always longer in UTF-8: no scalar decomposes
    /// canonically into two or more ASCII scalars, and every non-ASCII scalar takes 2+ bytes.
    @inline(__always)
    static func sameBytes(ascii: String, _ other: String) -> Bool {
        ascii.utf8.count == other.utf8.count && ascii == other
    }

    /// `name` is `stem` + `.` + at least one more byte, compared on UTF-8 bytes.
    static func hasPrefixStem(_ name: String, _ stem: String) -> Bool {
        let nameBytes = name.utf8, stemBytes = stem.utf8
        guard nameBytes.count > stemBytes.count + 1 else { return false }
        let dot = nameBytes.index(nameBytes.startIndex, offsetBy: stemBytes.count)
        return nameBytes[dot] == UInt8(ascii: ".") && nameBytes[..<dot].elementsEqual(stemBytes)
    }

    /// ``hasPrefixStem(_:_:)`` for a canonical (ASCII) `name` and `stem`, at the cost of
    /// `hasPrefix` (a `memcmp` for ASCII). Exact for ASCII; the hot path validates first.
    @inline(__always)
    static func hasPrefixStem(canonical name: String, _ stem: String) -> Bool {
        let nameBytes = name.utf8, stemCount = stem.utf8.count
        guard nameBytes.count > stemCount + 1 else { return false }
        return nameBytes[nameBytes.index(nameBytes.startIndex, offsetBy: stemCount)] == UInt8(ascii: ".") && name.hasPrefix(stem)
    }
}

extension NodeTypePattern {
    /// Why `text` is not canonical, as a clause for a message: names the first rule it breaks,
    /// so a person learns about the invisible character or the capital letter they cannot see.
    static func whyNotCanonical(_ text: String, isPattern: Bool) -> String {
        if text.isEmpty { return "it is empty" }
        var hasUpper = false, hasSpace = false, hasNonASCII = false, hasControl = false, hasWildcard = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): hasUpper = true
            case UInt8(ascii: " "): hasSpace = true
            case 0x80...: hasNonASCII = true
            case ..<0x20, 0x7F: hasControl = true
            case UInt8(ascii: "*"), UInt8(ascii: "?"): hasWildcard = true
            default: break
            }
        }
        if hasNonASCII { return "it contains non-ASCII characters (look-alike and invisible characters are never matched)" }
        if hasControl { return "it contains control characters" }
        if hasSpace { return "it contains spaces (names are never trimmed)" }
        if hasUpper { return "it contains uppercase letters (names are lowercase and never case-folded)" }
        if hasWildcard {
            return isPattern
                ? "the only wildcard is a whole last segment after a node type, as in `math.*`"
                : "wildcards belong in policy patterns, not in a requested node type"
        }
        return "it is not dot-separated segments of a-z, 0-9, '_' and '-' that start with a letter"
    }

    /// `text` quoted for a message, with invisible and non-ASCII characters made visible
    /// (`"math.add\u{200B}"`), so two names that print alike are told apart.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value < 0x7F && scalar != "\"" && scalar != "\\" {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out + "\""
    }
}
