/// The dependency graph over plugins numbered in scan order: `edges[i]` lists the plugins `i`
/// depends on (no duplicates).
///
/// Every walk is iterative, so a hostile directory with a dependency chain thousands of plugins
/// deep cannot overflow the stack.
struct DependencyGraph {
    let edges: [[Int]]

    /// The strongly connected components that contain a cycle: two or more nodes, or one node
    /// that depends on itself (Tarjan's algorithm, O(nodes + edges)). Members in number order.
    func cyclicComponents() -> [[Int]] {
        let count = edges.count
        var order = [Int](repeating: -1, count: count)
        var low = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var frames: [(node: Int, nextEdge: Int)] = []
        var cyclic: [[Int]] = []
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
                    cyclic.append(component.sorted())
                }
            }
        }
        return cyclic
    }

    /// The shortest cycle from `start` back to itself, as the nodes along it with `start` at
    /// both ends (`[a, b, a]`); `[start]` when `start` is on no cycle. Breadth-first, so the
    /// path printed is the one a person can most easily break.
    func shortestCycle(through start: Int) -> [Int] {
        // A dictionary, not an array per call: most searches touch a small part of the graph.
        var previous: [Int: Int] = [:]
        var queue: [Int] = []
        var head = 0
        var current = start
        search: while true {
            for next in edges[current] where previous[next] == nil {
                previous[next] = current
                if next == start { break search }
                queue.append(next)
            }
            guard head < queue.count else { return [start] }
            current = queue[head]
            head += 1
        }
        var reversed = [start]
        var node = previous[start]!
        while node != start {
            reversed.append(node)
            node = previous[node]!
        }
        reversed.append(start)
        return reversed.reversed()
    }

    /// A cycle through each member of `component` (a cyclic component).
    ///
    /// One shortest cycle is searched per uncovered member and shared, as a ring plus an
    /// offset, by every member it passes through: a ring of n plugins costs O(n) time and
    /// memory, not n searches and n copies of O(n).
    func cycles(in component: [Int]) -> [Int: CycleSpot] {
        var result: [Int: CycleSpot] = [:]
        for member in component where result[member] == nil {
            let ring = Array(shortestCycle(through: member).dropLast())
            for (offset, node) in ring.enumerated() where result[node] == nil {
                result[node] = CycleSpot(ring: ring, offset: offset)
            }
        }
        return result
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

/// A node's place on a cycle: the ring of nodes (each depends on the next, the last on the
/// first) and where the node sits on it.
struct CycleSpot {
    let ring: [Int]
    let offset: Int

    /// The cycle from the node back to itself (`a → b → c → a`) with `name` for each node; a
    /// long cycle shows its first four and last two steps, so the message stays one readable
    /// line however many plugins a hostile directory chains together. Builds only what it shows.
    func describe(_ name: (Int) -> String) -> String {
        let length = ring.count + 1
        func step(_ position: Int) -> String { name(ring[(offset + position) % ring.count]) }
        if length <= 9 { return (0..<length).map(step).joined(separator: " → ") }
        let shown = (0..<4).map(step) + ["… \(length - 6) more …"] + [step(length - 2), step(length - 1)]
        return shown.joined(separator: " → ")
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
