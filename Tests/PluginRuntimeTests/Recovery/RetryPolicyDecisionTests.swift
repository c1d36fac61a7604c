import PluginHostCore
import Testing
@testable import PluginRuntime

@Suite("Recovery: whether to retry")
struct RecoveryRetryPolicyDecisionTests {
    @Test("maximumAttempts 1 (the default) never retries")
    func oneAttemptNeverRetries() {
        #expect(RetryPolicy().shouldRetry(code: .transientError, attempt: 1) == false)
    }

    @Test("maximumAttempts counts attempts: 3 allows retries after attempts 1 and 2, not 3")
    func attemptsAreTotal() {
        let policy = RetryPolicy(maximumAttempts: 3)
        #expect(policy.shouldRetry(code: .transientError, attempt: 1))
        #expect(policy.shouldRetry(code: .transientError, attempt: 2))
        #expect(policy.shouldRetry(code: .transientError, attempt: 3) == false)
        #expect(policy.shouldRetry(code: .transientError, attempt: 4) == false)
    }

    @Test("maximumAttempts below 1 built in code acts as 1 (never unlimited)", arguments: [0, -1, Int.min])
    func attemptsBelowOne(maximum: Int) {
        let policy = RetryPolicy(maximumAttempts: maximum)
        #expect(policy.shouldRetry(code: .transientError, attempt: 1) == false)
        #expect(policy.shouldRetry(code: .transientError, attempt: 0))
    }

    @Test("retried by default: transient, timeout and execution errors", arguments: [
        ProblemCode.transientError, .executionTimeout, .executionError,
    ])
    func retryableByDefault(code: ProblemCode) {
        #expect(RetryPolicy(maximumAttempts: 5).shouldRetry(code: code, attempt: 1))
    }

    @Test("not retried by default: missing credential, unsupported, cancelled", arguments: [
        ProblemCode.credentialMissing, .unsupported, .cancelled,
    ])
    func notRetryableByDefault(code: ProblemCode) {
        #expect(RetryPolicy(maximumAttempts: 5).shouldRetry(code: code, attempt: 1) == false)
    }

    @Test("validation and policy errors are never retried", arguments: [
        ProblemCode.validationFailed, .invalidParameters, .nodeTypeNotFound, .nodeTypeDisabledForTenant,
        .tenantUnknown, .tenantViolation, .circuitOpen, .dependencyNotLoaded,
    ])
    func neverRetried(code: ProblemCode) {
        let policy = RetryPolicy(maximumAttempts: RetryPolicy.maximumAttemptsLimit)
        #expect(RetryPolicy.neverRetried.contains(code))
        #expect(policy.isRetryable(code) == false)
        #expect(policy.shouldRetry(code: code, attempt: 1) == false)
    }

    @Test("the never-retried set and the default-retryable set do not overlap")
    func setsAreDisjoint() {
        #expect(RetryPolicy.neverRetried.isDisjoint(with: RetryPolicy.retryableByDefault))
        #expect(RetryPolicy.retryableByDefault == [.transientError, .executionTimeout, .executionError, .executionCrashed])
    }

    @Test("a configured non-retryable code is not retried; the others still are")
    func configuredNonRetryable() {
        let policy = RetryPolicy(maximumAttempts: 4, nonRetryableErrorCodes: [.executionTimeout])
        #expect(policy.shouldRetry(code: .executionTimeout, attempt: 1) == false)
        #expect(policy.shouldRetry(code: .transientError, attempt: 1))
        #expect(policy.shouldRetry(code: .executionError, attempt: 1))
    }

    @Test("a code the host does not know (added later) is not retried")
    func unknownCodeNotRetried() {
        #expect(RetryPolicy(maximumAttempts: 4).shouldRetry(code: ProblemCode(rawValue: "SOMETHING_NEW"), attempt: 1) == false)
    }
}
