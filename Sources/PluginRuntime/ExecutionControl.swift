import PluginLoader

/// What a caller may set about one execution beyond its node: the id it runs under and a flag
/// that stops it from outside. A workflow run uses both: a node resumed from a journal runs
/// again with the id it had (plugins use the id as an idempotency key), and cancelling the run
/// turns `is_cancelled` true in every call it has in flight.
public struct ExecutionControl: Sendable {
    /// The execution's id; nil: a new one from the host.
    public var executionID: ExecutionID?
    /// Once set, every attempt's `is_cancelled` answers true and no retry or fallback starts.
    public var cancellation: CancellationFlag?

    public init(executionID: ExecutionID? = nil, cancellation: CancellationFlag? = nil) {
        self.executionID = executionID
        self.cancellation = cancellation
    }

    /// Nothing set: a new id, no outside cancellation.
    public static let none = ExecutionControl()
}
