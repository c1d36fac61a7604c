import PluginHostCore
import PluginMetadata
import Testing

@Suite("Manifest fields, strict and loose")
struct ManifestValidatorTests {
    typealias F = ManifestFixtures

    @Test("a complete manifest is valid in both modes, with every field read", arguments: ValidationMode.allCases)
    func validManifest(mode: ValidationMode) throws {
        let (manifest, problems) = F.validate(F.valid, mode)
        #expect(problems == [])
        let m = try #require(manifest)
        #expect(m.id == "org.example.math")
        #expect(m.name == "Math")
        #expect(m.version == "1.2.0")
        #expect(m.abi == ABIVersion(major: 1, minor: 0))
        #expect(m.author == "Example")
        #expect(m.license == "MIT")
        #expect(m.threadSafe)
        #expect(m.dependencies == [PluginDependency(pluginID: "org.example.string", range: "^1.0.0")])
        #expect(m.nodes.map(\.nodeType) == ["math.add", "math.negate"])
        let add = m.nodes[0]
        #expect(add.requiredFields == ["a", "b"])
        #expect(add.supportedVersions == [1, 2])
        #expect(add.tags == ["arithmetic"])
        #expect(add.icon == "plus")
        #expect(add.schema?["required"] == ["a", "b"])
        #expect(m.nodes[1].version == "2.0.0-beta.1")
    }

    /// (pointer, severity in loose mode). Strict mode always reports an error.
    static let missingFields: [(String, Severity)] = [
        ("/id", .error), ("/version", .error), ("/abi", .error), ("/nodes", .error), ("/nodes/0/nodeType", .error),
        ("/name", .warning), ("/description", .warning), ("/threadSafe", .warning), ("/dependencies", .warning),
        ("/nodes/0/version", .warning), ("/nodes/0/category", .warning), ("/nodes/0/description", .warning),
        ("/nodes/0/requiredFields", .warning), ("/nodes/0/schema", .warning), ("/nodes/0/supportedVersions", .warning),
    ]

    @Test("a missing field is one META_MISSING_FIELD naming its pointer, error strict", arguments: missingFields)
    func missingStrict(pointer: String, looseSeverity: Severity) {
        let (_, problems) = F.validate(F.editing(F.valid, pointer, nil), .strict)
        #expect(problems.found == [Found(.metaMissingField, .error)])
        #expect(problems.first?.message.contains("`\(pointer)`") == true)
        #expect(problems.first?.file == "/plugins/libmath.so")
    }

    @Test("in loose mode only id, version, abi, nodes and nodeType are required", arguments: missingFields)
    func missingLoose(pointer: String, looseSeverity: Severity) {
        let (manifest, problems) = F.validate(F.editing(F.valid, pointer, nil), .loose)
        #expect(problems.found == [Found(.metaMissingField, looseSeverity)])
        #expect(manifest != nil)
    }

    @Test("author, license, icon, tags and experimental are optional", arguments: [
        "/author", "/license", "/nodes/0/icon", "/nodes/0/tags", "/nodes/0/experimental",
    ])
    func optionalFields(pointer: String) {
        #expect(F.validate(F.editing(F.valid, pointer, nil), .strict).problems == [])
    }

    @Test("loose mode fills in the documented defaults")
    func looseDefaults() throws {
        let (manifest, problems) = F.validate(F.minimal, .loose)
        #expect(!problems.isEmpty)
        #expect(problems.allSatisfy { $0.severity == .warning && $0.code == .metaMissingField })
        let m = try #require(manifest)
        #expect(m.name == "org.example.min")
        #expect(m.description == "")
        #expect(m.threadSafe == false)
        #expect(m.dependencies == [])
        let node = try #require(m.nodes.first)
        #expect(node == NodeDescriptor(nodeType: "min.node", version: "1.0.0", category: "uncategorized", description: "",
                                       requiredFields: [], schema: nil, supportedVersions: [1]))
    }

    @Test("the minimal manifest lists every missing field at once in strict mode")
    func minimalStrict() {
        let (_, problems) = F.validate(F.minimal, .strict)
        #expect(problems.count == 10)
        #expect(problems.allSatisfy { $0.code == .metaMissingField && $0.severity == .error })
    }

    @Test("node problems name the node once its type is valid")
    func nodeIsNamed() {
        let (_, problems) = F.validate(F.editing(F.valid, "/nodes/1/category", nil), .strict)
        #expect(problems.first?.node == "math.negate")
        #expect(problems.first?.message.contains("`/nodes/1/category`") == true)
    }

    @Test("an unknown key is an error in strict mode and a warning in loose mode", arguments: [
        ("/colour", ValidationMode.strict, Severity.error), ("/colour", .loose, .warning),
        ("/nodes/0/colour", .strict, .error), ("/nodes/0/colour", .loose, .warning),
    ])
    func unknownKey(pointer: String, mode: ValidationMode, severity: Severity) {
        let (_, problems) = F.validate(F.editing(F.valid, pointer, "red"), mode)
        #expect(problems.found == [Found(.metaUnknownKey, severity)])
        #expect(problems.first?.message.contains("`\(pointer)`") == true)
    }

    @Test("a key that differs only in case gets the right spelling suggested")
    func unknownKeySuggestion() {
        let edited = F.editing(F.editing(F.valid, "/threadSafe", nil), "/threadsafe", true)
        let (_, problems) = F.validate(edited, .loose)
        #expect(problems.found == [Found(.metaUnknownKey, .warning), Found(.metaMissingField, .warning)])
        #expect(problems.first?.message.contains("rename it to \"threadSafe\"") == true)
    }

    @Test("a complete function declaration is accepted in a plugin library's metadata", arguments: ValidationMode.allCases)
    func functionKey(mode: ValidationMode) {
        let edited = F.editing(F.valid, "/nodes/0/function",
                               ["symbol": "pow", "signature": "double(double,double)", "params": ["a", "b"]])
        #expect(F.validate(edited, mode).problems == [])
    }

    @Test("a repeated key is META_DUPLICATE_KEY with its pointer, error strict, warning loose", arguments: [
        (ValidationMode.strict, Severity.error), (.loose, .warning),
    ])
    func duplicateKey(mode: ValidationMode, severity: Severity) {
        var text = JSONWriter.string(F.valid)
        text.removeFirst()
        text = "{\"name\":\"First\"," + text
        let (manifest, problems) = F.validate(text, mode)
        #expect(problems.found == [Found(.metaDuplicateKey, severity)])
        #expect(problems.first?.message.contains("`/name`") == true)
        #expect(manifest?.name == "Math")
    }

    static let wrongTypes: [(String, JSONValue)] = [
        ("/threadSafe", "yes"), ("/name", .int(3)), ("/description", ""), ("/description", "  "),
        ("/author", .bool(true)), ("/nodes/0/category", ""), ("/nodes/0/supportedVersions", [0]),
        ("/nodes/0/supportedVersions", []), ("/nodes/0/supportedVersions", [1.5]), ("/nodes/0/tags", [1]),
        ("/nodes/0/experimental", "no"), ("/nodes/0/icon", [:]), ("/library", 6),
    ]

    @Test("a wrong JSON type is META_BAD_VALUE, error strict, warning loose with the default", arguments: wrongTypes)
    func wrongType(pointer: String, value: JSONValue) {
        let edited = F.editing(F.valid, pointer, value)
        let strict = F.validate(edited, .strict).problems
        #expect(strict.found == [Found(.metaBadValue, .error)])
        #expect(strict.first?.message.contains("`\(pointer)`") == true)
        #expect(F.validate(edited, .loose).problems.found == [Found(.metaBadValue, .warning)])
    }

    @Test("loose mode replaces a wrongly typed field with its default")
    func wrongTypeDefault() throws {
        let edited = F.editing(F.editing(F.valid, "/threadSafe", "yes"), "/nodes/0/category", 7)
        let manifest = try #require(F.validate(edited, .loose).manifest)
        #expect(manifest.threadSafe == false)
        #expect(manifest.nodes[0].category == "uncategorized")
    }

    static let wrongSafetyTypes: [(String, JSONValue)] = [
        ("/id", 1), ("/abi", 1.0), ("/nodes", [:]), ("/nodes/0", "math.add"), ("/nodes/0/nodeType", 42), ("/version", 1),
    ]

    @Test("a wrongly typed id, abi, nodes or nodeType is an error in both modes", arguments: wrongSafetyTypes)
    func wrongTypeSafety(pointer: String, value: JSONValue) {
        for mode in ValidationMode.allCases {
            let problems = F.validate(F.editing(F.valid, pointer, value), mode).problems
            #expect(problems.found == [Found(.metaBadValue, .error)], "\(mode)")
        }
    }

    @Test("an empty node list is an error in strict mode and a warning in loose mode")
    func emptyNodes() {
        let edited = F.editing(F.valid, "/nodes", [])
        #expect(F.validate(edited, .strict).problems.found == [Found(.metaBadValue, .error)])
        #expect(F.validate(edited, .loose).problems.found == [Found(.metaBadValue, .warning)])
    }

    @Test("every problem is reported in one pass")
    func allProblemsAtOnce() {
        var edited = F.editing(F.valid, "/id", "Example")
        edited = F.editing(edited, "/version", "1.0")
        edited = F.editing(edited, "/nodes/1/nodeType", "Math.Negate")
        edited = F.editing(edited, "/nodes/0/schema/oneOf", [])
        let problems = F.validate(edited, .loose).problems
        #expect(Set(problems.found) == [Found(.metaBadID, .error), Found(.metaBadSemver, .error),
                                       Found(.metaBadNodeType, .error), Found(.metaBadSchema, .error)])
        #expect(problems.count == 4)
    }

    @Test("text that is not JSON is METADATA_NOT_JSON with line and column", arguments: ValidationMode.allCases)
    func notJSON(mode: ValidationMode) {
        let (manifest, problems) = F.validate("{\n  \"id\": org.example }", mode)
        #expect(manifest == nil)
        #expect(problems.found == [Found(.metadataNotJSON, .error)])
        #expect(problems.first?.message.contains("line 2, column 9") == true)
    }

    @Test("invalid UTF-8 is METADATA_NOT_JSON")
    func invalidUTF8() {
        let bytes: [UInt8] = Array("{\"id\": \"org.ex".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        let (manifest, problems) = ManifestValidator.validate(bytes, mode: .loose, file: nil)
        #expect(manifest == nil)
        #expect(problems.found == [Found(.metadataNotJSON, .error)])
    }

    @Test("JSON that is not an object gives no manifest", arguments: ["[]", "\"org.example.math\"", "null", "1"])
    func notAnObject(text: String) {
        let (manifest, problems) = F.validate(text, .loose)
        #expect(manifest == nil)
        #expect(problems.found == [Found(.metaBadValue, .error)])
    }
}
