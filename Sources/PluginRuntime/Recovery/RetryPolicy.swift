#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore

/// When and how often a failed node is tried again, with Temporal's field names and meanings
/// plus a backoff kind and jitter.
///
/// `maximumAttempts` counts *attempts*, not retries: 1 means "run once, never retry", 3 means
/// "the first try and up to two retries". Temporal's `0 = unlimited` is deliberately not
/// supported: a workflow host that retries without end turns one broken node into a run that
/// never finishes, so ``parse(_:defaults:pointer:)`` rejects 0 and anything above
/// ``maximumAttemptsLimit``, and a policy built in code with `maximumAttempts < 1` behaves as 1.
///
/// Retries come first; only when they are exhausted (or the code is not retryable) does the
/// node's ``ErrorStrategy`` apply.
public struct RetryPolicy: Sendable, Hashable {
    /// How the delay grows from one retry to the next. `n` below is the attempt that just failed
    /// (1-based), so the first retry waits the initial interval in every kind.
    public enum Backoff: String, Sendable, Hashable, CaseIterable {
        /// `initial × coefficient^(n−1)`: 1 s, 2 s, 4 s, … with the defaults.
        case exponential
        /// `initial × n`: 1 s, 2 s, 3 s, … (the coefficient is not used; Conductor's LINEAR_BACKOFF
        /// with scale 1). This is what people mean by "linear": evenly growing steps.
        case linear
        /// `initial` every time.
        case fixed
    }

    /// The delay before the first retry, in milliseconds (Temporal's default: 1 s).
    public var initialIntervalMs: Double = 1000
    /// The growth factor of `exponential` backoff; at least 1 (1 makes it fixed).
    public var backoffCoefficient: Double = 2.0
    /// The longest delay between attempts; nil means 100 × `initialIntervalMs` (Temporal's rule).
    public var maximumIntervalMs: Double? = nil
    /// The total number of attempts, the first one included; 1 means no retry.
    public var maximumAttempts: Int = 1
    /// Codes that would be retried by default but must not be for this node.
    public var nonRetryableErrorCodes: [ProblemCode] = []
    public var backoff: Backoff = .exponential
    /// Spread of the random factor applied to each delay: the delay is multiplied by a factor
    /// drawn uniformly from `[1 − jitter, 1 + jitter)`, *before* the maximum-interval cap, so a
    /// jittered delay never exceeds `maximumIntervalMs`. 0 (the default) means no randomness.
    public var jitter: Double = 0

    public init(
        initialIntervalMs: Double = 1000,
        backoffCoefficient: Double = 2.0,
        maximumIntervalMs: Double? = nil,
        maximumAttempts: Int = 1,
        nonRetryableErrorCodes: [ProblemCode] = [],
        backoff: Backoff = .exponential,
        jitter: Double = 0
    ) {
        self.initialIntervalMs = initialIntervalMs
        self.backoffCoefficient = backoffCoefficient
        self.maximumIntervalMs = maximumIntervalMs
        self.maximumAttempts = maximumAttempts
        self.nonRetryableErrorCodes = nonRetryableErrorCodes
        self.backoff = backoff
        self.jitter = jitter
    }

    /// The most attempts a policy may ask for: a node tried more often than this in one run is a
    /// loop, not a recovery.
    public static let maximumAttemptsLimit = 100
    /// No delay is ever longer than one day: it bounds every computed delay, so a caller can turn
    /// it into nanoseconds (`UInt64`, `Duration`) without overflow, whatever the policy says.
    public static let delayCeilingMs: Double = 86_400_000

    /// Codes retried unless the policy lists them in `nonRetryableErrorCodes`: failures that may
    /// pass if the node is run again.
    public static let retryableByDefault: Set<ProblemCode> = [.transientError, .executionTimeout, .executionError, .executionCrashed]

    /// Codes never retried, whatever a policy says: validation and policy errors give the same
    /// answer on every attempt, and a node type that is missing stays missing.
    /// Every code outside ``retryableByDefault`` (CREDENTIAL_MISSING, UNSUPPORTED, CANCELLED,
    /// codes added later) is not retried either; this set names the ones that never may be.
    public static let neverRetried: Set<ProblemCode> = [
        .validationFailed, .invalidParameters, .nodeTypeNotFound, .nodeTypeDisabledForTenant,
        .tenantUnknown, .tenantViolation, .circuitOpen, .dependencyNotLoaded,
    ]

    /// The cap actually applied to delays: `maximumIntervalMs`, or 100 × initial, never above
    /// ``delayCeilingMs``.
    public var effectiveMaximumIntervalMs: Double {
        let initial = Self.sanitized(initialIntervalMs)
        let cap = maximumIntervalMs.map(Self.sanitized) ?? initial * 100
        return min(cap, Self.delayCeilingMs)
    }

    /// Whether a failure with `code` may be retried at all, ignoring the attempt count.
    public func isRetryable(_ code: ProblemCode) -> Bool {
        Self.retryableByDefault.contains(code) && !Self.neverRetried.contains(code)
            && !nonRetryableErrorCodes.contains(code)
    }

    /// Whether a failure with `code` after `attempt` attempts (1 for the first) may be retried:
    /// the code is retryable and another attempt fits within `maximumAttempts`.
    public func shouldRetry(code: ProblemCode, attempt: Int) -> Bool {
        attempt < max(1, maximumAttempts) && isRetryable(code)
    }

    /// The delay in milliseconds before attempt `attempt + 1`, after attempt `attempt` failed
    /// (1-based; values below 1 count as 1).
    ///
    /// Always finite and within `0…effectiveMaximumIntervalMs`, for any attempt number and any
    /// field values (Airflow's scheduler crashed with "cannot convert float infinity" after about
    /// 1 000 retries): the growth saturates instead of overflowing. When `jitter > 0` exactly one
    /// value is drawn from `random` (its top 53 bits give a uniform fraction); when it is 0 none
    /// is, so the generator is left untouched.
    public func delayMs(afterAttempt attempt: Int, random: inout some RandomNumberGenerator) -> Double {
        let n = max(1, attempt)
        let initial = Self.sanitized(initialIntervalMs)
        var delay: Double
        switch backoff {
        case .fixed:
            delay = initial
        case .linear:
            delay = initial * Double(n)
        case .exponential:
            let coefficient = backoffCoefficient.isFinite ? max(1, backoffCoefficient) : 1
            // pow saturates to +inf rather than trapping; 0 × inf would be NaN, hence the guard.
            delay = initial == 0 ? 0 : initial * pow(coefficient, Double(n - 1))
        }
        // Keep it finite so the jitter factor (≤ 2) cannot overflow or make NaN from inf × 0.
        delay = min(delay, Double.greatestFiniteMagnitude / 2)
        let spread = jitter.isNaN ? 0 : min(max(jitter, 0), 1)
        if spread > 0 {
            let unit = Double(random.next() >> 11) * 0x1p-53
            delay *= (1 - spread) + 2 * spread * unit
        }
        return min(delay, effectiveMaximumIntervalMs)
    }

    /// A non-negative finite interval: NaN and negatives become 0, +inf the ceiling.
    private static func sanitized(_ value: Double) -> Double {
        guard !value.isNaN, value > 0 else { return 0 }
        return min(value, delayCeilingMs)
    }
}
