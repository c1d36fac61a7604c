import PluginHostCore
import PluginMetadata
import Testing

@Suite("Manifest rules that loose mode never relaxes")
struct ManifestRulesTests {
    typealias F = ManifestFixtures

    static let badIDs = [
        "Org.Example.Math", "example", "", "org..math", ".org.math", "org.math.", "org.-math", "org.ex ample",
        "org.exämple", "org.example_math", "org/example", " org.example", "ｏrg.example",
    ]

    @Test("a plugin id that is not reverse-DNS is META_BAD_ID in both modes", arguments: badIDs)
    func badID(id: String) {
        for mode in ValidationMode.allCases {
            let problems = F.validate(F.editing(F.valid, "/id", .string(id)), mode).problems
            #expect(problems.found == [Found(.metaBadID, .error)], "\(mode)")
            #expect(problems.first?.message.contains("`/id`") == true)
        }
    }

    @Test("reverse-DNS ids are accepted", arguments: ["org.example.math", "a.b", "io.x-y.z9", "com.0day.tool"])
    func goodID(id: String) {
        #expect(ManifestNames.isValidPluginID(id))
        #expect(F.validate(F.editing(F.valid, "/id", .string(id)), .strict).problems == [])
    }

    static let badNodeTypes = [
        "Math.add", "Math.Add", "math..add", "math.add ", " math.add", "mäth.add", "1math", "", "math.", ".math",
        "math add", "MATH", "math/add", "ｍath.add", "math.add\n", "-math", "_math", "math.a\u{301}dd",
    ]

    @Test("a node type that is not canonical lowercase ASCII is META_BAD_NODE_TYPE in both modes", arguments: badNodeTypes)
    func badNodeType(nodeType: String) throws {
        for mode in ValidationMode.allCases {
            let (manifest, problems) = F.validate(F.editing(F.valid, "/nodes/0/nodeType", .string(nodeType)), mode)
            #expect(problems.found == [Found(.metaBadNodeType, .error)], "\(mode)")
            #expect(problems.first?.message.contains("`/nodes/0/nodeType`") == true)
            #expect(problems.first?.node == nil)
            #expect(try #require(manifest).nodes.map(\.nodeType) == ["math.negate"], "a bad node never reaches the manifest")
        }
    }

    @Test("the message shows the node type escaped and says how to fix it")
    func badNodeTypeMessage() {
        let problems = F.validate(F.editing(F.valid, "/nodes/0/nodeType", "Math.Add"), .strict).problems
        #expect(problems.first?.message == "`/nodes/0/nodeType` is \"Math.Add\": node types are lowercase ASCII like \"math.add\" (a letter first, then a-z, 0-9, '_' or '-', dot-separated segments, no spaces); rename it.")
    }

    @Test("canonical node types are accepted", arguments: ["math.add", "a", "http.get-json", "a_b.c-d.0", "x1._"])
    func goodNodeType(nodeType: String) {
        #expect(ManifestNames.isValidNodeType(nodeType))
    }

    @Test("a node type declared twice is DUPLICATE_NODE_TYPE in both modes", arguments: ValidationMode.allCases)
    func duplicateNodeType(mode: ValidationMode) throws {
        let (manifest, problems) = F.validate(F.editing(F.valid, "/nodes/1/nodeType", "math.add"), mode)
        #expect(problems.found == [Found(.duplicateNodeType, .error)])
        #expect(problems.first?.node == "math.add")
        #expect(problems.first?.message.contains("`/nodes/0`") == true)
        #expect(try #require(manifest).nodes.count == 1)
    }

    @Test("a plugin version that is not semver is META_BAD_SEMVER in both modes", arguments: [
        "1.0", "v1.0.0", "01.0.0", "1.0.0-", "1.0.0+", "1.0.0-01", "", "1.0.0.0", "1.2.3 ", "1.0.0-beta..1",
    ])
    func badPluginVersion(version: String) {
        for mode in ValidationMode.allCases {
            let problems = F.validate(F.editing(F.valid, "/version", .string(version)), mode).problems
            #expect(problems.found == [Found(.metaBadSemver, .error)], "\(mode)")
        }
    }

    @Test("a node version that is not semver is an error strict, a warning with 1.0.0 loose")
    func badNodeVersion() throws {
        let edited = F.editing(F.valid, "/nodes/1/version", "2.0")
        #expect(F.validate(edited, .strict).problems.found == [Found(.metaBadSemver, .error)])
        let (manifest, problems) = F.validate(edited, .loose)
        #expect(problems.found == [Found(.metaBadSemver, .warning)])
        #expect(problems.first?.node == "math.negate")
        #expect(try #require(manifest).nodes[1].version == "1.0.0")
    }

    @Test("a dependency range that does not parse is META_BAD_RANGE in both modes", arguments: [
        JSONValue.string("^^1.0.0"), "", "latest", "1.0.0 ||", "~>1.2", ">=1.0.0-", .int(1), .null,
    ])
    func badRange(range: JSONValue) {
        for mode in ValidationMode.allCases {
            let problems = F.validate(F.editing(F.valid, "/dependencies/org.example.string", range), mode).problems
            #expect(problems.found == [Found(.metaBadRange, .error)], "\(mode)")
            #expect(problems.first?.message.contains("`/dependencies/org.example.string`") == true)
        }
    }

    @Test("a dependency on a malformed plugin id is META_BAD_ID in both modes", arguments: ValidationMode.allCases)
    func badDependencyID(mode: ValidationMode) {
        let edited = F.editing(F.valid, "/dependencies", ["String": "^1.0.0"])
        #expect(F.validate(edited, mode).problems.found == [Found(.metaBadID, .error)])
    }

    @Test("dependencies that are not an object are an error in both modes", arguments: ValidationMode.allCases)
    func dependenciesNotObject(mode: ValidationMode) {
        let edited = F.editing(F.valid, "/dependencies", ["org.example.string"])
        #expect(F.validate(edited, mode).problems.found == [Found(.metaBadValue, .error)])
    }

    @Test("ABI 1.0 loads; 2.0 and 1.9 are ABI_INCOMPATIBLE in both modes", arguments: [
        ("1.0", nil), ("2.0", ProblemCode.abiIncompatible), ("1.9", .abiIncompatible), ("0.9", .abiIncompatible),
        ("1", .metaBadValue), ("1.0.0", .metaBadValue), ("01.0", .metaBadValue), ("", .metaBadValue),
    ])
    func abi(abi: String, code: ProblemCode?) {
        for mode in ValidationMode.allCases {
            let problems = F.validate(F.editing(F.valid, "/abi", .string(abi)), mode).problems
            #expect(problems.found == (code.map { [Found($0, .error)] } ?? []), "\(mode)")
        }
    }
}
