import PluginHostCore

/// One way a value breaks a schema: where (a JSON pointer) and what to do about it.
///
/// `path` is an RFC 6901 pointer: into the parameters for ``ParameterSchema/validate(_:)``
/// (`""` is the parameters object itself, `/filter/0/name` a nested value), into the schema
/// for a schema that does not compile. `message` completes a sentence whose subject is the
/// value at `path`: "must be at least 1, got 0", "is required".
public struct SchemaViolation: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path message`, or `(root) message` for the root, as a person reads it.
    public var description: String { (path.isEmpty ? "(root)" : path) + " " + message }
}

/// A node's parameter schema, compiled once so checking parameters costs no parsing.
///
/// Parameters are checked before any plugin code runs, so a plugin only ever sees values its
/// schema allows. This is the reference for the supported JSON Schema subset; the scan-time
/// check (`ManifestCheck+Schema.swift`) rejects any other keyword, so nothing an author writes
/// is silently ignored.
///
/// | keyword | meaning here |
/// |---|---|
/// | `type` | a name or a non-empty array of distinct names: `null`, `boolean`, `object`, `array`, `number`, `integer`, `string`. `integer` accepts any number with no fractional part (`2.0` too); `number` accepts integers. |
/// | `properties` | an object mapping member names to schemas; each present member is checked against its schema. |
/// | `required` | member names that must be present (a missing one with a `default` is filled instead). |
/// | `additionalProperties` | `true`/absent: other members allowed; `false`: each other member is a violation; a schema: each other member is checked against it. |
/// | `enum` | the value must equal one of these (JSON equality, below). |
/// | `const` | the value must equal this (JSON equality). |
/// | `minimum`, `maximum` | inclusive bounds on numbers, compared exactly (64-bit integers are not rounded through `Double`). |
/// | `minLength`, `maxLength` | bounds on a string's length in Unicode scalars (JSON Schema's code points): `"é"` written as `e` + U+0301 is 2, an emoji flag is 2. |
/// | `pattern` | a regular expression that must match somewhere in the string (unanchored, as JSON Schema: write `^…$` to match the whole string). Matched by the host's own engine (``SchemaPattern``) in time linear in the string's length: it never backtracks, so no pattern can make a check slow (`^(a+)+$` costs what `^a+$` does). The dialect is this subset of ECMA-262, with the syntax of its `u` flag, matched over Unicode scalars and compared byte-exactly (no normalization): literals; `.` (any scalar but the line terminators \n, \r, U+2028, U+2029); `\d` `\D` `\w` `\W`, ASCII as in ECMA-262 (`\d` is `[0-9]`, never Arabic-Indic digits; `\w` is `[A-Za-z0-9_]`); `\s` `\S` (ECMA's white space and line terminators); `^` (the start), `$` (the very end, never before a final newline), `\b` `\B` (ASCII word boundary); `\t` `\n` `\r` `\f` `\v` `\0`, `\xHH`, `\uHHHH` (a surrogate pair is one scalar), `\u{H…}`, and `\` before one of `^$\.*+?()[]{}\|/-`; classes `[…]` and `[^…]` with ranges and the class escapes (`\b` in a class is a backspace); groups `(…)`, `(?:…)`, `(?<name>…)`; alternation `\|`; quantifiers `*` `+` `?` `{n}` `{n,}` `{n,m}` and their lazy forms (which match the same strings). Counts are at most 1000, and a pattern compiles to at most 4 000 instructions (``SchemaPattern/maximumInstructions``); the host bounds a check by the node's `timeoutMs` (``validate(_:deadline:)``). Rejected at scan time as META_BAD_SCHEMA, with the construct, its offset and what to write instead, because linear-time matching cannot run them or dialects disagree on them: backreferences (`\1`, `\k<name>`), lookahead and lookbehind (`(?=` `(?!` `(?<=` `(?<!`), property escapes (`\p{…}`), `\c`, octal and other unknown escapes, inline flags and modifiers (`(?i)`), and a lone `{`, `}` or `]` (escape it). |
/// | `items` | one schema every array element is checked against. |
/// | `minItems`, `maxItems` | bounds on an array's element count. |
/// | `default` | a value filled in for a missing member of an object (below). |
/// | `description`, `title` | annotations, ignored. |
///
/// A keyword applies only to the kinds of value it is about (`minimum` to numbers, `pattern`
/// to strings, `items` to arrays, `properties` to objects), as in JSON Schema; `type` is what
/// restricts the kind. The schema `true` or `{}` accepts anything; `false` accepts nothing.
///
/// JSON equality (`enum`, `const`): numbers compare by value (`2 == 2.0`), strings by their
/// Unicode scalars (no normalization, as JSON Schema), arrays element by element, objects by
/// their members whatever the order.
///
/// Defaults: for each object being checked, a property that is missing and has a `default`
/// is added with that value (after the members present, in schema order), before `required`
/// is checked, so a required property with a default is never reported missing. Defaults are
/// filled recursively into objects that are present, including array elements, and into a
/// default object itself. A default is checked like any other value: a default that breaks
/// its own schema is reported at the member's path with "(the schema's default)" appended,
/// so such parameters never reach the plugin; ``defaultViolations`` lists those defaults at
/// compile time so they can be reported at scan time. The root schema's own `default` is not
/// used (parameters are always present).
///
/// Validation reports every violation, not just the first: in each object, members in the
/// order they were passed, then missing required members in schema order.
public struct ParameterSchema: Sendable {
    let root: SchemaNode

    /// Every `default` that breaks its own schema, located by a pointer into the schema
    /// (`/properties/count/default`). Empty for a well-written schema.
    public let defaultViolations: [SchemaViolation]

    /// Compiles `schema`: patterns compiled, enum and const values kept, property tables built.
    ///
    /// Every schema that passes the scan-time check compiles. Anything else (an unsupported
    /// keyword, a malformed keyword value, a pattern that does not compile) throws the first
    /// problem found, located by a pointer into the schema.
    public init(_ schema: JSONValue) throws(SchemaViolation) {
        var defaults: [SchemaViolation] = []
        root = try SchemaCompiler.compile(schema, at: "", defaultViolations: &defaults)
        defaultViolations = defaults
    }

    /// Fills `default`s for missing members, then checks the parameters against the schema.
    ///
    /// Returns the parameters to pass to the plugin (the input itself, unchanged and not
    /// copied, when no default was filled) and every violation; the call is valid exactly
    /// when `violations` is empty.
    public func validate(_ parameters: JSONValue) -> (parameters: JSONValue, violations: [SchemaViolation]) {
        var violations: [SchemaViolation] = []
        let filled = SchemaChecker.check(parameters, root, &violations)
        return (filled ?? parameters, violations)
    }

    /// ``validate(_:)`` bounded in time: throws ``ValidationDeadlinePassed`` soon after
    /// `deadline` (a ``WallClock/monotonicNanoseconds()`` time; nil: no limit) passes, and the
    /// parameters are then neither valid nor invalid.
    ///
    /// The walk checks the deadline between values and the pattern matcher inside long
    /// strings, both through one ``ValidationBudget`` that reads the clock only every ~65 000
    /// matcher steps of work, so a bounded validation costs what an unbounded one does. The
    /// host passes the node's `timeoutMs` deadline: linear-time matching still costs
    /// microseconds per scalar near ``SchemaPattern/maximumInstructions``, and validation runs
    /// before the plugin's call is timed.
    public func validate(
        _ parameters: JSONValue, deadline: UInt64?
    ) throws(ValidationDeadlinePassed) -> (parameters: JSONValue, violations: [SchemaViolation]) {
        var violations: [SchemaViolation] = []
        var budget = ValidationBudget(deadline: deadline)
        let filled = try SchemaChecker.check(parameters, root, &violations, &budget)
        return (filled ?? parameters, violations)
    }

    /// Whether the schema accepts every value unchanged (`true`, `{}`, or annotations only),
    /// so a caller may skip validation and caching altogether.
    public var acceptsEverything: Bool { root.isTrivial }

    /// Whether remembering outcomes pays: the schema has a `pattern` (a match costs
    /// microseconds) or a `default` (filling allocates a new object on every call).
    ///
    /// Without them a check costs a few comparisons per value, less than hashing and
    /// comparing the parameters for a cache lookup (measured: about 700 instructions to
    /// validate `{"a":2,"b":3}`, about 2 200 for a cache hit on it), so a cache should
    /// validate such calls directly.
    public var isWorthCaching: Bool { root.isWorthCaching }
}
