/// A JSON value, as the host passes it between plugins, workflows and its own interfaces.
///
/// The host has its own JSON type rather than Foundation's `Any` trees because it needs
/// things those do not give: objects that keep their key order (outputs print as the plugin
/// wrote them), integers kept exact up to 64 bits, duplicate keys noticed (strict metadata
/// rejects them), and a value that is `Sendable` so results cross tasks freely.
///
/// Strings and keys compare byte for byte (their UTF-8), never by Swift's canonical
/// equivalence: JSON compares code points, and `"é"` and `"e\u0301"` are different values to
/// the C plugins that receive them (see ``String/sameUTF8(_:_:)``).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case int(Int64)
    /// Any other number (fractional, exponent, or too large for `Int64`).
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object whose members keep the order they were written in.
///
/// Lookup is a linear scan: host objects (parameters, metadata, results) are small, and a scan
/// of a dozen keys beats hashing them. Setting an existing key replaces its value in place.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var members: [(key: String, value: JSONValue)]

    public init() { members = [] }
    public init(_ members: [(key: String, value: JSONValue)]) { self.members = members }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        members = elements.map { (key: $0.0, value: $0.1) }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// The value of the member whose key has the same UTF-8 bytes as `key` (no Unicode
    /// normalization: `"é"` does not find `"e\u0301"`).
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(of: key) else { return nil }
            return members[index].value
        }
        set {
            if let index = index(of: key) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key: key, value: newValue))
            }
        }
    }

    /// Where the member keyed `key` (same UTF-8 bytes) is, if any. The parser's duplicate check
    /// uses it too, so a lookup and a duplicate mean the same thing.
    @inline(__always)
    public func index(of key: String) -> Int? {
        for index in members.indices where String.sameUTF8(members[index].key, key) { return index }
        return nil
    }

    /// Appends without checking for an existing key (the parser uses it after its own check).
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        members.append((key: key, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        members.makeIterator()
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        // Objects are equal when they hold the same members, whatever their order.
        guard lhs.count == rhs.count else { return false }
        for member in lhs.members where rhs[member.key] != member.value { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==.
        var combined = 0
        for member in members {
            var inner = Hasher()
            member.key.hashUTF8(into: &inner)
            inner.combine(member.value)
            combined ^= inner.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

extension JSONValue {
    /// Byte-exact for strings (see the type's note); otherwise as each payload's own `==`
    /// (`.int(2)` is not `.double(2)`: JSON Schema equality is `JSONEquality` in PluginMetadata).
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return String.sameUTF8(x, y)
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0 as UInt8)
        case .bool(let b): hasher.combine(1 as UInt8); hasher.combine(b)
        case .int(let i): hasher.combine(2 as UInt8); hasher.combine(i)
        case .double(let d): hasher.combine(3 as UInt8); hasher.combine(d)
        case .string(let s): hasher.combine(4 as UInt8); s.hashUTF8(into: &hasher)
        case .array(let a): hasher.combine(5 as UInt8); hasher.combine(a)
        case .object(let o): hasher.combine(6 as UInt8); hasher.combine(o)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// The value as a `Double` when it is a number of either kind.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The value as an `Int64` when it is a number with no fractional part that fits.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.rounded() == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    public var isNumber: Bool {
        switch self {
        case .int, .double: return true
        default: return false
        }
    }

    /// The JSON type name used in messages and schemas: `null`, `boolean`, `integer`,
    /// `number`, `string`, `array` or `object`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Follows an RFC 6901 JSON pointer (`""` is the whole value, `/a/0/b` a path).
    /// Returns nil when the pointer is malformed or does not resolve.
    public func resolve(pointer: String) -> JSONValue? {
        if pointer.isEmpty { return self }
        guard pointer.first == "/" else { return nil }
        var current = self
        // Split on the scalar `/`, not the `Character`: `/` + a combining mark is one Character.
        for rawToken in pointer.unicodeScalars.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let token = unescapePointerToken(rawToken)
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let array):
                guard let index = Int(token), index >= 0, index < array.count,
                      token.utf8.count == 1 || token.utf8.first != UInt8(ascii: "0") else { return nil }
                current = array[index]
            default:
                return nil
            }
        }
        return current
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

/// Decodes an RFC 6901 reference token: `~1` is `/`, `~0` is `~` (scalar by scalar, so a `~`
/// followed by a combining mark is still an escape).
private func unescapePointerToken(_ token: Substring.UnicodeScalarView) -> String {
    guard token.contains("~") else { return String(String.UnicodeScalarView(token)) }
    var result = String.UnicodeScalarView()
    var iterator = token.makeIterator()
    while let scalar = iterator.next() {
        guard scalar == "~" else { result.append(scalar); continue }
        switch iterator.next() {
        case "1": result.append("/")
        case "0": result.append("~")
        case let other?: result.append("~"); result.append(other)
        case nil: result.append("~")
        }
    }
    return String(result)
}
