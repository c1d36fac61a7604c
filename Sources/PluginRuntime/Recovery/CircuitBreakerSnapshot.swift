import PluginHostCore

/// One breaker's state at a moment, for `stats` output and tests.
public struct CircuitBreakerSnapshot: Sendable, Hashable {
    public var nodeType: String
    public var state: CircuitState
    /// Failures in a row since the last success (reset when the circuit closes).
    public var consecutiveFailures: Int
    /// How many times the circuit has opened (re-opening after a failed probe included).
    public var openedCount: Int
    /// Calls refused with `CIRCUIT_OPEN`.
    public var rejectedCount: Int
    /// Time left before a probe is let through; 0 unless `state` is `open`.
    public var remainingCoolDownMs: Double

    public init(
        nodeType: String, state: CircuitState, consecutiveFailures: Int, openedCount: Int, rejectedCount: Int,
        remainingCoolDownMs: Double
    ) {
        self.nodeType = nodeType
        self.state = state
        self.consecutiveFailures = consecutiveFailures
        self.openedCount = openedCount
        self.rejectedCount = rejectedCount
        self.remainingCoolDownMs = remainingCoolDownMs
    }

    public func json() -> JSONValue {
        [
            "nodeType": .string(nodeType),
            "state": .string(state.rawValue),
            "consecutiveFailures": .int(Int64(consecutiveFailures)),
            "openedCount": .int(Int64(openedCount)),
            "rejectedCount": .int(Int64(rejectedCount)),
            "remainingCoolDownMs": .double(remainingCoolDownMs.roundedToMicroseconds),
        ]
    }
}
