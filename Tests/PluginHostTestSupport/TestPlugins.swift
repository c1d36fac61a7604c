import Foundation
import PluginHostCore
import Synchronization

/// A configurable test plugin: who it is and what it depends on. What its `init` does is
/// decided at run time by the configuration the host passes (see ``TestPlugins``).
public struct TestPluginSpec: Sendable {
    public var id: String
    public var version: String
    public var nodeTypes: [String]
    /// Plugin id and range, in manifest order.
    public var dependencies: [(id: String, range: String)]

    /// `nodeTypes` defaults to one node named after the id (`org.test.a` → `org-test-a.run`),
    /// so plugins of one test never collide on a node type.
    public init(id: String, version: String = "1.0.0", nodeTypes: [String]? = nil, dependencies: [(id: String, range: String)] = []) {
        self.id = id
        self.version = version
        self.nodeTypes = nodeTypes ?? [id.replacingOccurrences(of: ".", with: "-") + ".run"]
        self.dependencies = dependencies
    }
}

/// Strict-valid C test plugins whose `init` behaviour comes from their configuration, built
/// with plain `cc` and linked against one shared concurrency counter (`libphcounter.so`).
///
/// `init` reads its configuration with the SDK's `params.h`:
/// - `"marker": "/path"` — first appends `<id>\n` to that file (O_APPEND, one `write`), so a
///   test sees which inits ran and in which order they started;
/// - `"counterSlot": n` — calls `ph_counter_enter(n)` before doing anything else and
///   `ph_counter_leave(n)` when done, so the counter sees how many inits overlap;
/// - `"hang": true` — never returns (sleeps in a loop, still "entered");
/// - `"delayMs": n` — sleeps n ms (nanosleep, resumed after signals);
/// - `"fail": "message"` — then fails with `set_init_error(host, message)` and PH_ERR_EXECUTION.
///
/// Plugins are compiled once per distinct source and copied into each test's directory (cc is
/// the slow part; a copy is a new file, so it is loaded as a library of its own).
public enum TestPlugins {
    /// The manifest JSON embedded in the plugin.
    public static func metadata(_ spec: TestPluginSpec) -> String {
        let nodes = spec.nodeTypes.map { type in
            """
            {"nodeType":"\(type)","version":"1.0.0","category":"test","description":"Echoes its parameters.",\
            "requiredFields":[],"schema":{"type":"object","properties":{},"additionalProperties":true},\
            "supportedVersions":[1]}
            """
        }.joined(separator: ",")
        let dependencies = spec.dependencies.map { "\"\($0.id)\":\"\($0.range)\"" }.joined(separator: ",")
        return """
        {"id":"\(spec.id)","name":"Test plugin","version":"\(spec.version)","abi":"1.0",\
        "description":"A configurable plugin built by the tests.","threadSafe":true,\
        "dependencies":{\(dependencies)},"nodes":[\(nodes)]}
        """
    }

    /// The complete C source of the plugin.
    public static func source(_ spec: TestPluginSpec) -> String {
        """
        #define _POSIX_C_SOURCE 200809L
        #include <plugin_host/plugin.h>
        #include <plugin_host/params.h>
        #include <fcntl.h>
        #include <time.h>
        #include <unistd.h>
        PH_PLUGIN_METADATA(\(CPluginBuilder.cStringLiteral(metadata(spec))));
        void ph_counter_enter(int slot);
        void ph_counter_leave(int slot);
        static const char plugin_line[] = \(CPluginBuilder.cStringLiteral(spec.id + "\n"));
        static void sleep_ms(int64_t ms) {
            struct timespec left = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
            while (nanosleep(&left, &left) != 0) { }
        }
        static ph_status t_init(const ph_host_api *host, const char *config, void **state) {
            size_t len = strlen(config);
            *state = NULL;
            char marker[4096];
            size_t marker_len = 0;
            if (ph_json_get_string(config, len, "marker", marker, sizeof marker, &marker_len) == PH_JSON_OK) {
                int fd = open(marker, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
                if (fd >= 0) {
                    ssize_t written = write(fd, plugin_line, sizeof plugin_line - 1);
                    (void)written;
                    close(fd);
                }
            }
            int64_t slot = -1;
            ph_json_get_int64(config, len, "counterSlot", &slot);
            ph_counter_enter((int)slot);
            bool hang = false;
            if (ph_json_get_bool(config, len, "hang", &hang) == PH_JSON_OK && hang) {
                for (;;) sleep_ms(1000);
            }
            int64_t delay = 0;
            if (ph_json_get_int64(config, len, "delayMs", &delay) == PH_JSON_OK && delay > 0) sleep_ms(delay);
            ph_counter_leave((int)slot);
            char *fail = NULL;
            size_t fail_len = 0;
            if (ph_json_get_string_alloc(config, len, "fail", &fail, &fail_len) == PH_JSON_OK) {
                host->set_init_error(host, fail);
                free(fail);
                return PH_ERR_EXECUTION;
            }
            return PH_OK;
        }
        static ph_status t_execute(void *state, ph_call *call) {
            (void)state;
            call->set_output(call, call->params_json, call->params_len);
            return PH_OK;
        }
        static void t_shutdown(void *state) { (void)state; }
        static const ph_plugin plugin = { sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR,
            PH_PLUGIN_METADATA_JSON, t_init, t_execute, t_shutdown };
        PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &plugin; }
        """
    }

    /// The counter library: per-slot atomic "current" and "peak" counts, so tests running in
    /// parallel in one process each read their own slot (one shared library, one counter).
    static let counterSource = """
        #include <stdatomic.h>
        #define PH_COUNTER_API __attribute__((visibility("default")))
        #define SLOTS 64
        static atomic_int current[SLOTS], peak[SLOTS], calls[SLOTS];
        static int valid(int slot) { return slot >= 0 && slot < SLOTS; }
        PH_COUNTER_API void ph_counter_enter(int slot) {
            if (!valid(slot)) return;
            atomic_fetch_add(&calls[slot], 1);
            int now = atomic_fetch_add(&current[slot], 1) + 1;
            int seen = atomic_load(&peak[slot]);
            while (now > seen && !atomic_compare_exchange_weak(&peak[slot], &seen, now)) { }
        }
        PH_COUNTER_API void ph_counter_leave(int slot) { if (valid(slot)) atomic_fetch_sub(&current[slot], 1); }
        PH_COUNTER_API int ph_counter_current(int slot) { return valid(slot) ? atomic_load(&current[slot]) : -1; }
        PH_COUNTER_API int ph_counter_peak(int slot) { return valid(slot) ? atomic_load(&peak[slot]) : -1; }
        PH_COUNTER_API int ph_counter_calls(int slot) { return valid(slot) ? atomic_load(&calls[slot]) : -1; }
        PH_COUNTER_API void ph_counter_reset(int slot) {
            if (valid(slot)) { atomic_store(&peak[slot], atomic_load(&current[slot])); atomic_store(&calls[slot], 0); }
        }
        """

    static let slotCount: Int32 = 64

    private struct Built {
        var counterDirectory: TemporaryDirectory?
        var plugins: [String: [UInt8]] = [:]
    }

    private static let built = Locked(Built())

    /// The directory holding `libphcounter.so`, built on first use and kept for the process.
    public static func counterDirectory() throws -> String {
        try built.withLock { built in
            if let directory = built.counterDirectory { return directory.path }
            let directory = try TemporaryDirectory(prefix: "phcounter")
            try CPluginBuilder.build(source: counterSource, name: "libphcounter.so", in: directory,
                                     extraFlags: ["-Wl,-soname,libphcounter.so"])
            built.counterDirectory = directory
            return directory.path
        }
    }

    /// Writes the plugin for `spec` to `directory/name` (compiling it on first use) and returns the path.
    @discardableResult
    public static func install(_ spec: TestPluginSpec, as name: String, in directory: TemporaryDirectory) throws -> String {
        try install(source: source(spec), as: name, in: directory)
    }

    /// Writes the library built from the C `source` (linked against the counter) to
    /// `directory/name`, compiling it on first use, and returns the path.
    @discardableResult
    public static func install(source: String, as name: String, in directory: TemporaryDirectory) throws -> String {
        try directory.write(name, try compiled([source])[0])
    }

    /// Compiles every source not compiled yet, in one go.
    ///
    /// Tests that measure time call this first (with everything the suite needs): cc runs
    /// synchronously and would otherwise block Swift's cooperative threads (one per core) while
    /// a parallel test's timers wait for one.
    public static func prebuild(_ specs: [TestPluginSpec], sources: [String] = []) throws {
        _ = try compiled(specs.map(source) + sources)
    }

    /// The libraries for `sources`, compiling the missing ones two at a time (cc is slow, and
    /// the machines running these tests have few cores).
    private static func compiled(_ sources: [String]) throws -> [[UInt8]] {
        let counter = try counterDirectory()
        return try built.withLock { built in
            let missing = Array(Set(sources.filter { built.plugins[$0] == nil }))
            let results = Locked<[String: Result<[UInt8], any Error>]>([:])
            let workers = min(2, missing.count)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for source in stride(from: worker, to: missing.count, by: workers).map({ missing[$0] }) {
                    let result = Result { () throws -> [UInt8] in
                        let scratch = try TemporaryDirectory(prefix: "testplugin-cc")
                        let path = try CPluginBuilder.build(
                            source: source, name: "plugin.so", in: scratch,
                            extraFlags: ["-L", counter, "-lphcounter", "-Wl,-rpath," + counter])
                        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                    }
                    results.withLock { $0[source] = result }
                }
            }
            for (source, result) in results.withLock({ $0 }) { built.plugins[source] = try result.get() }
            return sources.map { built.plugins[$0]! }
        }
    }
}
