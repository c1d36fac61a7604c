import PluginHostCore
import Testing
@testable import PluginRuntime

/// What `acquire` gave: nothing, an ordinary call, or the half-open probe. Borrows the permit,
/// so a test can keep holding it.
fileprivate enum Grant { case refused, call, probe }

fileprivate func grant(_ permit: borrowing CircuitPermit?) -> Grant {
    switch permit {
    case .none: return .refused
    case .some(let held): return held.isProbe ? .probe : .call
    }
}

@Suite("Recovery: circuit breaker transitions")
struct RecoveryCircuitBreakerTests {
    private let clock = ManualClock()

    private func breaker(threshold: Int = 5, coolDownMs: Double = 30_000) -> CircuitBreaker {
        CircuitBreaker(nodeType: "http.get", configuration: .init(failureThreshold: threshold, coolDownMs: coolDownMs), clock: clock)
    }

    /// Makes `count` calls that each fail with `code`.
    private func fail(_ breaker: CircuitBreaker, _ count: Int, code: ProblemCode = .executionError) {
        for _ in 0..<count { breaker.acquire()?.record(errorCode: code) }
    }

    private func succeed(_ breaker: CircuitBreaker) { breaker.acquire()?.record(errorCode: nil) }

    @Test("the defaults: 5 failures, 30 s cool-down")
    func defaults() {
        let configuration = CircuitBreaker.Configuration()
        #expect(configuration.failureThreshold == 5)
        #expect(configuration.coolDownMs == 30_000)
    }

    @Test("a new breaker is closed and lets calls through")
    func startsClosed() {
        let breaker = breaker()
        let permit = breaker.acquire()
        #expect(grant(permit) == .call)
        #expect(breaker.snapshot() == CircuitBreakerSnapshot(nodeType: "http.get", state: .closed, consecutiveFailures: 0, openedCount: 0, rejectedCount: 0, remainingCoolDownMs: 0))
    }

    @Test("below the threshold the circuit stays closed")
    func belowThreshold() {
        let breaker = breaker()
        fail(breaker, 4)
        #expect(breaker.snapshot().state == .closed)
        #expect(breaker.snapshot().consecutiveFailures == 4)
        #expect(grant(breaker.acquire()) != .refused)
    }

    @Test("a success resets the streak")
    func successResets() {
        let breaker = breaker()
        fail(breaker, 4)
        succeed(breaker)
        fail(breaker, 4)
        #expect(breaker.snapshot().state == .closed)
        #expect(breaker.snapshot().consecutiveFailures == 4)
    }

    @Test("the threshold-th consecutive failure opens the circuit; calls then fail fast")
    func opensAtThreshold() {
        let breaker = breaker()
        fail(breaker, 5)
        #expect(grant(breaker.acquire()) == .refused)
        #expect(grant(breaker.acquire()) == .refused)
        #expect(breaker.snapshot() == CircuitBreakerSnapshot(nodeType: "http.get", state: .open, consecutiveFailures: 5, openedCount: 1, rejectedCount: 2, remainingCoolDownMs: 30_000))
    }

    @Test("transient errors and timeouts count as failures too", arguments: [ProblemCode.transientError, .executionTimeout])
    func otherFailureCodes(code: ProblemCode) {
        let breaker = breaker(threshold: 2)
        fail(breaker, 2, code: code)
        #expect(breaker.snapshot().state == .open)
    }

    @Test("refusals that say nothing about the node's health neither count nor reset the streak", arguments: [
        ProblemCode.validationFailed, .invalidParameters, .credentialMissing, .unsupported, .cancelled,
        .tenantViolation, .nodeTypeDisabledForTenant,
    ])
    func neutralCodes(code: ProblemCode) {
        let breaker = breaker()
        fail(breaker, 4)
        fail(breaker, 20, code: code)
        #expect(breaker.snapshot().state == .closed)
        #expect(breaker.snapshot().consecutiveFailures == 4)
        fail(breaker, 1)
        #expect(breaker.snapshot().state == .open)
    }

    @Test("the cool-down holds until its last nanosecond, then one probe goes through")
    func coolDownThenProbe() {
        let breaker = breaker()
        fail(breaker, 5)
        clock.advance(nanoseconds: 30_000 * 1_000_000 - 1)
        #expect(grant(breaker.acquire()) == .refused)
        #expect(breaker.snapshot().remainingCoolDownMs == 0.000001)
        clock.advance(nanoseconds: 1)
        #expect(breaker.snapshot().state == .halfOpen)
        let probe = breaker.acquire()
        #expect(grant(probe) == .probe)
        #expect(breaker.snapshot().state == .halfOpen)
    }

    @Test("while the probe runs, every other call still fails fast")
    func onlyOneProbe() {
        let breaker = breaker()
        fail(breaker, 5)
        clock.advance(milliseconds: 30_000)
        let probe = breaker.acquire()
        #expect(grant(probe) != .refused)
        for _ in 0..<10 { #expect(grant(breaker.acquire()) == .refused) }
        clock.advance(milliseconds: 60_000)
        #expect(grant(breaker.acquire()) == .refused)
        probe?.record(errorCode: nil)
    }

    @Test("a successful probe closes the circuit: closed → open → half-open → closed")
    func probeSuccessCloses() {
        let breaker = breaker()
        fail(breaker, 5)
        clock.advance(milliseconds: 30_000)
        breaker.acquire()?.record(errorCode: nil)
        #expect(breaker.snapshot() == CircuitBreakerSnapshot(nodeType: "http.get", state: .closed, consecutiveFailures: 0, openedCount: 1, rejectedCount: 0, remainingCoolDownMs: 0))
        #expect(grant(breaker.acquire()) == .call)
    }

    @Test("a failed probe re-opens the circuit with a fresh cool-down")
    func probeFailureReopens() {
        let breaker = breaker()
        fail(breaker, 5)
        clock.advance(milliseconds: 30_000)
        breaker.acquire()?.record(errorCode: .executionTimeout)
        #expect(breaker.snapshot() == CircuitBreakerSnapshot(nodeType: "http.get", state: .open, consecutiveFailures: 6, openedCount: 2, rejectedCount: 0, remainingCoolDownMs: 30_000))
        clock.advance(milliseconds: 29_999)
        #expect(grant(breaker.acquire()) == .refused)
        clock.advance(milliseconds: 1)
        #expect(grant(breaker.acquire()) == .probe)
    }

    @Test("a full cycle twice: open, probe fails, open, probe succeeds, closed, open again")
    func fullCycle() {
        let breaker = breaker(threshold: 2, coolDownMs: 1000)
        fail(breaker, 2)
        clock.advance(milliseconds: 1000)
        breaker.acquire()?.record(errorCode: .executionError)
        clock.advance(milliseconds: 1000)
        breaker.acquire()?.record(errorCode: nil)
        #expect(breaker.snapshot().state == .closed)
        fail(breaker, 1)
        #expect(breaker.snapshot().state == .closed)
        fail(breaker, 1)
        #expect(breaker.snapshot().state == .open)
        #expect(breaker.snapshot().openedCount == 3)
    }

    @Test("a probe answered with a neutral code frees the slot for the next probe")
    func neutralProbe() {
        let breaker = breaker()
        fail(breaker, 5)
        clock.advance(milliseconds: 30_000)
        breaker.acquire()?.record(errorCode: .validationFailed)
        #expect(breaker.snapshot().state == .halfOpen)
        #expect(grant(breaker.acquire()) == .probe)
    }

    @Test("a probe permit dropped without a verdict is released, so the circuit is not stuck")
    func droppedProbe() {
        let breaker = breaker()
        fail(breaker, 5)
        clock.advance(milliseconds: 30_000)
        do {
            let probe = breaker.acquire()
            #expect(grant(probe) == .probe)
            #expect(grant(breaker.acquire()) == .refused)
        }
        let next = breaker.acquire()
        #expect(grant(next) == .probe)
        next?.release()
        #expect(grant(breaker.acquire()) == .probe)
    }

    @Test("a call that started before the circuit opened cannot close it")
    func staleSuccessIgnored() {
        let breaker = breaker(threshold: 2)
        let slow = breaker.acquire()
        fail(breaker, 2)
        slow?.record(errorCode: nil)
        #expect(breaker.snapshot().state == .open)
        #expect(breaker.snapshot().consecutiveFailures == 2)
    }

    @Test("a call from before the last opening cannot count against the closed circuit")
    func staleFailureIgnored() {
        let breaker = breaker(threshold: 2, coolDownMs: 10)
        let slow = breaker.acquire()
        fail(breaker, 2)
        clock.advance(milliseconds: 10)
        breaker.acquire()?.record(errorCode: nil)
        slow?.record(errorCode: .executionError)
        #expect(breaker.snapshot().state == .closed)
        #expect(breaker.snapshot().consecutiveFailures == 0)
    }

    @Test("a threshold below 1 acts as 1")
    func thresholdZero() {
        let breaker = breaker(threshold: 0)
        fail(breaker, 1)
        #expect(breaker.snapshot().state == .open)
    }

    @Test("a zero cool-down lets the probe through at once")
    func zeroCoolDown() {
        let breaker = breaker(threshold: 1, coolDownMs: 0)
        fail(breaker, 1)
        #expect(grant(breaker.acquire()) == .probe)
    }

    @Test("the refusal message says how long the circuit stays open")
    func rejectionMessage() {
        let breaker = breaker()
        fail(breaker, 5)
        clock.advance(milliseconds: 17_650)
        #expect(breaker.rejectionMessage() == "The circuit breaker for http.get is open after 5 consecutive failures and calls fail fast for 12.4 s more: fix what makes the node fail, then run it again.")
    }

    @Test("the refusal message during a probe says a probe is running")
    func rejectionMessageDuringProbe() {
        let breaker = breaker()
        fail(breaker, 5)
        clock.advance(milliseconds: 30_000)
        let probe = breaker.acquire()
        #expect(grant(probe) != .refused)
        #expect(breaker.rejectionMessage() == "The circuit breaker for http.get is open after 5 consecutive failures and a probe call is already testing it: fix what makes the node fail, then run it again.")
    }

    @Test("countsAsFailure covers exactly the plugin failure codes")
    func failureCodes() {
        #expect(CircuitBreaker.failureCodes == [.executionError, .transientError, .executionTimeout, .executionCrashed, .resourceExhausted])
        #expect(CircuitBreaker.countsAsFailure(.circuitOpen) == false)
    }
}

@Suite("Recovery: circuit breakers by node type")
struct RecoveryCircuitBreakersTests {
    @Test("each node type has its own breaker")
    func independentTypes() {
        let clock = ManualClock()
        let breakers = CircuitBreakers(configuration: .init(failureThreshold: 1, coolDownMs: 1000), clock: clock)
        breakers.acquire(nodeType: "http.get")?.record(errorCode: .executionError)
        #expect(grant(breakers.acquire(nodeType: "http.get")) == .refused)
        #expect(grant(breakers.acquire(nodeType: "math.add")) == .call)
    }

    @Test("the same node type always gets the same breaker")
    func sameBreaker() {
        let breakers = CircuitBreakers(clock: ManualClock())
        #expect(breakers.breaker(for: "a.b") === breakers.breaker(for: "a.b"))
        #expect(breakers.breaker(for: "a.b") !== breakers.breaker(for: "a.c"))
    }

    @Test("the snapshot lists breakers sorted by node type, and the JSON shape is stable")
    func snapshotAndJSON() {
        let clock = ManualClock()
        let breakers = CircuitBreakers(configuration: .init(failureThreshold: 2, coolDownMs: 1000), clock: clock)
        breakers.acquire(nodeType: "z.last")?.record(errorCode: nil)
        breakers.acquire(nodeType: "a.first")?.record(errorCode: .executionError)
        breakers.acquire(nodeType: "a.first")?.record(errorCode: .executionError)
        _ = breakers.acquire(nodeType: "a.first")
        clock.advance(milliseconds: 250)
        #expect(breakers.snapshot().map(\.nodeType) == ["a.first", "z.last"])
        #expect(JSONWriter.string(breakers.json()) == #"{"failureThreshold":2,"coolDownMs":1000,"breakers":[{"nodeType":"a.first","state":"open","consecutiveFailures":2,"openedCount":1,"rejectedCount":1,"remainingCoolDownMs":750},{"nodeType":"z.last","state":"closed","consecutiveFailures":0,"openedCount":0,"rejectedCount":0,"remainingCoolDownMs":0}]}"#)
    }
}
