/// Serializes ``JSONValue`` to JSON text.
///
/// Output is deterministic: members print in their stored order, numbers print in the shortest
/// form that reads back to the same value, and non-finite doubles (which JSON cannot hold)
/// print as `null`. Pretty output indents by two spaces, the form the CLI shows people.
public enum JSONWriter {
    /// Compact (`{"a":1}`) or indented for people.
    public enum Style: Sendable {
        case compact
        case pretty
    }

    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        var out = [UInt8]()
        out.reserveCapacity(128)
        write(value, into: &out, style: style, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    public static func bytes(_ value: JSONValue, style: Style = .compact) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(128)
        write(value, into: &out, style: style, indent: 0)
        return out
    }

    /// Appends `value` as JSON to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8], style: Style = .compact, indent: Int = 0) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): writeInteger(i, into: &out)
        case .double(let d): writeDouble(d, into: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let array):
            if array.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (offset, element) in array.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, style, indent + 1)
                write(element, into: &out, style: style, indent: indent + 1)
            }
            newline(&out, style, indent)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (offset, member) in object.members.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, style, indent + 1)
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if style == .pretty { out.append(UInt8(ascii: " ")) }
                write(member.value, into: &out, style: style, indent: indent + 1)
            }
            newline(&out, style, indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], _ style: Style, _ indent: Int) {
        guard style == .pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    /// Shortest round-trip form; integral values in range print without a fraction.
    /// Appends the decimal digits of `value` without making a `String` of them first (a node
    /// result is mostly integers: counts, a small output).
    public static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        if value >= 0, value < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// Appends ``formatDouble(_:)``'s text of `d`; an integral value is written as an integer
    /// without a `String` in between.
    public static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        if d.isFinite, d.rounded() == d, abs(d) < 1e15 {
            writeInteger(Int64(d), into: &out)
        } else {
            out.append(contentsOf: formatDouble(d).utf8)
        }
    }

    public static func formatDouble(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
        return d.description
    }

    /// Appends `s` as a quoted JSON string, escaping quotes, backslashes and control characters.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = s
        text.withUTF8 { bytes in
            // Bytes that need no escape are copied a run at a time, not one by one.
            var run = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if run < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index])) }
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                            hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
                run = index + 1
            }
            if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONWriter.string(self) }
}
