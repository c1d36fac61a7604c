/// The free worker lanes, handing out the smallest one first (a binary min-heap).
///
/// Smallest-first keeps a trace compact and stable: with concurrency 4 and two nodes at a
/// time, only lanes 0 and 1 ever appear.
struct LanePool: Sendable {
    private var heap: [Int]

    /// Lanes `0 ..< count`, all free.
    init(count: Int) { heap = Array(0..<max(count, 0)) }

    /// The smallest free lane; nil when all are taken.
    mutating func take() -> Int? {
        guard let smallest = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var index = 0
            while true {
                let left = 2 * index + 1, right = left + 1
                var least = index
                if left < heap.count && heap[left] < heap[least] { least = left }
                if right < heap.count && heap[right] < heap[least] { least = right }
                if least == index { break }
                heap.swapAt(index, least)
                index = least
            }
        }
        return smallest
    }

    mutating func give(_ lane: Int) {
        heap.append(lane)
        var index = heap.count - 1
        while index > 0 {
            let parent = (index - 1) / 2
            if heap[parent] <= heap[index] { break }
            heap.swapAt(parent, index)
            index = parent
        }
    }
}
