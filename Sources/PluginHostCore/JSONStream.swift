/// JSON text written member by member, straight into bytes, for documents too large or too hot
/// to build as a ``JSONValue`` tree first (a node result, a 100 000-node run document).
///
/// The text is exactly what ``JSONWriter`` writes for the same tree, compact or pretty
/// (`JSONStreamTests` holds them equal), so a document can move from one to the other without
/// a reader noticing. Containers nest: every `begin…` needs its `end…`; inside an object, a key
/// (``key(_:)`` for a fixed field name, ``key(text:)`` for any other) comes before each value.
public struct JSONStream {
    public private(set) var bytes: [UInt8]
    public let style: JSONWriter.Style
    /// Per open container (innermost last): whether it has an element yet.
    private var hasElements: [Bool] = []
    /// A key was written and its value is next (no separator before it).
    private var afterKey = false

    public init(style: JSONWriter.Style = .compact, capacity: Int = 256) {
        self.style = style
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    private var depth: Int { hasElements.count }

    /// The separator and, pretty, the line break and indentation before an element or a key.
    private mutating func beforeElement() {
        if afterKey {
            afterKey = false
            return
        }
        guard let last = hasElements.indices.last else { return }
        if hasElements[last] { bytes.append(UInt8(ascii: ",")) }
        hasElements[last] = true
        if style == .pretty { newline(indent: depth) }
    }

    private mutating func newline(indent: Int) {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    public mutating func beginObject() { open(UInt8(ascii: "{")) }
    public mutating func endObject() { close(UInt8(ascii: "}")) }
    public mutating func beginArray() { open(UInt8(ascii: "[")) }
    public mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        beforeElement()
        bytes.append(bracket)
        hasElements.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        let nonEmpty = hasElements.removeLast()
        if nonEmpty, style == .pretty { newline(indent: depth) }
        bytes.append(bracket)
    }

    /// An object member's key (any text, escaped as needed); its value is written next.
    public mutating func key(text key: String) {
        beforeElement()
        JSONWriter.writeString(key, into: &bytes)
        endKey()
    }

    /// An object member's key written into the program (a field name of a fixed shape): its
    /// bytes are copied as they are, so it must need no escaping — plain ASCII without `"`,
    /// `\` or control characters (checked in debug builds). A node result has twenty of these.
    public mutating func key(_ key: StaticString) {
        beforeElement()
        bytes.append(UInt8(ascii: "\""))
        let text = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        assert(text.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") },
               "\(key) needs escaping: use key(text:)")
        bytes.append(contentsOf: text)
        bytes.append(UInt8(ascii: "\""))
        endKey()
    }

    private mutating func endKey() {
        bytes.append(UInt8(ascii: ":"))
        if style == .pretty { bytes.append(UInt8(ascii: " ")) }
        afterKey = true
    }

    /// A whole value, as ``JSONWriter`` writes it at this depth.
    public mutating func value(_ value: JSONValue) {
        beforeElement()
        JSONWriter.write(value, into: &bytes, style: style, indent: depth)
    }

    /// A value ``JSONWriter`` wrote compact earlier (kept to be written again without its tree),
    /// copied as it is; compact streams only (pretty text would need it indented).
    public mutating func compactJSON(_ written: [UInt8]) {
        precondition(style == .compact, "compactJSON(_:) in a pretty stream")
        beforeElement()
        bytes.append(contentsOf: written)
    }

    public mutating func string(_ text: String) {
        beforeElement()
        JSONWriter.writeString(text, into: &bytes)
    }

    /// A string whose bytes need no escaping (ASCII without `"`, `\\` or control characters,
    /// checked in debug builds), copied as they are: an id the host formatted itself.
    public mutating func string(ascii text: UnsafeBufferPointer<UInt8>) {
        beforeElement()
        assert(text.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") },
               "string(ascii:) given bytes that need escaping")
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: text)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `text`, or null when it is nil.
    public mutating func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    public mutating func integer(_ number: Int64) {
        beforeElement()
        JSONWriter.writeInteger(number, into: &bytes)
    }

    public mutating func double(_ number: Double) {
        beforeElement()
        JSONWriter.writeDouble(number, into: &bytes)
    }

    public mutating func null() {
        beforeElement()
        bytes.append(contentsOf: "null".utf8)
    }

    /// `seconds` since the epoch as the quoted ``WallClock/iso8601(_:)`` text.
    public mutating func timestamp(_ seconds: Double) {
        beforeElement()
        WallClock.writeISO8601(seconds, into: &bytes)
    }
}
