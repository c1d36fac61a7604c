import Testing
@testable import PluginHostCore

@Suite("JSON parser")
struct JSONParserTests {
    @Test("parses every JSON type and keeps member order")
    func parsesAllTypes() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":[true,false,null],"m":-2.5e1,"s":"h\u00e9\n\"x\""}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m", "s"])
        #expect(value["z"] == .int(1))
        #expect(value["a"] == [true, false, nil])
        #expect(value["m"] == .double(-25))
        #expect(value["s"] == .string("hé\n\"x\""))
    }

    @Test("keeps 64-bit integers exact and turns larger ones into doubles")
    func integers() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int64.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808))
    }

    @Test("decodes surrogate pairs and rejects lone surrogates")
    func surrogates() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#""\ud83d""#) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#""\ude00x""#) }
    }

    @Test("rejects malformed text with a position", arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"abc", "{\"a\":1}x", "[1 2]", "\"\u{01}\"", "{'a':1}", "NaN",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("rejects invalid UTF-8 inside strings")
    func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test("reports the line and column of an error")
    func errorPosition() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": tru\n}")
            Issue.record("expected a parse error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test("bounds nesting depth")
    func boundsDepth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    @Test("reports duplicate keys as JSON pointers, in small and large objects")
    func duplicateKeys() throws {
        let small = try JSONParser.parseReportingDuplicates(Array(#"{"a":1,"n":{"b":1,"b":2},"a":3}"#.utf8))
        #expect(small.duplicateKeys == ["/n/b", "/a"])
        #expect(small.value["a"] == .int(3))
        let keys = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let large = try JSONParser.parseReportingDuplicates(Array("{\(keys),\"k7\":0}".utf8))
        #expect(large.duplicateKeys == ["/k7"])
        #expect(large.value.objectValue?.count == 40)
    }
}

@Suite("JSON writer and pointers")
struct JSONWriterTests {
    @Test("round-trips values and escapes control characters")
    func roundTrip() throws {
        let value: JSONValue = ["b": [1, 2.5, "x\u{01}\"\\"], "a": nil, "t": true]
        let text = JSONWriter.string(value)
        #expect(text == #"{"b":[1,2.5,"x\u0001\"\\"],"a":null,"t":true}"#)
        #expect(try JSONParser.parse(text) == value)
    }

    @Test("prints integral doubles without a fraction and non-finite ones as null")
    func doubles() {
        #expect(JSONWriter.string(.double(5)) == "5")
        #expect(JSONWriter.string(.double(0.1)) == "0.1")
        #expect(JSONWriter.string(.double(.infinity)) == "null")
    }

    @Test("writes integers as their decimal digits, the 64-bit bounds included", arguments: [
        Int64(0), 1, 9, 10, -1, -9, -10, 12345, 1_000_000_007, Int64.max, Int64.min,
    ])
    func integers(_ value: Int64) throws {
        #expect(JSONWriter.string(.int(value)) == String(value))
        #expect(try JSONParser.parse(JSONWriter.string(.int(value))) == .int(value))
    }

    @Test("writes a double as formatDouble does, and it reads back to the same value", arguments: [
        0.0, -0.0, 3.0, -42.0, 1e14, 0.5, -2.25, 1e15, 1.0 / 3.0, .leastNonzeroMagnitude,
    ])
    func doubleText(_ value: Double) throws {
        let text = JSONWriter.string(.double(value))
        #expect(text == JSONWriter.formatDouble(value))
        #expect(try JSONParser.parse(text).doubleValue == value)
    }

    @Test("pretty output indents by two spaces")
    func pretty() {
        #expect(JSONWriter.string(["a": [1]], style: .pretty) == "{\n  \"a\": [\n    1\n  ]\n}")
    }

    @Test("resolves RFC 6901 pointers")
    func pointers() throws {
        let value = try JSONParser.parse(#"{"a":{"b/c":[10,{"d~e":5}]}}"#)
        #expect(value.resolve(pointer: "") == value)
        #expect(value.resolve(pointer: "/a/b~1c/0") == .int(10))
        #expect(value.resolve(pointer: "/a/b~1c/1/d~0e") == .int(5))
        #expect(value.resolve(pointer: "/a/missing") == nil)
        #expect(value.resolve(pointer: "/a/b~1c/01") == nil)
        #expect(value.resolve(pointer: "a") == nil)
    }

    @Test("objects compare equal regardless of member order")
    func objectEquality() {
        let a: JSONValue = ["x": 1, "y": 2]
        let b: JSONValue = ["y": 2, "x": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
    }
}

@Suite("JSON stream")
struct JSONStreamTests {
    /// Writes `value` through the stream's calls, as a document built member by member would.
    static func stream(_ value: JSONValue, into stream: inout JSONStream) {
        switch value {
        case .object(let object):
            stream.beginObject()
            for member in object.members {
                stream.key(text: member.key)
                Self.stream(member.value, into: &stream)
            }
            stream.endObject()
        case .array(let items):
            stream.beginArray()
            for item in items { Self.stream(item, into: &stream) }
            stream.endArray()
        case .string(let text): stream.string(text)
        case .int(let number): stream.integer(number)
        case .double(let number): stream.double(number)
        case .null: stream.null()
        case .bool: stream.value(value)
        }
    }

    static let documents: [JSONValue] = [
        [:], [], ["a": [:], "b": [], "c": [[], [:]]], 1, "text", nil,
        ["nodeType": "math.add", "output": ["result": 5], "attemptLog": [["attempt": 1, "durationMs": 0.25]], "logs": []],
        [[1, [2, [3, ["deep": [true, false, nil]]]]], "x\u{01}\"\\"],
    ]

    @Test("writes exactly what JSONWriter writes for the same tree, compact and pretty", arguments: documents)
    func sameAsWriter(_ document: JSONValue) {
        for style in [JSONWriter.Style.compact, .pretty] {
            var stream = JSONStream(style: style)
            Self.stream(document, into: &stream)
            #expect(String(decoding: stream.bytes, as: UTF8.self) == JSONWriter.string(document, style: style))
            // A value written whole inside a container indents as the writer's nested value does.
            var wrapped = JSONStream(style: style)
            wrapped.beginObject()
            wrapped.key("inner")
            wrapped.value(document)
            wrapped.endObject()
            #expect(String(decoding: wrapped.bytes, as: UTF8.self) == JSONWriter.string(["inner": document], style: style))
        }
    }

    @Test("timestamps are the quoted ISO-8601 text of WallClock.iso8601")
    func timestamps() {
        var stream = JSONStream()
        stream.beginArray()
        stream.timestamp(0)
        stream.timestamp(1_764_787_200.5)
        stream.endArray()
        #expect(String(decoding: stream.bytes, as: UTF8.self)
            == #"["\#(WallClock.iso8601(0))","\#(WallClock.iso8601(1_764_787_200.5))"]"#)
    }
}
