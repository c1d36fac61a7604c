import PluginHostCore
import Testing
@testable import PluginRuntime

/// The call threads under load: every job runs exactly once, none is lost between a submit and
/// an idle thread's wait, and a deadline wait returns on time. (A release build once lost jobs
/// and crashed here when the wait happened inside an `inout` access to the pool's state; the
/// gate's API no longer allows that — these tests keep the behaviour pinned.)
@Suite("Plugin call threads")
struct PluginCallThreadsTests {
    @Test("20 000 jobs submitted from 8 threads at once all run exactly once")
    func everyJobRunsOnce() async throws {
        let pool = PluginCallThreads(keptIdle: 2, idleSeconds: 1)
        let done = ConditionGate<Int>(0)
        let perSubmitter = 2_500, submitters = 8
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<submitters {
                group.addTask {
                    for _ in 0..<perSubmitter {
                        pool.run {
                            done.withLock { $0 += 1 }
                            done.broadcast()
                        }
                    }
                }
            }
        }
        let total = perSubmitter * submitters
        let deadline = WallClock.monotonicNanoseconds() + 30_000_000_000
        let finished = done.locked { held -> Int in
            while held.access({ $0 }) < total, held.wait(deadline: deadline) {}
            return held.access { $0 }
        }
        #expect(finished == total)
    }

    @Test("a deadline wait with nothing signalled returns false after the deadline, not before")
    func deadlineWait() {
        let gate = ConditionGate<Bool>(false)
        let start = WallClock.monotonicNanoseconds()
        let signalled = gate.locked { held -> Bool in
            var result = true
            while !held.access({ $0 }) {
                result = held.wait(deadline: start + 50_000_000)
                if !result { break }
            }
            return result
        }
        #expect(!signalled)
        #expect(WallClock.monotonicNanoseconds() - start >= 50_000_000)
    }
}
