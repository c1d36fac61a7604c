import PluginHostCore
import Synchronization
import Testing
@testable import PluginRuntime

@Suite("Recovery: circuit breaker under concurrent calls")
struct RecoveryCircuitBreakerConcurrencyTests {
    @Test("many threads racing for a half-open circuit: exactly one gets the probe, every round")
    func oneProbeUnderContention() {
        let threads = 16
        for round in 0..<50 {
            let clock = ManualClock()
            let breaker = CircuitBreaker(nodeType: "x.y", configuration: .init(failureThreshold: 1, coolDownMs: 5), clock: clock)
            breaker.acquire()?.record(errorCode: .executionError)
            clock.advance(milliseconds: 5)
            let granted = Atomic<Int>(0)
            let tried = Atomic<Int>(0)
            runOnThreads(threads) { _ in
                if let permit = breaker.acquire() {
                    granted.add(1, ordering: .relaxed)
                    tried.add(1, ordering: .acquiringAndReleasing)
                    // Hold the probe until every thread has tried, so a release cannot let a
                    // second probe through.
                    while tried.load(ordering: .acquiring) < threads {}
                    permit.record(errorCode: nil)
                } else {
                    tried.add(1, ordering: .acquiringAndReleasing)
                }
            }
            #expect(granted.load(ordering: .relaxed) == 1, "round \(round)")
            #expect(breaker.snapshot().state == .closed)
            #expect(breaker.snapshot().rejectedCount == threads - 1)
        }
    }

    @Test("concurrent failures on a closed circuit are each counted once")
    func concurrentFailuresCounted() {
        let breaker = CircuitBreaker(nodeType: "x.y", configuration: .init(failureThreshold: .max), clock: ManualClock())
        runOnThreads(8) { _ in
            for _ in 0..<2_000 { breaker.acquire()?.record(errorCode: .transientError) }
        }
        #expect(breaker.snapshot().consecutiveFailures == 16_000)
        #expect(breaker.snapshot().state == .closed)
    }

    @Test("concurrent failures open the circuit exactly once")
    func concurrentOpeningOnce() {
        let breaker = CircuitBreaker(nodeType: "x.y", configuration: .init(failureThreshold: 100, coolDownMs: 60_000), clock: ManualClock())
        let granted = Atomic<Int>(0)
        runOnThreads(8) { _ in
            for _ in 0..<500 {
                if let permit = breaker.acquire() {
                    granted.add(1, ordering: .relaxed)
                    permit.record(errorCode: .executionError)
                }
            }
        }
        let snapshot = breaker.snapshot()
        #expect(snapshot.state == .open)
        #expect(snapshot.openedCount == 1)
        #expect(snapshot.rejectedCount == 4_000 - granted.load(ordering: .relaxed))
        #expect(snapshot.consecutiveFailures == 100)
    }

    @Test("concurrent first use of a node type creates one breaker")
    func registryCreatesOnce() {
        let breakers = CircuitBreakers(clock: ManualClock())
        let identities = Locked<Set<ObjectIdentifier>>([])
        runOnThreads(8) { index in
            for round in 0..<200 {
                let breaker = breakers.breaker(for: "type.\(round % 10)")
                if round % 10 == 3 { identities.withLock { _ = $0.insert(ObjectIdentifier(breaker)) } }
                breaker.acquire()?.record(errorCode: index.isMultiple(of: 2) ? nil : .cancelled)
            }
        }
        #expect(identities.withLock { $0.count } == 1)
        #expect(breakers.snapshot().count == 10)
    }
}
