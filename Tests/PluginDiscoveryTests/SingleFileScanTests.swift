import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import Testing

/// `Scanner.scanFile(at:)`: one file, checked exactly as a scan of its directory checks it,
/// without listing the directory (what a worker process does before it loads a plugin).
@Suite("Scanning one file")
struct SingleFileScanTests {
    static func sameAsDirectoryScan(_ path: String, in dir: TemporaryDirectory, options: ScanOptions = ScanOptions()) throws {
        let single = Scanner(options: options).scanFile(at: path)
        let listed = try #require(Scanner(options: options).scan([SearchDirectory(path: dir.path, patterns: ["*.so"])]).plugins.first { $0.path == path })
        #expect(single.status == listed.status)
        #expect(single.problems.map(\.code) == listed.problems.map(\.code))
        #expect(single.problems.map(\.message) == listed.problems.map(\.message))
        #expect(single.identity == listed.identity)
        #expect(single.manifest?.id == listed.manifest?.id)
        #expect(single.inspection.origin == listed.inspection.origin)
    }

    @Test("a plugin, a plugin with a sidecar, a standalone manifest and a rejected file get the directory scan's verdict")
    func verdicts() throws {
        let dir = try TemporaryDirectory()
        let plugin = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "echo.so", in: dir)
        try Self.sameAsDirectoryScan(plugin, in: dir)
        let other = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(id: "org.test.other", nodeType: "test.other"), name: "other.so", in: dir)
        try dir.write("other.so.plugin.json", CPluginBuilder.validMetadata(id: "org.test.other", nodeTypes: ["test.other"]))
        try Self.sameAsDirectoryScan(other, in: dir)
        let manifest = try dir.write("cfun.plugin.json", StandaloneManifestTests.manifest())
        try Self.sameAsDirectoryScan(manifest, in: dir)
        let text = try dir.write("text.so", "not a library\n")
        try Self.sameAsDirectoryScan(text, in: dir)
        let unsafe = try dir.write("unsafe.so", "not a library either\n", mode: 0o666)
        chmod(unsafe, 0o666)
        try Self.sameAsDirectoryScan(unsafe, in: dir)
        #expect(Scanner().scanFile(at: unsafe).problems.contains { $0.code == .unsafePermissions })
    }

    @Test("a missing file is rejected with a problem naming it, and a FIFO is never opened")
    func missingAndFIFO() throws {
        let dir = try TemporaryDirectory()
        let missing = Scanner().scanFile(at: dir.url("gone.so"))
        #expect(missing.status == .rejected)
        #expect(missing.problems.first?.file == dir.url("gone.so"))
        #expect(mkfifo(dir.url("pipe.so"), 0o644) == 0)
        let fifo = Scanner().scanFile(at: dir.url("pipe.so"))
        #expect(fifo.problems.map(\.code) == [.notRegularFile])
    }
}
