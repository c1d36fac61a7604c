extension PatternProgram {
    /// Whether the pattern matches somewhere in `scalars` (JSON Schema's unanchored search).
    ///
    /// A Thompson simulation, never backtracking: the set of instructions the automaton could
    /// be at is advanced once per scalar, each instruction at most once per position, and a
    /// thread for a fresh match attempt is added at every position. Time is O(instructions ×
    /// scalars) and memory O(instructions), whatever the pattern and input; `^(a+)+$` on a
    /// long run of `a` ending in `b` costs the same as `^a+$`. Scalars are compared by value,
    /// with no normalization, like every other string comparison in the host.
    ///
    /// The working lists live in one buffer allocated per call and are reached through
    /// pointers: this loop is the whole cost of a check, and array bounds and exclusivity
    /// checks would multiply it in debug builds.
    ///
    /// `budget` bounds the search in time: each scalar spends the program's size (at most the
    /// instructions visited there), and the search throws ``ValidationDeadlinePassed`` once
    /// the budget finds its deadline passed; the clock is read every few thousand scalars for
    /// an ordinary pattern (``ValidationBudget``), never per scalar.
    func matches(
        _ scalars: String.UnicodeScalarView, budget: inout ValidationBudget
    ) throws(ValidationDeadlinePassed) -> Bool {
        let workPerScalar = instructions.count
        return try instructions.withUnsafeBufferPointer { code throws(ValidationDeadlinePassed) in
            var run = PatternRun(code: code, sets: sets)
            defer { run.deallocate() }
            var iterator = scalars.makeIterator()
            var before: UInt32?
            var current = iterator.next()?.value
            var position = 0
            while true {
                if position == 0 || !anchoredAtStart {
                    if run.addClosure(from: 0, before: before, after: current) { return true }
                }
                guard let scalar = current else { return false }
                if run.currentCount == 0 && anchoredAtStart { return false }
                try budget.spend(workPerScalar)
                let after = iterator.next()?.value
                if run.step(over: scalar, after: after) { return true }
                before = scalar
                current = after
                position += 1
            }
        }
    }
}

/// The working state of one ``PatternProgram/matches(_:budget:)``: the threads alive at this
/// position and the next, and the marks that keep an instruction from being added twice.
private struct PatternRun {
    let code: UnsafeBufferPointer<PatternInstruction>
    let sets: [PatternScalarSet]
    /// Consuming instructions reachable at the current position, `currentCount` of them.
    private var current: UnsafeMutablePointer<Int>
    private(set) var currentCount = 0
    /// The previous position's list while a step moves its threads on.
    private var following: UnsafeMutablePointer<Int>
    /// Instructions reached but not yet followed, during one closure.
    private let pending: UnsafeMutablePointer<Int>
    /// The stamp of the position at which each instruction was last reached; one array
    /// serves both lists because each position's list is filled once.
    private let reachedAt: UnsafeMutablePointer<Int>
    private var stamp = 1
    private let storage: UnsafeMutablePointer<Int>

    init(code: UnsafeBufferPointer<PatternInstruction>, sets: [PatternScalarSet]) {
        self.code = code
        self.sets = sets
        let count = code.count
        storage = .allocate(capacity: 4 * count)
        current = storage
        following = storage + count
        pending = storage + 2 * count
        reachedAt = storage + 3 * count
        reachedAt.initialize(repeating: 0, count: count)
    }

    func deallocate() { storage.deallocate() }

    /// Adds to the current list every consuming instruction reachable from `start` without
    /// consuming, at the position between `before` and `after` (nil: the string's start or
    /// end). True when `match` is reachable: the whole search is then decided.
    mutating func addClosure(from start: Int, before: UInt32?, after: UInt32?) -> Bool {
        guard reachedAt[start] != stamp else { return false }
        reachedAt[start] = stamp
        pending[0] = start
        var top = 1
        while top > 0 {
            top -= 1
            let index = pending[top]
            var targets = (index, index)  // .1 == .0 when there is one
            switch code[index] {
            case .scalar, .set:
                current[currentCount] = index
                currentCount += 1
                continue
            case .split(let first, let second): targets = (second, first)
            case .jump(let target): targets = (target, target)
            case .assert(let assertion):
                guard Self.holds(assertion, before: before, after: after) else { continue }
                targets = (index + 1, index + 1)
            case .match:
                return true
            }
            if reachedAt[targets.0] != stamp {
                reachedAt[targets.0] = stamp
                pending[top] = targets.0
                top += 1
            }
            if reachedAt[targets.1] != stamp {
                reachedAt[targets.1] = stamp
                pending[top] = targets.1
                top += 1
            }
        }
        return false
    }

    /// Moves every thread over `scalar` into the next position's list, which becomes current.
    mutating func step(over scalar: UInt32, after: UInt32?) -> Bool {
        swap(&current, &following)
        let previousCount = currentCount
        currentCount = 0
        stamp += 1
        for slot in 0..<previousCount {
            let index = following[slot]
            let consumes: Bool = switch code[index] {
            case .scalar(let value): value == scalar
            case .set(let set): sets[set].contains(scalar)
            default: false
            }
            if consumes, addClosure(from: index + 1, before: scalar, after: after) { return true }
        }
        return false
    }

    private static func holds(_ assertion: PatternAssertion, before: UInt32?, after: UInt32?) -> Bool {
        switch assertion {
        case .start: return before == nil
        case .end: return after == nil
        case .wordBoundary, .notWordBoundary:
            let wordBefore = before.map(PatternScalarSet.isWordCharacter) ?? false
            let wordAfter = after.map(PatternScalarSet.isWordCharacter) ?? false
            return (wordBefore != wordAfter) == (assertion == .wordBoundary)
        }
    }
}
