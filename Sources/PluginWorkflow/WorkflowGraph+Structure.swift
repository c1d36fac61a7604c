import PluginHostCore

extension WorkflowGraph {
    /// Every problem with the workflow's shape as a graph, needing no plugins: repeated names,
    /// connections with an unknown end, cycles (each named as a path), malformed `$ref`s and
    /// `$ref`s to nodes that are not upstream. In that order, each group in file order.
    public func structureProblems() -> [Problem] {
        var problems = duplicateNameProblems()
        problems += danglingConnectionProblems()
        problems += cycles().map { path in
            let names = path.map { workflow.nodes[$0].name }
            return Problem(
                .workflowCycle, .error,
                "The connections form a cycle: \((names + [names[0]]).joined(separator: " → ")); remove one of these connections.",
                node: names[0]
            )
        }
        problems += referenceProblems()
        return problems
    }

    private func duplicateNameProblems() -> [Problem] {
        duplicates.map { pair in
            let name = workflow.nodes[pair.repeated].name
            return Problem(
                .duplicateNodeName, .error,
                "Nodes \(pair.first + 1) and \(pair.repeated + 1) are both named `\(name)`; rename one, since connections and $refs name nodes by name.",
                node: name
            )
        }
    }

    /// One problem per unknown source (however many targets it lists), one per unknown target.
    private func danglingConnectionProblems() -> [Problem] {
        var problems: [Problem] = []
        var reportedSources: Set<UTF8Key> = []
        for position in danglingEdges {
            let edge = workflow.edges[position]
            if nameIndex.index(of: edge.from) == nil {
                if reportedSources.insert(UTF8Key(edge.from)).inserted {
                    problems.append(Problem(
                        .danglingConnection, .error,
                        "`connections` lists connections from `\(edge.from)`, but no node has that name; add the node or remove its connections.",
                        node: edge.from
                    ))
                }
            } else {
                problems.append(Problem(
                    .danglingConnection, .error,
                    "A connection goes from `\(edge.from)` to `\(edge.to)`, but no node is named `\(edge.to)`; add the node or fix the name.",
                    node: edge.from
                ))
            }
        }
        return problems
    }

    /// One cycle per strongly connected component that has one, as the node indices along it
    /// (not repeating the first): the shortest cycle through the component's first node in file
    /// order, following connections in connection order, so the text is deterministic.
    func cycles() -> [[Int]] {
        if isAcyclic { return [] }
        var paths: [[Int]] = []
        var component = [Int](repeating: -1, count: nodeCount)
        for (number, members) in stronglyConnectedComponents().enumerated() {
            for member in members { component[member] = number }
            let start = members.min()!
            let isCycle = members.count > 1 || childIndices(of: start).contains(start)
            if isCycle, let path = shortestCycle(through: start, within: number, component: component) { paths.append(path) }
        }
        return paths.sorted { $0[0] < $1[0] }
    }

    /// Breadth-first search from `start` back to itself, staying inside one component.
    private func shortestCycle(through start: Int, within number: Int, component: [Int]) -> [Int]? {
        var previous = [Int: Int]()
        var queue = [start]
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for child in childIndices(of: node) where component[child] == number {
                if child == start {
                    var path = [node]
                    while let before = previous[path[path.count - 1]] { path.append(before) }
                    return Array(path.reversed())
                }
                if previous[child] == nil {
                    previous[child] = node
                    queue.append(child)
                }
            }
        }
        return nil
    }

    /// Tarjan's algorithm with an explicit stack (a long chain must not overflow the call stack).
    private func stronglyConnectedComponents() -> [[Int]] {
        let count = nodeCount
        var order = [Int](repeating: -1, count: count)
        var low = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var frames: [(node: Int, next: Int)] = []
        var counter = 0
        var components: [[Int]] = []
        for root in 0..<count where order[root] == -1 {
            func enter(_ node: Int) {
                order[node] = counter
                low[node] = counter
                counter += 1
                stack.append(node)
                onStack[node] = true
                frames.append((node, childStart[node]))
            }
            enter(root)
            while let frame = frames.last {
                let node = frame.node
                if frame.next < childStart[node + 1] {
                    frames[frames.count - 1].next += 1
                    let child = children[frame.next]
                    if order[child] == -1 {
                        enter(child)
                    } else if onStack[child] {
                        low[node] = min(low[node], order[child])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last { low[parent.node] = min(low[parent.node], low[node]) }
                if low[node] == order[node] {
                    var members: [Int] = []
                    while let member = stack.popLast() {
                        onStack[member] = false
                        members.append(member)
                        if member == node { break }
                    }
                    components.append(members)
                }
            }
        }
        return components
    }

    /// Malformed references (`WORKFLOW_INVALID`) and references to nodes that are not ancestors
    /// (`REF_NOT_UPSTREAM`): a reference is read after its target has run, which only an
    /// ancestor guarantees.
    private func referenceProblems() -> [Problem] {
        var problems: [Problem] = []
        let upstream = UpstreamQueries(self)
        var query = 0
        for index in workflow.nodes.indices {
            // Most nodes have no `$ref` at all: skip them without touching the node.
            guard !references[index].isEmpty || !referenceScans[index].malformed.isEmpty else { continue }
            let node = workflow.nodes[index]
            for bad in referenceScans[index].malformed {
                problems.append(Problem(
                    .workflowInvalid, .error,
                    "Node `\(node.name)` has a malformed $ref at parameter \(bad.path.isEmpty ? "(root)" : bad.path): \(bad.reason).",
                    node: node.name
                ))
            }
            for resolved in references[index] {
                let reference = resolved.reference
                // Formatted only for a problem: most references are fine.
                var place: String { "Node `\(node.name)` parameter \(reference.path) refers to \"\(reference.text)\"" }
                let message: String
                switch resolved.target {
                case nil:
                    message = "\(place), but no node is named `\(reference.node)`; name an upstream node."
                case index?:
                    message = "\(place), its own output, which does not exist before it runs; refer to an upstream node."
                case _?:
                    defer { query += 1 }
                    if upstream.isUpstream[query] { continue }
                    message = "\(place), but `\(reference.node)` is not upstream of it; connect `\(reference.node)` to `\(node.name)` (directly or through other nodes) or refer to a node that is."
                }
                problems.append(Problem(.refNotUpstream, .error, message, node: node.name))
            }
        }
        return problems
    }
}

/// Whether each `$ref` target is an ancestor of the node that refers to it, for every
/// reference at once (to another existing node), in the order ``WorkflowGraph/referenceProblems()``
/// meets them.
///
/// Why not an ancestor set per node: that is O(nodes²) in time and memory on a long chain.
/// Instead the queries are grouped by target and each target gets one forward search that
/// stops as soon as every node referring to it is reached, and never enters a node placed after
/// the last of them in a topological order (nothing there leads back to them). A chain whose
/// nodes all refer to the first node costs one search; a chain whose nodes refer to their
/// predecessors costs one step each.
private struct UpstreamQueries {
    private(set) var isUpstream: [Bool] = []

    init(_ graph: WorkflowGraph) {
        var sources: [Int] = []
        var targets: [Int] = []
        for index in graph.workflow.nodes.indices {
            for resolved in graph.references[index] {
                guard let target = resolved.target, target != index else { continue }
                sources.append(index)
                targets.append(target)
            }
        }
        guard !sources.isEmpty else { return }
        isUpstream = [Bool](repeating: false, count: sources.count)
        let position = graph.topologicalPositions()
        // Queries by target: a counting sort keeps them in order within each target.
        let count = graph.nodeCount
        var start = [Int](repeating: 0, count: count + 1)
        for target in targets { start[target + 1] += 1 }
        for index in 0..<count { start[index + 1] += start[index] }
        var next = start
        var byTarget = [Int](repeating: 0, count: targets.count)
        for (query, target) in targets.enumerated() {
            byTarget[next[target]] = query
            next[target] += 1
        }
        // Stamped with the target's index, so no array is cleared between targets.
        var wanted = [Int](repeating: -1, count: count)
        var visited = [Int](repeating: -1, count: count)
        var queue: [Int] = []
        for target in 0..<count where start[target] < start[target + 1] {
            let queries = byTarget[start[target]..<start[target + 1]]
            var remaining = 0
            var lastPosition = 0
            for query in queries where wanted[sources[query]] != target {
                wanted[sources[query]] = target
                remaining += 1
                lastPosition = max(lastPosition, position?[sources[query]] ?? Int.max)
            }
            queue.removeAll(keepingCapacity: true)
            queue.append(target)
            visited[target] = target
            var head = 0
            search: while head < queue.count {
                let node = queue[head]
                head += 1
                for child in graph.childIndices(of: node) where visited[child] != target {
                    if let position, position[child] > lastPosition { continue }
                    visited[child] = target
                    if wanted[child] == target {
                        remaining -= 1
                        if remaining == 0 { break search }
                    }
                    queue.append(child)
                }
            }
            for query in queries { isUpstream[query] = visited[sources[query]] == target }
        }
    }
}

extension WorkflowGraph {
    /// Each node's place in one topological order (Kahn's algorithm), nil when the connections
    /// have a cycle.
    func topologicalPositions() -> [Int]? {
        let count = nodeCount
        var indegree = [Int](repeating: 0, count: count)
        for child in children { indegree[child] += 1 }
        var stack: [Int] = []
        for index in 0..<count where indegree[index] == 0 { stack.append(index) }
        var position = [Int](repeating: 0, count: count)
        var placed = 0
        while let index = stack.popLast() {
            position[index] = placed
            placed += 1
            for child in childIndices(of: index) {
                indegree[child] -= 1
                if indegree[child] == 0 { stack.append(child) }
            }
        }
        return placed == count ? position : nil
    }
}
