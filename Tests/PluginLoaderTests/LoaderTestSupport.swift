import PluginDiscovery
import Foundation
import Logging
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginMetadata
import Synchronization

/// Builds C plugins for the loader tests and the inspections `PluginLoader.load` needs.
///
/// The real inspector lives in another module; these tests build the inspection by hand from
/// the same metadata string that the plugin embeds, which is exactly what the inspector would
/// report for a well-formed file.
enum TestPlugin {
    /// Metadata for a plugin with one node type, `threadSafe` as given.
    static func metadata(id: String = "org.test.loader", nodeType: String = "test.node", threadSafe: Bool = true) -> String {
        CPluginBuilder.validMetadata(id: id, nodeTypes: [nodeType])
            .replacingOccurrences(of: "\"threadSafe\":true", with: "\"threadSafe\":\(threadSafe)")
    }

    /// A complete plugin source. Bodies are C statements; `host`, `config`, `state`, `call`
    /// are in scope as in plugin.h, already marked used. `descriptor` replaces the initializer
    /// of the `ph_plugin` and `entry` the body of `ph_plugin_entry`.
    static func source(
        metadata: String,
        prelude: String = "",
        initBody: String = "*state = 0; return PH_OK;",
        executeBody: String = "call->set_output(call, call->params_json, call->params_len); return PH_OK;",
        shutdownBody: String = "",
        descriptor: String = "sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR, PH_PLUGIN_METADATA_JSON, t_init, t_execute, t_shutdown",
        entry: String = "return &plugin;"
    ) -> String {
        """
        #define _POSIX_C_SOURCE 200809L
        #include <plugin_host/plugin.h>
        #include <stdatomic.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <time.h>
        PH_PLUGIN_METADATA(\(CPluginBuilder.cStringLiteral(metadata)));
        \(prelude)
        __attribute__((unused)) static ph_status t_init(const ph_host_api *host, const char *config, void **state) {
            (void)host; (void)config; (void)state;
            \(initBody)
        }
        __attribute__((unused)) static ph_status t_execute(void *state, ph_call *call) {
            (void)state; (void)call;
            \(executeBody)
        }
        __attribute__((unused)) static void t_shutdown(void *state) {
            (void)state;
            \(shutdownBody)
        }
        static const ph_plugin plugin = { \(descriptor) };
        PH_EXPORT const ph_plugin *ph_plugin_entry(void) { (void)plugin; \(entry) }
        """
    }

    /// What the inspector would report for a file whose embedded metadata is `metadata`.
    static func inspection(path: String, metadata: String, threadSafe: Bool = true) -> PluginInspection {
        let manifest = PluginManifest(
            id: "org.test.loader", name: "Test plugin", version: "1.0.0", abi: ABIVersion(major: 1, minor: 0),
            description: "A plugin built by the tests.", threadSafe: threadSafe,
            nodes: [NodeDescriptor(nodeType: "test.node")]
        )
        return PluginInspection(path: path, origin: .elfNote, rawMetadata: Array(metadata.utf8), manifest: manifest)
    }

    /// Compiles `source` into a fresh temporary directory and returns the library's path. The
    /// directory is removed when the returned value dies; a loaded library stays mapped.
    static func build(_ source: String, name: String = "libtest.so", extraFlags: [String] = []) throws -> (path: String, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory(prefix: "loader-test")
        let path = try CPluginBuilder.build(source: source, name: name, in: directory, extraFlags: extraFlags)
        return (path, directory)
    }

    /// Builds a plugin with the given bodies, loads it and runs its init with `config`.
    static func loadInitialized(
        prelude: String = "",
        initBody: String = "*state = 0; return PH_OK;",
        executeBody: String = "call->set_output(call, call->params_json, call->params_len); return PH_OK;",
        shutdownBody: String = "",
        threadSafe: Bool = true,
        config: JSONValue = .object([:]),
        logger: Logger? = nil
    ) throws -> LoadedPlugin {
        let plugin = try load(prelude: prelude, initBody: initBody, executeBody: executeBody,
                              shutdownBody: shutdownBody, threadSafe: threadSafe, logger: logger)
        try plugin.initialize(config: config).get()
        return plugin
    }

    /// Builds and loads a plugin without initializing it.
    static func load(
        prelude: String = "",
        initBody: String = "*state = 0; return PH_OK;",
        executeBody: String = "call->set_output(call, call->params_json, call->params_len); return PH_OK;",
        shutdownBody: String = "",
        threadSafe: Bool = true,
        logger: Logger? = nil
    ) throws -> LoadedPlugin {
        let metadata = metadata(threadSafe: threadSafe)
        let built = try build(source(metadata: metadata, prelude: prelude, initBody: initBody,
                                     executeBody: executeBody, shutdownBody: shutdownBody))
        return try PluginLoader.load(inspection(path: built.path, metadata: metadata, threadSafe: threadSafe),
                                     logger: logger).get()
    }

    /// Builds a plugin from `source` (embedding `metadata`) and returns what loading it gives.
    static func loadResult(_ source: String, metadata: String) throws -> (result: Result<LoadedPlugin, Problem>, path: String) {
        let built = try build(source)
        return (PluginLoader.load(inspection(path: built.path, metadata: metadata)), built.path)
    }
}

extension PluginCallRequest {
    /// A request for `test.node` with `params`.
    static func test(_ params: String, input: String = "[]") -> PluginCallRequest {
        PluginCallRequest(nodeType: "test.node", params: NulTerminatedUTF8(params), input: NulTerminatedUTF8(input))
    }
}

extension PluginCallOutcome {
    /// The output as text, for readable expectations.
    var outputText: String? { output.map { String(decoding: $0, as: UTF8.self) } }
}

extension Result {
    /// The failure, or nil on success.
    var failure: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}

/// Runs `body` on `count` threads of their own at once and waits for all of them.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

/// A swift-log handler that keeps every record, for asserting what a plugin logged.
struct CapturingLogHandler: LogHandler {
    struct Record: Sendable, Equatable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    final class Store: Sendable {
        let records = Locked<[Record]>([])
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        all.merge(event.metadata ?? [:]) { _, new in new }
        let record = Record(level: event.level, message: event.message.description,
                            metadata: all.mapValues { $0.description })
        store.records.withLock { $0.append(record) }
    }
}

extension PluginLoader {
    /// For inspections the tests build by hand: loads the file that is at the path now, as if a
    /// scan had just recorded it (production code passes the scan's identity).
    static func load(_ inspection: PluginInspection, logger: Logger? = nil) -> Result<LoadedPlugin, Problem> {
        let missing = FileIdentity(device: 0, inode: 0, size: 0, modificationTimeNanoseconds: 0, mode: 0, owner: 0)
        return load(inspection, scannedAs: FileIdentity(atPath: inspection.path) ?? missing, logger: logger)
    }
}
