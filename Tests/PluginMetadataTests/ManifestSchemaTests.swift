import PluginHostCore
import PluginMetadata
import Testing

@Suite("Parameter schemas: only the supported subset")
struct ManifestSchemaTests {
    typealias F = ManifestFixtures

    /// Pointers at which an unsupported keyword is added.
    static let places = [
        "/nodes/0/schema", "/nodes/0/schema/properties/a", "/nodes/1/schema/properties/x",
    ]

    @Test("oneOf and $ref are META_BAD_SCHEMA in both modes, at the root and nested", arguments: ["oneOf", "$ref"], places)
    func unsupportedKeyword(keyword: String, place: String) {
        for mode in ValidationMode.allCases {
            let problems = F.validate(F.editing(F.valid, place + "/" + keyword, "#/x"), mode).problems
            #expect(problems.found == [Found(.metaBadSchema, .error)], "\(mode)")
            #expect(problems.first?.message.contains("`\(place)/\(keyword)`") == true)
        }
    }

    @Test("unsupported keywords are found inside items and additionalProperties schemas")
    func nestedInItems() {
        var edited = F.editing(F.valid, "/nodes/0/schema/properties/list", ["type": "array", "items": ["anyOf": []]])
        edited = F.editing(edited, "/nodes/0/schema/properties/map",
                           ["type": "object", "additionalProperties": ["type": "string", "format": "email"]])
        let problems = F.validate(edited, .loose).problems
        #expect(problems.found == [Found(.metaBadSchema, .error), Found(.metaBadSchema, .error)])
        #expect(problems.map(\.node) == ["math.add", "math.add"])
    }

    @Test("every supported keyword is accepted")
    func supportedKeywords() {
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
        #expect(F.validate(F.editing(F.valid, "/nodes/0/schema", schema), .strict).problems == [])
    }

    @Test("a requiredFields entry that is not a schema property is META_BAD_SCHEMA", arguments: ValidationMode.allCases)
    func requiredFieldNotInProperties(mode: ValidationMode) {
        let problems = F.validate(F.editing(F.valid, "/nodes/0/requiredFields", ["a", "c"]), mode).problems
        #expect(problems.found == [Found(.metaBadSchema, .error)])
        #expect(problems.first?.message.contains("`/nodes/0/requiredFields/1`") == true)
        #expect(problems.first?.node == "math.add")
    }

    @Test("a schema's required entry must be one of its properties")
    func requiredNotInProperties() {
        let problems = F.validate(F.editing(F.valid, "/nodes/0/schema/required", ["a", "z"]), .strict).problems
        #expect(problems.found == [Found(.metaBadSchema, .error)])
        #expect(problems.first?.message.contains("`/nodes/0/schema/required/1`") == true)
    }

    @Test("a pattern that is not a regular expression is META_BAD_SCHEMA", arguments: ["[a-", "(", "a{2,1}", "*x"])
    func badPattern(pattern: String) {
        let edited = F.editing(F.valid, "/nodes/0/schema/properties/a", ["type": "string", "pattern": .string(pattern)])
        let problems = F.validate(edited, .loose).problems
        #expect(problems.found == [Found(.metaBadSchema, .error)])
        #expect(problems.first?.message.contains("`/nodes/0/schema/properties/a/pattern`") == true)
    }

    static let malformedValues: [(String, JSONValue)] = [
        ("/type", "float"), ("/type", []), ("/type", ["string", "string"]), ("/properties", []),
        ("/properties/a", "number"), ("/required", "a"), ("/enum", []), ("/minimum", "0"), ("/properties/a/minLength", -1),
        ("/properties/a/maxItems", 1.5), ("/items", true), ("/title", 1), ("/type", "string"),
        ("/properties/b/minimum", 5), ("/additionalProperties", "no"),
    ]

    @Test("malformed keyword values are META_BAD_SCHEMA", arguments: malformedValues)
    func malformed(pointer: String, value: JSONValue) {
        var edited = F.editing(F.valid, "/nodes/0/schema" + pointer, value)
        if pointer == "/properties/b/minimum" { edited = F.editing(edited, "/nodes/0/schema/properties/b/maximum", 1) }
        for mode in ValidationMode.allCases {
            let problems = F.validate(edited, mode).problems
            #expect(problems.map(\.code).contains(.metaBadSchema), "\(mode)")
            #expect(problems.allSatisfy { $0.code == .metaBadSchema && $0.severity == .error }, "\(problems)")
        }
    }

    @Test("a schema that is not an object is META_BAD_SCHEMA in both modes", arguments: ValidationMode.allCases)
    func schemaNotObject(mode: ValidationMode) {
        let problems = F.validate(F.editing(F.valid, "/nodes/1/schema", "object"), mode).problems
        #expect(problems.found == [Found(.metaBadSchema, .error)])
    }
}
