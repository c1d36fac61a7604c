import PluginHostCore
import PluginMetadata
import PluginWorkflow
import Testing

@Suite("Workflow validation")
struct WorkflowValidationTests {
    static func validate(_ text: String, catalog: TableCatalog? = .standard, tenant: String? = nil) -> WorkflowValidationReport {
        WorkflowValidator(catalog: catalog, tenant: tenant).validate(Workflow.parse(text: text))
    }

    static func codes(_ report: WorkflowValidationReport) -> [String] { report.problems.map(\.code.rawValue) }

    @Test("a good workflow is valid with no problems")
    func valid() {
        let report = Self.validate(#"""
        { "nodes": [ { "name": "Add", "type": "math.add", "typeVersion": 2, "parameters": { "a": 1, "b": 2 } },
                     { "name": "Shout", "type": "string.upper", "parameters": { "text": { "$ref": "Add#/result" } } } ],
          "connections": { "Add": { "main": [[ { "node": "Shout" } ]] } } }
        """#)
        #expect(report.problems == [])
        #expect(report.valid)
        #expect(report.json() == ["valid": true, "problems": []])
    }

    @Test("two nodes with one name: DUPLICATE_NODE_NAME on the second")
    func duplicateName() {
        let report = Self.validate(#"{"nodes": [{"name": "A", "type": "string.upper"}, {"name": "A", "type": "string.upper"}]}"#)
        #expect(report.problems == [Problem(
            .duplicateNodeName, .error,
            "Nodes 1 and 2 are both named `A`; rename one, since connections and $refs name nodes by name.", node: "A"
        )])
        #expect(!report.valid)
    }

    @Test("nodes named \"é\" and \"e\\u0301\" are two nodes: no duplicate, each connection finds its own")
    func canonicallyEquivalentNamesAreDistinct() {
        let report = Self.validate(#"""
        { "nodes": [ { "name": "é", "type": "string.upper", "parameters": { "text": "x" } },
                     { "name": "e\u0301", "type": "string.upper", "parameters": { "text": { "$ref": "é#/result" } } } ],
          "connections": { "é": { "main": [[ { "node": "e\u0301" } ]] } } }
        """#)
        #expect(report.problems == [])
        let dangling = Self.validate(#"""
        { "nodes": [ { "name": "é", "type": "string.upper", "parameters": { "text": "x" } } ],
          "connections": { "e\u0301": { "main": [[ { "node": "é" } ]] } } }
        """#)
        #expect(dangling.problems.map(\.code) == [.danglingConnection])
        #expect(dangling.problems.first?.node == "e\u{301}")
    }

    @Test("a connection from or to a missing node: DANGLING_CONNECTION, one per unknown source")
    func dangling() {
        let report = Self.validate(#"""
        { "nodes": [ { "name": "A", "type": "string.upper" } ],
          "connections": { "Ghost": { "main": [[ { "node": "A" }, { "node": "A" } ]] },
                           "A": { "main": [[ { "node": "Nowhere" } ]] } } }
        """#)
        #expect(report.problems.map(\.code) == [.danglingConnection, .danglingConnection])
        #expect(report.problems[0].message == "`connections` lists connections from `Ghost`, but no node has that name; add the node or remove its connections.")
        #expect(report.problems[0].node == "Ghost")
        #expect(report.problems[1].message == "A connection goes from `A` to `Nowhere`, but no node is named `Nowhere`; add the node or fix the name.")
        #expect(report.problems[1].node == "A")
    }

    @Test("a cycle is named as a path from its first node in file order")
    func cyclePath() {
        let report = Self.validate(#"""
        { "nodes": [ { "name": "Start", "type": "string.upper" }, { "name": "A", "type": "string.upper" },
                     { "name": "B", "type": "string.upper" }, { "name": "C", "type": "string.upper" } ],
          "connections": { "Start": { "main": [[ { "node": "A" } ]] }, "A": { "main": [[ { "node": "B" } ]] },
                           "B": { "main": [[ { "node": "C" } ]] }, "C": { "main": [[ { "node": "A" } ]] } } }
        """#)
        #expect(report.problems == [Problem(
            .workflowCycle, .error, "The connections form a cycle: A → B → C → A; remove one of these connections.", node: "A"
        )])
    }

    @Test("each separate cycle is reported, the shortest through its first node; a self-loop too")
    func severalCycles() {
        let workflow = Workflow(name: "w", nodes: ["A", "B", "C", "D", "E"].map { Graphs.node($0) }, edges: [
            WorkflowEdge(from: "A", to: "B"), WorkflowEdge(from: "B", to: "C"), WorkflowEdge(from: "C", to: "A"),
            WorkflowEdge(from: "B", to: "A"), WorkflowEdge(from: "D", to: "D"), WorkflowEdge(from: "C", to: "E"),
        ])
        let messages = WorkflowValidator().validate(workflow).problems.map(\.message)
        #expect(messages == [
            "The connections form a cycle: A → B → A; remove one of these connections.",
            "The connections form a cycle: D → D; remove one of these connections.",
        ])
    }

    @Test("a long chain with a back edge is found without deep recursion")
    func longCycle() {
        var workflow = Graphs.chain(20_000)
        workflow.edges.append(WorkflowEdge(from: "n19999", to: "n19998"))
        let problems = WorkflowValidator().validate(workflow).problems
        #expect(problems.map(\.message) == ["The connections form a cycle: n19998 → n19999 → n19998; remove one of these connections."])
    }

    @Test("malformed $refs are WORKFLOW_INVALID, wherever they sit in the parameters")
    func malformedReferences() {
        let report = Self.validate(#"""
        { "nodes": [ { "name": "A", "type": "string.upper" },
                     { "name": "B", "type": "string.upper", "parameters": {
                         "x": { "$ref": 5 }, "y": { "deep": [ { "$ref": "A" } ] }, "z": { "$ref": "#/v" },
                         "w": { "$ref": "A#v" }, "v": { "$ref": "A#/v", "extra": 1 } } } ],
          "connections": { "A": { "main": [[ { "node": "B" } ]] } } }
        """#)
        #expect(report.problems.map(\.code) == Array(repeating: .workflowInvalid, count: 5))
        #expect(report.problems.map(\.message) == [
            "Node `B` has a malformed $ref at parameter /x: `$ref` must be a string \"<node name>#<JSON pointer>\", not integer.",
            "Node `B` has a malformed $ref at parameter /y/deep/0: `$ref` \"A\" has no `#`; write \"<node name>#<JSON pointer>\" such as \"Add#/result\".",
            "Node `B` has a malformed $ref at parameter /z: `$ref` \"#/v\" names no node before `#`.",
            "Node `B` has a malformed $ref at parameter /w: `$ref` \"A#v\" has a pointer that does not start with `/` (use \"A#/v\").",
            "Node `B` has a malformed $ref at parameter /v: an object with `$ref` must have no other members.",
        ])
        #expect(report.problems.allSatisfy { $0.node == "B" })
    }

    @Test("a $ref to a sibling, an unknown node or itself is REF_NOT_UPSTREAM; to a grandparent it is fine")
    func referencesNotUpstream() {
        let report = Self.validate(#"""
        { "nodes": [ { "name": "Root", "type": "string.upper" }, { "name": "Left", "type": "string.upper" },
                     { "name": "Right", "type": "string.upper", "parameters": {
                         "a": { "$ref": "Left#/x" }, "b": { "$ref": "Root#" }, "c": [ { "$ref": "Ghost#/x" } ], "d": { "$ref": "Right#/x" } } } ],
          "connections": { "Root": { "main": [[ { "node": "Left" }, { "node": "Right" } ]] } } }
        """#)
        #expect(report.problems.map(\.code) == [.refNotUpstream, .refNotUpstream, .refNotUpstream])
        #expect(report.problems.map(\.message) == [
            "Node `Right` parameter /a refers to \"Left#/x\", but `Left` is not upstream of it; connect `Left` to `Right` (directly or through other nodes) or refer to a node that is.",
            "Node `Right` parameter /c/0 refers to \"Ghost#/x\", but no node is named `Ghost`; name an upstream node.",
            "Node `Right` parameter /d refers to \"Right#/x\", its own output, which does not exist before it runs; refer to an upstream node.",
        ])
    }

    @Test("a node type that is not a canonical name is NODE_TYPE_NOT_FOUND, even without a catalog")
    func nonCanonicalType() {
        let text = #"{"nodes": [{"name": "A", "type": "Math.Add"}]}"#
        #expect(Self.validate(text, catalog: nil).problems == [Problem(
            .nodeTypeNotFound, .error, "Node `A` has type `Math.Add`, which is not a node type name (lowercase ASCII such as \"math.add\"); fix the name.", node: "A"
        )])
        #expect(Self.validate(text).problems.map(\.message) == [
            "Node `A` has type `Math.Add`, which is not a node type name (lowercase ASCII such as \"math.add\"); did you mean math.add?",
        ])
    }

    @Test("an unknown node type is NODE_TYPE_NOT_FOUND, with the catalog's suggestions")
    func unknownType() {
        let report = Self.validate(#"{"nodes": [{"name": "A", "type": "mathadd"}, {"name": "B", "type": "zzz.top"}]}"#)
        #expect(report.problems == [
            Problem(.nodeTypeNotFound, .error, "Node `A` has type `mathadd`, which no loaded plugin provides; did you mean math.add?", node: "A"),
            Problem(.nodeTypeNotFound, .error, "Node `B` has type `zzz.top`, which no loaded plugin provides; check the name or load the plugin that provides it.", node: "B"),
        ])
    }

    @Test("a type the tenant may not use is the catalog's NODE_TYPE_DISABLED_FOR_TENANT, attributed to the node")
    func disallowedForTenant() {
        let text = #"{"nodes": [{"name": "Fetch", "type": "http.get"}]}"#
        #expect(Self.validate(text).valid)
        #expect(Self.validate(text, tenant: "restricted").problems == [
            Problem(.nodeTypeDisabledForTenant, .error, "Tenant restricted may not use http.get.", node: "Fetch"),
        ])
    }

    @Test("a typeVersion outside supportedVersions is TYPE_VERSION_UNSUPPORTED")
    func typeVersion() {
        let report = Self.validate(#"{"nodes": [{"name": "Add", "type": "math.add", "typeVersion": 3, "parameters": {"a": 1, "b": 2}}]}"#)
        #expect(report.problems == [Problem(
            .typeVersionUnsupported, .error, "Node `Add` has typeVersion 3, but math.add supports 1, 2; set typeVersion to one of those.", node: "Add"
        )])
    }

    @Test("parameters are validated except at and inside $refs: VALIDATION_FAILED per violation")
    func parameters() {
        let report = Self.validate(#"""
        { "nodes": [ { "name": "Src", "type": "string.upper" },
                     { "name": "Add", "type": "math.add", "parameters": { "a": { "$ref": "Src#/n" } } },
                     { "name": "Add2", "type": "math.add", "parameters": { "a": "one", "b": { "$ref": "Src#/n" } } } ],
          "connections": { "Src": { "main": [[ { "node": "Add" }, { "node": "Add2" } ]] } } }
        """#)
        #expect(report.problems == [
            Problem(.validationFailed, .error, "Node `Add`: parameter /b is required (schema of math.add).", node: "Add"),
            Problem(.validationFailed, .error, "Node `Add2`: parameter /a must be an integer, not string (schema of math.add).", node: "Add2"),
        ])
    }

    @Test("recovery settings go to the catalog: RECOVERY_INVALID for the workflow and per node")
    func recovery() {
        let report = Self.validate(#"""
        { "settings": { "onError": "explode" },
          "nodes": [ { "name": "A", "type": "string.upper", "onError": "retry-forever" },
                     { "name": "B", "type": "string.upper", "onError": "skip" } ] }
        """#)
        #expect(report.problems == [
            Problem(.recoveryInvalid, .error, "settings.onError must be fail, fallback, skip or continue."),
            Problem(.recoveryInvalid, .error, "onError must be fail, fallback, skip or continue.", node: "A"),
        ])
    }

    @Test("a fallback node type is checked like a node type")
    func fallbackType() {
        let report = Self.validate(#"""
        { "nodes": [ { "name": "A", "type": "math.add", "parameters": {"a": 1, "b": 2}, "onError": "fallback", "fallbackNodeType": "math.add-unsafe" },
                     { "name": "B", "type": "string.upper", "onError": "fallback", "fallbackNodeType": "http.get" } ] }
        """#, tenant: "restricted")
        #expect(report.problems == [
            Problem(.nodeTypeNotFound, .error, "Node `A` falls back to `math.add-unsafe`, which no loaded plugin provides; check the name or load the plugin that provides it.", node: "A"),
            Problem(.nodeTypeDisabledForTenant, .error, "Tenant restricted may not use http.get.", node: "B"),
        ])
    }

    @Test("every problem is reported at once, shape first, then graph, then node by node")
    func allAtOnce() {
        let report = Self.validate(#"""
        { "settings": { "concurrency": -1 },
          "nodes": [ { "name": "A", "type": "math.add", "typeVersion": 9, "parameters": { "a": 1, "b": 2 } },
                     { "name": "A", "type": "string.upper" },
                     { "name": "B", "type": "nope.nope", "parameters": { "x": { "$ref": "C#/y" } } },
                     { "name": "C", "type": "http.get", "parameters": { "x": { "$ref": 1 } } },
                     { "name": "D", "type": "math.add", "parameters": { "a": "x", "b": 2 } } ],
          "connections": { "B": { "main": [[ { "node": "C" }, { "node": "Q" } ]] }, "C": { "main": [[ { "node": "B" } ]] } } }
        """#, tenant: "restricted")
        #expect(Self.codes(report) == [
            "WORKFLOW_INVALID", "DUPLICATE_NODE_NAME", "DANGLING_CONNECTION", "WORKFLOW_CYCLE", "WORKFLOW_INVALID",
            "TYPE_VERSION_UNSUPPORTED", "NODE_TYPE_NOT_FOUND", "NODE_TYPE_DISABLED_FOR_TENANT", "VALIDATION_FAILED",
        ])
        #expect(report.problems.map(\.node) == [nil, "A", "B", "B", "C", "A", "B", "C", "D"])
        #expect(!report.valid)
    }

    @Test("warnings alone leave a workflow valid")
    func warningsOnly() {
        #expect(WorkflowValidationReport(problems: [Problem(.refNotUpstream, .warning, "odd")]).valid)
    }

    @Test("validate --json: valid, and problems with code, severity, message and node only when set")
    func json() throws {
        let report = WorkflowValidationReport(problems: [
            Problem(.workflowInvalid, .error, "bad shape"),
            Problem(.refNotUpstream, .warning, "odd ref", node: "X"),
        ])
        #expect(!report.valid)
        let text = JSONWriter.string(report.json())
        #expect(text == #"{"valid":false,"problems":[{"code":"WORKFLOW_INVALID","severity":"error","message":"bad shape"},{"code":"REF_NOT_UPSTREAM","severity":"warning","message":"odd ref","node":"X"}]}"#)
    }
}
