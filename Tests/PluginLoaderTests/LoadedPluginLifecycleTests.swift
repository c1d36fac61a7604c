import Foundation
import Logging
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import Synchronization
import Testing

@Suite("LoadedPlugin init and shutdown run once, in order")
struct LoadedPluginLifecycleTests {
    @Test("an init that fails with set_init_error is INIT_FAILED carrying that message")
    func initFailsWithMessage() throws {
        let plugin = try TestPlugin.load(
            initBody: #"host->set_init_error(host, "missing api key"); return PH_ERR_CREDENTIAL_MISSING;"#)
        let problem = plugin.initialize(config: .object([:])).failure
        #expect(problem?.code == .initFailed)
        #expect(problem?.file == plugin.path)
        #expect(problem?.message == "init failed: missing api key (status 5); fix what it names")
    }

    @Test("an init that fails without a message is INIT_FAILED naming the status")
    func initFailsWithoutMessage() throws {
        let plugin = try TestPlugin.load(initBody: "return PH_ERR_TRANSIENT;")
        let problem = plugin.initialize(config: .object([:])).failure
        #expect(problem?.code == .initFailed)
        #expect(problem?.message.hasPrefix("init returned status 3 without a message;") == true)
    }

    @Test("the config reaches init as JSON, and init's state reaches execute")
    func configAndState() throws {
        let plugin = try TestPlugin.loadInitialized(
            initBody: "*state = strdup(config); return *state ? PH_OK : PH_ERR_INTERNAL;",
            executeBody: "call->set_output(call, (const char *)state, strlen((const char *)state)); return PH_OK;",
            shutdownBody: "free(state);",
            config: .object(["apiKey": .string("k-1"), "retries": .int(2)]))
        #expect(plugin.execute(.test("{}"), cancellation: nil).outputText == #"{"apiKey":"k-1","retries":2}"#)
    }

    @Test("a second initialize returns the first outcome without calling init again")
    func initializeTwice() throws {
        let plugin = try TestPlugin.load(
            prelude: "static int inits;",
            initBody: "inits++; return PH_OK;",
            executeBody: "char n = (char)('0' + inits); call->set_output(call, &n, 1); return PH_OK;")
        let first = plugin.initialize(config: .object([:]))
        let second = plugin.initialize(config: .object(["other": .bool(true)]))
        #expect((try? first.get()) != nil)
        #expect((try? second.get()) != nil)
        #expect(plugin.execute(.test("{}"), cancellation: nil).outputText == "1")
    }

    @Test("a failed initialize is returned again on a second call")
    func failedInitializeTwice() throws {
        let plugin = try TestPlugin.load(
            prelude: "static int inits;",
            initBody: #"inits++; host->set_init_error(host, inits == 1 ? "first" : "second"); return PH_ERR_EXECUTION;"#)
        let first = plugin.initialize(config: .object([:])).failure
        let second = plugin.initialize(config: .object([:])).failure
        #expect(first?.message.hasPrefix("init failed: first") == true)
        #expect(second == first)
    }

    @Test("execute before initialize is refused without calling the plugin")
    func executeBeforeInit() throws {
        let plugin = try TestPlugin.load()
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        #expect(outcome == PluginCallOutcome(
            status: 11, errorCode: 11,
            errorMessage: "plugin org.test.loader is not initialized; call initialize before execute"))
    }

    @Test("execute after a failed init is refused without calling the plugin")
    func executeAfterFailedInit() throws {
        let plugin = try TestPlugin.load(initBody: "return PH_ERR_EXECUTION;")
        _ = plugin.initialize(config: .object([:]))
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        #expect(outcome.status == 11)
        #expect(outcome.output == nil)
    }

    @Test("shutdown runs once, after the last execute, and later executes never reach the plugin")
    func shutdownOnce() throws {
        let directory = try TemporaryDirectory()
        let journal = directory.url("journal.txt")
        let mark = """
            static void mark(const char *what) {
                FILE *f = fopen(\(CPluginBuilder.cStringLiteral(journal)), "a");
                if (f) { fputs(what, f); fclose(f); }
            }
            """
        let plugin = try TestPlugin.loadInitialized(
            prelude: mark,
            executeBody: #"mark("execute\n"); call->set_output(call, "1", 1); return PH_OK;"#,
            shutdownBody: #"mark("shutdown\n");"#)
        #expect(plugin.execute(.test("{}"), cancellation: nil).outputText == "1")
        #expect(plugin.shutdown())
        #expect(!plugin.shutdown())
        let refused = plugin.execute(.test("{}"), cancellation: nil)
        #expect(refused.status == 11)
        #expect(refused.errorMessage == "plugin org.test.loader has been shut down; restart the host to use it again")
        #expect(try String(contentsOfFile: journal, encoding: .utf8) == "execute\nshutdown\n")
    }

    @Test("shutdown of a plugin that never initialized does not call the plugin, and init is then refused")
    func shutdownBeforeInit() throws {
        let directory = try TemporaryDirectory()
        let journal = directory.url("journal.txt")
        let mark = """
            static void mark(const char *what) {
                FILE *f = fopen(\(CPluginBuilder.cStringLiteral(journal)), "a");
                if (f) { fputs(what, f); fclose(f); }
            }
            """
        let plugin = try TestPlugin.load(prelude: mark, initBody: #"mark("init\n"); return PH_OK;"#,
                                         shutdownBody: #"mark("shutdown\n");"#)
        #expect(!plugin.shutdown())
        let problem = plugin.initialize(config: .object([:])).failure
        #expect(problem?.code == .initFailed)
        #expect(!FileManager.default.fileExists(atPath: journal))
    }

    /// A plugin whose execute says "entered" through host->log, then runs `executeRest`;
    /// its shutdown logs whether an execute was still running. The log store shows both.
    private func loadObservable(executeRest: String) throws -> (LoadedPlugin, CapturingLogHandler.Store) {
        let store = CapturingLogHandler.Store()
        let logger = Logger(label: "loader-test") { _ in CapturingLogHandler(store: store) }
        let plugin = try TestPlugin.loadInitialized(
            prelude: "static const ph_host_api *g_host; static atomic_int running;",
            initBody: "g_host = host; return PH_OK;",
            executeBody: """
                atomic_store(&running, 1);
                g_host->log(g_host, PH_LOG_INFO, "entered");
                \(executeRest)
                atomic_store(&running, 0);
                return PH_OK;
                """,
            shutdownBody: #"g_host->log(g_host, PH_LOG_INFO, atomic_load(&running) ? "shutdown during execute" : "shutdown");"#,
            logger: logger)
        return (plugin, store)
    }

    /// Waits until the plugin has logged `message` (at most 10 s).
    private func waitForLog(_ message: String, in store: CapturingLogHandler.Store) {
        for _ in 0..<10_000 where !store.records.withLock({ $0.contains { $0.message == message } }) {
            usleep(1_000)
        }
    }

    @Test("shutdown waits for a call in flight before running the plugin's shutdown")
    func shutdownWaitsForCalls() throws {
        let (plugin, store) = try loadObservable(executeRest: """
            struct timespec pause = {0, 50000000};
            nanosleep(&pause, 0);
            """)
        let finished = DispatchSemaphore(value: 0)
        let caller = Thread {
            _ = plugin.execute(.test("{}"), cancellation: nil)
            finished.signal()
        }
        caller.start()
        waitForLog("entered", in: store)
        #expect(plugin.shutdown())
        finished.wait()
        #expect(store.records.withLock { $0.map(\.message) } == ["entered", "shutdown"])
    }

    @Test("shutdown gives up on a call that never returns and skips the plugin's shutdown")
    func shutdownGivesUp() throws {
        let (plugin, store) = try loadObservable(executeRest: """
            struct timespec pause = {0, 1000000};
            while (!call->is_cancelled(call)) nanosleep(&pause, 0);
            """)
        let flag = CancellationFlag()
        let finished = DispatchSemaphore(value: 0)
        let caller = Thread {
            _ = plugin.execute(.test("{}"), cancellation: flag)
            finished.signal()
        }
        caller.start()
        waitForLog("entered", in: store)
        #expect(!plugin.shutdown(waitingUpTo: .milliseconds(30)))
        flag.cancel()
        finished.wait()
        #expect(!plugin.shutdown())
        let messages = store.records.withLock { $0.map(\.message) }
        #expect(messages.first == "entered")
        #expect(!messages.contains("shutdown") && !messages.contains("shutdown during execute"))
        #expect(messages.contains { $0.hasPrefix("shutdown skipped: a call into the plugin did not return within") })
    }
}
