/// A `String` that compares and hashes by its UTF-8 bytes, for dictionaries and sets keyed by
/// names that arrive from JSON (object keys, node names, node types, tenant ids, schema
/// property names).
///
/// `Dictionary<String, _>` and `Set<String>` use `String`'s `==` and hash, which follow
/// Unicode canonical equivalence: `"é"` (U+00E9) and `"e\u{301}"` would be one key, and the
/// Kelvin sign U+212A would find `"K"`. JSON, C plugins and tenant policies see bytes, so a map
/// the host builds from such names must too. Equality goes through ``String/sameUTF8(_:_:)``
/// (the host's one byte comparison); the hash feeds the contiguous UTF-8 to `Hasher` in one
/// call, which for ASCII is what `String`'s own hash costs.
public struct UTF8Key: Hashable, Sendable, Comparable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let string: String

    @inline(__always)
    public init(_ string: String) { self.string = string }
    public init(stringLiteral value: String) { self.string = value }

    public var description: String { string }

    @inline(__always)
    public static func == (lhs: UTF8Key, rhs: UTF8Key) -> Bool { String.sameUTF8(lhs.string, rhs.string) }

    /// Byte order (code point order), not Swift's `<`, which also normalizes.
    public static func < (lhs: UTF8Key, rhs: UTF8Key) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }

    @inline(__always)
    public func hash(into hasher: inout Hasher) { string.hashUTF8(into: &hasher) }
}

extension String {
    /// Feeds this string's UTF-8 bytes (and their count) to `hasher`: the hash that agrees with
    /// ``sameUTF8(_:_:)``, as `hash(into:)` agrees with canonical `==`.
    @inline(__always)
    public func hashUTF8(into hasher: inout Hasher) {
        hasher.combine(utf8.count)
        if utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            Array(utf8).withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }
}
