import PluginHostCore
import PluginWorkflow
import Testing

/// ``InputLimits`` as the workflow parser applies them: each limit inclusive (exactly the limit
/// is read), one more refused whole with its code and the limit in the message.
@Suite("Workflow input limits")
struct WorkflowInputLimitTests {
    /// `count` unconnected nodes, plus connections from the first node to each of `targets`.
    static func text(nodes count: Int, connections targets: Int = 0, nesting: Int = 0) -> String {
        let parameters = String(repeating: "[", count: nesting) + String(repeating: "]", count: nesting)
        let nodes = (0..<count).map { #"{"name":"n\#($0)","type":"math.add","parameters":{"p":\#(nesting > 0 ? parameters : "1")}}"# }
        let edges = (0..<targets).map { #"{"node":"n\#($0 % count)","type":"main","index":0}"# }
        return #"{"name":"w","nodes":[\#(nodes.joined(separator: ","))],"connections":{"n0":{"main":[[\#(edges.joined(separator: ","))]]}}}"#
    }

    static func codes(_ parsed: ParsedWorkflow) -> [String] { parsed.problems.map(\.code.rawValue) }

    @Test("nodes: the limit is accepted, one more is WORKFLOW_TOO_LARGE naming both counts and the field")
    func nodes() throws {
        let limits = InputLimits(maximumWorkflowNodes: 3)
        let atLimit = Workflow.parse(text: Self.text(nodes: 3), limits: limits)
        #expect(atLimit.problems.isEmpty, "\(atLimit.problems)")
        #expect(atLimit.workflow.nodes.count == 3)
        let over = Workflow.parse(text: Self.text(nodes: 4), limits: limits)
        #expect(Self.codes(over) == ["WORKFLOW_TOO_LARGE"])
        #expect(over.workflow.nodes.isEmpty)
        let message = try #require(over.problems.first?.message)
        #expect(message == "The workflow has 4 nodes, more than the limit of 3 (HostConfiguration.limits.maximumWorkflowNodes); split it or raise the limit.")
    }

    @Test("connections: the limit is accepted, one more is WORKFLOW_TOO_LARGE")
    func connections() throws {
        let limits = InputLimits(maximumWorkflowConnections: 5)
        let atLimit = Workflow.parse(text: Self.text(nodes: 6, connections: 5), limits: limits)
        #expect(atLimit.problems.isEmpty, "\(atLimit.problems)")
        #expect(atLimit.workflow.edges.count == 5)
        let over = Workflow.parse(text: Self.text(nodes: 6, connections: 6), limits: limits)
        #expect(Self.codes(over) == ["WORKFLOW_TOO_LARGE"])
        let message = try #require(over.problems.first?.message)
        #expect(message.contains("has 6 connections, more than the limit of 5 (HostConfiguration.limits.maximumWorkflowConnections)"))
    }

    @Test("bytes: a document of exactly the limit is read, one byte more is refused unread")
    func bytes() throws {
        let text = Self.text(nodes: 2)
        let size = text.utf8.count
        let atLimit = Workflow.parse(text: text, limits: InputLimits(maximumWorkflowBytes: size))
        #expect(atLimit.problems.isEmpty, "\(atLimit.problems)")
        let over = Workflow.parse(text: text, limits: InputLimits(maximumWorkflowBytes: size - 1))
        #expect(Self.codes(over) == ["WORKFLOW_TOO_LARGE"])
        let message = try #require(over.problems.first?.message)
        #expect(message.contains("has \(size) bytes, more than the limit of \(size - 1) (HostConfiguration.limits.maximumWorkflowBytes)"))
        #expect(Workflow.refusal(byteCount: size, limits: InputLimits(maximumWorkflowBytes: size)) == nil)
    }

    @Test("nesting: exactly the depth limit parses, one level more is JSON_TOO_DEEP (not WORKFLOW_INVALID)")
    func depth() throws {
        // Root object, `nodes` array, node object, `parameters` object: 4 levels, then the arrays.
        let text = Self.text(nodes: 1, nesting: 6)
        let atLimit = Workflow.parse(text: text, limits: InputLimits(maximumJSONDepth: 10))
        #expect(atLimit.problems.isEmpty, "\(atLimit.problems)")
        let over = Workflow.parse(text: text, limits: InputLimits(maximumJSONDepth: 9))
        #expect(Self.codes(over) == ["JSON_TOO_DEEP"])
        let message = try #require(over.problems.first?.message)
        #expect(message.contains("deeper than the limit of 9 levels (HostConfiguration.limits.maximumJSONDepth)"), "\(message)")
    }

    @Test("the defaults are the documented ones, and the parser's default depth is the same 256")
    func defaults() {
        let limits = InputLimits()
        #expect(limits.maximumWorkflowNodes == 1_000_000)
        #expect(limits.maximumWorkflowConnections == 4_000_000)
        #expect(limits.maximumWorkflowBytes == 256 << 20)
        #expect(limits.maximumJSONDepth == 256 && JSONParser.maximumDepth == 256)
        #expect(limits.maximumPolicyBytes == 16 << 20)
        #expect(limits.maximumPolicyEntries == 100_000)
    }
}
