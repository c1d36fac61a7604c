/// The newest `capacity` elements of an unbounded stream, in arrival order.
///
/// Appending is O(1) and never shifts: once full, the slot of the oldest element is overwritten
/// and the start index moves on. Memory stays at `capacity` elements however long the host runs.
struct RingBuffer<Element> {
    let capacity: Int
    private var storage: [Element] = []
    /// Index of the oldest element once the buffer is full.
    private var start = 0

    /// `capacity` below 1 acts as 1.
    init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(self.capacity)
    }

    var count: Int { storage.count }

    mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[start] = element
            start = start + 1 == capacity ? 0 : start + 1
        }
    }

    /// The kept elements, oldest first.
    var elements: [Element] {
        guard start > 0 else { return storage }
        return Array(storage[start...] + storage[..<start])
    }
}

extension RingBuffer: Sendable where Element: Sendable {}
