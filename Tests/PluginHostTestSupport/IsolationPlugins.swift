import Foundation
import PluginHostCore

/// Plugins for process-isolation tests, compiled once per process with plain `cc` into one
/// temporary directory: the repository's `hazard.c` (`libph-hazard.so`: nodes that crash, exit,
/// hang and exhaust memory) and `math.c` (`libph-math.so`, for calls that must keep working).
public enum IsolationPlugins {
    private static let built = Locked<TemporaryDirectory?>(nil)

    public static func directory() throws -> String {
        try built.withLock { built in
            if let built { return built.path }
            let directory = try TemporaryDirectory(prefix: "isolation-plugins")
            for name in ["hazard", "math"] {
                let source = try String(contentsOfFile: CPluginBuilder.repositoryRoot + "/Plugins/\(name)/\(name).c", encoding: .utf8)
                try CPluginBuilder.build(source: source, name: "libph-\(name).so", in: directory)
            }
            built = directory
            return directory.path
        }
    }

    /// The worker executable `swift build` put beside the test bundle.
    public static var worker: String { BuildProducts.directory + "/plugin-host-worker" }

    /// Whether the worker was built with a sanitizer: it then sets no memory limit and counts
    /// no failed allocations (the sanitizer owns malloc), so memory-limit tests skip themselves.
    public static let workerIsSanitized: Bool = {
        guard let bytes = FileManager.default.contents(atPath: worker) else { return false }
        return bytes.range(of: Data("__tsan_init".utf8)) != nil || bytes.range(of: Data("__asan_init".utf8)) != nil
    }()

    /// Whether a process with this pid exists (a zombie counts until it is reaped).
    public static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// Pids of live `plugin-host-worker` processes started by the process `parent`.
    public static func workers(startedBy parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.first?.hasSuffix("plugin-host-worker") == true,
                  let index = arguments.firstIndex(of: "--parent"), index + 1 < arguments.count,
                  arguments[index + 1] == String(parent) else { return nil }
            return pid
        }
    }
}

/// Plugins whose loading or `init` misbehaves, for the probe's tests: each an echo plugin
/// (``CPluginBuilder/echoPluginSource(id:nodeType:version:metadata:abiMajor:abiMinor:)``) with
/// one change.
public enum ProbePlugins {
    /// A constructor that writes through NULL: loading the library at all crashes the process.
    /// (Through a volatile global: a literal NULL store is undefined behaviour the compiler may
    /// delete, constructor and all.)
    public static func constructorCrash(id: String = "org.test.crasher", nodeType: String = "test.crasher") -> String {
        CPluginBuilder.echoPluginSource(id: id, nodeType: nodeType)
            + "\nint *volatile crash_target = 0;\n__attribute__((constructor)) static void crash_on_load(void) { *crash_target = 1; }\n"
    }

    /// An `init` that sleeps `seconds` before it returns.
    public static func initHang(id: String = "org.test.hanger", nodeType: String = "test.hanger", seconds: Int = 30) -> String {
        "#define _POSIX_C_SOURCE 200809L\n#include <unistd.h>\n"
            + CPluginBuilder.echoPluginSource(id: id, nodeType: nodeType).replacingOccurrences(
                of: "(void)host; (void)config; *state = 0; return PH_OK;",
                with: "(void)host; (void)config; *state = 0; sleep(\(seconds)); return PH_OK;")
    }

    /// An `init` that fails with a message.
    public static func initFailure(id: String = "org.test.failing", nodeType: String = "test.failing") -> String {
        CPluginBuilder.echoPluginSource(id: id, nodeType: nodeType).replacingOccurrences(
            of: "(void)host; (void)config; *state = 0; return PH_OK;",
            with: "(void)config; *state = 0; host->set_init_error(host, \"database unreachable\"); return PH_ERR_EXECUTION;")
    }

    /// An `init` that crashes.
    public static func initCrash(id: String = "org.test.initcrash", nodeType: String = "test.initcrash") -> String {
        CPluginBuilder.echoPluginSource(id: id, nodeType: nodeType).replacingOccurrences(
            of: "(void)host; (void)config; *state = 0; return PH_OK;",
            with: "(void)host; (void)config; *state = 0; *crash_target = 1; return PH_OK;")
            .replacingOccurrences(of: "PH_PLUGIN_METADATA(", with: "int *volatile crash_target = 0;\nPH_PLUGIN_METADATA(")
    }
}
