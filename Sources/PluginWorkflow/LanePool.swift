/// The free worker lanes, handing out the smallest one first.
///
/// Smallest-first keeps a trace compact and stable: with concurrency 4 and two nodes at a
/// time, only lanes 0 and 1 ever appear. Lanes are made on first use, so a huge concurrency
/// limit costs nothing: a lane never used is `fresh` or above, a lane given back sits in a
/// binary min-heap, and every lane given back is below `fresh`, so the heap's top (if any)
/// is the smallest free lane.
struct LanePool: Sendable {
    private var heap: [Int] = []
    private var fresh = 0

    /// The smallest free lane.
    mutating func take() -> Int {
        guard let smallest = heap.first else {
            fresh += 1
            return fresh - 1
        }
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

    /// Gives back a lane `take()` handed out.
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
