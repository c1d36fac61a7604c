import PluginHostCore
import PluginMetadata
import Testing

/// Violations of `value` against `schema`, which must compile.
private func violations(_ schema: JSONValue, _ value: JSONValue) throws -> [SchemaViolation] {
    try ParameterSchema(schema).validate(value).violations
}

private func violation(_ path: String, _ message: String) -> SchemaViolation {
    SchemaViolation(path: path, message: message)
}

@Suite("Parameter schema: type")
struct ParameterSchemaTypeTests {
    @Test("each type name accepts its kind of value and rejects another, naming both", arguments: [
        ("null", JSONValue.null, JSONValue.bool(false), "must be null, got boolean"),
        ("boolean", true, 0, "must be a boolean, got integer"),
        ("object", ["a": 1], [1], "must be an object, got array"),
        ("array", [], [:], "must be an array, got object"),
        ("number", 2.5, "2.5", "must be a number, got string"),
        ("integer", 7, 7.5, "must be an integer, got number"),
        ("string", "x", nil, "must be a string, got null"),
    ] as [(String, JSONValue, JSONValue, String)])
    func typeName(name: String, accepted: JSONValue, rejected: JSONValue, message: String) throws {
        let schema: JSONValue = ["type": .string(name)]
        #expect(try violations(schema, accepted) == [])
        #expect(try violations(schema, rejected) == [violation("", message)])
    }

    @Test("integer accepts a number with no fractional part, such as 2.0 and -0.0")
    func integerAcceptsWholeDoubles() throws {
        #expect(try violations(["type": "integer"], 2.0) == [])
        #expect(try violations(["type": "integer"], -0.0) == [])
        #expect(try violations(["type": "integer"], 1e300) == [])
        #expect(try violations(["type": "integer"], 2.5) == [violation("", "must be an integer, got number")])
    }

    @Test("number accepts integers")
    func numberAcceptsIntegers() throws {
        #expect(try violations(["type": "number"], 3) == [])
    }

    @Test("a type array accepts any of its types and lists them all when none matches")
    func typeArray() throws {
        #expect(try violations(["type": ["string", "null"]], nil) == [])
        #expect(try violations(["type": ["string", "null"]], 1) == [violation("", "must be a string or null, got integer")])
        #expect(try violations(["type": ["string", "integer", "null"]], [:])
            == [violation("", "must be a string, an integer or null, got object")])
    }

    @Test("a property's type violation is reported at its pointer")
    func nestedType() throws {
        let schema: JSONValue = ["type": "object", "properties": ["a": ["type": "number"]]]
        #expect(try violations(schema, ["a": "2"]) == [violation("/a", "must be a number, got string")])
    }
}

@Suite("Parameter schema: objects")
struct ParameterSchemaObjectTests {
    static let addSchema: JSONValue = [
        "type": "object", "properties": ["a": ["type": "number"], "b": ["type": "number"]],
        "required": ["a", "b"], "additionalProperties": false,
    ]

    @Test("a valid call comes back unchanged, with no violations")
    func validCall() throws {
        let parameters: JSONValue = ["a": 2, "b": 3]
        let result = try ParameterSchema(Self.addSchema).validate(parameters)
        #expect(result.violations == [])
        #expect(result.parameters == parameters)
    }

    @Test("a missing required member is reported at its own pointer")
    func requiredMissing() throws {
        #expect(try violations(Self.addSchema, ["a": 2]) == [violation("/b", "is required")])
    }

    @Test("required \"é\" is not satisfied by \"e\\u0301\"; both can be properties, also past the hashed lookup")
    func requiredIsByteExact() throws {
        let required = try JSONParser.parse(#"{"type": "object", "required": ["é"]}"#)
        let decomposed = try JSONParser.parse(#"{"e\u0301": 1}"#)
        #expect(try violations(required, decomposed) == [violation("/\u{E9}", "is required")])
        #expect(try violations(required, ["\u{E9}": 1]) == [])
        // More properties than the linear limit: the index is keyed by bytes too.
        var properties: JSONObject = [:]
        for index in 0..<20 { properties["p\(index)"] = ["type": "integer"] }
        properties["\u{E9}"] = ["type": "integer"]
        properties["e\u{301}"] = ["type": "string"]
        let schema: JSONValue = ["type": "object", "properties": .object(properties), "required": ["\u{E9}", "e\u{301}"],
                                 "additionalProperties": false]
        #expect(try violations(schema, ["\u{E9}": 1, "e\u{301}": "s"]) == [])
        #expect(try violations(schema, ["\u{E9}": 1]) == [violation("/e\u{301}", "is required")])
        #expect(try violations(schema, ["\u{E9}": 1, "e\u{301}": 2]).map(\.path) == ["/e\u{301}"])
    }

    @Test("a required name without a property is still required")
    func requiredWithoutProperty() throws {
        let schema: JSONValue = ["type": "object", "required": ["token"]]
        #expect(try violations(schema, [:]) == [violation("/token", "is required")])
        #expect(try violations(schema, ["token": 1]) == [])
    }

    @Test("additionalProperties false rejects each other member and names the allowed ones")
    func additionalForbidden() throws {
        #expect(try violations(Self.addSchema, ["a": 2, "b": 3, "c": 4]) == [
            violation("/c", "is not allowed (additionalProperties is false); allowed members: \"a\", \"b\""),
        ])
        #expect(try violations(["type": "object", "additionalProperties": false], ["x": 1])
            == [violation("/x", "is not allowed (additionalProperties is false; this object takes no members)")])
    }

    @Test("additionalProperties as a schema checks every other member against it")
    func additionalSchema() throws {
        let schema: JSONValue = [
            "type": "object", "properties": ["name": ["type": "string"]], "additionalProperties": ["type": "boolean"],
        ]
        #expect(try violations(schema, ["name": "n", "x": true, "y": false]) == [])
        #expect(try violations(schema, ["name": "n", "x": 1]) == [violation("/x", "must be a boolean, got integer")])
    }

    @Test("additionalProperties true or absent allows other members")
    func additionalAllowed() throws {
        #expect(try violations(["type": "object", "additionalProperties": true], ["x": 1]) == [])
        #expect(try violations(["type": "object", "properties": ["a": ["type": "number"]]], ["x": "y"]) == [])
    }

    @Test("nested objects and arrays are reported with full pointers")
    func nestedPointers() throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "filter": [
                    "type": "array",
                    "items": [
                        "type": "object", "required": ["name"],
                        "properties": ["name": ["type": "string", "minLength": 1], "limit": ["type": "integer"]],
                    ],
                ],
            ],
        ]
        let parameters: JSONValue = ["filter": [["name": "ok"], ["name": ""], ["limit": 1.5]]]
        #expect(try violations(schema, parameters) == [
            violation("/filter/1/name", "must be at least 1 character long, got 0"),
            violation("/filter/2/limit", "must be an integer, got number"),
            violation("/filter/2/name", "is required"),
        ])
    }

    @Test("every violation is reported, members in the order passed, then missing ones")
    func everyViolation() throws {
        let schema: JSONValue = [
            "type": "object", "required": ["a", "b", "c"], "additionalProperties": false,
            "properties": [
                "a": ["type": "integer", "minimum": 1], "b": ["type": "string"], "c": ["type": "boolean"],
            ],
        ]
        #expect(try violations(schema, ["x": 1, "a": 0]) == [
            violation("/x", "is not allowed (additionalProperties is false); allowed members: \"a\", \"b\", \"c\""),
            violation("/a", "must be at least 1, got 0"),
            violation("/b", "is required"),
            violation("/c", "is required"),
        ])
    }

    @Test("member names with / and ~ are escaped in pointers")
    func pointerEscaping() throws {
        let schema: JSONValue = ["type": "object", "properties": ["a/b": ["type": "string"], "c~d": ["type": "string"]]]
        #expect(try violations(schema, ["a/b": 1, "c~d": 2]) == [
            violation("/a~1b", "must be a string, got integer"), violation("/c~0d", "must be a string, got integer"),
        ])
    }

    @Test("a member name is matched by its exact bytes, not canonical equivalence")
    func exactMemberNames() throws {
        let schema: JSONValue = ["type": "object", "properties": ["\u{E9}": ["type": "string"]], "additionalProperties": false]
        #expect(try violations(schema, ["\u{E9}": "x"]) == [])
        #expect(try violations(schema, ["e\u{301}": "x"]).map(\.path) == ["/e\u{301}"])
    }

    @Test("an ASCII member name is not matched by a canonically equivalent one (KELVIN SIGN for K)")
    func kelvinSign() throws {
        let schema: JSONValue = ["type": "object", "properties": ["Key": ["type": "string"]], "required": ["Key"], "additionalProperties": false]
        #expect(try violations(schema, ["\u{212A}ey": "x"]) == [
            violation("/\u{212A}ey", "is not allowed (additionalProperties is false); allowed members: \"Key\""),
            violation("/Key", "is required"),
        ])
    }

    @Test("objects with many properties are looked up as fast as a few, with the same results")
    func manyProperties() throws {
        var properties = JSONObject()
        for index in 0..<100 { properties["p\(index)"] = ["type": "integer"] }
        let schema: JSONValue = ["type": "object", "properties": .object(properties), "required": ["p99", "p70"], "additionalProperties": false]
        #expect(try violations(schema, ["p0": 1, "p70": "x", "q": 1]) == [
            violation("/p70", "must be an integer, got string"),
            violation("/q", "is not allowed (additionalProperties is false); allowed members: \"p0\", \"p1\", \"p2\", \"p3\", \"p4\", \"p5\", \"p6\", \"p7\", \"p8\", \"p9\", …"),
            violation("/p99", "is required"),
        ])
    }
}

@Suite("Parameter schema: values")
struct ParameterSchemaValueTests {
    @Test("enum accepts a listed value and lists the options when the value is not one")
    func enumStrings() throws {
        let schema: JSONValue = ["enum": ["fast", "exact"]]
        #expect(try violations(schema, "exact") == [])
        #expect(try violations(schema, "slow") == [violation("", "must be one of \"fast\", \"exact\", got \"slow\"")])
    }

    @Test("enum compares objects whatever their member order, and numbers by value")
    func enumJSONEquality() throws {
        let schema: JSONValue = ["enum": [["x": 1, "y": [1, 2]], 2]]
        #expect(try violations(schema, ["y": [1.0, 2], "x": 1]) == [])
        #expect(try violations(schema, 2.0) == [])
        #expect(try violations(schema, ["y": [2, 1], "x": 1]).count == 1)
        #expect(try violations(schema, ["x": 1]).count == 1)
    }

    @Test("enum compares strings by Unicode scalars, without normalization")
    func enumScalars() throws {
        #expect(try violations(["enum": ["\u{E9}"]], "e\u{301}") == [violation("", "must be one of \"\u{E9}\", got \"e\u{301}\"")])
    }

    @Test("const accepts an equal value in another member order and rejects a different one")
    func constValue() throws {
        let schema: JSONValue = ["const": ["mode": "fast", "level": 2]]
        #expect(try violations(schema, ["level": 2.0, "mode": "fast"]) == [])
        #expect(try violations(schema, ["mode": "fast", "level": 3])
            == [violation("", "must be exactly {\"mode\":\"fast\",\"level\":2}, got {\"mode\":\"fast\",\"level\":3}")])
        #expect(try violations(["const": nil], false) == [violation("", "must be exactly null, got false")])
    }

    @Test("minimum and maximum are inclusive")
    func bounds() throws {
        let schema: JSONValue = ["minimum": 1, "maximum": 10.5]
        #expect(try violations(schema, 1) == [])
        #expect(try violations(schema, 10.5) == [])
        #expect(try violations(schema, 0) == [violation("", "must be at least 1, got 0")])
        #expect(try violations(schema, 0.999) == [violation("", "must be at least 1, got 0.999")])
        #expect(try violations(schema, 11) == [violation("", "must be at most 10.5, got 11")])
    }

    @Test("bounds compare 64-bit integers exactly, not rounded through Double")
    func exactBounds() throws {
        // 2^53 + 1 rounds to 2^53 as a Double; it is still above a maximum of 2^53.
        #expect(try violations(["maximum": 9_007_199_254_740_992], 9_007_199_254_740_993).count == 1)
        #expect(try violations(["maximum": 9_007_199_254_740_992.0], 9_007_199_254_740_993).count == 1)
        #expect(try violations(["minimum": -9_223_372_036_854_775_808.0], .int(.min)) == [])
        #expect(try violations(["maximum": 2.5], 2) == [])
        #expect(try violations(["maximum": 2.5], 3) == [violation("", "must be at most 2.5, got 3")])
    }

    @Test("keywords apply only to their own kind of value; type restricts the kind")
    func keywordsApplyToTheirKind() throws {
        let schema: JSONValue = ["minimum": 1, "minLength": 3, "minItems": 2, "required": ["a"], "pattern": "^z"]
        #expect(try violations(schema, true) == [])
        #expect(try violations(schema, nil) == [])
        #expect(try violations(schema, 0) == [violation("", "must be at least 1, got 0")])
        #expect(try violations(schema, "zz") == [violation("", "must be at least 3 characters long, got 2")])
        #expect(try violations(schema, [1]) == [violation("", "must have at least 2 items, got 1")])
        #expect(try violations(schema, [:]) == [violation("/a", "is required")])
    }
}

@Suite("Parameter schema: strings and arrays")
struct ParameterSchemaStringArrayTests {
    @Test("minLength and maxLength count Unicode scalars", arguments: [
        ("abc", 3), ("\u{1F44D}", 1), ("e\u{301}", 2), ("\u{1F1EB}\u{1F1F7}", 2),
        ("\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", 5), ("\u{E9}", 1),
    ] as [(String, Int)])
    func lengthInScalars(text: String, scalars: Int) throws {
        #expect(try violations(["minLength": .int(Int64(scalars)), "maxLength": .int(Int64(scalars))], .string(text)) == [])
        #expect(try violations(["maxLength": .int(Int64(scalars - 1))], .string(text))
            == [violation("", "must be at most \(scalars - 1 == 1 ? "1 character" : "\(scalars - 1) characters") long, got \(scalars)")])
        #expect(try violations(["minLength": .int(Int64(scalars + 1))], .string(text))
            == [violation("", "must be at least \(scalars + 1) characters long, got \(scalars)")])
    }

    @Test("pattern matches anywhere unless anchored")
    func patternUnanchored() throws {
        #expect(try violations(["pattern": "a"], "banana") == [])
        #expect(try violations(["pattern": "^a"], "banana") == [violation("", "must match the pattern \"^a\", got \"banana\"")])
        #expect(try violations(["pattern": "^a"], "apple") == [])
        #expect(try violations(["pattern": "^[a-z]+$"], "abc1") == [violation("", "must match the pattern \"^[a-z]+$\", got \"abc1\"")])
    }

    @Test("pattern's dot is one Unicode scalar, as ECMAScript with the u flag")
    func patternScalars() throws {
        #expect(try violations(["pattern": "^.$"], "e\u{301}").count == 1)
        #expect(try violations(["pattern": "^..$"], "e\u{301}") == [])
        #expect(try violations(["pattern": "^.$"], "\u{1F44D}") == [])
    }

    @Test("pattern classes are ASCII as in ECMA-262, and $ does not match before a final newline")
    func patternECMAClasses() throws {
        #expect(try violations(["pattern": "^\\d+$"], "12") == [])
        #expect(try violations(["pattern": "^\\d+$"], "\u{661}\u{662}").count == 1)
        #expect(try violations(["pattern": "^\\w+$"], "a_1") == [])
        #expect(try violations(["pattern": "^\\w+$"], "\u{E9}").count == 1)
        #expect(try violations(["pattern": "^[a-z]+$"], "abc\n").count == 1)
    }

    @Test("a long value is cut short in the message")
    func longValueCut() throws {
        let text = String(repeating: "x", count: 10_000)
        let message = try #require(try violations(["pattern": "^y"], .string(text)).first?.message)
        #expect(message == "must match the pattern \"^y\", got \"" + String(repeating: "x", count: 59) + "…\"")
    }

    @Test("items checks every element and minItems/maxItems bound the count")
    func items() throws {
        let schema: JSONValue = ["type": "array", "items": ["type": "integer"], "minItems": 1, "maxItems": 3]
        #expect(try violations(schema, [1, 2.0, 3]) == [])
        #expect(try violations(schema, [1, "2", 3.5]) == [
            violation("/1", "must be an integer, got string"), violation("/2", "must be an integer, got number"),
        ])
        #expect(try violations(schema, []) == [violation("", "must have at least 1 item, got 0")])
        #expect(try violations(schema, [1, 2, 3, 4]) == [violation("", "must have at most 3 items, got 4")])
    }
}

@Suite("Parameter schema: defaults")
struct ParameterSchemaDefaultTests {
    @Test("a missing member with a default is filled in after the members passed")
    func fillsMissing() throws {
        let schema: JSONValue = [
            "type": "object", "required": ["a", "mode"],
            "properties": ["a": ["type": "number"], "mode": ["type": "string", "default": "fast"], "n": ["default": 3]],
        ]
        let result = try ParameterSchema(schema).validate(["a": 1])
        #expect(result.violations == [])
        #expect(result.parameters.objectValue?.keys == ["a", "mode", "n"])
        #expect(result.parameters == ["a": 1, "mode": "fast", "n": 3])
    }

    @Test("a member that is present keeps its value, even null")
    func presentWins() throws {
        let schema: JSONValue = ["type": "object", "properties": ["mode": ["default": "fast"]]]
        #expect(try ParameterSchema(schema).validate(["mode": nil]).parameters == ["mode": nil])
    }

    @Test("defaults are filled in present nested objects, array elements and default objects")
    func fillsRecursively() throws {
        let inner: JSONValue = ["type": "object", "properties": ["limit": ["type": "integer", "default": 10]]]
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "filter": inner,
                "list": ["type": "array", "items": inner],
                "options": ["type": "object", "default": [:], "properties": ["retries": ["default": 2]]],
            ],
        ]
        let result = try ParameterSchema(schema).validate(["filter": [:], "list": [["limit": 1], [:]]])
        #expect(result.violations == [])
        #expect(result.parameters == [
            "filter": ["limit": 10], "list": [["limit": 1], ["limit": 10]], "options": ["retries": 2],
        ])
    }

    @Test("a default that breaks its own schema is reported, marked as the schema's")
    func badDefault() throws {
        let schema: JSONValue = [
            "type": "object", "properties": ["count": ["type": "integer", "minimum": 1, "default": 0]],
        ]
        let compiled = try ParameterSchema(schema)
        #expect(compiled.defaultViolations == [violation("/properties/count/default", "must be at least 1, got 0")])
        #expect(compiled.validate([:]).violations == [violation("/count", "must be at least 1, got 0 (the schema's default)")])
        #expect(compiled.validate(["count": 2]).violations == [])
    }

    @Test("a bad default nested in another is listed once, where it is written")
    func nestedBadDefault() throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": ["options": ["type": "object", "default": [:], "properties": ["n": ["type": "string", "default": 1]]]],
        ]
        let compiled = try ParameterSchema(schema)
        #expect(compiled.defaultViolations == [
            violation("/properties/options/properties/n/default", "must be a string, got integer"),
        ])
        #expect(compiled.validate([:]).violations == [violation("/options/n", "must be a string, got integer (the schema's default)")])
    }
}

@Suite("Parameter schema: compiling")
struct ParameterSchemaCompileTests {
    @Test("true and {} accept anything; false accepts nothing", arguments: [
        JSONValue.null, 1, "x", [1], ["a": [1, 2]],
    ])
    func booleanSchemas(value: JSONValue) throws {
        #expect(try violations(true, value) == [])
        #expect(try violations([:], value) == [])
        #expect(try violations(["description": "d", "title": "t"], value) == [])
        #expect(try violations(false, value) == [violation("", "is not allowed here (the schema is false)")])
    }

    @Test("acceptsEverything is true only for schemas with no constraint")
    func acceptsEverything() throws {
        #expect(try ParameterSchema(true).acceptsEverything)
        #expect(try ParameterSchema(["title": "t", "properties": ["a": [:]]]).acceptsEverything)
        #expect(try !ParameterSchema(["type": "object"]).acceptsEverything)
        #expect(try !ParameterSchema(["properties": ["a": ["default": 1]]]).acceptsEverything)
    }

    @Test("an unsupported keyword does not compile, located by pointer")
    func unsupportedKeyword() {
        #expect(throws: SchemaViolation.self) { try ParameterSchema(["properties": ["a": ["oneOf": []]]]) }
        do {
            _ = try ParameterSchema(["properties": ["a": ["oneOf": []]]])
        } catch {
            #expect(error.path == "/properties/a/oneOf")
            #expect(error.message.hasPrefix("is a keyword the host does not support: use only additionalProperties, const,"))
        }
    }

    @Test("malformed keyword values do not compile", arguments: [
        (["type": "text"] as JSONValue, "/type"), (["type": []], "/type"), (["type": ["string", "string"]], "/type"),
        (["pattern": "(unclosed"], "/pattern"), (["minLength": -1], "/minLength"), (["minimum": "1"], "/minimum"),
        (["enum": []], "/enum"), (["items": 3], "/items"), (["required": [1]], "/required"), (7, ""),
    ] as [(JSONValue, String)])
    func malformed(schema: JSONValue, path: String) {
        do {
            _ = try ParameterSchema(schema)
            Issue.record("\(schema) compiled")
        } catch {
            #expect(error.path == path)
        }
    }

    @Test("every schema the scan-time check accepts compiles")
    func scanAcceptedCompiles() throws {
        let schema: JSONValue = [
            "type": "object", "title": "Add", "description": "Parameters.", "additionalProperties": false,
            "required": ["a"],
            "properties": [
                "a": ["type": "number", "minimum": 0, "maximum": 10.5, "default": 1],
                "b": ["type": "number"],
                "mode": ["enum": ["fast", "exact"], "const": "fast"],
                "name": ["type": "string", "minLength": 1, "maxLength": 20, "pattern": "^[a-z]+$"],
                "list": ["type": "array", "minItems": 0, "maxItems": 3, "items": ["type": "integer"]],
                "extra": ["type": "object", "additionalProperties": ["type": "boolean"]],
            ],
        ]
        let compiled = try ParameterSchema(schema)
        #expect(compiled.defaultViolations == [])
        #expect(compiled.validate(["a": 2, "mode": "fast", "name": "abc", "list": [1], "extra": ["x": true]]).violations == [])
    }
}
