import PluginHostCore
import Synchronization

/// The three states of a circuit breaker.
public enum CircuitState: String, Sendable, Hashable {
    /// Calls go through; consecutive failures are counted.
    case closed
    /// Calls fail fast with `CIRCUIT_OPEN` until the cool-down has passed.
    case open
    /// The cool-down has passed: one probe call may go through; its outcome closes or re-opens.
    case halfOpen = "half-open"
}

/// Stops calling a node type that keeps failing, so a broken backend costs one fast
/// `CIRCUIT_OPEN` per call instead of a timeout and a round of retries each.
///
/// closed → open after `failureThreshold` consecutive failures → calls fail fast for
/// `coolDownMs` → half-open: exactly one probe is let through while others still fail fast →
/// the probe's success closes the circuit, its failure re-opens it with a fresh cool-down.
///
/// Only plugin failures count (``countsAsFailure(_:)``); a call rejected for its parameters,
/// its tenant or its credentials says nothing about the node's health and neither counts nor
/// resets the streak. Every permit carries the generation it was issued in, and a result from
/// an earlier generation (a slow call that finished after the circuit opened) is ignored, so
/// only the probe decides what a half-open circuit does next.
///
/// Thread-safe: all state sits behind one lock; time comes from an injected ``HostClock``.
/// A closed circuit with no failure streak costs no lock: an atomic word mirrors the phase,
/// whether a streak is running and the generation (written under the lock after every change),
/// so ``acquire()`` and a successful ``CircuitPermit/record(errorCode:)`` each read one atomic.
public final class CircuitBreaker: Sendable {
    /// When a circuit opens and for how long.
    public struct Configuration: Sendable, Hashable {
        /// Consecutive failures that open the circuit (values below 1 act as 1).
        public var failureThreshold: Int
        /// How long an open circuit fails fast before it lets a probe through, in milliseconds.
        public var coolDownMs: Double

        public init(failureThreshold: Int = 5, coolDownMs: Double = 30_000) {
            self.failureThreshold = failureThreshold
            self.coolDownMs = coolDownMs
        }
    }

    /// Codes that count against a node type's health: the plugin ran (or hung) and failed.
    public static let failureCodes: Set<ProblemCode> = [.executionError, .transientError, .executionTimeout, .executionCrashed, .resourceExhausted]

    /// Whether a call that ended with `code` counts as a failure of the node type.
    public static func countsAsFailure(_ code: ProblemCode) -> Bool { failureCodes.contains(code) }

    public let nodeType: String
    public let configuration: Configuration
    private let clock: any HostClock
    private let threshold: Int
    private let coolDownNanoseconds: UInt64
    private let state = Locked(State())
    /// `generation << 3 | streak << 2 | phase` (0 closed, 1 open, 2 half-open), published under
    /// the lock; read without it on the fast path.
    private let summary = Atomic<UInt64>(0)

    struct State {
        var phase = CircuitState.closed
        var openedAt: UInt64 = 0
        var probeInFlight = false
        var consecutiveFailures = 0
        var openedCount = 0
        var rejectedCount = 0
        /// Bumped on every change of phase, so permits from an earlier phase are recognised.
        var generation: UInt64 = 0
    }

    /// What a finished call tells the breaker.
    enum Outcome {
        case success
        case failure
        /// Nothing about the node's health (the call was refused for other reasons, or the
        /// permit was dropped unused).
        case neutral
    }

    public init(nodeType: String, configuration: Configuration = Configuration(), clock: any HostClock = MonotonicClock()) {
        self.nodeType = nodeType
        self.configuration = configuration
        self.clock = clock
        threshold = max(1, configuration.failureThreshold)
        let coolDown = configuration.coolDownMs.isNaN ? 0 : max(0, configuration.coolDownMs)
        coolDownNanoseconds = UInt64(min(coolDown * 1_000_000, Double(UInt64.max >> 1)))
    }

    /// Asks to call the node type; nil means the circuit is open (fail fast with `CIRCUIT_OPEN`).
    ///
    /// The first call after the cool-down becomes the half-open probe; until its permit is
    /// recorded or dropped, every other call gets nil.
    public func acquire() -> CircuitPermit? {
        let word = summary.load(ordering: .acquiring)
        if word & 3 == 0 { return CircuitPermit(breaker: self, generation: word >> 3, isProbe: false) }
        let now = clock.nowNanoseconds()
        let grant: (generation: UInt64, isProbe: Bool)? = state.withLock { state in
            switch state.phase {
            case .closed:
                return (state.generation, false)
            case .open:
                let elapsed = now >= state.openedAt ? now - state.openedAt : 0
                guard elapsed >= coolDownNanoseconds else {
                    state.rejectedCount += 1
                    return nil
                }
                state.phase = .halfOpen
                state.generation += 1
                state.probeInFlight = true
                publish(state)
                return (state.generation, true)
            case .halfOpen:
                guard !state.probeInFlight else {
                    state.rejectedCount += 1
                    return nil
                }
                state.probeInFlight = true
                return (state.generation, true)
            }
        }
        guard let grant else { return nil }
        return CircuitPermit(breaker: self, generation: grant.generation, isProbe: grant.isProbe)
    }

    /// Applies a permit's outcome; outcomes from an earlier generation are ignored.
    func settle(generation: UInt64, isProbe: Bool, outcome: Outcome) {
        if !isProbe {
            // Fast path: no verdict, or a success that finds the circuit closed with no streak.
            if case .neutral = outcome { return }
            if case .success = outcome, summary.load(ordering: .acquiring) == generation << 3 { return }
        }
        let now = clock.nowNanoseconds()
        state.withLock { state in
            guard generation == state.generation else { return }
            switch (state.phase, outcome) {
            case (_, .neutral):
                if isProbe, state.phase == .halfOpen { state.probeInFlight = false }
            case (.closed, .success):
                state.consecutiveFailures = 0
            case (.closed, .failure):
                state.consecutiveFailures += 1
                if state.consecutiveFailures >= threshold { Self.open(&state, at: now) }
            case (.halfOpen, .success) where isProbe:
                state.phase = .closed
                state.consecutiveFailures = 0
                state.probeInFlight = false
                state.generation += 1
            case (.halfOpen, .failure) where isProbe:
                state.consecutiveFailures += 1
                Self.open(&state, at: now)
            default:
                break  // a closed-phase permit cannot share a generation with open or half-open
            }
            publish(state)
        }
    }

    /// Mirrors `state` into ``summary``; called under the lock after every change.
    private func publish(_ state: State) {
        let phase: UInt64 = switch state.phase {
        case .closed: 0
        case .open: 1
        case .halfOpen: 2
        }
        let streak: UInt64 = state.consecutiveFailures > 0 ? 4 : 0
        summary.store(state.generation << 3 | streak | phase, ordering: .releasing)
    }

    private static func open(_ state: inout State, at now: UInt64) {
        state.phase = .open
        state.openedAt = now
        state.probeInFlight = false
        state.openedCount += 1
        state.generation += 1
    }

    /// The breaker's state for stats; an open circuit whose cool-down has passed reports
    /// `half-open`, since the next call will be let through as the probe.
    public func snapshot() -> CircuitBreakerSnapshot {
        let now = clock.nowNanoseconds()
        return state.withLock { state in
            var phase = state.phase
            var remaining: Double = 0
            if phase == .open {
                let elapsed = now >= state.openedAt ? now - state.openedAt : 0
                if elapsed >= coolDownNanoseconds {
                    phase = .halfOpen
                } else {
                    remaining = Double(coolDownNanoseconds - elapsed) / 1_000_000
                }
            }
            return CircuitBreakerSnapshot(
                nodeType: nodeType, state: phase, consecutiveFailures: state.consecutiveFailures,
                openedCount: state.openedCount, rejectedCount: state.rejectedCount, remainingCoolDownMs: remaining
            )
        }
    }

    /// The one-line, actionable message for a call refused with `CIRCUIT_OPEN`.
    public func rejectionMessage() -> String {
        let snapshot = snapshot()
        let wait = snapshot.state == .open
            ? "calls fail fast for \(JSONWriter.formatDouble((snapshot.remainingCoolDownMs / 100).rounded(.up) / 10)) s more"
            : "a probe call is already testing it"
        return "The circuit breaker for \(nodeType) is open after \(threshold) consecutive failures and \(wait): "
            + "fix what makes the node fail, then run it again."
    }
}
