import Foundation
import Logging
import PluginHostCore
import PluginLoader
import Synchronization
import Testing

@Suite("LoadedPlugin.execute passes the call and copies out what the plugin set")
struct LoadedPluginExecuteTests {
    @Test("set_error's code and message come back exactly with the status")
    func setError() throws {
        let plugin = try TestPlugin.loadInitialized(
            executeBody: #"call->set_error(call, PH_ERR_TRANSIENT, "try later"); return PH_ERR_TRANSIENT;"#)
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        #expect(outcome == PluginCallOutcome(status: 3, output: nil, errorCode: 3, errorMessage: "try later"))
    }

    @Test("set_error with a NULL message records the code and no message")
    func setErrorWithoutMessage() throws {
        let plugin = try TestPlugin.loadInitialized(
            executeBody: "call->set_error(call, PH_ERR_EXECUTION, 0); return PH_ERR_EXECUTION;")
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        #expect(outcome == PluginCallOutcome(status: 2, errorCode: 2, errorMessage: nil))
    }

    @Test("an error message that is not UTF-8 is decoded with replacement characters")
    func errorMessageLossyUTF8() throws {
        let plugin = try TestPlugin.loadInitialized(
            executeBody: #"call->set_error(call, PH_ERR_EXECUTION, "bad \xff byte"); return PH_ERR_EXECUTION;"#)
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        #expect(outcome.errorMessage == "bad \u{FFFD} byte")
    }

    @Test("a second set_output replaces the first")
    func lastOutputWins() throws {
        let plugin = try TestPlugin.loadInitialized(executeBody: """
            call->set_output(call, "{\\"first\\":true}", 14);
            call->set_output(call, "[2]", 3);
            return PH_OK;
            """)
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        #expect(outcome.outputText == "[2]")
    }

    @Test("output bytes are copied exactly, embedded NULs included")
    func outputWithEmbeddedNul() throws {
        let plugin = try TestPlugin.loadInitialized(
            executeBody: #"call->set_output(call, "a\0b\0", 4); return PH_OK;"#)
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        #expect(outcome.output == [0x61, 0, 0x62, 0])
    }

    @Test("a 1 MB output is copied whole, after the plugin freed its buffer")
    func largeOutput() throws {
        let plugin = try TestPlugin.loadInitialized(executeBody: """
            size_t n = 1u << 20;
            char *buffer = malloc(n);
            if (!buffer) return PH_ERR_INTERNAL;
            for (size_t i = 0; i < n; i++) buffer[i] = (char)(i % 251);
            call->set_output(call, buffer, n);
            memset(buffer, 0x55, n);
            free(buffer);
            return PH_OK;
            """)
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        let expected = (0..<(1 << 20)).map { UInt8($0 % 251) }
        #expect(outcome.output?.count == 1 << 20)
        #expect(outcome.output == expected)
    }

    @Test("set_output with NULL records an empty output")
    func nullOutput() throws {
        let plugin = try TestPlugin.loadInitialized(executeBody: "call->set_output(call, 0, 5); return PH_OK;")
        #expect(plugin.execute(.test("{}"), cancellation: nil).output == [])
    }

    @Test("parameters with an embedded NUL reach the plugin whole, by length")
    func paramsWithEmbeddedNul() throws {
        let plugin = try TestPlugin.loadInitialized()
        let params: [UInt8] = [0x7B, 0x00, 0x7D]
        let request = PluginCallRequest(nodeType: "test.node", params: NulTerminatedUTF8(bytes: params))
        #expect(plugin.execute(request, cancellation: nil).output == params)
    }

    @Test("node type, input, tenant, execution id and attempt reach the plugin")
    func requestFields() throws {
        let plugin = try TestPlugin.loadInitialized(executeBody: """
            char buffer[512];
            int n = snprintf(buffer, sizeof buffer, "%s|%.*s|%zu|%s|%s|%u|%d",
                call->node_type, (int)call->input_len, call->input_json, call->input_len,
                call->tenant_id, call->execution_id, call->attempt,
                call->struct_size == sizeof(ph_call));
            call->set_output(call, buffer, (size_t)n);
            return PH_OK;
            """)
        let request = PluginCallRequest(
            nodeType: "test.node", params: "{}", input: #"[{"x":1}]"#, tenantID: "acme",
            executionID: "exec-7", attempt: 3)
        let outcome = plugin.execute(request, cancellation: nil)
        #expect(outcome.outputText == #"test.node|[{"x":1}]|9|acme|exec-7|3|1"#)
    }

    @Test("an omitted input is [] and an omitted tenant is empty")
    func requestDefaults() throws {
        let plugin = try TestPlugin.loadInitialized(executeBody: """
            char buffer[64];
            int n = snprintf(buffer, sizeof buffer, "%s|%zu|%s|%s|%u", call->input_json, call->input_len,
                call->tenant_id, call->execution_id, call->attempt);
            call->set_output(call, buffer, (size_t)n);
            return PH_OK;
            """)
        let outcome = plugin.execute(PluginCallRequest(nodeType: "test.node", params: "{}"), cancellation: nil)
        #expect(outcome.outputText == "[]|2|||1")
    }

    @Test("call->log lines are kept in order with their levels, out-of-range levels clamped")
    func callLogs() throws {
        let plugin = try TestPlugin.loadInitialized(executeBody: """
            call->log(call, PH_LOG_DEBUG, "starting");
            call->log(call, PH_LOG_ERROR, "careful");
            call->log(call, -4, "too low");
            call->log(call, 9, "too high");
            call->log(call, PH_LOG_INFO, 0);
            call->set_output(call, "1", 1);
            return PH_OK;
            """)
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        #expect(outcome.logs == [
            PluginLogLine(level: .debug, message: "starting"),
            PluginLogLine(level: .error, message: "careful"),
            PluginLogLine(level: .debug, message: "too low"),
            PluginLogLine(level: .error, message: "too high"),
        ])
        #expect(outcome.outputText == "1")
    }

    @Test("call->log keeps 100 lines, then one marker counting the rest")
    func callLogsBounded() throws {
        let plugin = try TestPlugin.loadInitialized(executeBody: """
            char line[32];
            for (int i = 0; i < 150; i++) {
                snprintf(line, sizeof line, "line %d", i);
                call->log(call, PH_LOG_INFO, line);
            }
            return PH_OK;
            """)
        let logs = plugin.execute(.test("{}"), cancellation: nil).logs
        #expect(logs.count == 101)
        #expect(logs.first == PluginLogLine(level: .info, message: "line 0"))
        #expect(logs[99] == PluginLogLine(level: .info, message: "line 99"))
        #expect(logs.last == PluginLogLine(level: .warning, message: "… 50 more log lines dropped (the host keeps 100 per call)"))
    }

    @Test("is_cancelled turns true when another thread cancels, and the plugin's status comes back")
    func cancellation() throws {
        let plugin = try TestPlugin.loadInitialized(executeBody: """
            struct timespec pause = {0, 1000000};
            for (int polls = 0; !call->is_cancelled(call); polls++) {
                if (polls > 10000) { call->set_error(call, PH_ERR_TIMEOUT, "never cancelled"); return PH_ERR_TIMEOUT; }
                nanosleep(&pause, 0);
            }
            call->set_error(call, PH_ERR_CANCELLED, "stopped");
            return PH_ERR_CANCELLED;
            """)
        let flag = CancellationFlag()
        let canceller = Thread {
            usleep(20_000)
            flag.cancel()
        }
        canceller.start()
        let outcome = plugin.execute(.test("{}"), cancellation: flag)
        #expect(outcome == PluginCallOutcome(status: 7, errorCode: 7, errorMessage: "stopped"))
        #expect(flag.isCancelled)
    }

    @Test("is_cancelled reports 0 without a flag and 1 for a flag already cancelled")
    func cancellationStates() throws {
        let plugin = try TestPlugin.loadInitialized(executeBody: """
            char answer = call->is_cancelled(call) ? '1' : '0';
            call->set_output(call, &answer, 1);
            return PH_OK;
            """)
        let flag = CancellationFlag()
        #expect(plugin.execute(.test("{}"), cancellation: nil).outputText == "0")
        #expect(plugin.execute(.test("{}"), cancellation: flag).outputText == "0")
        flag.cancel()
        #expect(plugin.execute(.test("{}"), cancellation: flag).outputText == "1")
    }
}

@Suite("The ph_host_api a plugin receives")
struct PluginHostAPITests {
    /// init keeps the host table so execute can use it.
    private let keepHost = "static const ph_host_api *g_host;"

    @Test("ph.host-info/1 gives the host version and the plugin's own path")
    func hostInfo() throws {
        let plugin = try TestPlugin.loadInitialized(prelude: keepHost, initBody: "g_host = host; return PH_OK;", executeBody: """
            const ph_ext_host_info *info = g_host->get_extension(g_host, PH_EXT_HOST_INFO);
            if (!info) return PH_ERR_UNSUPPORTED;
            char buffer[4096];
            int n = snprintf(buffer, sizeof buffer, "%s|%s|%d", info->host_version, info->plugin_path,
                info->struct_size == sizeof(ph_ext_host_info));
            call->set_output(call, buffer, (size_t)n);
            return PH_OK;
            """)
        let outcome = plugin.execute(.test("{}"), cancellation: nil)
        #expect(outcome.outputText == "\(PluginHostVersion.current)|\(plugin.path)|1")
        #expect(PluginHostVersion.current == "0.1.0")
    }

    @Test("an unknown extension name gives NULL")
    func unknownExtension() throws {
        let plugin = try TestPlugin.loadInitialized(prelude: keepHost, initBody: "g_host = host; return PH_OK;", executeBody: """
            int unknown = g_host->get_extension(g_host, "ph.host-info/2") == 0;
            int null_name = g_host->get_extension(g_host, 0) == 0;
            char buffer[8];
            int n = snprintf(buffer, sizeof buffer, "%d%d", unknown, null_name);
            call->set_output(call, buffer, (size_t)n);
            return PH_OK;
            """)
        #expect(plugin.execute(.test("{}"), cancellation: nil).outputText == "11")
    }

    @Test("the table states its size and the host's ABI 1.0")
    func tableHeader() throws {
        let plugin = try TestPlugin.loadInitialized(prelude: keepHost, initBody: "g_host = host; return PH_OK;", executeBody: """
            char buffer[64];
            int n = snprintf(buffer, sizeof buffer, "%d %u.%u", g_host->struct_size == sizeof(ph_host_api),
                g_host->abi_major, g_host->abi_minor);
            call->set_output(call, buffer, (size_t)n);
            return PH_OK;
            """)
        #expect(plugin.execute(.test("{}"), cancellation: nil).outputText == "1 1.0")
    }

    @Test("host->log goes to the Logger given to load, tagged with the plugin id")
    func hostLog() throws {
        let store = CapturingLogHandler.Store()
        let logger = Logger(label: "loader-test") { _ in CapturingLogHandler(store: store) }
        let plugin = try TestPlugin.load(
            initBody: #"host->log(host, PH_LOG_WARNING, "hello from init"); host->log(host, 7, "loud"); return PH_OK;"#,
            logger: logger)
        try plugin.initialize(config: .object([:])).get()
        let records = store.records.withLock { $0 }
        #expect(records == [
            .init(level: .warning, message: "hello from init", metadata: ["plugin": "org.test.loader"]),
            .init(level: .error, message: "loud", metadata: ["plugin": "org.test.loader"]),
        ])
    }
}
