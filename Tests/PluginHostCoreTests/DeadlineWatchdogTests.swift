import Foundation
import PluginHostCore
import Synchronization
import Testing

/// ``DeadlineWatchdog`` on a watchdog of the test's own (the process's shared one serves other
/// tests at the same time).
@Suite("Deadline watchdog")
struct DeadlineWatchdogTests {
    private static func milliseconds(_ value: UInt64) -> UInt64 { WallClock.monotonicNanoseconds() + value * 1_000_000 }

    @Test("entries fire at their deadlines, in order, and an earlier one scheduled later wakes the thread for it")
    func firesInOrder() async throws {
        let watchdog = DeadlineWatchdog()
        let fired = Mutex<[String]>([])
        let start = WallClock.monotonicNanoseconds()
        let times = Mutex<[String: UInt64]>([:])
        func entry(_ name: String, _ ms: UInt64) {
            watchdog.schedule(at: Self.milliseconds(ms)) {
                fired.withLock { $0.append(name) }
                times.withLock { $0[name] = WallClock.monotonicNanoseconds() - start }
            }
        }
        entry("late", 2_000)   // the thread now sleeps until this one
        entry("early", 40)     // must wake it, or this fires 2 s late
        entry("middle", 80)
        while fired.withLock({ $0.count }) < 3 { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(fired.withLock { $0 } == ["early", "middle", "late"])
        // Times taken on the watchdog's thread, so a busy test process does not blur them.
        let early = try #require(times.withLock { $0["early"] })
        #expect(early >= 40_000_000 && early < 1_500_000_000, "\(early) ns")
        #expect(watchdog.pendingCount == 0)
    }

    @Test("a cancelled entry never fires and is gone at once: 10 000 finished calls leave nothing behind")
    func cancelledEntriesDoNotLinger() async throws {
        let watchdog = DeadlineWatchdog()
        let fired = Atomic<Int>(0)
        let tokens = (0..<10_000).map { _ in
            watchdog.schedule(at: Self.milliseconds(60_000)) { fired.add(1, ordering: .relaxed) }
        }
        #expect(watchdog.pendingCount == 10_000)
        #expect(tokens.allSatisfy { watchdog.cancel($0) })
        #expect(watchdog.pendingCount == 0)
        #expect(!watchdog.cancel(tokens[0]), "a second cancel finds nothing")
        let soon = watchdog.schedule(at: Self.milliseconds(20)) { fired.add(1, ordering: .relaxed) }
        while fired.load(ordering: .relaxed) == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(!watchdog.cancel(soon), "an entry that fired cannot be cancelled")
        #expect(fired.load(ordering: .relaxed) == 1)
    }

    @Test("an entry whose isDone turns true is dropped without firing")
    func isDoneDrops() async throws {
        let watchdog = DeadlineWatchdog()
        let fired = Atomic<Int>(0)
        watchdog.schedule(at: Self.milliseconds(30), isDone: { true }) { fired.add(1, ordering: .relaxed) }
        watchdog.schedule(at: Self.milliseconds(60)) { fired.add(10, ordering: .relaxed) }
        while fired.load(ordering: .relaxed) == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(fired.load(ordering: .relaxed) == 10)
        #expect(watchdog.pendingCount == 0)
    }
}
