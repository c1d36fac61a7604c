import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import PluginRuntime
@testable import PluginWorkflow
import Testing

/// Inputs that used to take minutes because some step was quadratic in their size. Each bound
/// is generous (a debug build on a loaded machine finishes in a fraction of it); the quadratic
/// versions took minutes at these sizes.
@Suite("Workflows at scale: every step linear")
struct WorkflowScaleTests {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = WallClock.monotonicNanoseconds()
        try body()
        return Double(WallClock.monotonicNanoseconds() - start) / 1e9
    }

    @Test("the run --json (and ph_host_run_workflow) document of 40 000 nodes is written in linear time, in node order")
    func runDocumentOfManyNodes() throws {
        let count = 40_000
        let nodes = (0..<count).map { index in
            var result = NodeResult(nodeType: "math.add", status: .success, startedAt: 0)
            result.output = ["result": .int(Int64(index))]
            return (name: "n\(index)", result: result)
        }
        let outcome = WorkflowRunOutcome.ran(
            WorkflowRunResult(status: .success, durationMs: 1, nodes: nodes), validation: WorkflowValidationReport(problems: []))
        var document: JSONValue = .null
        var bytes: [UInt8] = []
        let elapsed = Self.seconds {
            document = outcome.json()
            bytes = JSONWriter.bytes(document)
        }
        #expect(elapsed < TimeBound.seconds(10), "\(elapsed) s")
        let members = try #require(document["nodes"]?.objectValue)
        #expect(members.count == count)
        #expect(members.members.first?.key == "n0" && members.members.last?.key == "n\(count - 1)")
        #expect(members.members[12_345].value["output"] == ["result": 12_345])
        #expect(bytes.count > count * 100)
    }

    /// One node whose parameter array holds `count` `$ref`s to `Src`, and `Src` upstream of it.
    static func manyReferences(_ count: Int) -> Workflow {
        let references = [JSONValue](repeating: ["$ref": "Src#/result"], count: count)
        return Workflow(name: "refs", nodes: [
            WorkflowNode(name: "Src", type: "string.upper"),
            WorkflowNode(name: "Join", type: "string.concat", parameters: ["values": .array(references), "separator": "-"]),
        ], edges: [WorkflowEdge(from: "Src", to: "Join")])
    }

    /// Every item of `/values` must be a string: each `$ref` object is a violation, which the
    /// validator must drop (a `$ref` stands in for its value).
    struct StringItemsCatalog: NodeCatalog {
        func describe(nodeType: String, tenant: String?) -> NodeCatalogEntry { .found(NodeDescriptor(nodeType: nodeType)) }
        func validateParameters(nodeType: String, parameters: JSONValue) -> [ParameterViolation] {
            guard nodeType == "string.concat" else { return [] }
            var violations: [ParameterViolation] = []
            for (index, item) in (parameters["values"]?.arrayValue ?? []).enumerated() where item.stringValue == nil {
                violations.append(ParameterViolation(path: "/values/\(index)", message: "must be a string, not \(item.typeName)"))
            }
            if parameters["separator"]?.stringValue == nil {
                violations.append(ParameterViolation(path: "/separator", message: "must be a string"))
            }
            return violations
        }
        func validateRecovery(node: WorkflowNode, settings: WorkflowSettings) -> [Problem] { [] }
    }

    @Test("validating 100 000 $refs in one parameter array drops each one's violation in linear time")
    func validateManyReferences() {
        var report = WorkflowValidationReport(problems: [])
        let elapsed = Self.seconds {
            report = WorkflowValidator(catalog: StringItemsCatalog()).validate(Self.manyReferences(100_000))
        }
        #expect(elapsed < TimeBound.seconds(10), "\(elapsed) s")
        #expect(report.valid, "\(report.problems.prefix(3))")
        // A violation beside the references is still reported.
        var workflow = Self.manyReferences(1_000)
        workflow.nodes[1].parameters = ["values": workflow.nodes[1].parameters["values"]!, "separator": 1]
        let problems = WorkflowValidator(catalog: StringItemsCatalog()).validate(workflow).problems
        #expect(problems.map(\.message) == ["Node `Join`: parameter /separator must be a string (schema of string.concat)."])
    }

    @Test("100 000 $refs in one parameter array are substituted in one walk")
    func substituteManyReferences() throws {
        let count = 100_000
        let parameters = Self.manyReferences(count).nodes[1].parameters
        let references = ParameterReferenceScan(parameters: parameters).references
        #expect(references.count == count)
        var substituted: JSONValue = .null
        // Timed alone, not through the runner: an async run also waits for a free thread of
        // the cooperative pool, which a loaded test process may not have for seconds.
        let elapsed = Self.seconds {
            substituted = parameters.substituting(references, with: (0..<count).map { .int(Int64($0)) })
        }
        #expect(elapsed < TimeBound.seconds(10), "\(elapsed) s")
        let values = try #require(substituted["values"]?.arrayValue)
        #expect(values == (0..<count).map { .int(Int64($0)) })
        #expect(substituted["separator"] == "-")
    }

    @Test("running a node with 100 000 $refs hands the plugin every value")
    func runManyReferences() async throws {
        let count = 100_000
        let executor = FakeExecutor { name, _, _ in
            FakeExecutor.Outcome(output: name == "Src" ? ["result": "x"] : ["result": "joined"])
        }
        let result = try await WorkflowRunner(workflow: Self.manyReferences(count), executor: executor).run()
        #expect(result.status == .success)
        let values = try #require(executor.call("Join")?.parameters["values"]?.arrayValue)
        #expect(values.count == count)
        #expect(values.allSatisfy { $0 == "x" })
        #expect(executor.call("Join")?.parameters["separator"] == "-")
    }

    @Test("$refs at several depths, in objects and arrays, are each replaced in place")
    func substitutionAtDepths() async throws {
        let parameters: JSONValue = [
            "first": ["$ref": "A#/n"],
            "plain": 1,
            "nested": ["list": [["$ref": "A#"], 2, ["deep": ["$ref": "B#/s"]]], "other": ["$ref": "B#/s"]],
            "last": [["$ref": "A#/n"]],
        ]
        let workflow = Workflow(name: "w", nodes: [
            WorkflowNode(name: "A", type: "t"), WorkflowNode(name: "B", type: "t"), WorkflowNode(name: "C", type: "t", parameters: parameters),
        ], edges: [WorkflowEdge(from: "A", to: "C"), WorkflowEdge(from: "B", to: "C")])
        let executor = FakeExecutor { name, _, _ in
            switch name {
            case "A": FakeExecutor.Outcome(output: ["n": 7])
            case "B": FakeExecutor.Outcome(output: ["s": "text"])
            default: FakeExecutor.Outcome(output: [])
            }
        }
        _ = try await WorkflowRunner(workflow: workflow, executor: executor).run()
        let expected: JSONValue = [
            "first": 7,
            "plain": 1,
            "nested": ["list": [["n": 7], 2, ["deep": "text"]], "other": "text"],
            "last": [7],
        ]
        #expect(executor.call("C")?.parameters == expected)
        #expect(executor.call("C")?.parameters.objectValue?.keys == ["first", "plain", "nested", "last"])
    }

    @Test("a 200 000-node chain whose every node refers to the first validates in linear time")
    func longChainOfReferences() {
        let count = 200_000
        var nodes = [WorkflowNode(name: "n0", type: "t")]
        var edges: [WorkflowEdge] = []
        nodes.reserveCapacity(count)
        edges.reserveCapacity(count)
        for index in 1..<count {
            nodes.append(WorkflowNode(name: "n\(index)", type: "t", parameters: ["a": ["$ref": "n0#/result"]]))
            edges.append(WorkflowEdge(from: "n\(index - 1)", to: "n\(index)"))
        }
        var problems: [Problem] = []
        let elapsed = Self.seconds { problems = WorkflowValidator().validate(Workflow(name: "chain", nodes: nodes, edges: edges)).problems }
        #expect(elapsed < TimeBound.seconds(10), "\(elapsed) s")
        #expect(problems.isEmpty, "\(problems.prefix(3))")
    }

    @Test("REF_NOT_UPSTREAM is decided per reference: siblings, descendants and earlier-listed nodes are not upstream")
    func upstreamAnswers() {
        // A → B → D, A → C; D refers to A and B (upstream), C (a sibling branch) and E (downstream of D).
        let workflow = Workflow(name: "w", nodes: [
            WorkflowNode(name: "A", type: "t"),
            WorkflowNode(name: "C", type: "t"),
            WorkflowNode(name: "B", type: "t", parameters: ["x": ["$ref": "C#"]]),
            WorkflowNode(name: "D", type: "t", parameters: [
                "a": ["$ref": "A#"], "b": ["$ref": "B#"], "c": ["$ref": "C#"], "e": ["$ref": "E#"], "a2": ["$ref": "A#/x"],
            ]),
            WorkflowNode(name: "E", type: "t", parameters: ["a": ["$ref": "A#"], "d": ["$ref": "D#"]]),
        ], edges: [
            WorkflowEdge(from: "A", to: "B"), WorkflowEdge(from: "B", to: "D"), WorkflowEdge(from: "A", to: "C"),
            WorkflowEdge(from: "D", to: "E"),
        ])
        let flagged = WorkflowValidator().validate(workflow).problems.filter { $0.code == .refNotUpstream }.map { problem in
            "\(problem.node ?? "-"):\(problem.message.split(separator: "\"")[1])"
        }
        #expect(flagged == ["B:C#", "D:C#", "D:E#"])
    }
}
