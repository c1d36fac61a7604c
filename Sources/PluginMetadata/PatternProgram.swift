/// One step of a compiled pattern, in the style of Thompson's construction: an instruction
/// either consumes one scalar or moves to other instructions without consuming any.
enum PatternInstruction: Sendable {
    /// Consume this scalar value.
    case scalar(UInt32)
    /// Consume one scalar of ``PatternProgram/sets`` at this index.
    case set(Int)
    /// Continue at both instructions (alternation and repetition).
    case split(Int, Int)
    case jump(Int)
    /// Continue at the next instruction only if the position passes the test.
    case assert(PatternAssertion)
    /// The pattern has matched.
    case match
}

/// A pattern as a nondeterministic automaton, run by ``PatternProgram/matches(_:budget:)``.
///
/// Counted repetition is expanded (`a{2,4}` is `aa` then two optional `a`), so the program's
/// size, and with it the cost of matching one scalar, is bounded by
/// ``SchemaPattern/maximumInstructions``.
struct PatternProgram: Sendable {
    let instructions: [PatternInstruction]
    let sets: [PatternScalarSet]
    /// Every match starts at the string's start (`^…`), so once no thread is alive the search
    /// can stop instead of trying later starting points.
    let anchoredAtStart: Bool

    static func compile(_ parsed: ParsedPattern) throws(PatternSyntaxError) -> PatternProgram {
        var emitter = PatternEmitter()
        try emitter.emit(parsed.root)
        _ = try emitter.append(.match)
        return PatternProgram(instructions: emitter.instructions, sets: parsed.sets,
                              anchoredAtStart: Self.isAnchoredAtStart(parsed.root))
    }

    /// Whether every way through `node` begins with `^`.
    private static func isAnchoredAtStart(_ node: PatternNode) -> Bool {
        switch node {
        case .assertion(.start): true
        case .sequence(let items): items.first.map(isAnchoredAtStart) ?? false
        case .alternatives(let options): options.allSatisfy(isAnchoredAtStart)
        case .repetition(let inner, let repetition): repetition.minimum > 0 && isAnchoredAtStart(inner)
        default: false
        }
    }
}

/// Lays a pattern's tree out as instructions, stopping as soon as there are too many.
private struct PatternEmitter {
    var instructions: [PatternInstruction] = []
    /// The outermost repetition being laid out: the one to blame when the program grows too large.
    private var outermostRepetition: PatternRepetition?

    /// Appends `instruction` and returns its index.
    mutating func append(_ instruction: PatternInstruction) throws(PatternSyntaxError) -> Int {
        let limit = SchemaPattern.maximumInstructions
        guard instructions.count < limit else {
            if let repetition = outermostRepetition {
                throw PatternSyntaxError(offset: repetition.offset, message: "the repetition `\(repetition.text)` at offset \(repetition.offset) makes the pattern larger than \(limit) instructions, the most a pattern may compile to (so matching stays fast): repeat fewer times or a shorter group, or bound the length with minLength and maxLength")
            }
            throw PatternSyntaxError(offset: 0, message: "the pattern is larger than \(limit) instructions, the most a pattern may compile to (so matching stays fast): shorten it")
        }
        instructions.append(instruction)
        return instructions.count - 1
    }

    mutating func emit(_ node: PatternNode) throws(PatternSyntaxError) {
        switch node {
        case .empty:
            break
        case .scalar(let value):
            _ = try append(.scalar(value))
        case .set(let index):
            _ = try append(.set(index))
        case .assertion(let assertion):
            _ = try append(.assert(assertion))
        case .sequence(let items):
            for item in items { try emit(item) }
        case .alternatives(let options):
            // split(first, next split) first jump(end) split(second, …) second jump(end) … last
            var jumpsToEnd: [Int] = []
            for option in options.dropLast() {
                let split = try append(.split(0, 0))
                try emit(option)
                jumpsToEnd.append(try append(.jump(0)))
                instructions[split] = .split(split + 1, instructions.count)
            }
            try emit(options[options.count - 1])
            for jump in jumpsToEnd { instructions[jump] = .jump(instructions.count) }
        case .repetition(let inner, let repetition):
            let enclosing = outermostRepetition
            if enclosing == nil { outermostRepetition = repetition }
            defer { outermostRepetition = enclosing }
            try emitRepetition(inner, minimum: repetition.minimum, maximum: repetition.maximum)
        }
    }

    /// `inner` `minimum` times, then: unbounded, a loop (the last required copy loops back,
    /// so `a+` is one copy); bounded, `maximum - minimum` optional copies, each split able
    /// to skip to the end.
    private mutating func emitRepetition(_ inner: PatternNode, minimum: Int, maximum: Int?) throws(PatternSyntaxError) {
        guard let maximum else {
            if minimum > 0 {
                try emitRepetition(inner, minimum: minimum - 1, maximum: minimum - 1)
                let loop = instructions.count
                try emit(inner)
                _ = try append(.split(loop, instructions.count + 1))
            } else {
                let split = try append(.split(0, 0))
                try emit(inner)
                _ = try append(.jump(split))
                instructions[split] = .split(split + 1, instructions.count)
            }
            return
        }
        for copy in 0..<minimum {
            let before = instructions.count
            try emit(inner)
            // Copies of nothing are nothing: stop, or `((){1000}){1000}` would loop a million times.
            if copy == 0, instructions.count == before { break }
        }
        var skips: [Int] = []
        for _ in minimum..<maximum {
            skips.append(try append(.split(0, 0)))
            try emit(inner)
        }
        for skip in skips { instructions[skip] = .split(skip + 1, instructions.count) }
    }
}
