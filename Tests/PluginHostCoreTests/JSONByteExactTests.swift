import Testing
@testable import PluginHostCore

/// Keys and strings are compared by their UTF-8 bytes, never by Swift's canonical equivalence:
/// `"é"` (U+00E9) and `"e\u0301"` are different JSON to the plugins that receive them.
@Suite("JSON byte-exact keys and UTF-8")
struct JSONByteExactTests {
    static let precomposed = "\u{E9}"
    static let decomposed = "e\u{301}"

    @Test("canonically equivalent keys are two keys, not a duplicate")
    func equivalentKeysAreDistinct() throws {
        let parsed = try JSONParser.parseReportingDuplicates(Array(#"{"é":1,"e\u0301":2}"#.utf8))
        #expect(parsed.duplicateKeys.isEmpty)
        let object = try #require(parsed.value.objectValue)
        #expect(object.count == 2)
        #expect(object[Self.precomposed] == .int(1))
        #expect(object[Self.decomposed] == .int(2))
        // The Kelvin sign is canonically "K": still another key.
        #expect(try JSONParser.parse(#"{"K":1}"#)["\u{212A}"] == nil)
    }

    @Test("equivalent keys stay distinct in a large object (the hashed duplicate check)")
    func equivalentKeysInLargeObject() throws {
        let filler = (0..<20).map { "\"k\($0)\":0" }.joined(separator: ",")
        let parsed = try JSONParser.parseReportingDuplicates(Array("{\(filler),\"\u{E9}\":1,\"e\u{301}\":2,\"\u{E9}\":3}".utf8))
        #expect(parsed.duplicateKeys == ["/\u{E9}"])
        #expect(parsed.value[Self.precomposed] == .int(3))
        #expect(parsed.value[Self.decomposed] == .int(2))
    }

    @Test("true duplicates are still reported")
    func trueDuplicates() throws {
        let parsed = try JSONParser.parseReportingDuplicates(Array("{\"e\u{301}\":1,\"e\\u0301\":2}".utf8))
        #expect(parsed.duplicateKeys == ["/e\u{301}"])
    }

    @Test("setting a key replaces only the byte-identical member")
    func settingKeys() {
        var object: JSONObject = [Self.precomposed: 1]
        object[Self.decomposed] = 2
        #expect(object.count == 2)
        object[Self.precomposed] = 3
        #expect(object.keys == [Self.precomposed, Self.decomposed])
        #expect(object[Self.precomposed] == .int(3))
    }

    @Test("values with equivalent strings or keys are not equal and hash apart")
    func valueEquality() {
        #expect(JSONValue.string(Self.precomposed) != .string(Self.decomposed))
        let a: JSONValue = [Self.precomposed: 1], b: JSONValue = [Self.decomposed: 1]
        #expect(a != b)
        #expect(Set<JSONValue>([a, b, .string(Self.precomposed), .string(Self.decomposed)]).count == 4)
        #expect(JSONValue.string("x") == .string("x"))
        #expect(Set<JSONValue>([["k": "v"], ["k": "v"]]).count == 1)
    }

    @Test("UTF8Key keys a dictionary by bytes")
    func utf8Key() {
        var table: [UTF8Key: Int] = [:]
        table[UTF8Key(Self.precomposed)] = 1
        table[UTF8Key(Self.decomposed)] = 2
        table["K"] = 3
        #expect(table.count == 3)
        #expect(table[UTF8Key("\u{212A}")] == nil)
        #expect(table[UTF8Key(Self.decomposed)] == 2)
    }

    @Test("pointers escape and resolve scalar by scalar")
    func pointersWithCombiningMarks() throws {
        // "/" and "~" followed by a combining mark are single Characters, still escaped.
        #expect(escapePointerToken("a/\u{301}b~\u{301}") == "a~1\u{301}b~0\u{301}")
        let value: JSONValue = ["/\u{301}": ["x": 1], Self.decomposed: 2]
        #expect(value.resolve(pointer: "/~1\u{301}/x") == .int(1))
        #expect(value.resolve(pointer: "/" + Self.decomposed) == .int(2))
        #expect(value.resolve(pointer: "/" + Self.precomposed) == nil)
    }

    // MARK: The eight-byte string scan

    static let lengths = [0, 1, 7, 8, 9, 15, 16, 17]

    /// `length` bytes of string content ending with `tail` (so `tail` sits at the given end).
    static func content(length: Int, endingWith tail: String) -> String {
        String(repeating: "a", count: max(0, length - tail.utf8.count)) + tail
    }

    @Test("strings of every length around the 8-byte blocks round-trip", arguments: lengths)
    func plainLengths(_ length: Int) throws {
        let text = String(repeating: "b", count: length)
        let parsed = try JSONParser.parse("{\"\(text)\":\"\(text)\"}")
        #expect(parsed[text] == .string(text))
    }

    @Test("an escape or a multi-byte scalar straddling offsets 7/8 and 15/16", arguments: [7, 15])
    func straddlingBlocks(_ boundary: Int) throws {
        // The 2-byte "é" and the 3-byte "€" start just before the boundary; the escape
        // "\n" has its backslash at the boundary's last byte.
        for (tail, decoded) in [("\u{E9}", "\u{E9}"), ("\u{20AC}", "\u{20AC}"), ("\\n", "\n"), ("\\u00e9", "\u{E9}")] {
            let before = String(repeating: "a", count: boundary)
            let raw = before + tail + "z"
            let expected = before + decoded + "z"
            let parsed = try JSONParser.parseReportingDuplicates(Array("{\"\(raw)\":\"\(raw)\",\"\(raw)x\":0}".utf8))
            #expect(parsed.value[expected] == .string(expected), "tail \(tail) at \(boundary)")
            #expect(parsed.duplicateKeys.isEmpty)
        }
    }

    @Test("keys that differ only in the last byte of an 8-byte block are distinct", arguments: [8, 16])
    func lastByteOfBlock(_ length: Int) throws {
        let stem = String(repeating: "k", count: length - 1)
        let parsed = try JSONParser.parseReportingDuplicates(Array("{\"\(stem)a\":1,\"\(stem)b\":2,\"\(stem)a\":3}".utf8))
        #expect(parsed.duplicateKeys == ["/\(stem)a"])
        #expect(parsed.value[stem + "a"] == .int(3))
        #expect(parsed.value[stem + "b"] == .int(2))
        // Precomposed vs decomposed ending exactly at the block's end.
        let pre = String(repeating: "k", count: length - 2) + "\u{E9}"
        let de = String(repeating: "k", count: length - 2) + "e\u{301}"
        let equivalent = try JSONParser.parseReportingDuplicates(Array("{\"\(pre)\":1,\"\(de)\":2}".utf8))
        #expect(equivalent.duplicateKeys.isEmpty)
        #expect(equivalent.value.objectValue?.count == 2)
    }

    // MARK: Invalid UTF-8

    /// `{"<prefix><bad>..."}` with the bad bytes at `offset` of the document.
    @Test("invalid UTF-8 is refused with the offset of its first byte, around the 8-byte blocks",
          arguments: lengths)
    func invalidUTF8Offset(_ length: Int) {
        let prefix = Array("{\"k\":\"".utf8) + Array(repeating: UInt8(ascii: "a"), count: length)
        for bad: [UInt8] in [[0xFF], [0xC3], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0x80]] {
            for escapeFirst in [false, true] {
                let lead: [UInt8] = escapeFirst ? Array("\\n".utf8) : []
                let document = prefix + lead + bad + Array("zz\"}".utf8)
                do {
                    _ = try JSONParser.parse(document)
                    Issue.record("accepted \(bad) after \(length) bytes")
                } catch {
                    #expect(error.offset == prefix.count + lead.count, "\(bad) after \(length) bytes, escape \(escapeFirst)")
                    #expect(error.reason.contains("invalid UTF-8 at byte offset \(prefix.count + lead.count)"))
                }
            }
        }
    }

    @Test("invalid UTF-8 in a key, before an escape, and outside strings")
    func invalidUTF8Elsewhere() {
        func offset(_ bytes: [UInt8]) -> Int? {
            do { _ = try JSONParser.parse(bytes); return nil } catch { return error.reason.contains("invalid UTF-8") ? error.offset : -1 }
        }
        #expect(offset(Array("{\"ab".utf8) + [0xFE] + Array("\":1}".utf8)) == 4)
        #expect(offset(Array("[\"abcdefghij".utf8) + [0xFF] + Array("\\n\"]".utf8)) == 12)
        #expect(offset(Array("[1,".utf8) + [0xFF] + Array("]".utf8)) == 3)
        #expect(offset(Array("{}".utf8) + [0xC3]) == 2)
        #expect(offset(Array("\"\u{E9}\u{20AC}\u{1F600}\"".utf8)) == nil)
    }
}

@Suite("JSON parser: repeated keys at scale")
struct JSONRepeatedKeyScaleTests {
    @Test("an object of 50 000 keys written twice parses in linear time, every repeat reported")
    func repeatedKeysAreLinear() throws {
        let keys = (0..<50_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let text = "{" + keys + "," + keys + "}"
        let start = ContinuousClock.now
        let parsed = try JSONParser.parseReportingDuplicates(Array(text.utf8))
        let elapsed = ContinuousClock.now - start
        // A scan per repeated key (the old check) is 1.25 billion comparisons: minutes.
        #expect(elapsed < .seconds(20), "\(elapsed)")
        #expect(parsed.duplicateKeys.count == 50_000)
        #expect(parsed.duplicateKeys.first == "/k0")
        guard case .object(let object) = parsed.value else { Issue.record("not an object"); return }
        #expect(object.count == 50_000)
        #expect(object["k49999"] == .int(49_999))
    }
}
