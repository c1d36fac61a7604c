import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import Synchronization

/// Plugin files for the discovery tests, compiled once per distinct metadata and copied into
/// each test's own directory (cc is slow; copies are cheap and each test stays isolated).
///
/// Every valid fixture is a real plugin built by `CPluginBuilder` with its metadata in the ELF
/// note, so these tests exercise the real `PluginInspector` (ELF note parsing + strict checks).
enum Fixtures {
    private static let compiled = Locked<[String: [UInt8]]>([:])

    /// A strict-valid plugin with `id` providing `nodeTypes`.
    static func plugin(id: String, nodeTypes: [String]) throws -> [UInt8] {
        let metadata = CPluginBuilder.validMetadata(id: id, nodeTypes: nodeTypes)
        return try compile(key: metadata, source: CPluginBuilder.echoPluginSource(metadata: metadata))
    }

    /// A shared library with no metadata note: its metadata must come from a sidecar.
    static func libraryWithoutNote() throws -> [UInt8] {
        try compile(key: "no-note", source: """
            #include <plugin_host/plugin.h>
            PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return 0; }
            """)
    }

    private static func compile(key: String, source: String) throws -> [UInt8] {
        try compiled.withLock { cache in
            if let bytes = cache[key] { return bytes }
            let directory = try TemporaryDirectory(prefix: "discovery-cc")
            let path = try CPluginBuilder.build(source: source, name: "fixture.so", in: directory)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            cache[key] = bytes
            return bytes
        }
    }

    /// Writes a valid plugin into `directory` at `name` and returns its path.
    @discardableResult
    static func install(_ name: String, id: String, nodeTypes: [String], in directory: TemporaryDirectory,
                        mode: mode_t = 0o644) throws -> String {
        try directory.write(name, try plugin(id: id, nodeTypes: nodeTypes), mode: mode)
    }
}

/// Scans one directory with `*.so` (or `patterns`).
func scan(_ path: String, patterns: [String] = ["*.so"], options: ScanOptions = ScanOptions(),
          cache: ScanCache? = nil) -> ScanReport {
    Scanner(options: options, cache: cache).scan([SearchDirectory(path: path, patterns: patterns)])
}

extension ScanReport {
    /// The scanned file at `path`; fails the test when absent.
    func plugin(_ path: String) -> ScannedPlugin? { plugins.first { $0.path == path } }
}

extension ScannedPlugin {
    var codes: [String] { problems.map(\.code.rawValue) }
}

/// Whether the tests run as root, where permission bits do not stop reads (EACCES never happens).
let runningAsRoot = geteuid() == 0
