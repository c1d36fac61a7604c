/// What an escape stands for: one scalar, a set (`\d`), or a zero-width test (`\b`).
enum PatternEscape {
    case scalar(UInt32)
    case set(PatternScalarSet)
    case assertion(PatternAssertion)
}

extension PatternParser {
    /// After the `\` at `start`: the escapes ``SchemaPattern`` documents. Everything else is an
    /// error saying what to write instead, rather than a guess: an unknown escape means
    /// something different in each dialect (`\p{L}`, `\Z`, `\h`), and silently reading it as a
    /// literal would check something the author did not ask for.
    mutating func escape(at start: Int, inClass: Bool) throws(PatternSyntaxError) -> PatternEscape {
        guard let scalar = next else {
            throw failure(at: start, "`\\` at the end of the pattern (offset \(start)) escapes nothing: write `\\\\` for a literal backslash")
        }
        position += 1
        switch scalar {
        case "d": return .set(.digits)
        case "D": return .set(PatternScalarSet.digits.inverted)
        case "w": return .set(.wordCharacters)
        case "W": return .set(PatternScalarSet.wordCharacters.inverted)
        case "s": return .set(.whitespace)
        case "S": return .set(PatternScalarSet.whitespace.inverted)
        case "b": return inClass ? .scalar(0x08) : .assertion(.wordBoundary)  // in a class, backspace
        case "B":
            if inClass {
                throw failure(at: start, "`\\B` at offset \(start) is inside a class, where it means nothing: move it out of the brackets")
            }
            return .assertion(.notWordBoundary)
        case "t": return .scalar(0x09)
        case "n": return .scalar(0x0A)
        case "v": return .scalar(0x0B)
        case "f": return .scalar(0x0C)
        case "r": return .scalar(0x0D)
        case "0":
            if let digit = next, ("0"..."9").contains(digit) {
                throw failure(at: start, "`\\0\(digit)` at offset \(start) is an octal escape, which is not supported: write the scalar as `\\xHH` or `\\u{H…}`")
            }
            return .scalar(0)
        case "1"..."9":
            while let digit = next, ("0"..."9").contains(digit) { position += 1 }
            throw failure(at: start, "the backreference `\(text(from: start))` at offset \(start) is not supported (patterns are matched in linear time, and a backreference cannot be): write the group's pattern again instead of referring to what it matched, or check equality in the plugin")
        case "k":
            if next == "<" { while let name = next, name != ">" { position += 1 }; if next == ">" { position += 1 } }
            throw failure(at: start, "the named backreference `\(text(from: start))` at offset \(start) is not supported (patterns are matched in linear time, and a backreference cannot be): write the group's pattern again instead of referring to what it matched, or check equality in the plugin")
        case "x":
            guard let value = hexDigits(count: 2) else {
                throw failure(at: start, "`\\x` at offset \(start) needs two hex digits, as in `\\x41`: write them, or `x` alone for a literal x")
            }
            return .scalar(value)
        case "u":
            return .scalar(try unicodeEscape(at: start))
        case "p", "P":
            throw failure(at: start, "the Unicode property escape `\\\(scalar)` at offset \(start) is not supported: list the scalars in a class instead, such as `[A-Za-z\\u00C0-\\u024F]`")
        case "c":
            throw failure(at: start, "the control escape `\\c` at offset \(start) is not supported: write the control character as `\\xHH`, such as `\\x01` for `\\cA`")
        case "^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/", "-":
            return .scalar(scalar.value)
        default:
            throw failure(at: start, "`\\\(scalar)` at offset \(start) is not an escape a pattern may use: write `\(scalar)` without the backslash for the character itself, or `\\\\` for a literal backslash")
        }
    }

    /// After `\u`: `HHHH` (a surrogate pair `\uD83D\uDE00` is one scalar, as with the `u`
    /// flag) or `{H…}` up to U+10FFFF. A lone surrogate is an error: no string holds one, so
    /// it could never match.
    private mutating func unicodeEscape(at start: Int) throws(PatternSyntaxError) -> UInt32 {
        let value: UInt32
        if next == "{" {
            position += 1
            var digits = 0
            var total: UInt32 = 0
            while let scalar = next, let digit = scalar.properties.isASCIIHexDigit ? UInt32(String(scalar), radix: 16) : nil {
                total = min(total * 16 + digit, 0x110000)  // saturated: any more is too large anyway
                digits += 1
                position += 1
            }
            guard digits > 0, next == "}" else {
                throw failure(at: start, "`\\u{` at offset \(start) needs hex digits and a closing brace, as in `\\u{1F600}`")
            }
            position += 1
            guard total <= PatternScalarSet.largestScalar else {
                throw failure(at: start, "`\(text(from: start))` at offset \(start) is above U+10FFFF, the largest Unicode scalar: fix the code point")
            }
            value = total
        } else {
            guard let high = hexDigits(count: 4) else {
                throw failure(at: start, "`\\u` at offset \(start) needs four hex digits (`\\u00E9`) or a code point in braces (`\\u{1F600}`)")
            }
            value = high
            if (0xD800...0xDBFF).contains(high), next == "\\", scalar(at: position + 1) == "u" {
                let saved = position
                position += 2
                if let low = hexDigits(count: 4), (0xDC00...0xDFFF).contains(low) {
                    return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                }
                position = saved
            }
        }
        if (0xD800...0xDFFF).contains(value) {
            throw failure(at: start, "`\(text(from: start))` at offset \(start) is a lone surrogate, which no string contains: write the scalar itself as `\\u{H…}`, or a complete surrogate pair such as `\\uD83D\\uDE00`")
        }
        return value
    }

    /// Exactly `count` hex digits, consumed; nil (nothing consumed) when they are not there.
    private mutating func hexDigits(count: Int) -> UInt32? {
        var value: UInt32 = 0
        for index in 0..<count {
            guard let scalar = scalar(at: position + index), scalar.properties.isASCIIHexDigit,
                  let digit = UInt32(String(scalar), radix: 16) else { return nil }
            value = value * 16 + digit
        }
        position += count
        return value
    }

    /// After `[` at `start`: a class, `[^…]` negated, with ranges and class escapes, up to its `]`.
    /// With the `u` flag's rules: a range's ends are single scalars, in order; `-` first, last
    /// or right after a range is a literal; `[]` matches nothing and `[^]` any scalar.
    mutating func characterClass(openedAt start: Int) throws(PatternSyntaxError) -> PatternNode {
        let negated = next == "^"
        if negated { position += 1 }
        var ranges: [ClosedRange<UInt32>] = []
        while true {
            guard let scalar = next else {
                throw failure(at: start, "the class opened at offset \(start) is never closed: add `]`, or write `\\[` for a literal bracket")
            }
            if scalar == "]" {
                position += 1
                break
            }
            let atomStart = position
            let first = try classAtom()
            guard next == "-", let after = self.scalar(at: position + 1), after != "]" else {
                switch first {
                case .scalar(let value): ranges.append(value...value)
                case .set(let set): ranges.append(contentsOf: set.ranges)
                case .assertion: break  // classAtom never returns one
                }
                continue
            }
            position += 1
            let second = try classAtom()
            guard case .scalar(let low) = first, case .scalar(let high) = second else {
                throw failure(at: atomStart, "the range `\(text(from: atomStart))` at offset \(atomStart) has a class escape such as `\\d` at one end, but a range goes from one character to another: write `\\-` for a literal hyphen")
            }
            guard low <= high else {
                throw failure(at: atomStart, "the range `\(text(from: atomStart))` at offset \(atomStart) is out of order: write its lower end first")
            }
            ranges.append(low...high)
        }
        let set = PatternScalarSet(ranges)
        return setNode(negated ? set.inverted : set)
    }

    /// One scalar or class escape inside a class.
    private mutating func classAtom() throws(PatternSyntaxError) -> PatternEscape {
        let start = position
        let scalar = scalars[position]
        position += 1
        return scalar == "\\" ? try escape(at: start, inClass: true) : .scalar(scalar.value)
    }
}
