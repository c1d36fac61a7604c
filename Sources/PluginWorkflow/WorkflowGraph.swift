import PluginHostCore

/// A workflow indexed for checking and scheduling: nodes as `Int`s, edges as flat arrays.
///
/// Scheduling 10 000 nodes must cost about a microsecond each, so nothing on the hot path
/// looks a name up or scans a list: children and parents are compressed adjacency lists
/// (one `start` offset per node into one flat array), each kept in connection order, and
/// `$ref` targets are resolved to indices once, here.
///
/// Built from any parsed workflow, valid or not: a repeated name maps to its first node and
/// a connection with an unknown end is left out of the adjacency lists (both are reported
/// by ``structureProblems()``), so validation can go on to report everything else.
public struct WorkflowGraph: Sendable {
    public let workflow: Workflow
    /// Name → index of the first node with that name.
    let nameIndex: NodeNameIndex
    /// `children[childStart[i] ..< childStart[i + 1]]`: the targets of node `i`'s connections,
    /// one entry per connection, in connection order.
    let childStart: [Int]
    let children: [Int]
    /// `parents[parentStart[i] ..< parentStart[i + 1]]`: the sources of the connections into
    /// node `i`, one entry per connection, in connection order (the order of its input items).
    let parentStart: [Int]
    let parents: [Int]
    /// Nodes whose name an earlier node already has, with that earlier node.
    let duplicates: [(first: Int, repeated: Int)]
    /// Positions in `workflow.edges` of connections with an unknown end.
    let danglingEdges: [Int]
    /// Per node, the well-formed references in its parameters, targets resolved.
    let references: [[ResolvedReference]]
    /// Per node, the scan of its parameters (malformed references included).
    let referenceScans: [ParameterReferenceScan]

    /// A `$ref` with its target node's index (nil when no node has that name).
    struct ResolvedReference: Sendable {
        var reference: ParameterReference
        var target: Int?
    }

    public var nodeCount: Int { workflow.nodes.count }

    public init(_ workflow: Workflow) {
        self.workflow = workflow
        let count = workflow.nodes.count
        var duplicates: [(first: Int, repeated: Int)] = []
        let nameIndex = NodeNameIndex(names: workflow.nodes.map { $0.name }, duplicates: &duplicates)
        self.nameIndex = nameIndex
        self.duplicates = duplicates

        var resolved: [(from: Int, to: Int)] = []
        resolved.reserveCapacity(workflow.edges.count)
        var dangling: [Int] = []
        // Connections come grouped by source, and often several into one target: a repeated
        // end is recognised by `==` on the previous edge's name instead of another lookup.
        var fromLookup = RepeatedNameLookup(index: nameIndex)
        var toLookup = RepeatedNameLookup(index: nameIndex)
        for position in workflow.edges.indices {
            let from = fromLookup.index(of: workflow.edges[position].from)
            let to = toLookup.index(of: workflow.edges[position].to)
            if let from, let to {
                resolved.append((from, to))
            } else {
                dangling.append(position)
            }
        }
        self.danglingEdges = dangling
        (childStart, children) = Self.adjacency(count: count, pairs: resolved, bySource: true)
        (parentStart, parents) = Self.adjacency(count: count, pairs: resolved, bySource: false)

        var scans: [ParameterReferenceScan] = []
        var references: [[ResolvedReference]] = []
        scans.reserveCapacity(count)
        references.reserveCapacity(count)
        for index in workflow.nodes.indices {
            let scan = ParameterReferenceScan(parameters: workflow.nodes[index].parameters)
            references.append(scan.references.isEmpty ? [] : scan.references.map { ResolvedReference(reference: $0, target: nameIndex.index(of: $0.node)) })
            scans.append(scan)
        }
        self.referenceScans = scans
        self.references = references
    }

    /// A stable counting sort of `pairs` by source (or target): offsets per node and the
    /// other ends, in the pairs' order.
    private static func adjacency(count: Int, pairs: [(from: Int, to: Int)], bySource: Bool) -> (start: [Int], list: [Int]) {
        var start = [Int](repeating: 0, count: count + 1)
        for pair in pairs { start[(bySource ? pair.from : pair.to) + 1] += 1 }
        for index in 0..<count { start[index + 1] += start[index] }
        var next = start
        var list = [Int](repeating: 0, count: pairs.count)
        for pair in pairs {
            let slot = bySource ? pair.from : pair.to
            list[next[slot]] = bySource ? pair.to : pair.from
            next[slot] += 1
        }
        return (start, list)
    }

    /// The index of the node named `name` (the first one, if the name repeats).
    public func index(of name: String) -> Int? { nameIndex.index(of: name) }

    /// Node `index`'s children, one per connection, in connection order.
    func childIndices(of index: Int) -> ArraySlice<Int> { children[childStart[index]..<childStart[index + 1]] }

    /// Node `index`'s parents, one per connection, in connection order.
    func parentIndices(of index: Int) -> ArraySlice<Int> { parents[parentStart[index]..<parentStart[index + 1]] }

    /// Every node upstream of `index` (one walk over its ancestors).
    func ancestors(of index: Int) -> Set<Int> {
        var found = Set<Int>(), stack = Array(parentIndices(of: index))
        while let node = stack.popLast() {
            if found.insert(node).inserted { stack.append(contentsOf: parentIndices(of: node)) }
        }
        return found
    }

    /// Whether the connections are free of cycles (Kahn's algorithm; O(nodes + connections)).
    var isAcyclic: Bool { topologicalPositions() != nil }
}

/// A name lookup that remembers its last answer: consecutive connections usually repeat a
/// source (or a target), and comparing with the last name costs less than hashing it.
private struct RepeatedNameLookup {
    let index: NodeNameIndex
    private var last: (name: String, index: Int?)?

    init(index: NodeNameIndex) { self.index = index }

    mutating func index(of name: String) -> Int? {
        if let last, String.sameUTF8(last.name, name) { return last.index }
        let found = index.index(of: name)
        last = (name, found)
        return found
    }
}
