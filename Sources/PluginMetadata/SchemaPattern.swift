/// A schema's `pattern`, compiled by the host's own matcher so that checking a string takes
/// time linear in its length, whatever the pattern.
///
/// Why not Swift's `Regex`: it backtracks, so a plugin's schema could make parameter checking
/// (which runs before any time limit applies) take exponential time — `^(a+)+$` took 49 s on
/// 21 characters. Here a pattern is parsed into a small automaton and run as a Thompson NFA
/// simulation (``PatternProgram/matches(_:budget:)``): time O(program size × input scalars), memory
/// O(program size), the program capped at ``maximumInstructions``.
///
/// The dialect is the subset of ECMA-262 (JSON Schema's dialect), with the syntax of the `u`
/// flag, that such a matcher can run exactly; ``ParameterSchema`` documents it. Everything
/// else — backreferences, lookaround, property escapes, inline flags — is a
/// ``PatternSyntaxError`` naming the construct, its offset and what to write instead. The scan
/// check and the validator both call ``compile(_:)``: one parser, one dialect.
///
/// A public entry point so that a fuzz target can drive the parser and matcher directly.
public struct SchemaPattern: Sendable {
    /// The pattern as written, for messages.
    public let source: String
    let program: PatternProgram

    /// The most a counted repetition `{n,m}` may count.
    public static let maximumRepetition = 1_000
    /// The most instructions a pattern may compile to (each costs a little on every scalar matched).
    ///
    /// 4 000: realistic patterns compile to well under 1 000 (an e-mail address check to 12, an
    /// ISO 8601 timestamp to about 50), and 4 000 still admits two counts of 1000 over one
    /// scalar or class (`[0-9a-f]{0,1000}` is 2 001). It was 10 000; near the cap a match
    /// costs per scalar what the program's size is, measured at ~49 µs per scalar for 10 000
    /// in release, so the lower cap cuts the worst case per character by 2.5×. The node's
    /// deadline (``matches(_:deadline:)``) is what bounds a long input.
    public static let maximumInstructions = 4_000

    private init(source: String, program: PatternProgram) {
        self.source = source
        self.program = program
    }

    /// Parses and compiles `source`; the failure names the first construct the host does not
    /// accept. Linear in the length of `source`, and bounded by ``maximumInstructions``.
    public static func compile(_ source: String) -> Result<SchemaPattern, PatternSyntaxError> {
        do throws(PatternSyntaxError) {
            let program = try PatternProgram.compile(PatternParser.parse(source))
            return .success(SchemaPattern(source: source, program: program))
        } catch {
            return .failure(error)
        }
    }

    /// Whether the pattern matches anywhere in `string` (write `^…$` for the whole string),
    /// scalar by scalar and byte-exactly: no grapheme clustering, no normalization.
    public func matches(_ string: String) -> Bool {
        var unbounded = ValidationBudget(deadline: nil)
        do {
            return try program.matches(string.unicodeScalars, budget: &unbounded)
        } catch {
            preconditionFailure("a match without a deadline cannot run out of time")
        }
    }

    /// ``matches(_:)``, stopping with ``ValidationDeadlinePassed`` soon after `deadline` (a
    /// ``WallClock/monotonicNanoseconds()`` time; nil: no limit) passes. The clock is read
    /// every few thousand scalars for an ordinary pattern, every few dozen for one near
    /// ``maximumInstructions`` (see ``ValidationBudget``), so the check costs almost nothing.
    public func matches(_ string: String, deadline: UInt64?) throws(ValidationDeadlinePassed) -> Bool {
        var budget = ValidationBudget(deadline: deadline)
        return try matches(string, budget: &budget)
    }

    /// The match as one step of a schema walk, spending the walk's budget.
    func matches(_ string: String, budget: inout ValidationBudget) throws(ValidationDeadlinePassed) -> Bool {
        try program.matches(string.unicodeScalars, budget: &budget)
    }
}

/// Why a pattern is not accepted: where, and a sentence saying what to write instead.
public struct PatternSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the offending construct starts: the index, from 0, of its first Unicode scalar
    /// in the pattern.
    public let offset: Int
    /// Names the construct and its offset, and says what to write instead: "the lookahead
    /// `(?=` at offset 2 is not supported (…): rewrite the pattern without it, …".
    public let message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { message }
}
