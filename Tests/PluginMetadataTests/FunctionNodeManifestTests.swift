import PluginHostCore
import PluginMetadata
import Testing

@Suite("Function nodes and standalone manifests in metadata")
struct FunctionNodeManifestTests {
    typealias F = ManifestFixtures

    /// A strict-valid standalone manifest with one function node and no schema.
    static let standalone: JSONValue = [
        "id": "org.example.libm", "name": "libm", "version": "1.0.0", "abi": "1.0", "description": "libm as nodes.",
        "threadSafe": true, "dependencies": [:], "library": "libm.so.6",
        "nodes": [[
            "nodeType": "libm.pow", "version": "1.0.0", "category": "math", "description": "pow.", "supportedVersions": [1],
            "function": ["symbol": "pow", "signature": "double(double,double)", "params": ["base", "exp"]],
        ]],
    ]

    static func check(_ value: JSONValue, _ mode: ValidationMode, kind: ManifestKind = .standalone) -> (manifest: PluginManifest?, problems: [Problem]) {
        ManifestValidator.validate(JSONWriter.bytes(value), mode: mode, file: "/plugins/libm.plugin.json", kind: kind)
    }

    @Test("a standalone manifest with a function node and no schema is valid in strict mode")
    func valid() throws {
        let (manifest, problems) = Self.check(Self.standalone, .strict)
        #expect(problems == [])
        let node = try #require(manifest?.nodes.first)
        #expect(manifest?.library == "libm.so.6")
        #expect(node.function == FunctionDeclaration(
            symbol: "pow", signature: FunctionSignature(returnType: .double, argumentTypes: [.double, .double]), params: ["base", "exp"]))
        #expect(node.requiredFields == ["base", "exp"])
    }

    @Test("a function node without a schema gets one derived from its signature")
    func derivedSchema() throws {
        let node = try #require(Self.check(Self.standalone, .strict).manifest?.nodes.first)
        #expect(node.schema == [
            "type": "object",
            "properties": ["base": ["type": "number"], "exp": ["type": "number"]],
            "required": ["base", "exp"], "additionalProperties": false,
        ])
    }

    @Test("derived integer schemas carry the C type's bounds; bool and string map to their JSON types")
    func derivedBounds() {
        let declaration = FunctionDeclaration(
            symbol: "f", signature: FunctionSignature(returnType: .void, argumentTypes: [.int8, .int64, .uint64, .bool, .string, .float]),
            params: ["a", "b", "c", "d", "e", "f"])
        #expect(declaration.derivedSchema["properties"] == [
            "a": ["type": "integer", "minimum": -128, "maximum": 127],
            "b": ["type": "integer", "minimum": .int(Int64.min), "maximum": .int(Int64.max)],
            "c": ["type": "integer", "minimum": 0, "maximum": 18446744073709551615.0],
            "d": ["type": "boolean"], "e": ["type": "string"], "f": ["type": "number"],
        ])
    }

    @Test("a derived schema rejects an out-of-range value before any call")
    func derivedSchemaValidates() throws {
        let declaration = FunctionDeclaration(symbol: "f", signature: FunctionSignature(returnType: .void, argumentTypes: [.int8]), params: ["v"])
        let schema = try ParameterSchema(declaration.derivedSchema)
        #expect(schema.validate(["v": 300]).violations == [SchemaViolation(path: "/v", message: "must be at most 127, got 300")])
    }

    static let badSignatures: [JSONValue] = ["double", "int(int)", "double(double,)", "void(void,int8)", "", 5, "double(double)x"]

    @Test("an unparseable or unsupported signature is META_BAD_SIGNATURE in both modes", arguments: badSignatures)
    func badSignature(signature: JSONValue) {
        for mode in ValidationMode.allCases {
            let problems = Self.check(F.editing(Self.standalone, "/nodes/0/function/signature", signature), mode).problems
            #expect(problems.found == [Found(.metaBadSignature, .error)], "\(mode)")
            #expect(problems.first?.node == "libm.pow")
        }
    }

    static let badParams: [(JSONValue, String)] = [
        (["base"], "`/nodes/0/function/params` names 1 parameter but the signature has 2 arguments: name exactly one parameter per argument, in order."),
        (["base", "exp", "x"], "`/nodes/0/function/params` names 3 parameters but the signature has 2 arguments: name exactly one parameter per argument, in order."),
        (["base", "base"], "`/nodes/0/function/params/1` repeats \"base\" from `/nodes/0/function/params/0`: each argument needs its own parameter name."),
        (["base", "e xp"], "`/nodes/0/function/params/1` is \"e xp\": a parameter name is a letter or '_' followed by letters, digits or '_' (at most 64 characters); rename it."),
        (["base", 2], "`/nodes/0/function/params/1` is the number 2: a parameter name is a letter or '_' followed by letters, digits or '_' (at most 64 characters); rename it."),
        ("base", "`/nodes/0/function/params` is \"base\": it must be an array naming each argument's JSON parameter, such as [\"base\", \"exp\"]."),
    ]

    @Test("params that do not name each argument once are META_BAD_SIGNATURE in both modes", arguments: badParams)
    func badParameterNames(params: JSONValue, message: String) {
        for mode in ValidationMode.allCases {
            let problems = Self.check(F.editing(Self.standalone, "/nodes/0/function/params", params), mode).problems
            #expect(problems.found == [Found(.metaBadSignature, .error)], "\(mode)")
            #expect(problems.first?.message == message)
        }
    }

    static let badSymbols: [JSONValue] = ["", "1pow", "pow()", "po w", "pöw", "pow;rm", .string(String(repeating: "p", count: 256)), 3]

    @Test("a symbol that is not a C identifier is META_BAD_VALUE in both modes", arguments: badSymbols)
    func badSymbol(symbol: JSONValue) {
        for mode in ValidationMode.allCases {
            let problems = Self.check(F.editing(Self.standalone, "/nodes/0/function/symbol", symbol), mode).problems
            #expect(problems.found == [Found(.metaBadValue, .error)], "\(mode)")
        }
    }

    @Test("a function declaration missing a member is META_MISSING_FIELD in both modes", arguments: ["symbol", "signature", "params"])
    func missingMember(key: String) {
        for mode in ValidationMode.allCases {
            let problems = Self.check(F.editing(Self.standalone, "/nodes/0/function/\(key)", nil), mode).problems
            #expect(problems.found == [Found(.metaMissingField, .error)], "\(mode)")
        }
    }

    @Test("an unknown key in a function declaration is an error in strict mode and a warning in loose mode")
    func unknownFunctionKey() {
        let value = F.editing(Self.standalone, "/nodes/0/function/abi", "cdecl")
        #expect(Self.check(value, .strict).problems.found == [Found(.metaUnknownKey, .error)])
        #expect(Self.check(value, .loose).problems.found == [Found(.metaUnknownKey, .warning)])
    }

    @Test("a function that is not an object is META_BAD_VALUE in both modes")
    func functionNotObject() {
        for mode in ValidationMode.allCases {
            let problems = Self.check(F.editing(Self.standalone, "/nodes/0/function", "pow"), mode).problems
            #expect(problems.found == [Found(.metaBadValue, .error)], "\(mode)")
        }
    }

    @Test("a standalone manifest without a library is META_MISSING_FIELD in both modes")
    func missingLibrary() {
        for mode in ValidationMode.allCases {
            let problems = Self.check(F.editing(Self.standalone, "/library", nil), mode).problems
            #expect(problems.found == [Found(.metaMissingField, .error)], "\(mode)")
        }
    }

    @Test("a standalone manifest's node without a function is META_MISSING_FIELD in both modes")
    func standaloneNodeWithoutFunction() {
        let value = F.editing(F.editing(Self.standalone, "/nodes/0/function", nil), "/nodes/0/schema", ["type": "object"])
        for mode in ValidationMode.allCases {
            let problems = Self.check(F.editing(value, "/nodes/0/requiredFields", []), mode).problems
            #expect(problems.found == [Found(.metaMissingField, .error)], "\(mode)")
            #expect(problems.first?.message.hasPrefix("`/nodes/0/function` is missing: a standalone manifest has no plugin code") == true)
        }
    }

    @Test("a plugin library's metadata naming a library is an error in strict mode and a warning in loose mode")
    func libraryInPluginMetadata() {
        let value = F.editing(F.valid, "/library", "libm.so.6")
        #expect(F.validate(value, .strict).problems.found == [Found(.metaBadValue, .error)])
        #expect(F.validate(value, .loose).problems.found == [Found(.metaBadValue, .warning)])
        #expect(F.validate(value, .loose).manifest?.library == nil)
    }

    @Test("a plugin library may declare function nodes beside its own")
    func functionInPluginLibrary() throws {
        let function: JSONValue = ["symbol": "ph_math_pow", "signature": "double(double,double)", "params": ["a", "b"]]
        let (manifest, problems) = F.validate(F.editing(F.valid, "/nodes/0/function", function), .strict)
        #expect(problems == [])
        #expect(manifest?.nodes[0].function?.symbol == "ph_math_pow")
        #expect(manifest?.nodes[1].function == nil)
    }

    @Test("an explicit schema must have every parameter as a property (META_BAD_SCHEMA)")
    func explicitSchemaMissingParameter() {
        let schema: JSONValue = ["type": "object", "properties": ["base": ["type": "number"]]]
        let problems = Self.check(F.editing(Self.standalone, "/nodes/0/schema", schema), .strict).problems
        #expect(problems.found == [Found(.metaBadSchema, .error)])
        #expect(problems.first?.message.hasPrefix("`/nodes/0/function/params/1` is \"exp\", which is not a property of `/nodes/0/schema`") == true)
    }

    @Test("a schema default that breaks its own schema is META_BAD_SCHEMA at scan time, in both modes")
    func badDefault() {
        let schema: JSONValue = ["type": "object", "properties": ["count": ["type": "integer", "minimum": 1, "default": 0]]]
        for mode in ValidationMode.allCases {
            let problems = F.validate(F.editing(F.editing(F.valid, "/nodes/0/schema", schema), "/nodes/0/requiredFields", []), mode).problems
            #expect(problems.found == [Found(.metaBadSchema, .error)], "\(mode)")
            #expect(problems.first?.message == "`/nodes/0/schema/properties/count/default` must be at least 1, got 0: make the default satisfy its own schema, or remove it.")
        }
    }

    @Test("a default that satisfies its schema is accepted")
    func goodDefault() {
        let schema: JSONValue = ["type": "object", "properties": ["count": ["type": "integer", "minimum": 1, "default": 2]]]
        #expect(F.validate(F.editing(F.editing(F.valid, "/nodes/0/schema", schema), "/nodes/0/requiredFields", []), .strict).problems == [])
    }
}
