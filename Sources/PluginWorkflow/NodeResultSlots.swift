import PluginRuntime

/// One slot per node for its final result, written outside the scheduler's lock.
///
/// Why not an array inside ``SchedulerState``: a `NodeResult` is ~170 bytes, and moving it
/// into the locked state made every hand-off between two workers longer, so they contended
/// for the lock. Here a worker stores its node's result before it takes the lock to record
/// the node as finished; the lock keeps only status and output, which children need.
///
/// @unchecked Sendable, safe because each slot has exactly one writer and is read only at
/// the end: a node's slot is written by the worker that ran it, or (for a node cancelled or
/// failed before it ran) under the scheduler's lock by whoever decided that — never both,
/// since a node is either handed to a worker or finished by the scheduler. ``takeAll()`` runs
/// after every worker has exited, and every worker's last slot write precedes its last lock
/// acquisition, which precedes the owner's final one: the lock orders all writes before the read.
final class NodeResultSlots: @unchecked Sendable {
    private let base: UnsafeMutablePointer<NodeResult?>
    private let count: Int
    private var taken = false

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: nil, count: count)
    }

    deinit {
        if !taken { base.deinitialize(count: count) }
        base.deallocate()
    }

    /// Stores node `index`'s result (its only write; see the type's documentation).
    func store(_ result: consuming NodeResult, at index: Int) {
        (base + index).pointee = consume result
    }

    /// Moves every node's result out, in node order (nil for a node that never got one).
    /// Call once, after the run.
    func takeAll<Element>(_ body: (Int, consuming NodeResult?) -> Element) -> [Element] {
        precondition(!taken, "results taken twice")
        taken = true
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for index in 0..<count { elements.append(body(index, (base + index).move())) }
        return elements
    }
}
