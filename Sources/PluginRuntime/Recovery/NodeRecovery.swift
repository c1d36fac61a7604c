/// Everything that decides how one node execution recovers from failure: the retry policy,
/// what happens once retries are exhausted, and the per-attempt time limit.
///
/// A workflow node builds one from its own fields and the workflow's `settings` (its fields
/// win); `exec` and the embedding API build one from their options. ``none`` — one attempt,
/// `fail`, no time limit — is what a bare `execute` uses, so a caller that asks for nothing
/// gets exactly one call.
public struct NodeRecovery: Sendable, Hashable {
    public var retry: RetryPolicy
    public var errorHandling: ErrorHandling
    /// The most one attempt may take, in milliseconds; nil waits as long as the plugin takes.
    public var timeoutMs: Double?

    public init(retry: RetryPolicy = RetryPolicy(), errorHandling: ErrorHandling = ErrorHandling(), timeoutMs: Double? = nil) {
        self.retry = retry
        self.errorHandling = errorHandling
        self.timeoutMs = timeoutMs
    }

    /// One attempt, no time limit, `onError: fail`.
    public static let none = NodeRecovery()
}
