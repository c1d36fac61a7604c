import Testing
@testable import PluginWorkflow

@Suite("Node name index")
struct NodeNameIndexTests {
    @Test("finds every ASCII name at its index and misses an unknown one")
    func asciiLookup() {
        let names = (0..<1000).map { "n\($0)" }
        var duplicates: [(first: Int, repeated: Int)] = []
        let index = NodeNameIndex(names: names, duplicates: &duplicates)
        #expect(duplicates.isEmpty)
        #expect(names.indices.allSatisfy { index.index(of: names[$0]) == $0 })
        #expect(index.index(of: "n1000") == nil)
        #expect(index.index(of: "") == nil)
    }

    @Test("reports a repeated name with its first node and maps the name to the first")
    func duplicates() {
        var duplicates: [(first: Int, repeated: Int)] = []
        let index = NodeNameIndex(names: ["A", "B", "A", "C", "B"], duplicates: &duplicates)
        #expect(duplicates.map { [$0.first, $0.repeated] } == [[0, 2], [1, 4]])
        #expect(index.index(of: "A") == 0)
        #expect(index.index(of: "B") == 1)
    }

    @Test("a non-ASCII key canonically equal to an ASCII name does not find it (bytes differ)")
    func kelvinIsNotK() {
        var duplicates: [(first: Int, repeated: Int)] = []
        let index = NodeNameIndex(names: ["Kelvin;", "x"], duplicates: &duplicates)
        #expect(index.index(of: "\u{212A}elvin\u{037E}") == nil)
        #expect(index.index(of: "Kelvin;") == 0)
        #expect(index.index(of: "Kélvin") == nil)
    }

    @Test("non-ASCII names compare by bytes (composed é and e + combining acute are two names)")
    func byteEquality() {
        var duplicates: [(first: Int, repeated: Int)] = []
        let index = NodeNameIndex(names: ["caf\u{E9}", "tea", "cafe\u{301}", "caf\u{E9}"], duplicates: &duplicates)
        #expect(duplicates.map { [$0.first, $0.repeated] } == [[0, 3]])
        #expect(index.index(of: "caf\u{E9}") == 0)
        #expect(index.index(of: "cafe\u{301}") == 2)
        #expect(index.index(of: "tea") == 1)
        #expect(index.index(of: "cafe") == nil)
    }

    @Test("a graph resolves connections by bytes and keeps repeated ends in connection order")
    func graphConnections() {
        let workflow = Workflow(
            name: "w",
            nodes: [WorkflowNode(name: "caf\u{E9}", type: "t"), WorkflowNode(name: "b", type: "t"), WorkflowNode(name: "c", type: "t")],
            edges: [
                WorkflowEdge(from: "caf\u{E9}", to: "c"), WorkflowEdge(from: "caf\u{E9}", to: "b"),
                WorkflowEdge(from: "b", to: "c"), WorkflowEdge(from: "nobody", to: "c"), WorkflowEdge(from: "cafe\u{301}", to: "b"),
            ])
        let graph = WorkflowGraph(workflow)
        #expect(Array(graph.parentIndices(of: 2)) == [0, 1])
        #expect(Array(graph.childIndices(of: 0)) == [2, 1])
        #expect(graph.danglingEdges == [3, 4])
    }
}
