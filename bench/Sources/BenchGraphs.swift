import PluginHostCore
import PluginWorkflow

/// The DAG shapes of the scheduling benchmark, node for node the ones bench/peers/graphs.py
/// gives the Python peers (keep the two equal):
/// - `chain`:   n0 → n1 → … → n(N-1); no parallelism at all, pure per-node overhead.
/// - `fan`:     n0 → n1 … n(N-2) (N-2 leaves) → n(N-1), one join with N-2 parents; the
///              widest ready set, and one node whose input gathers N-2 parents.
/// - `layered`: N/W layers of W = 100 nodes; node j of layer l > 0 has the parents j,
///              (j+1) % W and (j+37) % W of layer l-1: three distinct parents, deterministic.
enum BenchGraph: String, CaseIterable {
    case chain, fan, layered

    static let layerWidth = 100
    static let layeredOffsets = [0, 1, 37]

    /// Each node's parents (indices), in connection order.
    func parents(nodes count: Int) -> [[Int]] {
        switch self {
        case .chain:
            return (0..<count).map { $0 == 0 ? [] : [$0 - 1] }
        case .fan:
            return (0..<count).map { index in
                if index == 0 { return [] }
                if index == count - 1 { return Array(1..<count - 1) }
                return [0]
            }
        case .layered:
            let width = Self.layerWidth
            return (0..<(count / width) * width).map { index in
                let layer = index / width, column = index % width
                guard layer > 0 else { return [] }
                return Self.layeredOffsets.map { (layer - 1) * width + (column + $0) % width }
            }
        }
    }

    /// The shape as a workflow of `nodeType` nodes named `n<index>`, all with `parameters`.
    func workflow(
        nodes count: Int, concurrency: Int, nodeType: String = "bench.noop", parameters: JSONValue = .object(JSONObject())
    ) -> Workflow {
        let parents = parents(nodes: count)
        var edges: [WorkflowEdge] = []
        edges.reserveCapacity(parents.reduce(0) { $0 + $1.count })
        for (child, its) in parents.enumerated() {
            for parent in its { edges.append(WorkflowEdge(from: "n\(parent)", to: "n\(child)")) }
        }
        return Workflow(
            name: "bench-\(rawValue)", settings: WorkflowSettings(concurrency: concurrency),
            nodes: parents.indices.map { WorkflowNode(name: "n\($0)", type: nodeType, parameters: parameters) },
            edges: edges)
    }
}
