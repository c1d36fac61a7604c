import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// A plugin that calls `exit()` in the host's own process (`--isolation none`, the default):
/// `plugin-host` must end non-zero (70) with a line naming the plugin and what it ran, never
/// with the plugin's status 0 and no output. Under `--isolation process` the same node is
/// EXECUTION_CRASHED with exit 1 (IsolationCLITests).
@Suite("plugin-host when a plugin calls exit() in process")
struct PluginExitCLITests {
    /// The status plugin-host ends with when plugin code called exit() (EX_SOFTWARE).
    static let pluginExitStatus: Int32 = 70

    /// A workflow whose node Exit calls exit(status) while an independent branch adds.
    static func exitWorkflow(status: Int = 0) -> String {
        """
        {"name": "exit-and-branch", "nodes": [
          {"name": "Exit", "type": "hazard.exit", "parameters": {"status": \(status)}},
          {"name": "Add", "type": "math.add", "parameters": {"a": 1, "b": 2}},
          {"name": "Shout", "type": "string.upper", "parameters": {"text": "branch"}}],
         "connections": {}}
        """
    }

    /// A C plugin `org.test.exits` with node `test.exit`, whose init, node or constructor
    /// calls exit(3) as `-DEXIT_IN_INIT`, `-DEXIT_IN_NODE`, `-DEXIT_IN_CONSTRUCTOR` or
    /// `-DEXIT_ON_THREAD` (the node starts a thread that calls exit and waits for it) say.
    static let exitingPluginSource = """
        #define _POSIX_C_SOURCE 200809L
        #include <plugin_host/plugin.h>
        #include <pthread.h>
        #include <stdlib.h>
        PH_PLUGIN_METADATA(\(CPluginBuilder.cStringLiteral(CPluginBuilder.validMetadata(id: "org.test.exits", nodeTypes: ["test.exit"]))));
        #ifdef EXIT_IN_CONSTRUCTOR
        __attribute__((constructor)) static void exits_constructor(void) { exit(3); }
        #endif
        #ifdef EXIT_ON_THREAD
        static void *exits_thread(void *argument) { (void)argument; exit(3); }
        #endif
        static ph_status exits_init(const ph_host_api *host, const char *config, void **state) {
            (void)host; (void)config; *state = 0;
        #ifdef EXIT_IN_INIT
            exit(3);
        #endif
            return PH_OK;
        }
        static ph_status exits_execute(void *state, ph_call *call) {
            (void)state;
        #ifdef EXIT_IN_NODE
            exit(3);
        #endif
        #ifdef EXIT_ON_THREAD
            pthread_t thread;
            if (pthread_create(&thread, NULL, exits_thread, NULL) == 0) pthread_join(thread, NULL);
        #endif
            call->set_output(call, call->params_json, call->params_len);
            return PH_OK;
        }
        static void exits_shutdown(void *state) { (void)state; }
        static const ph_plugin plugin = { sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR,
            PH_PLUGIN_METADATA_JSON, exits_init, exits_execute, exits_shutdown };
        PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &plugin; }
        """

    /// A directory holding the exiting plugin built with `flag`.
    static func exitingPlugin(_ flag: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory(prefix: "exit-plugin")
        try CPluginBuilder.build(source: exitingPluginSource, name: "libexits.so", in: directory, extraFlags: ["-D\(flag)", "-pthread"])
        return directory
    }

    @Test("exec hazard.exit: exit 70, not 0, and one EXECUTION_CRASHED line naming the plugin, the node and the status")
    func execExit() throws {
        for status in [0, 3] {
            let result = try CLI.run(["exec", "hazard.exit", "--params", #"{"status":\#(status)}"#])
            #expect(result.status == Self.pluginExitStatus, "stderr: \(result.stderr)")
            #expect(result.stderr.contains(
                "plugin-host: EXECUTION_CRASHED: plugin org.plugin-host.hazard called exit(\(status)) during node hazard.exit; the host stops because a plugin ended the process. Run it with --isolation process to contain it."),
                "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        let json = try CLI.run(["exec", "hazard.exit", "--json"])
        #expect(json.status == Self.pluginExitStatus)
        #expect(json.stdout.isEmpty, "no success document: \(json.stdout)")
    }

    @Test("run with a hazard.exit node beside independent branches: exit 70, never 0, the line names plugin and node")
    func runExit() throws {
        let directory = try TemporaryDirectory(prefix: "exit-workflow")
        let workflow = try directory.write("exit.workflow.json", Self.exitWorkflow())
        for extra in [[], ["--json"], ["--concurrency", "1"], ["--trace", directory.url("trace.json")]] {
            let result = try CLI.run(["run", workflow] + extra)
            #expect(result.status == Self.pluginExitStatus, "\(extra) stderr: \(result.stderr)")
            #expect(result.stderr.contains("EXECUTION_CRASHED: plugin org.plugin-host.hazard called exit(0) during node hazard.exit"),
                    "\(extra): \(result.stderr)")
        }
    }

    @Test("a function node (libffi) that calls exit: exit 70 naming the manifest's plugin and the node")
    func functionNodeExit() throws {
        let directory = try TemporaryDirectory(prefix: "exit-function")
        _ = try directory.write("libc.plugin.json", #"""
            {"id": "org.test.libc", "name": "libc", "version": "1.0.0", "abi": "1.0", "license": "MIT",
             "description": "exit(3) as a function node.", "threadSafe": true, "dependencies": {}, "library": "libc.so.6",
             "nodes": [{"nodeType": "libc.exit", "version": "1.0.0", "category": "test", "supportedVersions": [1],
               "description": "Calls exit(status).",
               "function": {"symbol": "exit", "signature": "void(int32)", "params": ["status"]}}]}
            """#)
        let result = try CLI.run(["exec", "libc.exit", "--params", #"{"status":4}"#, "--plugin-dir", directory.path])
        #expect(result.status == Self.pluginExitStatus, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("EXECUTION_CRASHED: plugin org.test.libc called exit(4) during node libc.exit"), "\(result.stderr)")
    }

    @Test("a plugin whose init calls exit: load and exec end 70, the line says during init")
    func initExit() throws {
        let directory = try Self.exitingPlugin("EXIT_IN_INIT")
        let cache = try TemporaryDirectory()
        for arguments in [["load", directory.path], ["exec", "test.exit", "--params", #"{"value":1}"#, "--plugin-dir", directory.path]] {
            let result = try CLI.run(arguments, environment: ["XDG_CACHE_HOME": cache.path])
            #expect(result.status == Self.pluginExitStatus, "\(arguments[0]) stderr: \(result.stderr)")
            #expect(result.stderr.contains("EXECUTION_CRASHED: plugin org.test.exits called exit(3) during init;"), "\(result.stderr)")
        }
    }

    @Test("a plugin whose constructor calls exit while it is loaded: exit 70, the line says so")
    func constructorExit() throws {
        let directory = try Self.exitingPlugin("EXIT_IN_CONSTRUCTOR")
        let result = try CLI.run(["load", directory.path])
        // Under ThreadSanitizer an exit() inside dlopen ends the loading thread "with ignores
        // enabled", which TSan reports, ending the process with its own status 66; the line
        // still says who called exit.
        if !BuildProducts.pluginsAreSanitized {
            #expect(result.status == Self.pluginExitStatus, "stderr: \(result.stderr)")
        }
        #expect(result.stderr.contains("EXECUTION_CRASHED: plugin org.test.exits called exit(3) while it was being loaded;"), "\(result.stderr)")
    }

    @Test("a node whose own thread calls exit while the call waits: exit 70, the line names the plugin")
    func otherThreadExit() throws {
        let directory = try Self.exitingPlugin("EXIT_ON_THREAD")
        let result = try CLI.run(["exec", "test.exit", "--params", #"{"value":1}"#, "--plugin-dir", directory.path])
        #expect(result.status == Self.pluginExitStatus, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(
            "EXECUTION_CRASHED: exit(3) was called on another thread while plugin org.test.exits was running a node call;"),
            "\(result.stderr)")
    }

    @Test("plugin-host's own exits keep their status: 0, 1, 2, and 1 with an abandoned call still running")
    func ownExitsUnchanged() throws {
        let success = try CLI.run(["exec", "math.add", "--params", #"{"a":1,"b":2}"#])
        #expect(success.status == 0, "\(success.stderr)")
        let failure = try CLI.run(["exec", "math.div", "--params", #"{"a":1,"b":0}"#])
        #expect(failure.status == 1, "\(failure.stderr)")
        let usage = try CLI.run(["exec", "math.add", "--isolation", "sandbox"])
        #expect(usage.status == 2)
        #expect(try CLI.run(["--help"]).status == 0)
        let directory = try TemporaryDirectory(prefix: "exit-workflow")
        let workflow = try directory.write("math.workflow.json", WorkflowFiles.math)
        #expect(try CLI.run(["run", workflow]).status == 0)
        // hazard.spin never returns: its call is still running in this process when plugin-host
        // exits 1 after the timeout, and that exit is the host's, not the plugin's.
        let abandoned = try CLI.run(["exec", "hazard.spin", "--timeout-ms", "100"])
        #expect(abandoned.status == 1, "\(abandoned.stderr)")
        #expect(abandoned.stderr.contains("EXECUTION_TIMEOUT"))
        #expect(!abandoned.stderr.contains("called exit"), "\(abandoned.stderr)")
        for stray in [success, failure, usage] {
            #expect(!stray.stderr.contains("called exit"), "\(stray.stderr)")
        }
    }
}
