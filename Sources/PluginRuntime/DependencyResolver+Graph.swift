/// The dependency graph over plugins numbered in scan order: `edges[i]` lists the plugins `i`
/// depends on (no duplicates).
///
/// Every walk is iterative, so a hostile directory with a dependency chain thousands of plugins
/// deep cannot overflow the stack.
struct DependencyGraph {
    let edges: [[Int]]

    /// Whether each node lies on a cycle: a strongly connected component of two or more nodes,
    /// or a node that depends on itself (Tarjan's algorithm, O(nodes + edges)).
    func nodesOnCycles() -> [Bool] {
        let count = edges.count
        var order = [Int](repeating: -1, count: count)
        var low = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var frames: [(node: Int, nextEdge: Int)] = []
        var cyclic = [Bool](repeating: false, count: count)
        var counter = 0

        func visit(_ node: Int) {
            order[node] = counter
            low[node] = counter
            counter += 1
            stack.append(node)
            onStack[node] = true
            frames.append((node, 0))
        }

        for root in 0..<count where order[root] == -1 {
            visit(root)
            while let (node, nextEdge) = frames.last {
                if nextEdge < edges[node].count {
                    frames[frames.count - 1].nextEdge += 1
                    let target = edges[node][nextEdge]
                    if order[target] == -1 {
                        visit(target)
                    } else if onStack[target] {
                        low[node] = min(low[node], order[target])
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last?.node { low[parent] = min(low[parent], low[node]) }
                guard low[node] == order[node] else { continue }
                var component: [Int] = []
                while true {
                    let member = stack.removeLast()
                    onStack[member] = false
                    component.append(member)
                    if member == node { break }
                }
                if component.count > 1 || edges[node].contains(node) {
                    for member in component { cyclic[member] = true }
                }
            }
        }
        return cyclic
    }

    /// The shortest cycle from `start` back to itself, as the nodes along it with `start` at
    /// both ends (`[a, b, a]`); `[start]` when `start` is on no cycle. Breadth-first, so the
    /// path printed is the one a person can most easily break.
    func shortestCycle(through start: Int) -> [Int] {
        var previous = [Int](repeating: -1, count: edges.count)
        var queue = edges[start]
        for node in queue where previous[node] == -1 { previous[node] = start }
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            if node == start { break }
            for next in edges[node] where previous[next] == -1 {
                previous[next] = node
                queue.append(next)
            }
        }
        guard previous[start] != -1 else { return [start] }
        var reversed = [start]
        var node = previous[start]
        while node != start {
            reversed.append(node)
            node = previous[node]
        }
        reversed.append(start)
        return reversed.reversed()
    }

    /// Every node once, each after all of its dependencies, the lowest-numbered ready node
    /// first (Kahn's algorithm with a min-heap). Nodes marked in `settled` come first, in
    /// number order, and count as done without waiting for their own dependencies: that is how
    /// cycle members (which can never be "ready") are placed before their dependents.
    func topologicalOrder(settledFirst settled: [Bool]) -> [Int] {
        var pending = edges.map(\.count)
        var dependents = [[Int]](repeating: [], count: edges.count)
        for (node, targets) in edges.enumerated() {
            for target in targets { dependents[target].append(node) }
        }
        var result: [Int] = []
        result.reserveCapacity(edges.count)
        var ready = IndexHeap()
        func release(_ node: Int) {
            result.append(node)
            for dependent in dependents[node] where !settled[dependent] {
                pending[dependent] -= 1
                if pending[dependent] == 0 { ready.push(dependent) }
            }
        }
        for node in edges.indices where settled[node] { release(node) }
        for node in edges.indices where !settled[node] && pending[node] == 0 { ready.push(node) }
        while let node = ready.popMinimum() { release(node) }
        return result
    }
}

/// A binary min-heap of indices: "the earliest-scanned ready plugin next", in O(log n).
struct IndexHeap {
    private var items: [Int] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ value: Int) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child] < items[parent] else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMinimum() -> Int? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count && items[left] < items[smallest] { smallest = left }
            if right < items.count && items[right] < items[smallest] { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }
}
