import PluginHostCore
import Testing
@testable import PluginRuntime

@Suite("Recovery: retry delays")
struct RecoveryRetryPolicyBackoffTests {
    private func delays(_ policy: RetryPolicy, seed: UInt64, attempts: ClosedRange<Int>) -> [Double] {
        var random = SplitMix64(seed: seed)
        return attempts.map { policy.delayMs(afterAttempt: $0, random: &random) }
    }

    @Test("the test generator is SplitMix64 (reference outputs for seed 0)")
    func generatorIsSplitMix64() {
        var random = SplitMix64(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(random.next() == 0x06C4_5D18_8009_454F)
    }

    @Test("Temporal's defaults: 1 s initial, coefficient 2, cap 100 × initial, one attempt")
    func defaults() {
        let policy = RetryPolicy()
        #expect(policy.initialIntervalMs == 1000)
        #expect(policy.backoffCoefficient == 2)
        #expect(policy.maximumIntervalMs == nil)
        #expect(policy.effectiveMaximumIntervalMs == 100_000)
        #expect(policy.maximumAttempts == 1)
        #expect(policy.backoff == .exponential)
        #expect(policy.jitter == 0)
    }

    @Test("exponential without jitter: initial × coefficient^(n−1), capped at 100 × initial")
    func exponential() {
        let policy = RetryPolicy(initialIntervalMs: 1000, backoffCoefficient: 2)
        #expect(delays(policy, seed: 1, attempts: 1...8) == [1000, 2000, 4000, 8000, 16000, 32000, 64000, 100_000])
    }

    @Test("exponential with coefficient 1.5 and an explicit cap")
    func exponentialFractionalCoefficient() {
        let policy = RetryPolicy(initialIntervalMs: 200, backoffCoefficient: 1.5, maximumIntervalMs: 1000)
        #expect(delays(policy, seed: 1, attempts: 1...6) == [200, 300, 450, 675, 1000, 1000])
    }

    @Test("linear: initial, 2 × initial, 3 × initial, … (the coefficient is not used)")
    func linear() {
        let policy = RetryPolicy(initialIntervalMs: 500, backoffCoefficient: 7, maximumIntervalMs: 2000, backoff: .linear)
        #expect(delays(policy, seed: 1, attempts: 1...6) == [500, 1000, 1500, 2000, 2000, 2000])
    }

    @Test("fixed: the initial interval every time")
    func fixed() {
        let policy = RetryPolicy(initialIntervalMs: 250, backoffCoefficient: 3, backoff: .fixed)
        #expect(delays(policy, seed: 1, attempts: 1...4) == [250, 250, 250, 250])
    }

    @Test("exponential with coefficient 1 is fixed")
    func coefficientOneIsFixed() {
        let policy = RetryPolicy(initialIntervalMs: 300, backoffCoefficient: 1)
        #expect(delays(policy, seed: 1, attempts: 1...4) == [300, 300, 300, 300])
    }

    @Test("exponential with jitter 0.2: exact values from a seeded generator")
    func exponentialJitter() {
        let policy = RetryPolicy(initialIntervalMs: 1000, backoffCoefficient: 2, jitter: 0.2)
        #expect(delays(policy, seed: 42, attempts: 1...5) == [
            1096.6259515087293, 1727.9283143015364, 3645.761808408222, 7501.41029287564, 13043.393078657577,
        ])
    }

    @Test("linear with jitter 0.5: exact values from a seeded generator")
    func linearJitter() {
        let policy = RetryPolicy(initialIntervalMs: 500, backoff: .linear, jitter: 0.5)
        #expect(delays(policy, seed: 42, attempts: 1...5) == [
            620.7824393859116, 659.9103928769201, 1167.9016953827079, 1688.381433047275, 1345.0754213506154,
        ])
    }

    @Test("fixed with jitter 0.1: exact values from a seeded generator")
    func fixedJitter() {
        let policy = RetryPolicy(initialIntervalMs: 250, backoff: .fixed, jitter: 0.1)
        #expect(delays(policy, seed: 42, attempts: 1...3) == [262.0782439385912, 232.99551964384602, 238.93005651275695])
    }

    @Test("jitter is applied before the cap: a jittered delay never exceeds maximumIntervalMs")
    func jitterBeforeCap() {
        // Seed 7 draws the fractions 0.3898…, 0.0168…, 0.9008…, 0.5829…: factors 0.8898…,
        // 0.5168…, 1.4008…, 1.0829…. Capping first would give 4000 × 1.4008 = 5603.04 (above
        // the cap) for attempt 3 and 5000 × 1.0829 = 5414.65 for attempt 4.
        let policy = RetryPolicy(initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 5000, jitter: 0.5)
        #expect(delays(policy, seed: 7, attempts: 1...4) == [889.8297483912714, 1033.5765890563123, 5000, 5000])
    }

    @Test("jitter below the cap after a large raw delay is still capped, never spread below it")
    func capAfterJitterKeepsCap() {
        // Attempt 6: raw 32 000 × factor 0.7494… = 23 981.8 → capped to 5 000; capping first
        // would give 5 000 × 0.7494 = 3 747.2.
        let policy = RetryPolicy(initialIntervalMs: 1000, backoffCoefficient: 2, maximumIntervalMs: 5000, jitter: 0.5)
        #expect(delays(policy, seed: 7, attempts: 1...6).last == 5000)
    }

    @Test("without jitter no random value is drawn")
    func noJitterNoDraw() {
        var random = SplitMix64(seed: 3)
        _ = RetryPolicy(maximumAttempts: 3).delayMs(afterAttempt: 2, random: &random)
        #expect(random.draws == 0)
        _ = RetryPolicy(maximumAttempts: 3, jitter: 0.1).delayMs(afterAttempt: 2, random: &random)
        #expect(random.draws == 1)
    }

    @Test("huge attempt numbers give the cap, never inf or NaN", arguments: [1_000, 10_000, Int.max / 2, Int.max])
    func hugeAttempts(attempt: Int) {
        for backoff in RetryPolicy.Backoff.allCases {
            let policy = RetryPolicy(initialIntervalMs: 1000, backoffCoefficient: 2, backoff: backoff)
            var random = SplitMix64(seed: 9)
            let expected: Double = backoff == .fixed ? 1000 : 100_000
            #expect(policy.delayMs(afterAttempt: attempt, random: &random) == expected, "\(backoff)")
        }
    }

    @Test("huge attempt numbers with full jitter stay finite and capped", arguments: [1_000, 10_000, Int.max / 2])
    func hugeAttemptsWithJitter(attempt: Int) {
        let policy = RetryPolicy(initialIntervalMs: 1000, backoffCoefficient: 10, maximumIntervalMs: 60_000, jitter: 1)
        var random = SplitMix64(seed: 11)
        for _ in 0..<100 {
            #expect(policy.delayMs(afterAttempt: attempt, random: &random) == 60_000)
        }
    }

    @Test("a coefficient that overflows on the next step saturates to the cap")
    func overflowingCoefficient() {
        let policy = RetryPolicy(initialIntervalMs: 1, backoffCoefficient: 1e308)
        var random = SplitMix64(seed: 1)
        #expect(policy.delayMs(afterAttempt: 1, random: &random) == 1)
        #expect(policy.delayMs(afterAttempt: 3, random: &random) == 100)
    }

    @Test("attempt numbers below 1 count as the first attempt", arguments: [0, -1, Int.min])
    func attemptBelowOne(attempt: Int) {
        let policy = RetryPolicy(initialIntervalMs: 700, backoff: .linear)
        var random = SplitMix64(seed: 1)
        #expect(policy.delayMs(afterAttempt: attempt, random: &random) == 700)
    }

    @Test("a zero initial interval retries at once, even at huge attempt numbers (no 0 × inf)")
    func zeroInitial() {
        let policy = RetryPolicy(initialIntervalMs: 0, maximumIntervalMs: 5000, jitter: 0.5)
        var random = SplitMix64(seed: 1)
        #expect(policy.delayMs(afterAttempt: 1, random: &random) == 0)
        #expect(policy.delayMs(afterAttempt: Int.max, random: &random) == 0)
    }

    @Test("non-finite or negative fields built in code still give a finite delay within the ceiling")
    func hostileFields() {
        var random = SplitMix64(seed: 5)
        let infinite = RetryPolicy(initialIntervalMs: .infinity, backoffCoefficient: .nan, maximumIntervalMs: .infinity, jitter: .nan)
        #expect(infinite.delayMs(afterAttempt: 4, random: &random) == RetryPolicy.delayCeilingMs)
        let negative = RetryPolicy(initialIntervalMs: -50, backoffCoefficient: -3, maximumIntervalMs: -1, jitter: -2)
        #expect(negative.delayMs(afterAttempt: 4, random: &random) == 0)
        let nan = RetryPolicy(initialIntervalMs: .nan, jitter: 7)
        #expect(nan.delayMs(afterAttempt: 2, random: &random) == 0)
    }
}
