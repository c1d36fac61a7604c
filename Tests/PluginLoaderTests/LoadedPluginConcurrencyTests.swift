import PluginHostCore
import Foundation
import PluginLoader
import Synchronization
import Testing

@Suite("LoadedPlugin.execute from many threads")
struct LoadedPluginConcurrencyTests {
    /// Counts calls inside execute at once and remembers the most; node `test.max` reports it.
    private let overlapCounter = (
        prelude: "static atomic_int current; static atomic_int most;",
        execute: """
            if (strcmp(call->node_type, "test.max") == 0) {
                char buffer[16];
                int n = snprintf(buffer, sizeof buffer, "%d", atomic_load(&most));
                call->set_output(call, buffer, (size_t)n);
                return PH_OK;
            }
            int now = atomic_fetch_add(&current, 1) + 1;
            int seen = atomic_load(&most);
            while (now > seen && !atomic_compare_exchange_weak(&most, &seen, now)) {}
            struct timespec pause = {0, 2000000};
            nanosleep(&pause, 0);
            atomic_fetch_sub(&current, 1);
            call->set_output(call, call->params_json, call->params_len);
            return PH_OK;
            """
    )

    @Test("a plugin that is not thread-safe never sees two calls at once")
    func serializesUnsafePlugins() throws {
        let plugin = try TestPlugin.loadInitialized(
            prelude: overlapCounter.prelude, executeBody: overlapCounter.execute, threadSafe: false)
        runOnThreads(8) { _ in
            for _ in 0..<5 { _ = plugin.execute(.test("{}"), cancellation: nil) }
        }
        let most = plugin.execute(PluginCallRequest(nodeType: "test.max", params: "{}"), cancellation: nil)
        #expect(most.outputText == "1")
    }

    @Test("a thread-safe plugin called from 8 threads returns each caller its own output")
    func concurrentCallsKeepTheirOutputs() throws {
        let plugin = try TestPlugin.loadInitialized(
            prelude: overlapCounter.prelude, executeBody: overlapCounter.execute, threadSafe: true)
        let mismatches = Locked(0)
        let calls = Locked(0)
        runOnThreads(8) { thread in
            for index in 0..<25 {
                let params = #"{"thread":\#(thread),"call":\#(index)}"#
                let outcome = plugin.execute(.test(params), cancellation: nil)
                calls.withLock { $0 += 1 }
                if outcome.outputText != params || outcome.status != 0 { mismatches.withLock { $0 += 1 } }
            }
        }
        #expect(calls.withLock { $0 } == 200)
        #expect(mismatches.withLock { $0 } == 0)
    }
}
