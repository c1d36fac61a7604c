import PluginHostCore

/// Builds the sentences of ``SchemaViolation``s. Called only when a value is invalid, so it
/// may allocate freely; values quoted in messages are shortened so a hostile megabyte string
/// does not become a megabyte error.
enum SchemaMessages {
    /// Longest quoted value, in Unicode scalars, before it is cut with "…".
    static let quoteLimit = 60
    /// Most enum options or member names listed in one message.
    static let listLimit = 10

    /// A value as it appears in a message: numbers and short values as JSON, long ones cut.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .int(let i): return String(i)
        case .double(let d): return JSONWriter.formatDouble(d)
        case .string(let s) where s.unicodeScalars.count > quoteLimit:
            var cut = String.UnicodeScalarView()
            cut.append(contentsOf: s.unicodeScalars.prefix(quoteLimit - 1))
            return JSONWriter.string(.string(String(cut) + "…"))
        case .array(let elements) where elements.count > listLimit:
            return "an array of \(elements.count) items"
        case .object(let object) where object.count > listLimit:
            return "an object with \(object.count) members"
        default:
            let text = JSONWriter.string(value)
            guard text.unicodeScalars.count > quoteLimit else { return text }
            var cut = String.UnicodeScalarView()
            cut.append(contentsOf: text.unicodeScalars.prefix(quoteLimit - 1))
            return String(cut) + "…"
        }
    }

    /// "must be a string, got number"; several types read "a string, an integer or null".
    static func wrongType(_ names: [String], _ value: JSONValue) -> String {
        let phrases = names.map { name -> String in
            switch name {
            case "null": "null"
            case "integer", "array", "object": "an " + name
            default: "a " + name
            }
        }
        let expected = phrases.count == 1
            ? phrases[0]
            : phrases.dropLast().joined(separator: ", ") + " or " + phrases[phrases.count - 1]
        return "must be \(expected), got \(value.typeName)"
    }

    static func notInEnum(_ options: [JSONValue], _ value: JSONValue) -> String {
        var listed = options.prefix(listLimit).map(describe).joined(separator: ", ")
        if options.count > listLimit { listed += ", … (\(options.count) in all)" }
        return "must be one of \(listed), got \(describe(value))"
    }

    /// For a member `additionalProperties: false` forbids; names the members that are allowed.
    static func notAllowed(_ node: SchemaNode) -> String {
        let names = node.properties.map(\.name)
        guard !names.isEmpty else { return "is not allowed (additionalProperties is false; this object takes no members)" }
        var listed = names.prefix(listLimit).map { describe(.string($0)) }.joined(separator: ", ")
        if names.count > listLimit { listed += ", …" }
        return "is not allowed (additionalProperties is false); allowed members: \(listed)"
    }

    static func characters(_ count: Int) -> String { count == 1 ? "1 character" : "\(count) characters" }
    static func items(_ count: Int) -> String { count == 1 ? "1 item" : "\(count) items" }
}

/// RFC 6901 pointer steps, built backwards as the checker unwinds.
enum SchemaPath {
    /// `/name` with `~` and `/` escaped as `~0` and `~1`.
    static func step(_ key: String) -> String { "/" + escape(key) }

    static func escape(_ key: String) -> String {
        guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
        var escaped = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Puts `/key` in front of the paths of `violations[mark...]`.
    static func prefix(_ violations: inout [SchemaViolation], from mark: Int, key: String) {
        let step = step(key)
        for index in mark..<violations.count { violations[index].path = step + violations[index].path }
    }

    /// Puts `/index` in front of the paths of `violations[mark...]`.
    static func prefix(_ violations: inout [SchemaViolation], from mark: Int, index: Int) {
        let step = "/" + String(index)
        for position in mark..<violations.count { violations[position].path = step + violations[position].path }
    }
}
