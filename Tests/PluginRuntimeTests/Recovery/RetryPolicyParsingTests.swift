import PluginHostCore
import Testing
@testable import PluginRuntime

@Suite("Recovery: parsing retry policies")
struct RecoveryRetryPolicyParsingTests {
    private let pointer = "/nodes/0/retry"

    private func parse(_ json: JSONValue, defaults: RetryPolicy = RetryPolicy()) -> (RetryPolicy?, [Problem]) {
        RetryPolicy.parse(json, defaults: defaults, pointer: pointer)
    }

    /// The single problem's severity and message, for exact assertions.
    private func only(_ problems: [Problem]) -> (Severity, String)? {
        guard problems.count == 1, problems[0].code == .recoveryInvalid else { return nil }
        return (problems[0].severity, problems[0].message)
    }

    @Test("every field is read")
    func allFields() throws {
        let (policy, problems) = parse([
            "initialIntervalMs": 250, "backoffCoefficient": 3, "maximumIntervalMs": 9000.5, "maximumAttempts": 4,
            "nonRetryableErrorCodes": ["EXECUTION_TIMEOUT"], "backoff": "exponential", "jitter": 0.25,
        ])
        #expect(problems.isEmpty)
        #expect(policy == RetryPolicy(
            initialIntervalMs: 250, backoffCoefficient: 3, maximumIntervalMs: 9000.5, maximumAttempts: 4,
            nonRetryableErrorCodes: [.executionTimeout], backoff: .exponential, jitter: 0.25
        ))
    }

    @Test("an empty object gives the defaults unchanged")
    func emptyObject() {
        let defaults = RetryPolicy(initialIntervalMs: 10, maximumAttempts: 7)
        let (policy, problems) = parse([:], defaults: defaults)
        #expect(problems.isEmpty)
        #expect(policy == defaults)
    }

    @Test("a node's retry overrides the workflow's field by field")
    func nodeOverridesWorkflow() throws {
        let (workflow, workflowProblems) = RetryPolicy.parse(
            ["maximumAttempts": 3, "initialIntervalMs": 200, "nonRetryableErrorCodes": ["EXECUTION_ERROR"]],
            defaults: RetryPolicy(), pointer: "/settings/retry"
        )
        #expect(workflowProblems.isEmpty)
        let (node, nodeProblems) = parse(["backoff": "linear", "nonRetryableErrorCodes": []], defaults: try #require(workflow))
        #expect(nodeProblems.isEmpty)
        #expect(node == RetryPolicy(initialIntervalMs: 200, maximumAttempts: 3, nonRetryableErrorCodes: [], backoff: .linear))
    }

    @Test("maximumIntervalMs null restores the 100 × initial rule")
    func nullMaximumInterval() {
        let (policy, problems) = parse(["maximumIntervalMs": nil], defaults: RetryPolicy(maximumIntervalMs: 5000))
        #expect(problems.isEmpty)
        #expect(policy?.maximumIntervalMs == nil)
        #expect(policy?.effectiveMaximumIntervalMs == 100_000)
    }

    @Test("a whole number written as 3.0 is accepted for maximumAttempts")
    func integralDoubleAttempts() {
        #expect(parse(["maximumAttempts": 3.0]).0?.maximumAttempts == 3)
    }

    @Test("backoffCoefficient 0.5 is refused with its pointer")
    func coefficientBelowOne() {
        let (policy, problems) = parse(["backoffCoefficient": 0.5])
        #expect(policy == nil)
        #expect(only(problems)?.0 == .error)
        #expect(only(problems)?.1 == "`/nodes/0/retry/backoffCoefficient` is 0.5: delays would shrink between attempts; use 1 for a fixed delay or more (2 doubles it).")
    }

    @Test("a negative interval is refused", arguments: ["initialIntervalMs", "maximumIntervalMs"])
    func negativeInterval(key: String) {
        let (policy, problems) = parse(.object([key: -5]))
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/\(key)` is -5: an interval cannot be negative; give milliseconds ≥ 0.")
    }

    @Test("an interval longer than a day is refused")
    func intervalAboveCeiling() {
        let (policy, problems) = parse(["maximumIntervalMs": 86_400_001])
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/maximumIntervalMs` is 86400001 ms, more than one day (86400000 ms): give a shorter interval.")
    }

    @Test("a non-finite number is refused")
    func infiniteNumber() {
        let (policy, problems) = parse(["initialIntervalMs": .double(.infinity)])
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/initialIntervalMs` is a number out of range: give milliseconds such as 1000.")
    }

    @Test("an unknown key is refused, named by its pointer")
    func unknownKey() {
        let (policy, problems) = parse(["maxAttempts": 3])
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/maxAttempts` is not a retry policy field: use one of initialIntervalMs, backoffCoefficient, maximumIntervalMs, maximumAttempts, nonRetryableErrorCodes, backoff, jitter; rename or remove it.")
    }

    @Test("an unknown key with / and ~ is escaped in the pointer (RFC 6901)")
    func unknownKeyEscaped() {
        let (_, problems) = parse(["a/b~c": 1])
        #expect(problems.count == 1)
        #expect(problems.first?.message.hasPrefix("`/nodes/0/retry/a~1b~0c` is not a retry policy field") == true)
    }

    @Test("wrong types are all reported at once, each at its pointer")
    func wrongTypes() {
        let (policy, problems) = parse([
            "initialIntervalMs": "1000", "backoffCoefficient": true, "maximumAttempts": 2.5, "backoff": 2,
            "jitter": [0.1], "nonRetryableErrorCodes": "TRANSIENT_ERROR",
        ])
        #expect(policy == nil)
        #expect(problems.allSatisfy { $0.code == .recoveryInvalid && $0.severity == .error })
        #expect(problems.map(\.message) == [
            "`/nodes/0/retry/initialIntervalMs` is \"1000\": give milliseconds such as 1000.",
            "`/nodes/0/retry/backoffCoefficient` is true: give a number ≥ 1 such as 2.",
            "`/nodes/0/retry/maximumAttempts` is 2.5: give the total number of attempts as a whole number from 1 (no retry) to 100.",
            "`/nodes/0/retry/backoff` is 2: use one of \"exponential\", \"linear\", \"fixed\".",
            "`/nodes/0/retry/jitter` is [0.1]: give a fraction from 0 to 1 such as 0.2.",
            "`/nodes/0/retry/nonRetryableErrorCodes` is \"TRANSIENT_ERROR\": give an array of problem codes such as [\"EXECUTION_TIMEOUT\"].",
        ])
    }

    @Test("maximumAttempts 0 (Temporal's unlimited) is refused")
    func zeroAttempts() {
        let (policy, problems) = parse(["maximumAttempts": 0])
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/maximumAttempts` is 0, which means \"unlimited\" in Temporal; this host never retries without end: give the total number of attempts, from 1 (no retry) to 100.")
    }

    @Test("maximumAttempts outside 1…100 is refused", arguments: [-1, 101, Int64.max])
    func attemptsOutOfRange(count: Int64) {
        let (policy, problems) = parse(["maximumAttempts": .int(count)])
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/maximumAttempts` is \(count): give the total number of attempts, the first one included, from 1 (no retry) to 100.")
    }

    @Test("maximumAttempts 100 is the largest accepted")
    func attemptsAtLimit() {
        #expect(parse(["maximumAttempts": 100]).0?.maximumAttempts == 100)
    }

    @Test("jitter outside 0…1 is refused")
    func jitterOutOfRange() {
        let (policy, problems) = parse(["jitter": 1.5])
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/jitter` is 1.5: jitter is a fraction of the delay; give a number from 0 (none) to 1.")
    }

    @Test("an unknown backoff kind is refused")
    func unknownBackoff() {
        let (_, problems) = parse(["backoff": "random"])
        #expect(only(problems)?.1 == "`/nodes/0/retry/backoff` is \"random\": use one of \"exponential\", \"linear\", \"fixed\".")
    }

    @Test("a misspelt non-retryable code is an error at its index")
    func misspeltCode() {
        let (policy, problems) = parse(["nonRetryableErrorCodes": ["EXECUTION_TIMEOUT", "TRANSIENT_EROR"]])
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/nonRetryableErrorCodes/1` is \"TRANSIENT_EROR\", not a problem code this host reports: check the spelling (codes are UPPER_SNAKE_CASE, e.g. \"TRANSIENT_ERROR\").")
    }

    @Test("listing a code that is never retried anyway is a warning; the policy stands")
    func uselessCodeWarns() {
        let (policy, problems) = parse(["nonRetryableErrorCodes": ["VALIDATION_FAILED", "TRANSIENT_ERROR"]])
        #expect(policy?.nonRetryableErrorCodes == [.validationFailed, .transientError])
        #expect(only(problems)?.0 == .warning)
        #expect(only(problems)?.1 == "`/nodes/0/retry/nonRetryableErrorCodes/0` is VALIDATION_FAILED, which is never retried anyway: remove it; only TRANSIENT_ERROR, EXECUTION_TIMEOUT and EXECUTION_ERROR are retried.")
    }

    @Test("a coefficient beside linear or fixed backoff is a warning", arguments: ["linear", "fixed"])
    func coefficientWithoutEffect(kind: String) {
        let (policy, problems) = parse(["backoff": .string(kind), "backoffCoefficient": 3])
        #expect(policy?.backoffCoefficient == 3)
        #expect(only(problems)?.0 == .warning)
        #expect(only(problems)?.1 == "`/nodes/0/retry/backoffCoefficient` has no effect with \"backoff\": \"\(kind)\" (only exponential backoff uses it); remove it or use exponential backoff.")
    }

    @Test("maximumIntervalMs shorter than initialIntervalMs is refused")
    func maximumBelowInitial() {
        let (policy, problems) = parse(["initialIntervalMs": 2000, "maximumIntervalMs": 1000])
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/maximumIntervalMs` makes maximumIntervalMs (1000) shorter than initialIntervalMs (2000): raise maximumIntervalMs or lower initialIntervalMs.")
    }

    @Test("an inherited maximumIntervalMs shorter than the node's initialIntervalMs is refused at the node's field")
    func maximumBelowInheritedInitial() {
        let (policy, problems) = parse(["initialIntervalMs": 5000], defaults: RetryPolicy(maximumIntervalMs: 2000))
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry/initialIntervalMs` makes maximumIntervalMs (2000) shorter than initialIntervalMs (5000) (one of them is inherited from the workflow settings): raise maximumIntervalMs or lower initialIntervalMs.")
    }

    @Test("a retry value that is not an object is refused at its own pointer")
    func notAnObject() {
        let (policy, problems) = parse(3)
        #expect(policy == nil)
        #expect(only(problems)?.1 == "`/nodes/0/retry` is 3: a retry policy is an object such as {\"maximumAttempts\": 3}; fix it.")
    }
}
