import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import Testing

/// `pattern` compiled, or the test fails naming the error.
private func compiled(_ pattern: String) throws -> SchemaPattern {
    switch SchemaPattern.compile(pattern) {
    case .success(let compiled): return compiled
    case .failure(let error): throw error
    }
}

/// Seconds `body` takes on the continuous clock.
private func seconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

@Suite("Schema patterns: linear-time matching")
struct SchemaPatternTimeTests {
    /// Patterns that make a backtracking engine take exponential time (Swift's `Regex` took
    /// 49 s for `^(a+)+$` on 21 characters), with a long input each fails on (or, for
    /// `(a*)*$`, matches only after trying every start).
    static let catastrophic: [(String, String, Bool)] = [
        ("^(a+)+$", String(repeating: "a", count: 10_000) + "!", false),
        ("(a|aa)*b", String(repeating: "a", count: 10_000), false),
        ("^(a*)*$", String(repeating: "a", count: 10_000) + "b", false),
        ("(a*)*$", String(repeating: "a", count: 10_000) + "b", true),
        ("^(\\w+\\s?)*$", String(repeating: "word ", count: 2_000) + "!", false),
        ("^(?:a|a)*$", String(repeating: "a", count: 10_000) + "b", false),
        ("^(?:a?){30}a{30}$", String(repeating: "a", count: 29), false),
    ]

    @Test("catastrophic patterns finish quickly on 10 000-character inputs", arguments: catastrophic)
    func catastrophicPattern(pattern: String, input: String, matches: Bool) throws {
        let schema = try ParameterSchema(["type": "string", "pattern": .string(pattern)])
        var violations: [SchemaViolation] = []
        let elapsed = seconds { violations = schema.validate(.string(input)).violations }
        #expect(violations.isEmpty == matches)
        #expect(elapsed < TimeBound.seconds(2), "\(pattern) took \(elapsed) s")
    }

    @Test("compiling is bounded too: nested counts of nothing, or of too much, are decided quickly")
    func compileBounded() throws {
        var matched = false
        let elapsed = try seconds {
            matched = try compiled("^(?:(?:(?:){1000}){1000}){1000}$").matches("")
            guard case .failure = SchemaPattern.compile("(?:(?:(?:a{1000}){1000}){1000}){1000}") else {
                Issue.record("a pattern of 10^12 instructions compiled")
                return
            }
        }
        #expect(matched)
        #expect(elapsed < TimeBound.seconds(2), "took \(elapsed) s")
    }

    @Test("a pattern at the size limit still matches a long input in linear time")
    func largestProgram() throws {
        let pattern = try compiled("(?:[a-c]|b){0,400}(?:x|y){470}$")  // 3 882 of the 4 000 instructions
        let input = String(repeating: "ab", count: 5_000)
        var matched = true
        let elapsed = seconds { matched = pattern.matches(input) }
        #expect(!matched)
        #expect(elapsed < TimeBound.seconds(10), "took \(elapsed) s")
    }
}

@Suite("Schema patterns: ECMA-262 semantics")
struct SchemaPatternSemanticsTests {
    static let cases: [(String, String, Bool)] = [
        // Unanchored search; anchors; `$` only at the very end.
        ("a", "banana", true), ("^a", "banana", false), ("a$", "banana", true), ("^b.*a$", "banana", true),
        ("^abc$", "abc\n", false), ("abc$", "abc\n", false), ("^abc$", "abc", true), ("a$b", "a\nb", false),
        ("^$", "", true), ("^$", "\n", false), ("", "anything", true), ("x", "", false),
        // Classes, negated classes, ranges, escapes inside classes.
        ("^[a-c]+$", "abcab", true), ("^[a-c]+$", "abcd", false), ("^[^a-c]+$", "xyz", true), ("^[^a-c]+$", "xaz", false),
        ("[^a]", "aaa", false), ("^[^]$", "\n", true), ("[]", "abc", false), ("^[-a]+$", "-a-", true),
        ("^[a-]+$", "a-", true), ("^[a\\-z]+$", "-z", true), ("^[a\\-z]+$", "b", false), ("^[a-c-e]+$", "b-e", true),
        ("^[a-c-e]+$", "d", false), ("^[\\d.]+$", "1.5", true), ("^[\\w-]+$", "a-b_c", true), ("^[^\\d]+$", "abc", true),
        ("^[^\\d]+$", "a1", false), ("^[\\D]$", "x", true), ("^[\\b]$", "\u{8}", true), ("^[[]$", "[", true),
        ("^[\\]]$", "]", true), ("^[.]$", "x", false), ("^[\\s\\S]$", "\n", true),
        // `\b` and `\B`: ASCII word boundaries.
        ("\\bcat\\b", "a cat sat", true), ("\\bcat\\b", "concatenate", false), ("\\Bcat\\B", "concatenate", true),
        ("\\b", "", false), ("\\B", "", true), ("\\b", "\u{E9}", false), ("^\\b\\w", "a", true), ("\\w\\b$", "ab", true),
        // `.` is one scalar but not a line terminator.
        (".", "\n", false), ("^.$", "\r", false), ("^.$", "\u{2028}", false), ("^.$", "\u{2029}", false),
        ("^.$", "\t", true), ("^a.c$", "a\u{1F600}c", true), ("^.$", "e\u{301}", false), ("^..$", "e\u{301}", true),
        ("^.$", "\u{1F1EB}\u{1F1F7}", false), ("^..$", "\u{1F1EB}\u{1F1F7}", true), ("^.$", "\r\n", false),
        // Counted repetition, lazy forms.
        ("^a{2,3}$", "a", false), ("^a{2,3}$", "aa", true), ("^a{2,3}$", "aaa", true), ("^a{2,3}$", "aaaa", false),
        ("^a{2}$", "aa", true), ("^a{2}$", "aaa", false), ("^a{2,}$", "aaaaa", true), ("^a{2,}$", "a", false),
        ("^a{0}$", "", true), ("^a{0}$", "a", false), ("^(?:ab){2}$", "abab", true), ("^(?:ab){2}$", "ab", false),
        ("^a+?$", "aaa", true), ("^a{1,2}?b$", "aab", true), ("^a*?$", "", true), ("^a??b$", "b", true), ("^a{2,}?$", "a", false),
        ("^x{1000}$", String(repeating: "x", count: 1000), true), ("^x{1000}$", String(repeating: "x", count: 999), false),
        // Alternation binds loosest; empty alternatives match the empty string.
        ("^ab|cd$", "abx", true), ("^ab|cd$", "xcd", true), ("^ab|cd$", "xabx", false), ("^(?:ab|cd)$", "abx", false),
        ("^(?:ab|cd)$", "cd", true), ("^a|b$", "xbx", false), ("^(?:a|)$", "", true), ("^(?:a|)$", "a", true),
        ("^(|a)b$", "b", true), ("^a||b$", "zzz", true), ("^(?:)$", "", true), ("^()$", "x", false), ("|", "", true),
        ("^(?:a|ab)(?:c|bcd)$", "abcd", true), ("^(a|b)*c$", "ababc", true),
        // Groups of every kind match the same.
        ("^(?<year>\\d{4})-(?<month>\\d{2})$", "2024-05", true), ("^(?<y>\\d{4})$", "24", false), ("^((a))$", "a", true),
        // Non-ASCII scalars compare byte-exactly, with no normalization.
        ("^\u{E9}$", "\u{E9}", true), ("^\u{E9}$", "e\u{301}", false), ("^e\u{301}$", "\u{E9}", false),
        ("^[\u{3B1}-\u{3C9}]+$", "\u{3BB}\u{3BF}\u{3B3}\u{3BF}\u{3C2}", true), ("^[\u{3B1}-\u{3C9}]+$", "\u{3CC}", false),
        ("\u{212A}", "K", false), ("K", "\u{212A}", false), ("^\u{1F600}+$", "\u{1F600}\u{1F600}", true),
        // Escapes.
        ("^\\u{1F600}$", "\u{1F600}", true), ("^\\uD83D\\uDE00$", "\u{1F600}", true), ("^[\\uD83D\\uDE00]$", "\u{1F600}", true),
        ("^\\x41$", "A", true), ("^\\u00e9$", "\u{E9}", true), ("^\\u{41}$", "A", true), ("^\\u{0000041}$", "A", true),
        ("^\\d+$", "\u{661}\u{662}", false), ("^\\d+$", "0123456789", true), ("^\\w+$", "\u{E9}", false), ("^\\W$", "\u{E9}", true),
        ("^\\s$", "\u{3000}", true), ("^\\s$", "\u{FEFF}", true), ("^\\s$", "\u{A0}", true), ("^\\s$", "\u{200B}", false),
        ("^\\s$", "\u{85}", false), ("^\\S+$", "a b", false), ("^\\t\\n\\r\\f\\v$", "\t\n\r\u{C}\u{B}", true), ("^\\0$", "\u{0}", true),
        ("^\\^\\$\\\\\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/\\-$", "^$\\.*+?()[]{}|/-", true),
        // Literal syntax characters where ECMA reads them literally.
        ("^a/b$", "a/b", true), ("^a-b$", "a-b", true), ("^,$", ",", true),
    ]

    @Test("each pattern matches as ECMA-262 (the u flag) does", arguments: cases)
    func semantics(pattern: String, input: String, matches: Bool) throws {
        #expect(try compiled(pattern).matches(input) == matches)
    }

    @Test("the validator uses the same matcher and names the pattern")
    func validatorUsesMatcher() throws {
        let schema = try ParameterSchema(["type": "string", "pattern": "^\\d{3}$"])
        #expect(schema.validate("123").violations == [])
        #expect(schema.validate("123\n").violations.map(\.message) == ["must match the pattern \"^\\\\d{3}$\", got \"123\\n\""])
    }

    @Test("the public entry point reports the source and the error's offset")
    func publicEntryPoint() throws {
        #expect(try compiled("^a+$").source == "^a+$")
        guard case .failure(let error) = SchemaPattern.compile("ab(?=c)") else {
            Issue.record("a lookahead compiled")
            return
        }
        #expect(error.offset == 2)
        #expect(error.description == error.message)
        #expect(error.message.contains("lookahead `(?=` at offset 2"))
    }
}

@Suite("Schema patterns: what is rejected")
struct SchemaPatternRejectionTests {
    typealias F = ManifestFixtures

    /// A pattern outside the subset, the offset reported and a fragment of the message.
    static let rejected: [(String, Int, String)] = [
        ("(a)\\1", 3, "backreference `\\1`"), ("(?<n>a)\\k<n>", 7, "named backreference `\\k<n>`"),
        ("(?=a)", 0, "lookahead"), ("x(?!a)", 1, "negative lookahead"), ("(?<=a)b", 0, "lookbehind"), ("(?<!a)b", 0, "negative lookbehind"),
        ("\\p{L}", 0, "property escape"), ("a\\P{Lu}", 1, "property escape"),
        ("(?i)a", 0, "inline flags"), ("(?i:a)", 0, "inline flags"), ("(?x)", 0, "inline flags"),
        ("\\q", 0, "not an escape"), ("ab\\Z", 2, "not an escape"), ("\\A", 0, "not an escape"), ("\\e", 0, "not an escape"),
        ("\\c1", 0, "control escape"), ("\\01", 0, "octal"), ("[\\B]", 1, "inside a class"), ("\\", 0, "escapes nothing"),
        ("\\x4", 0, "two hex digits"), ("\\u12", 0, "four hex digits"), ("\\u{110000}", 0, "above U+10FFFF"),
        ("\\u{}", 0, "hex digits"), ("\\uD800", 0, "lone surrogate"), ("\\u{DC00}", 0, "lone surrogate"),
        ("a{1001}", 1, "above 1000"), ("a{0,5000}", 1, "above 1000"), ("(?:a{1000}){5}", 11, "larger than 4000 instructions"),
        ("a{1000}a{1000}a{1000}a{0,1000}", 22, "larger than 4000 instructions"),
        ("a{", 1, "does not start a repetition"), ("a{,3}", 1, "`{0,3}`"), ("a{2,1}", 1, "`{1,2}`"), ("a{x}", 1, "does not start"),
        ("{", 0, "nothing to repeat"), ("}", 0, "no opening bracket"), ("]", 0, "no opening bracket"),
        ("*x", 0, "nothing to repeat"), ("a**", 2, "nothing to repeat"), ("a|+", 2, "nothing to repeat"), ("a{2}{3}", 4, "nothing to repeat"),
        ("^*", 1, "assertion `^`"), ("\\b+", 2, "assertion `\\b`"), ("$?", 1, "assertion"),
        ("[z-a]", 1, "out of order"), ("[\\d-z]", 1, "class escape"), ("[a-\\w]", 1, "class escape"), ("[a-", 0, "never closed"),
        ("(", 0, "never closed"), ("a)", 1, "closes no group"), ("(?<>a)", 0, "empty name"), ("(?<a-b>x)", 4, "may not contain"),
        (String(repeating: "(", count: 101) + "a" + String(repeating: ")", count: 101), 100, "deeper than 100"),
    ]

    @Test("each construct outside the subset is META_BAD_SCHEMA at scan, with its offset", arguments: rejected)
    func rejectedAtScan(pattern: String, offset: Int, fragment: String) throws {
        let edited = F.editing(F.valid, "/nodes/0/schema/properties/a", ["type": "string", "pattern": .string(pattern)])
        for mode in ValidationMode.allCases {
            let problems = F.validate(edited, mode).problems
            #expect(problems.found == [Found(.metaBadSchema, .error)], "\(mode)")
            let message = try #require(problems.first?.message)
            #expect(message.contains("`/nodes/0/schema/properties/a/pattern`"))
            #expect(message.contains(fragment), "\(message)")
            #expect(message.contains("at offset \(offset)") || message.contains("(offset \(offset))"), "\(message)")
        }
        guard case .failure(let error) = SchemaPattern.compile(pattern) else {
            Issue.record("\(pattern) compiled")
            return
        }
        #expect(error.offset == offset)
        #expect(throws: SchemaViolation.self) { try ParameterSchema(["pattern": .string(pattern)]) }
    }

    @Test("the limits accept what is just inside them", arguments: [
        "a{1000}", "a{0,1000}", "(?:a{1000}){3}", "[0-9a-f]{0,1000}[0-9a-f]{0,999}",
        "a{1000}a{1000}a{1000}a{999}",  // 3 999 instructions and `match`: exactly the 4 000 allowed
        String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100),
        "(?<name_1$>x)", "(?<\u{E9}t\u{E9}>x)",
    ])
    func insideLimits(pattern: String) {
        let edited = F.editing(F.valid, "/nodes/0/schema/properties/a", ["type": "string", "pattern": .string(pattern)])
        #expect(F.validate(edited, .strict).problems == [])
        #expect(throws: Never.self) { try ParameterSchema(["pattern": .string(pattern)]) }
    }
}
