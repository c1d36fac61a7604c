import PluginHostCore

/// Leave to make one call to a node type, handed out by ``CircuitBreaker/acquire()``.
///
/// Non-copyable so each call reports exactly once: ``record(errorCode:)`` or ``release()``
/// consume the permit. A permit dropped without either (an early return, a thrown error) is
/// released as "no verdict" by its `deinit`, so a half-open circuit can never be left waiting
/// forever for a probe that will not report.
public struct CircuitPermit: ~Copyable, Sendable {
    private var breaker: CircuitBreaker?
    private let generation: UInt64
    /// Whether this call is the half-open probe whose outcome closes or re-opens the circuit.
    public let isProbe: Bool

    init(breaker: CircuitBreaker, generation: UInt64, isProbe: Bool) {
        self.breaker = breaker
        self.generation = generation
        self.isProbe = isProbe
    }

    /// Reports how the call ended: nil for success, otherwise its code. Only
    /// ``CircuitBreaker/failureCodes`` count as failures; any other code is no verdict.
    public consuming func record(errorCode: ProblemCode?) {
        let outcome: CircuitBreaker.Outcome
        if let errorCode {
            outcome = CircuitBreaker.countsAsFailure(errorCode) ? .failure : .neutral
        } else {
            outcome = .success
        }
        settle(outcome)
    }

    /// Gives the permit back without a verdict (the call was not made, or its result says
    /// nothing about the node's health).
    public consuming func release() { settle(.neutral) }

    private mutating func settle(_ outcome: CircuitBreaker.Outcome) {
        guard let breaker else { return }
        self.breaker = nil
        breaker.settle(generation: generation, isProbe: isProbe, outcome: outcome)
    }

    deinit {
        breaker?.settle(generation: generation, isProbe: isProbe, outcome: .neutral)
    }
}
