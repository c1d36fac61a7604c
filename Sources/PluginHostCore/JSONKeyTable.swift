/// The object keys host JSON uses most (manifest, node and JSON Schema keys), so the parser can
/// hand out one shared `String` for each instead of building a new one per occurrence.
///
/// Building a `String` from bytes validates and copies them (and allocates above 15 bytes); a
/// manifest repeats a few dozen known keys, and building them cost a quarter of the parse. A
/// key found here is the same text, so the parsed value is identical either way.
enum JSONKeyTable {
    /// Known keys bucketed by UTF-8 length, each with its bytes for comparison.
    private static let buckets: [[(bytes: [UInt8], string: String)]] = {
        let keys = [
            "id", "name", "version", "abi", "author", "license", "description", "threadSafe", "dependencies", "nodes",
            "library", "nodeType", "category", "requiredFields", "schema", "supportedVersions", "tags", "icon",
            "experimental", "function", "type", "properties", "required", "additionalProperties", "enum", "const",
            "minimum", "maximum", "minLength", "maxLength", "pattern", "items", "minItems", "maxItems", "default",
            "title", "format", "symbol", "parameters", "returns",
        ]
        var buckets = [[(bytes: [UInt8], string: String)]](repeating: [], count: maximumLength + 1)
        for key in keys {
            precondition(key.utf8.count <= maximumLength)
            buckets[key.utf8.count].append((Array(key.utf8), key))
        }
        return buckets
    }()

    static let maximumLength = 24

    /// The shared string for `bytes` (raw, unescaped key bytes), or nil when it is not a known key.
    @inline(__always)
    static func string(for bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count <= maximumLength, bytes.count > 0 else { return nil }
        for candidate in buckets[bytes.count] {
            let equal = candidate.bytes.withUnsafeBufferPointer { known in
                for index in 0..<known.count where known[index] != bytes[index] { return false }
                return true
            }
            if equal { return candidate.string }
        }
        return nil
    }
}
