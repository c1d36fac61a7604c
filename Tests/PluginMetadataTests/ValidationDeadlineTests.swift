import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import Testing

/// Near ``SchemaPattern/maximumInstructions`` every start position keeps ~4 000 threads alive
/// on a run of `a` with no `b`: measured 90–280 µs per scalar in a debug build on a loaded
/// machine (about 20 µs in release), so a megabyte of `a` takes minutes unbounded.
let nearCapPattern = "[a-c]{0,1000}[a-c]{0,990}b"  // 3 982 instructions

/// A ``WallClock/monotonicNanoseconds()`` time `milliseconds` from now (negative: in the past).
func monotonicDeadline(inMs milliseconds: Int) -> UInt64 {
    UInt64(Int64(WallClock.monotonicNanoseconds()) + Int64(milliseconds) * 1_000_000)
}

/// Seconds `body` takes on the monotonic clock.
private func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = WallClock.monotonicNanoseconds()
    try body()
    return Double(WallClock.monotonicNanoseconds() - start) / 1e9
}

@Suite("Validation deadline: the matcher and the schema walk stop when it passes")
struct ValidationDeadlineTests {
    private func pattern(_ source: String) throws -> SchemaPattern {
        switch SchemaPattern.compile(source) {
        case .success(let compiled): return compiled
        case .failure(let error): throw error
        }
    }

    @Test("a match near the instruction cap on 1 MB stops soon after a 50 ms deadline")
    func matcherStopsAtDeadline() throws {
        let compiled = try pattern(nearCapPattern)
        let input = String(repeating: "a", count: 1_000_000)
        let deadline = monotonicDeadline(inMs: 50)
        var stopped: ValidationDeadlinePassed?
        let elapsed = seconds {
            do throws(ValidationDeadlinePassed) { _ = try compiled.matches(input, deadline: deadline) } catch { stopped = error }
        }
        #expect(stopped == ValidationDeadlinePassed(deadline: deadline))
        #expect(elapsed < TimeBound.seconds(3), "took \(elapsed) s")
    }

    @Test("a generous deadline changes no answer", arguments: [
        ("^a+$", "aaaa", true), ("^a+$", "aab", false), ("b", "aaab", true), (nearCapPattern, "aaab", true),
    ])
    func generousDeadline(source: String, input: String, expected: Bool) throws {
        let compiled = try pattern(source)
        #expect(try compiled.matches(input, deadline: monotonicDeadline(inMs: 60_000)) == expected)
        #expect(try compiled.matches(input, deadline: nil) == expected)
        #expect(compiled.matches(input) == expected)
    }

    @Test("the clock is read every few thousand scalars, not per scalar: a short match finishes even past its deadline")
    func clockReadSparingly() throws {
        let compiled = try pattern("^[a-z]+$")
        let past = monotonicDeadline(inMs: -1_000)
        #expect(try compiled.matches(String(repeating: "a", count: 500), deadline: past))
        // A long one does read it, and stops.
        #expect(throws: ValidationDeadlinePassed.self) {
            try compiled.matches(String(repeating: "a", count: 1_000_000), deadline: past)
        }
    }

    @Test("the schema walk checks the deadline between values, without any pattern")
    func walkStopsBetweenValues() throws {
        let schema = try ParameterSchema(["type": "object", "properties": ["n": ["type": "array", "items": ["type": "integer"]]]])
        let many: JSONValue = ["n": .array((0..<100_000).map { .int(Int64($0)) })]
        let past = monotonicDeadline(inMs: -1_000)
        #expect(throws: ValidationDeadlinePassed.self) { try schema.validate(many, deadline: past) }
        // A small object costs less than one allowance: checked in full, nothing read.
        let small = try schema.validate(["n": [1, 2, "x"]], deadline: past)
        #expect(small.violations.map(\.path) == ["/n/2"])
        #expect(schema.validate(many).violations.isEmpty)
    }

    @Test("ParameterSchema.validate(_:deadline:) stops a hostile pattern on a long string parameter quickly")
    func validatorStopsHostilePattern() throws {
        let schema = try ParameterSchema([
            "type": "object", "properties": ["text": ["type": "string", "pattern": .string(nearCapPattern)]],
        ])
        let parameters: JSONValue = ["text": .string(String(repeating: "a", count: 1_000_000))]
        let deadline = monotonicDeadline(inMs: 50)
        var stopped = false
        let elapsed = seconds {
            do { _ = try schema.validate(parameters, deadline: deadline) } catch { stopped = true }
        }
        #expect(stopped)
        #expect(elapsed < TimeBound.seconds(3), "took \(elapsed) s")
        // Without a deadline the same pattern on a short string is checked as before.
        #expect(schema.validate(["text": "aab"]).violations.isEmpty)
        #expect(schema.validate(["text": "aaa"]).violations.map(\.path) == ["/text"])
    }
}
