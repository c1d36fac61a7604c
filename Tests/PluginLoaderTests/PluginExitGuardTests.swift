import Foundation
import Logging
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import Synchronization
import Testing

/// The thread mark ``PluginExitGuard`` reads when plugin code calls exit(): set to the plugin
/// and what it runs for the whole of init, a node call and shutdown, cleared afterwards. (The
/// exit handler itself is installed only by hosts and is tested through plugin-host and
/// libplugin_host.so, in processes of their own.)
@Suite("The exit guard's thread mark")
struct PluginExitGuardTests {
    /// Records, for every line the plugin logs, the mark of the thread logging it.
    struct MarkRecordingLogHandler: LogHandler {
        final class Store: Sendable {
            let marks = Locked<[String: String]>([:])
        }

        let store: Store
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let mark = PluginExitGuard.currentMark.map { "\($0.plugin) \($0.what)" } ?? "none"
            store.marks.withLock { $0[event.message.description] = mark }
        }
    }

    @Test("init, a node call and shutdown run marked with the plugin id and init, the node type, shutdown; the mark is cleared after each")
    func marks() throws {
        let store = MarkRecordingLogHandler.Store()
        let logger = Logger(label: "exit-guard-test") { _ in MarkRecordingLogHandler(store: store) }
        let plugin = try TestPlugin.load(
            prelude: "static const ph_host_api *g_host;",
            initBody: #"g_host = host; host->log(host, PH_LOG_WARNING, "init"); *state = 0; return PH_OK;"#,
            executeBody: #"g_host->log(g_host, PH_LOG_WARNING, "node"); call->set_output(call, "{}", 2); return PH_OK;"#,
            shutdownBody: #"g_host->log(g_host, PH_LOG_WARNING, "shutdown");"#,
            logger: logger)
        #expect(PluginExitGuard.currentMark == nil)
        try plugin.initialize(config: .object([:])).get()
        #expect(PluginExitGuard.currentMark == nil)
        #expect(plugin.execute(.test("{}"), cancellation: nil).status == 0)
        #expect(PluginExitGuard.currentMark == nil)
        #expect(plugin.shutdown())
        #expect(PluginExitGuard.currentMark == nil)
        #expect(store.marks.withLock { $0 } == [
            "init": "org.test.loader init", "node": "org.test.loader test.node", "shutdown": "org.test.loader shutdown",
        ])
    }

    @Test("the exit status a host ends with when plugin code called exit() is 70 (EX_SOFTWARE)")
    func status() {
        #expect(PluginExitGuard.exitStatus == 70)
    }
}
