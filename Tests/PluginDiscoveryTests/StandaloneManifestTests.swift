import Foundation
@testable import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import Testing

/// Standalone `<name>.plugin.json` manifests: found, checked like plugin files, reported once,
/// and never confused with a library's sidecar.
@Suite("Standalone manifests in plugin directories")
struct StandaloneManifestTests {
    /// A strict-valid standalone manifest; the library need not exist, it is not opened.
    static func manifest(id: String = "org.test.cfun", nodeType: String = "cfun.abs", library: String = "libdoesnotexist.so.9") -> String {
        """
        {"id":"\(id)","name":"C functions","version":"1.0.0","abi":"1.0","description":"C functions as nodes.",
         "threadSafe":true,"dependencies":{},"library":"\(library)",
         "nodes":[{"nodeType":"\(nodeType)","version":"1.0.0","category":"test","description":"abs.","supportedVersions":[1],
                   "function":{"symbol":"abs","signature":"int32(int32)","params":["x"]}}]}
        """
    }

    @Test("a standalone manifest is scanned once, by its own path, without opening its library")
    func scanned() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("cfun.plugin.json", Self.manifest())
        let report = scan(dir.path)
        #expect(report.plugins.map(\.path) == [path])
        let plugin = try #require(report.plugin(path))
        #expect(plugin.status == .ok)
        #expect(plugin.problems == [])
        #expect(plugin.inspection.origin == .standaloneManifest)
        #expect(plugin.manifest?.library == "libdoesnotexist.so.9")
        #expect(plugin.manifest?.nodes.first?.function?.symbol == "abs")
    }

    @Test("a sidecar beside its library is read with the library, not scanned as a manifest")
    func sidecarIsNotStandalone() throws {
        let dir = try TemporaryDirectory()
        let library = try dir.write("side.so", try Fixtures.libraryWithoutNote())
        try dir.write("side.so.plugin.json", CPluginBuilder.validMetadata(id: "org.test.side", nodeTypes: ["test.side"]))
        let report = scan(dir.path)
        #expect(report.plugins.map(\.path) == [library])
        #expect(report.plugin(library)?.inspection.origin == .sidecar(path: library + ".plugin.json"))
    }

    @Test("a sidecar of a file the patterns do not match is ignored, not scanned as a manifest")
    func sidecarOfUnmatchedFile() throws {
        let dir = try TemporaryDirectory()
        try dir.write("other.dylib", "x")
        try dir.write("other.dylib.plugin.json", Self.manifest())
        #expect(scan(dir.path).plugins.isEmpty)
    }

    @Test("manifests and libraries are reported in name order, each once")
    func order() throws {
        let dir = try TemporaryDirectory()
        let a = try Fixtures.install("a.so", id: "org.test.fa", nodeTypes: ["test.fa"], in: dir)
        let b = try dir.write("b.plugin.json", Self.manifest())
        let c = try Fixtures.install("c.so", id: "org.test.fc", nodeTypes: ["test.fc"], in: dir)
        #expect(scan(dir.path).plugins.map(\.path) == [a, b, c])
    }

    @Test("bad JSON in a manifest is METADATA_NOT_JSON naming the manifest")
    func badJSON() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("broken.plugin.json", "{\"id\": ")
        let plugin = try #require(scan(dir.path).plugin(path))
        #expect(plugin.codes == ["METADATA_NOT_JSON"])
        #expect(plugin.problems[0].file == path)
    }

    @Test("a manifest checked strict or loose: an unknown key is an error strict, a warning loose")
    func modes() throws {
        let dir = try TemporaryDirectory()
        let text = Self.manifest().replacingOccurrences(of: "\"threadSafe\"", with: "\"colour\":1,\"threadSafe\"")
        let path = try dir.write("cfun.plugin.json", text)
        #expect(scan(dir.path).plugin(path)?.status == .rejected)
        let loose = try #require(scan(dir.path, options: ScanOptions(mode: .loose)).plugin(path))
        #expect(loose.status == .ok)
        #expect(loose.codes == ["META_UNKNOWN_KEY"])
    }

    @Test("a FIFO named x.plugin.json is NOT_REGULAR_FILE and is never opened")
    func fifo() throws {
        let dir = try TemporaryDirectory()
        let path = dir.url("x.plugin.json")
        #expect(mkfifo(path, 0o644) == 0)
        let report = scan(dir.path)
        let plugin = try #require(report.plugin(path))
        #expect(plugin.codes == ["NOT_REGULAR_FILE"])
        #expect(plugin.problems[0].message == "\(path) is a FIFO, not a manifest file; remove it from the plugin directory")
        #expect(report.filesOpened == 0)
    }

    @Test("a symlink loop of manifests rejects both names with SYMLINK_LOOP")
    func symlinkLoop() throws {
        let dir = try TemporaryDirectory()
        #expect(symlink("b.plugin.json", dir.url("a.plugin.json")) == 0)
        #expect(symlink("a.plugin.json", dir.url("b.plugin.json")) == 0)
        let report = scan(dir.path)
        #expect(report.plugins.map(\.path) == [dir.url("a.plugin.json"), dir.url("b.plugin.json")])
        #expect(report.plugins.map(\.codes) == [["SYMLINK_LOOP"], ["SYMLINK_LOOP"]])
    }

    @Test("a group-writable manifest is UNSAFE_PERMISSIONS")
    func unsafeFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("cfun.plugin.json", Self.manifest(), mode: 0o664)
        let plugin = try #require(scan(dir.path).plugin(path))
        #expect(plugin.status == .rejected)
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
    }

    @Test("a manifest in a world-writable directory is UNSAFE_PERMISSIONS naming the directory")
    func unsafeDirectory() throws {
        let dir = try TemporaryDirectory()
        let sub = try dir.makeDirectory("open", mode: 0o757)
        #expect(chmod(sub, 0o757) == 0)
        let path = try dir.write("open/cfun.plugin.json", Self.manifest())
        let plugin = try #require(scan(dir.path).plugin(path))
        #expect(plugin.codes == ["UNSAFE_PERMISSIONS"])
        #expect(plugin.problems[0].message.hasPrefix("\(sub) is world-writable") == true)
    }

    @Test("a node type already provided by a library is DUPLICATE_NODE_TYPE for the later file")
    func duplicateNodeType() throws {
        let dir = try TemporaryDirectory()
        try Fixtures.install("a.so", id: "org.test.fa", nodeTypes: ["cfun.abs"], in: dir)
        let path = try dir.write("b.plugin.json", Self.manifest())
        #expect(scan(dir.path).plugin(path)?.codes == ["DUPLICATE_NODE_TYPE"])
    }

    @Test("a directory that does not take standalone manifests ignores them")
    func disabled() throws {
        let dir = try TemporaryDirectory()
        try dir.write("cfun.plugin.json", Self.manifest())
        let report = Scanner().scan([SearchDirectory(path: dir.path, patterns: ["*.so"], standaloneManifests: false)])
        #expect(report.plugins.isEmpty)
    }

    @Test("the executable's own directory does not take standalone manifests, plugin directories do")
    func searchPathDefaults() {
        let directories = PluginSearchPath.resolve(arguments: [], patterns: nil, environment: [:], executablePath: "/opt/ph/bin/plugin-host")
        #expect(directories.first?.standaloneManifests == false)
        let given = PluginSearchPath.resolve(arguments: ["/srv/plugins"], patterns: nil, environment: [:],
                                             executablePath: "/opt/ph/bin/plugin-host", adding: [])
        #expect(given.map(\.standaloneManifests) == [true])
    }

    @Test("inspecting one manifest file works as for a library")
    func singleFile() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("cfun.plugin.json", Self.manifest())
        let report = Scanner().scan([SearchDirectory.singleFile(path)])
        #expect(report.plugins.map(\.status) == [.ok])
    }

    @Test("a manifest's inspection is cached, and survives the cache file with its functions and library")
    func cached() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("cfun.plugin.json", Self.manifest())
        let cache = ScanCache()
        let cold = scan(dir.path, cache: cache)
        let store = try TemporaryDirectory()
        try cache.save(to: store.url("cache"))
        let warm = scan(dir.path, cache: ScanCache.load(from: store.url("cache")))
        #expect(warm.cacheHits == 1)
        #expect(warm.plugin(path)?.manifest == cold.plugin(path)?.manifest)
        #expect(warm.plugin(path)?.manifest?.nodes.first?.function != nil)
        #expect(warm.plugin(path)?.inspection.origin == .standaloneManifest)
    }
}
