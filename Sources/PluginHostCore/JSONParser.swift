/// Why a text is not JSON, with where it went wrong.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    /// ``reason`` without any byte of the input in it ("unexpected character", not
    /// "unexpected character 's'"): what a message may say about a file the host should not
    /// quote — a sidecar that is a link to someone's secret must not leak its first byte.
    public let reasonWithoutInput: String
    /// Byte offset of the problem in the input.
    public let offset: Int
    /// 1-based line and column of the problem, for people.
    public let line: Int
    public let column: Int
    /// The nesting limit the input went past, nil for any other error: a caller reports that
    /// one with its own code (`JSON_TOO_DEEP`), since the fix is a limit, not the syntax.
    public var exceededDepth: Int? = nil

    public var description: String { "\(reason) at line \(line), column \(column)" }
}

/// Parses JSON text (RFC 8259) into ``JSONValue``.
///
/// Strict where the host needs strictness: the text must be valid UTF-8 (RFC 8259 §8.1; the
/// error names the byte offset of the first invalid byte, and every document the host reads —
/// CLI files and arguments, embed API strings — is parsed from its raw bytes so this is the one
/// place the rule lives), nesting is bounded
/// (so hostile metadata cannot exhaust the stack), and trailing garbage is an error. Duplicate
/// object keys keep the last value, as most parsers do, and are reported in
/// ``Result/duplicateKeys`` so strict metadata validation can reject them. Keys are the same
/// when their UTF-8 bytes are (`"é"` and `"e\u0301"` are two keys), as ``JSONObject`` looks
/// them up.
public struct JSONParser {
    /// The parsed value and what the parser noticed on the way.
    public struct Result: Sendable {
        public var value: JSONValue
        /// JSON pointers of object members that repeated a key already present.
        public var duplicateKeys: [String]
    }

    /// Deepest nesting of arrays and objects accepted by default (`maximumDepth:` of each
    /// entry point; ``InputLimits/maximumJSONDepth`` for the documents callers hand the host).
    public static let maximumDepth = 256

    /// Parses `text`, failing on any syntax error or nesting deeper than `maximumDepth`.
    public static func parse(_ text: String, maximumDepth: Int = JSONParser.maximumDepth) throws(JSONParseError) -> JSONValue {
        try parseReportingDuplicates(Array(text.utf8), maximumDepth: maximumDepth).value
    }

    /// Parses UTF-8 `bytes`, failing on any syntax error or nesting deeper than `maximumDepth`.
    public static func parse(_ bytes: [UInt8], maximumDepth: Int = JSONParser.maximumDepth) throws(JSONParseError) -> JSONValue {
        try parseReportingDuplicates(bytes, maximumDepth: maximumDepth).value
    }

    /// Parses UTF-8 `bytes` and reports duplicate keys as well.
    public static func parseReportingDuplicates(_ bytes: [UInt8], maximumDepth: Int = JSONParser.maximumDepth) throws(JSONParseError) -> Result {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            var parser = Cursor(bytes: buffer, maximumDepth: maximumDepth)
            parser.skipWhitespace()
            let value = try parser.parseValue(depth: 0)
            parser.skipWhitespace()
            if parser.index != buffer.count {
                try parser.rejectInvalidUTF8()
                throw parser.error("unexpected text after the JSON value")
            }
            return Result(value: value, duplicateKeys: parser.duplicateKeys)
        }
    }
}

private struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var index = 0
    var duplicateKeys: [String] = []
    /// Where the parser is, kept as components so a pointer is built only for a duplicate.
    var path: [PathComponent] = []

    enum PathComponent {
        case key(String)
        case index(Int)
    }

    func currentPointer() -> String {
        path.map { component in
            switch component {
            case .key(let key): return "/" + escapePointerToken(key)
            case .index(let index): return "/\(index)"
            }
        }.joined()
    }

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    func tooDeep() -> JSONParseError {
        var failure = error("nesting deeper than \(maximumDepth) levels")
        failure.exceededDepth = maximumDepth
        return failure
    }

    func error(_ reason: String, withoutInput: String? = nil) -> JSONParseError {
        var line = 1, column = 1
        for i in 0..<min(index, bytes.count) {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return JSONParseError(reason: reason, reasonWithoutInput: withoutInput ?? reason, offset: index, line: line, column: column)
    }

    var atEnd: Bool { index >= bytes.count }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard !atEnd else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default:
            try rejectInvalidUTF8()
            throw error("unexpected character '\(printable(bytes[index]))'", withoutInput: "unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw error("invalid literal")
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw tooDeep() }
        index += 1
        skipWhitespace()
        if !atEnd && bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject()) }
        // Room for a typical object up front: growing 1, 2, 4, 8, 16 cost more than the members.
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(8)
        // Key → member index, built only for large objects (small ones scan linearly): a
        // lookup per key, so even an object of repeated keys costs linear time.
        var positions: [UTF8Key: Int]? = nil
        while true {
            skipWhitespace()
            guard !atEnd, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString(isKey: true)
            skipWhitespace()
            guard !atEnd, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            index += 1
            skipWhitespace()
            path.append(.key(key))
            let value = try parseValue(depth: depth)
            var duplicate: Int? = nil
            if members.count >= 16 {
                if positions == nil {
                    positions = Dictionary(members.indices.map { (UTF8Key(members[$0].key), $0) }, uniquingKeysWith: { first, _ in first })
                }
                duplicate = positions![UTF8Key(key)]
                if duplicate == nil { positions![UTF8Key(key)] = members.count }
            } else {
                duplicate = Self.index(of: key, in: members)
            }
            if let duplicate {
                duplicateKeys.append(currentPointer())
                members[duplicate].value = value  // the last value wins, in the first one's place
            } else {
                members.append((key: key, value: value))
            }
            path.removeLast()
            skipWhitespace()
            guard !atEnd else { throw error("unexpected end of input inside an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject(members)) }
            throw error("expected ',' or '}' in an object")
        }
    }

    /// Where `key` already is among `members`: same UTF-8 bytes, as ``JSONObject/index(of:)``.
    @inline(__always)
    static func index(of key: String, in members: [(key: String, value: JSONValue)]) -> Int? {
        for position in members.indices where String.sameUTF8(members[position].key, key) { return position }
        return nil
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw tooDeep() }
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if !atEnd && bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
        array.reserveCapacity(4)
        while true {
            skipWhitespace()
            path.append(.index(array.count))
            array.append(try parseValue(depth: depth))
            path.removeLast()
            skipWhitespace()
            guard !atEnd else { throw error("unexpected end of input inside an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
            throw error("expected ',' or ']' in an array")
        }
    }

    /// A string token. With `isKey`, a known object key comes back as a shared string
    /// (``JSONKeyTable``) rather than a new one.
    mutating func parseString(isKey: Bool = false) throws(JSONParseError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes. Most strings are ASCII; others are validated once as a run.
        // A local position keeps the loop in registers.
        var position = index
        let end = bytes.count
        var high: UInt8 = 0  // OR of every byte: below 0x80 means all ASCII
        // Eight bytes at a time while none is a quote, a backslash or a control character
        // (the usual bit tricks: a byte that is zero after XOR, or below 0x20, sets its top bit).
        let base = UnsafeRawPointer(bytes.baseAddress)
        if let base {
            let ones: UInt64 = 0x0101_0101_0101_0101, tops: UInt64 = 0x8080_8080_8080_8080
            var wide: UInt64 = 0
            while end - position >= 8 {
                let word = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
                let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
                if special & tops != 0 { break }
                wide |= word
                position += 8
            }
            if wide & tops != 0 { high = 0x80 }
        }
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                index = position + 1
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                if high >= 0x80 {
                    if let invalid = firstInvalidUTF8(slice) { index = start + invalid; throw invalidUTF8() }
                } else if isKey, let known = JSONKeyTable.string(for: slice) {
                    return known
                }
                // Valid UTF-8 (checked above, or ASCII): decoding repairs nothing.
                return String(decoding: slice, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { index = position; throw error("control character in a string (escape it)") }
            high |= byte
            position += 1
        }
        index = position
        // Slow path: escapes present. The run before the first one is checked as a whole.
        let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if high >= 0x80, let invalid = firstInvalidUTF8(run) {
            index = start + invalid
            throw invalidUTF8()
        }
        var utf8 = Array(run)
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                // Valid: raw runs were checked before the first escape and as copied below,
                // and an escape appends an encoded scalar.
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard !atEnd else { throw error("unexpected end of input in an escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(into: &utf8)
                default: index -= 1; throw error("invalid escape '\\\(printable(escape))'", withoutInput: "invalid escape")
                }
            default:
                if byte < 0x20 { throw error("control character in a string (escape it)") }
                if byte < 0x80 {
                    utf8.append(byte)
                    index += 1
                    continue
                }
                // A multi-byte sequence holds no quote or backslash: check it here, in place.
                let length = validUTF8SequenceLength(UnsafeBufferPointer(rebasing: bytes[index...]))
                guard length > 0 else { throw invalidUTF8() }
                utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<index + length]))
                index += length
            }
        }
        throw error("unterminated string")
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in a \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    mutating func appendUnicodeEscape(into utf8: inout [UInt8]) throws(JSONParseError) {
        var scalar = try readHex4()
        if (0xD800...0xDBFF).contains(scalar) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("unpaired surrogate in a \\u escape")
            }
            index += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw error("unpaired surrogate in a \\u escape")
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
        utf8.append(contentsOf: UTF8.encode(unicode)!)
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard !atEnd, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if !atEnd && isDigit(bytes[index]) { throw error("numbers may not have leading zeros") }
        } else {
            while !atEnd && isDigit(bytes[index]) { index += 1 }
        }
        if !atEnd && bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard !atEnd, isDigit(bytes[index]) else { throw error("expected digits after '.'") }
            while !atEnd && isDigit(bytes[index]) { index += 1 }
        }
        if !atEnd && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            isInteger = false
            index += 1
            if !atEnd && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard !atEnd, isDigit(bytes[index]) else { throw error("expected digits in the exponent") }
            while !atEnd && isDigit(bytes[index]) { index += 1 }
        }
        if isInteger, let value = integer(from: start, to: index) { return .int(value) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw error("number out of range") }
        return .double(value)
    }

    /// The integer written in `bytes[start..<end]` (an optional '-' then digits, already checked),
    /// or nil when it does not fit in `Int64`. Read straight from the bytes: no String is built.
    func integer(from start: Int, to end: Int) -> Int64? {
        var position = start
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        // Accumulated negatively, so Int64.min fits.
        var value: Int64 = 0
        while position < end {
            let digit = Int64(bytes[position] &- UInt8(ascii: "0"))
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.subtractingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            position += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// The error for input that is not UTF-8 at ``index``, the first invalid byte.
    func invalidUTF8() -> JSONParseError {
        error("invalid UTF-8 at byte offset \(index) (JSON text must be UTF-8)")
    }

    /// Throws ``invalidUTF8()`` when the byte at ``index`` does not start a valid UTF-8
    /// sequence: outside strings any non-ASCII byte is a syntax error, but a byte that is not
    /// even UTF-8 is reported as what it is.
    func rejectInvalidUTF8() throws(JSONParseError) {
        guard index < bytes.count, bytes[index] >= 0x80 else { return }
        if validUTF8SequenceLength(UnsafeBufferPointer(rebasing: bytes[index...])) == 0 { throw invalidUTF8() }
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    func printable(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }
}

/// The offset of the first byte of `bytes` that is not part of well-formed UTF-8 (RFC 3629: no
/// overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence), or nil when
/// all of it is — the same rule as `String(validating:as:)`, whose generic implementation cost
/// more than the rest of the parse. The offset is the start of the bad sequence.
func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var index = 0
    let count = bytes.count
    while index < count {
        if bytes[index] < 0x80 { index += 1; continue }
        let length = validUTF8SequenceLength(UnsafeBufferPointer(rebasing: bytes[index...]))
        if length == 0 { return index }
        index += length
    }
    return nil
}

/// The length (2...4) of the well-formed multi-byte UTF-8 sequence `bytes` starts with, or 0
/// when it does not start with one (a continuation byte, C0/C1, F5...FF, a bad or missing
/// continuation, an overlong form, a surrogate, above U+10FFFF).
@inline(__always)
func validUTF8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    let count = bytes.count
    guard count > 0 else { return 0 }
    let lead = bytes[0]
    func continuation(_ offset: Int) -> Bool { offset < count && bytes[offset] & 0xC0 == 0x80 }
    switch lead {
    case 0xC2...0xDF:
        return continuation(1) ? 2 : 0
    case 0xE0...0xEF:
        guard continuation(1), continuation(2) else { return 0 }
        let second = bytes[1]
        if lead == 0xE0 && second < 0xA0 { return 0 }  // overlong
        if lead == 0xED && second > 0x9F { return 0 }  // surrogate
        return 3
    case 0xF0...0xF4:
        guard continuation(1), continuation(2), continuation(3) else { return 0 }
        let second = bytes[1]
        if lead == 0xF0 && second < 0x90 { return 0 }  // overlong
        if lead == 0xF4 && second > 0x8F { return 0 }  // above U+10FFFF
        return 4
    default:
        return 0
    }
}

/// Escapes a key for use in a JSON pointer (`~` → `~0`, `/` → `~1`).
///
/// Works on Unicode scalars, not `Character`s: a `/` followed by a combining mark is one
/// `Character` that is not `"/"`, and must still be escaped.
public func escapePointerToken(_ key: String) -> String {
    guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
    var result = String.UnicodeScalarView()
    for scalar in key.unicodeScalars {
        switch scalar {
        case "~": result.append(contentsOf: "~0".unicodeScalars)
        case "/": result.append(contentsOf: "~1".unicodeScalars)
        default: result.append(scalar)
        }
    }
    return String(result)
}
