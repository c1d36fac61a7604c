import Testing

/// Behaviour of `plugin_host/params.h`, through a C program compiled with `cc` (the way a
/// plugin uses it). Each test runs one group of cases and compares every printed line.
@Suite("params.h helpers")
struct ParamsHelperTests {
    private static let program = Result { try CProgram(name: "params_test", source: paramsProgramSource) }

    private func lines(_ group: String) throws -> [String] {
        try Self.program.get().run(group).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    @Test("finds top-level members only, by decoded key, last duplicate winning")
    func find() throws {
        #expect(try lines("find") == [
            "nested key ignored: PH_JSON_OK 2",
            "only nested: PH_JSON_NOT_FOUND",
            "key text inside a string value: PH_JSON_OK 3",
            "value equal to key: PH_JSON_NOT_FOUND",
            "escaped key: PH_JSON_OK 7",
            "key with escaped quote: PH_JSON_OK 8",
            "key prefix not a match: PH_JSON_NOT_FOUND",
            "duplicate key, last wins: PH_JSON_OK 2",
            "missing key: PH_JSON_NOT_FOUND",
            "empty object: PH_JSON_NOT_FOUND",
            "not an object: PH_JSON_WRONG_TYPE",
            "whitespace everywhere: PH_JSON_OK 4",
        ])
    }

    @Test("reads doubles, exact int64 bounds and bools, rejecting the wrong type")
    func numbers() throws {
        #expect(try lines("numbers") == [
            "double: PH_JSON_OK -125",
            "double from integer: PH_JSON_OK 3",
            "double overflow: PH_JSON_OUT_OF_RANGE",
            "double from string: PH_JSON_WRONG_TYPE",
            "double from null: PH_JSON_WRONG_TYPE",
            "number longer than 63 characters: PH_JSON_OK 0.10000000000000001",
            "int64 max: PH_JSON_OK 9223372036854775807",
            "int64 min: PH_JSON_OK -9223372036854775808",
            "int64 max + 1: PH_JSON_OUT_OF_RANGE",
            "int64 min - 1: PH_JSON_OUT_OF_RANGE",
            "int64 30 digits: PH_JSON_OUT_OF_RANGE",
            "int64 fraction: PH_JSON_WRONG_TYPE",
            "int64 integral exponent: PH_JSON_OK 1000",
            "int64 integral fraction: PH_JSON_OK -7",
            "int64 exponent overflow: PH_JSON_OUT_OF_RANGE",
            "int64 negative zero: PH_JSON_OK 0",
            "int64 from bool: PH_JSON_WRONG_TYPE",
            "bool true: PH_JSON_OK true",
            "bool false: PH_JSON_OK false",
            "bool from null: PH_JSON_WRONG_TYPE",
            "bool from number: PH_JSON_WRONG_TYPE",
        ])
    }

    @Test("unescapes strings to UTF-8 and reports the size a too-small buffer needs")
    func strings() throws {
        #expect(try lines("strings") == [
            #"simple escapes: PH_JSON_OK len=18 [say "hi" \ / <08><0C><0A><0D><09>] nul=1"#,
            "unicode escapes: PH_JSON_OK len=5 [<C3><A9><E4><B8><AD>] nul=1",
            "surrogate pair: PH_JSON_OK len=4 [<F0><9F><98><80>] nul=1",
            "lone high surrogate: PH_JSON_MALFORMED",
            "lone low surrogate: PH_JSON_MALFORMED",
            "high surrogate then non-low: PH_JSON_MALFORMED",
            "raw utf-8: PH_JSON_OK len=5 [<C3><A9>t<C3><A9>] nul=1",
            "escaped nul: PH_JSON_OK len=3 [a<00>b] nul=1",
            "unknown escape: PH_JSON_MALFORMED",
            "short hex escape: PH_JSON_MALFORMED",
            "raw control character: PH_JSON_MALFORMED",
            "fits exactly: PH_JSON_OK len=5 [hello] nul=1",
            "one byte short: PH_JSON_TOO_SMALL need=5 beyond_cap_untouched=1",
            "measure only: PH_JSON_TOO_SMALL need=6 beyond_cap_untouched=1",
            "from number: PH_JSON_WRONG_TYPE",
            "missing: PH_JSON_NOT_FOUND",
        ])
    }

    @Test("reports truncated or malformed text, never reading past the given length")
    func malformed() throws {
        #expect(try lines("malformed") == [
            "truncated after value: PH_JSON_MALFORMED",
            "truncated in string: PH_JSON_MALFORMED",
            "trailing comma: PH_JSON_MALFORMED",
            "mismatched bracket: PH_JSON_MALFORMED",
            "trailing garbage: PH_JSON_MALFORMED",
            "bad literal: PH_JSON_MALFORMED",
            "leading zero: PH_JSON_MALFORMED",
            "missing colon: PH_JSON_MALFORMED",
            "unquoted key: PH_JSON_MALFORMED",
            "empty text: PH_JSON_MALFORMED",
            "length ends before closing brace: PH_JSON_MALFORMED",
            "length ends inside an escape: PH_JSON_MALFORMED",
        ])
    }

    @Test("walks nesting up to its bound and rejects deeper text without recursion")
    func depth() throws {
        #expect(try lines("depth") == [
            "300 levels: PH_JSON_OK 300",
            "600 levels: PH_JSON_MALFORMED",
        ])
    }

    @Test("iterates array elements as borrowed value text")
    func arrays() throws {
        #expect(try lines("arrays") == [
            "find: PH_JSON_OK",
            "begin: PH_JSON_OK",
            #"element ["a"] PH_JSON_OK [a]"#,
            #"element ["b\n"] PH_JSON_OK [b<0A>]"#,
            "element [3] PH_JSON_WRONG_TYPE",
            #"element [["c"]] PH_JSON_WRONG_TYPE"#,
            "after last: PH_JSON_END",
            "empty array: PH_JSON_END",
            "begin on a string: PH_JSON_WRONG_TYPE",
            "begin on truncated: PH_JSON_MALFORMED",
        ])
    }

    @Test("formats doubles as integers when integral, else the shortest exact decimal")
    func format() throws {
        #expect(try lines("format") == [
            "integral: 5 (1)",
            "negative zero: 0 (1)",
            "one tenth: 0.1 (3)",
            "0.1 + 0.2: 0.30000000000000004 (19)",
            "one and a half: 1.5 (3)",
            "small: -2.5e-07 (8)",
            "huge: 1e+300 (6)",
            "2^53 + 1 rounds: 9007199254740992 (16)",
            "int64 min: -9223372036854775808 (20)",
            "2^63: 9.223372036854776e+18 (21)",
            "smallest subnormal: 4.94065645841247e-324 (21)",
            "largest double: 1.7976931348623157e+308 (23)",
            "nan: - (0)",
            "infinity: - (0)",
        ])
    }

    @Test("escapes strings so the output is always valid JSON, replacing invalid UTF-8")
    func escape() throws {
        #expect(try lines("escape") == [
            #"plain: 1 "hello""#,
            #"quote backslash controls: 1 "a\"b\\c\n\t\u0001\u001f<7F>""#,
            #"embedded nul: 1 "a\u0000b""#,
            #"valid utf-8: 1 "<C3><A9><E4><B8><AD><F0><9F><98><80>""#,
            #"invalid byte: 1 "a<EF><BF><BD>b""#,
            #"overlong nul: 1 "<EF><BF><BD><EF><BF><BD>""#,
            #"truncated sequence: 1 "<EF><BF><BD>""#,
            #"truncated then ascii: 1 "<EF><BF><BD>z""#,
            #"encoded surrogate: 1 "<EF><BF><BD><EF><BF><BD><EF><BF><BD>""#,
            #"above U+10FFFF: 1 "<EF><BF><BD><EF><BF><BD><EF><BF><BD><EF><BF><BD>""#,
        ])
    }

    @Test("grows the output buffer and keeps a failure sticky")
    func buffer() throws {
        #expect(try lines("buffer") == [
            "grow: len=10020 failed=0 tail=-9223372036854775808",
            "nan: ok=0 failed=1",
            "after failure: ok=0 len=10020",
            "freed twice: data_null=1 len=0 failed=0",
        ])
    }
}
