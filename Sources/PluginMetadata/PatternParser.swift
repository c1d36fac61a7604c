/// One piece of a parsed pattern. Groups leave no node of their own and captures are not
/// kept: a schema only asks whether a string matches.
indirect enum PatternNode: Sendable {
    /// Matches the empty string (an empty alternative, `()`, `{0}`).
    case empty
    /// One scalar, by value.
    case scalar(UInt32)
    /// One scalar of a set: an index into ``ParsedPattern/sets``.
    case set(Int)
    case assertion(PatternAssertion)
    case sequence([PatternNode])
    case alternatives([PatternNode])
    case repetition(PatternNode, PatternRepetition)
}

/// A zero-width test of the position between two scalars.
enum PatternAssertion: Sendable {
    /// `^`: the start of the string (there is no multiline flag).
    case start
    /// `$`: the very end of the string, never before a final newline.
    case end
    /// `\b`: a `\w` character on exactly one side.
    case wordBoundary
    /// `\B`: not a word boundary.
    case notWordBoundary
}

/// A quantifier: `*` is 0 and nil, `{2,3}` is 2 and 3. Lazy forms match the same strings,
/// so laziness is not kept. `offset` and `text` locate it for the size-limit message.
struct PatternRepetition: Sendable {
    let minimum: Int
    let maximum: Int?
    let offset: Int
    let text: String
}

/// A pattern's tree and the scalar sets its `.set` nodes refer to (by index, so a class under
/// `{1000}` is stored once however often the program repeats it).
struct ParsedPattern: Sendable {
    let root: PatternNode
    let sets: [PatternScalarSet]
}

/// Reads the ECMA-262 subset ``SchemaPattern`` documents, with the syntax of the `u` flag
/// (a lone `{`, `}` or `]` is an error, not a literal; escapes are only the known ones).
///
/// The one parser of schema patterns: the scan-time check and ``ParameterSchema`` both reach
/// it through ``SchemaPattern/compile(_:)``, so what a scan accepts is what the validator runs.
/// Recursive descent over an array of the pattern's scalars, linear in its length; groups
/// nest at most ``maximumGroupDepth`` deep so hostile input cannot exhaust the stack.
struct PatternParser {
    let scalars: [Unicode.Scalar]
    var position = 0
    var groupDepth = 0
    var sets: [PatternScalarSet] = []

    /// Deep enough for any pattern a person writes; shallow enough for a thread's stack.
    static let maximumGroupDepth = 100

    private init(_ source: String) { scalars = Array(source.unicodeScalars) }

    static func parse(_ source: String) throws(PatternSyntaxError) -> ParsedPattern {
        var parser = PatternParser(source)
        let root = try parser.alternatives()
        if parser.position < parser.scalars.count {  // only `)` stops the top level early
            throw parser.failure(at: parser.position, "`)` at offset \(parser.position) closes no group: remove it, or write `\\)` for a literal parenthesis")
        }
        return ParsedPattern(root: root, sets: parser.sets)
    }

    // MARK: Reading

    var next: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    func scalar(at index: Int) -> Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    /// The source text from `start` to the current position, for messages.
    func text(from start: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<min(position, scalars.count)])
        return String(view)
    }

    func failure(at offset: Int, _ message: String) -> PatternSyntaxError {
        PatternSyntaxError(offset: offset, message: message)
    }

    /// Registers a set and returns the node that matches one of its scalars. Not deduplicated
    /// (a search would make parsing quadratic): the table grows with the pattern's length, and
    /// a repeated class shares its entry because the program repeats the node, not the set.
    mutating func setNode(_ set: PatternScalarSet) -> PatternNode {
        sets.append(set)
        return .set(sets.count - 1)
    }

    // MARK: Structure

    /// Alternatives separated by `|`, up to a `)` or the end.
    mutating func alternatives() throws(PatternSyntaxError) -> PatternNode {
        var options = [try sequence()]
        while next == "|" {
            position += 1
            options.append(try sequence())
        }
        return options.count == 1 ? options[0] : .alternatives(options)
    }

    /// Terms, each an atom with at most one quantifier, up to a `|`, a `)` or the end.
    mutating func sequence() throws(PatternSyntaxError) -> PatternNode {
        var items: [PatternNode] = []
        while let scalar = next, scalar != "|", scalar != ")" {
            let start = position
            let (atom, repeatable) = try atomAndRepeatable()
            let atomText = text(from: start)
            guard let repetition = try quantifier() else {
                items.append(atom)
                continue
            }
            guard repeatable else {
                throw failure(at: repetition.offset, "the quantifier `\(repetition.text)` at offset \(repetition.offset) follows the assertion `\(atomText)`, which matches no character and cannot be repeated: remove the quantifier")
            }
            items.append(.repetition(atom, repetition))
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .sequence(items)
    }

    /// One atom, and whether a quantifier may follow it (not after an assertion, as with the `u` flag).
    mutating func atomAndRepeatable() throws(PatternSyntaxError) -> (PatternNode, Bool) {
        let start = position
        let scalar = scalars[position]
        position += 1
        switch scalar {
        case "^": return (.assertion(.start), false)
        case "$": return (.assertion(.end), false)
        case ".": return (setNode(.anyButLineTerminator), true)
        case "(": return (try group(openedAt: start), true)
        case "[": return (try characterClass(openedAt: start), true)
        case "\\":
            switch try escape(at: start, inClass: false) {
            case .scalar(let value): return (.scalar(value), true)
            case .set(let set): return (setNode(set), true)
            case .assertion(let assertion): return (.assertion(assertion), false)
            }
        case "*", "+", "?", "{":
            throw failure(at: start, "the quantifier `\(scalar)` at offset \(start) has nothing to repeat: put it after a character, a class or a group, or write `\\\(scalar)` for a literal `\(scalar)`")
        case "}", "]":
            throw failure(at: start, "`\(scalar)` at offset \(start) has no opening bracket: write `\\\(scalar)` for a literal `\(scalar)`")
        default:
            return (.scalar(scalar.value), true)
        }
    }

    /// `*`, `+`, `?` or `{n}`, `{n,}`, `{n,m}`, each optionally followed by the lazy `?`; nil when
    /// none follows.
    mutating func quantifier() throws(PatternSyntaxError) -> PatternRepetition? {
        let start = position
        let minimum: Int, maximum: Int?
        switch next {
        case "*": (minimum, maximum) = (0, nil)
        case "+": (minimum, maximum) = (1, nil)
        case "?": (minimum, maximum) = (0, 1)
        case "{": (minimum, maximum) = try countedBounds()
        default: return nil
        }
        if scalars[start] != "{" { position += 1 }  // countedBounds already stepped past its `}`
        if next == "?" { position += 1 }  // lazy: the same strings match
        return PatternRepetition(minimum: minimum, maximum: maximum, offset: start, text: text(from: start))
    }

    /// The bounds of `{n}`, `{n,}` or `{n,m}`, the position left after the `}`.
    mutating func countedBounds() throws(PatternSyntaxError) -> (Int, Int?) {
        let start = position
        position += 1
        let limit = SchemaPattern.maximumRepetition
        func malformed() -> PatternSyntaxError {
            failure(at: start, "`{` at offset \(start) does not start a repetition `{n}`, `{n,}` or `{n,m}`: write the count (`{0,3}`, not `{,3}`), or `\\{` for a literal brace")
        }
        guard let minimum = number() else { throw malformed() }
        var maximum: Int? = minimum
        if next == "," {
            position += 1
            maximum = next == "}" ? nil : number()
            if maximum == nil, next != "}" { throw malformed() }
        }
        guard next == "}" else { throw malformed() }
        position += 1
        let written = text(from: start)
        if minimum > limit || (maximum ?? 0) > limit {
            throw failure(at: start, "the repetition `\(written)` at offset \(start) counts above \(limit), the most a pattern may count (so its program stays small): use `*` or `+` for an unbounded repetition, or bound the length with minLength and maxLength")
        }
        if let maximum, maximum < minimum {
            throw failure(at: start, "the repetition `\(written)` at offset \(start) has its smaller count last: write `{\(maximum),\(minimum)}`")
        }
        return (minimum, maximum)
    }

    /// A decimal number, saturated just above the repetition limit (its value is then only
    /// reported as too large); nil when no digit is next.
    mutating func number() -> Int? {
        var value: Int?
        while let scalar = next, ("0"..."9").contains(scalar) {
            value = min((value ?? 0) * 10 + Int(scalar.value - 0x30), SchemaPattern.maximumRepetition + 1)
            position += 1
        }
        return value
    }

    /// After `(`: a group's alternatives up to its `)`. Only `( )`, `(?: )` and `(?<name> )`;
    /// lookaround and modifiers are rejected with what to write instead.
    mutating func group(openedAt start: Int) throws(PatternSyntaxError) -> PatternNode {
        if next == "?" {
            let kind: String? = switch (scalar(at: position + 1), scalar(at: position + 2)) {
            case ("=", _): "lookahead `(?=`"
            case ("!", _): "negative lookahead `(?!`"
            case ("<", "="): "lookbehind `(?<=`"
            case ("<", "!"): "negative lookbehind `(?<!`"
            default: nil
            }
            if let kind {
                throw failure(at: start, "the \(kind) at offset \(start) is not supported (patterns are matched in linear time, without lookaround): rewrite the pattern without it, for instance with a class such as `[^x]`, or check the condition in the plugin")
            }
            switch scalar(at: position + 1) {
            case ":":
                position += 2
            case "<":
                position += 2
                try groupName(openedAt: start)
            default:
                let written = scalar(at: position + 1).map { "(?\($0)" } ?? "(?"
                throw failure(at: start, "the group `\(written)` at offset \(start) is not supported (no inline flags or modifiers): use `(?:…)` for a group, and write both cases in a class such as `[Aa]` instead of a case-insensitive flag")
            }
        }
        guard groupDepth < Self.maximumGroupDepth else {
            throw failure(at: start, "the group at offset \(start) nests deeper than \(Self.maximumGroupDepth) groups, the most a pattern may nest: flatten the pattern")
        }
        groupDepth += 1
        let inside = try alternatives()
        groupDepth -= 1
        guard next == ")" else {
            throw failure(at: start, "the group opened at offset \(start) is never closed: add `)`, or write `\\(` for a literal parenthesis")
        }
        position += 1
        return inside
    }

    /// After `(?<`: a group name, an identifier as in ECMA-262, and its `>`.
    mutating func groupName(openedAt start: Int) throws(PatternSyntaxError) {
        let nameStart = position
        while let scalar = next, scalar != ">" {
            let first = position == nameStart
            let allowed = scalar == "$" || scalar == "_"
                || (first ? scalar.properties.isIDStart : scalar.properties.isIDContinue || scalar == "\u{200C}" || scalar == "\u{200D}")
            guard allowed else {
                throw failure(at: position, "the group name starting at offset \(nameStart) has `\(scalar)` at offset \(position), which a name may not contain: use letters, digits (not first), `_` and `$`, ending with `>`")
            }
            position += 1
        }
        guard next == ">", position > nameStart else {
            throw failure(at: start, "the named group at offset \(start) has \(position == nameStart ? "an empty name" : "no `>` after its name"): write `(?<name>…)`")
        }
        position += 1
    }
}
