import Foundation
import PluginHostCore

/// Plugins for execution tests, built once per process with plain `cc` into one temporary
/// directory (never the default plugin path):
///
/// - `libhostile.so` (`org.test.hostile`, thread-safe), nodes that break the rules:
///   `hostile.garbage` (success with output that is not JSON), `hostile.silent` (success
///   without output), `hostile.huge` (`bytes`: a JSON string of that many bytes),
///   `hostile.stubborn` (sleeps `ms` ignoring `is_cancelled`, then appends `finished` to
///   `marker`), `hostile.polite` (marks `started`, sleeps up to `ms` polling `is_cancelled`; when it turns true,
///   appends `cancelled` to `marker` and returns PH_ERR_CANCELLED), `hostile.echo` (echoes its
///   parameters and logs one line), `hostile.ids` (sleeps `ms`, default 0, then appends
///   `<attempt> <execution id>` to `marker`, fails with PH_ERR_TRANSIENT while `attempt <= failures`, else `{"ok":true}`);
/// - `libserial.so` (`org.test.serial`, **not** thread-safe): `serial.check` fails with
///   PH_ERR_EXECUTION "overlapping calls" if another call is inside it at the same time (which
///   the host must prevent), fails with PH_ERR_TRANSIENT while `attempt <= failures`, else
///   returns `{"attempt": n}`;
/// - `libph-demo.so`, compiled from the repository's `Plugins/demo/demo.c`.
public enum ExecutionPlugins {
    private static let built = Locked<TemporaryDirectory?>(nil)

    /// The directory with the three libraries, compiled on first use (a failed build is
    /// retried by the next caller).
    public static func directory() throws -> String {
        try built.withLock { built in
            if let built { return built.path }
            let directory = try TemporaryDirectory(prefix: "execution-plugins")
            try CPluginBuilder.build(source: hostileSource, name: "libhostile.so", in: directory)
            try CPluginBuilder.build(source: serialSource, name: "libserial.so", in: directory)
            let demo = try String(contentsOfFile: CPluginBuilder.repositoryRoot + "/Plugins/demo/demo.c", encoding: .utf8)
            try CPluginBuilder.build(source: demo, name: "libph-demo.so", in: directory)
            built = directory
            return directory.path
        }
    }

    static func metadata(id: String, threadSafe: Bool, nodeTypes: [String]) -> String {
        let nodes = nodeTypes.map { type in
            """
            {"nodeType":"\(type)","version":"1.0.0","category":"test","description":"A node for execution tests.",\
            "requiredFields":[],"schema":{"type":"object","properties":{},"additionalProperties":true},\
            "supportedVersions":[1]}
            """
        }.joined(separator: ",")
        return """
        {"id":"\(id)","name":"Test plugin","version":"1.0.0","abi":"1.0",\
        "description":"A plugin built by the execution tests.","threadSafe":\(threadSafe),\
        "dependencies":{},"nodes":[\(nodes)]}
        """
    }

    static let prelude = """
        #define _POSIX_C_SOURCE 200809L
        #include <plugin_host/plugin.h>
        #include <plugin_host/params.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <stdatomic.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <time.h>
        #include <unistd.h>
        __attribute__((unused)) static void sleep_1ms(void) {
            struct timespec step = {0, 1000000L};
            while (nanosleep(&step, &step) != 0 && errno == EINTR) { }
        }
        static int64_t param_int(ph_call *call, const char *key, int64_t fallback) {
            int64_t value = fallback;
            ph_json_get_int64(call->params_json, call->params_len, key, &value);
            return value;
        }
        __attribute__((unused)) static void mark(ph_call *call, const char *line) {
            char path[4096];
            size_t len = 0;
            if (ph_json_get_string(call->params_json, call->params_len, "marker", path, sizeof path, &len) != PH_JSON_OK) return;
            int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
            if (fd < 0) return;
            ssize_t written = write(fd, line, strlen(line));
            (void)written;
            close(fd);
        }
        static ph_status t_init(const ph_host_api *host, const char *config, void **state) {
            (void)host; (void)config; *state = NULL; return PH_OK;
        }
        static void t_shutdown(void *state) { (void)state; }

        """

    static let entry = """
        static const ph_plugin plugin = { sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR,
            PH_PLUGIN_METADATA_JSON, t_init, t_execute, t_shutdown };
        PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &plugin; }
        """

    static let hostileSource = prelude + """
        PH_PLUGIN_METADATA(\(CPluginBuilder.cStringLiteral(metadata(
            id: "org.test.hostile", threadSafe: true,
            nodeTypes: ["hostile.garbage", "hostile.silent", "hostile.huge", "hostile.stubborn", "hostile.polite", "hostile.echo", "hostile.ids"]))));
        static ph_status t_execute(void *state, ph_call *call) {
            (void)state;
            const char *type = call->node_type;
            if (strcmp(type, "hostile.garbage") == 0) {
                call->set_output(call, "{not json", 9);
                return PH_OK;
            }
            if (strcmp(type, "hostile.silent") == 0) return PH_OK;
            if (strcmp(type, "hostile.huge") == 0) {
                size_t bytes = (size_t)param_int(call, "bytes", 1024);
                char *text = malloc(bytes < 2 ? 2 : bytes);
                if (!text) return PH_ERR_EXECUTION;
                memset(text, 'a', bytes);
                text[0] = '"';
                text[bytes - 1] = '"';
                call->set_output(call, text, bytes);
                free(text);
                return PH_OK;
            }
            if (strcmp(type, "hostile.stubborn") == 0) {
                int64_t ms = param_int(call, "ms", 1000);
                for (int64_t i = 0; i < ms; i++) sleep_1ms();
                mark(call, "finished\\n");
                call->set_output(call, "{\\"done\\":true}", 13);
                return PH_OK;
            }
            if (strcmp(type, "hostile.polite") == 0) {
                int64_t ms = param_int(call, "ms", 1000);
                mark(call, "started\\n");
                for (int64_t i = 0; i < ms; i++) {
                    if (call->is_cancelled(call)) {
                        mark(call, "cancelled\\n");
                        call->set_error(call, PH_ERR_CANCELLED, "stopped: the host cancelled the call");
                        return PH_ERR_CANCELLED;
                    }
                    sleep_1ms();
                }
                mark(call, "finished\\n");
                call->set_output(call, "{\\"done\\":true}", 13);
                return PH_OK;
            }
            if (strcmp(type, "hostile.ids") == 0) {
                for (int64_t i = param_int(call, "ms", 0); i > 0; i--) sleep_1ms();
                char line[160];
                snprintf(line, sizeof line, "%u %s\\n", (unsigned)call->attempt, call->execution_id);
                mark(call, line);
                if ((int64_t)call->attempt <= param_int(call, "failures", 0)) {
                    call->set_error(call, PH_ERR_TRANSIENT, "planned failure");
                    return PH_ERR_TRANSIENT;
                }
                call->set_output(call, "{\\"ok\\":true}", 11);
                return PH_OK;
            }
            if (strcmp(type, "hostile.echo") == 0) {
                call->log(call, PH_LOG_INFO, "echoing");
                call->set_output(call, call->params_json, call->params_len);
                return PH_OK;
            }
            return PH_ERR_UNSUPPORTED;
        }

        """ + entry

    static let serialSource = prelude + """
        PH_PLUGIN_METADATA(\(CPluginBuilder.cStringLiteral(metadata(id: "org.test.serial", threadSafe: false, nodeTypes: ["serial.check"]))));
        static atomic_int inside;
        static ph_status t_execute(void *state, ph_call *call) {
            (void)state;
            if (atomic_fetch_add(&inside, 1) != 0) {
                atomic_fetch_sub(&inside, 1);
                call->set_error(call, PH_ERR_EXECUTION, "overlapping calls");
                return PH_ERR_EXECUTION;
            }
            for (volatile int i = 0; i < 2000; i++) { }
            atomic_fetch_sub(&inside, 1);
            if ((int64_t)call->attempt <= param_int(call, "failures", 0)) {
                call->set_error(call, PH_ERR_TRANSIENT, "planned failure");
                return PH_ERR_TRANSIENT;
            }
            char out[64];
            int n = snprintf(out, sizeof out, "{\\"attempt\\":%u}", (unsigned)call->attempt);
            call->set_output(call, out, (size_t)n);
            return PH_OK;
        }

        """ + entry
}
