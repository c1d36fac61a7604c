import Foundation
import Glibc
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginMetadata
import Testing

/// The loader loads exactly the file the scan checked: a library swapped in at the path after
/// the scan is refused with PLUGIN_CHANGED before any of its code (its constructors) runs.
@Suite("PluginLoader loads only the file the scan checked")
struct PluginSwapTests {
    /// A plugin whose constructor creates `marker`: proof of whether its code ran.
    static func plantedSource(marker: String) -> String {
        TestPlugin.source(metadata: TestPlugin.metadata(), prelude: """
            __attribute__((constructor)) static void planted(void) {
                FILE *file = fopen(\(CPluginBuilder.cStringLiteral(marker)), "w");
                if (file) fclose(file);
            }
            """)
    }

    /// Scans the one file at `path` as the host and the worker do.
    static func scanned(_ path: String) throws -> ScannedPlugin {
        let plugin = Scanner(options: ScanOptions(), cache: nil).scanFile(at: path)
        try #require(plugin.status == .ok, "\(plugin.problems)")
        return plugin
    }

    /// A checked plugin at `dir/libchecked.so` and, beside it, `libplanted.so` with the marker constructor.
    static func setUp(_ name: String) throws -> (dir: TemporaryDirectory, checked: String, planted: String, marker: String) {
        let dir = try TemporaryDirectory(prefix: "swap-\(name)")
        let marker = dir.url("constructor-ran")
        let checked = try CPluginBuilder.build(source: TestPlugin.source(metadata: TestPlugin.metadata(id: "org.test.\(name)")),
                                               name: "libchecked.so", in: dir)
        let planted = try CPluginBuilder.build(source: plantedSource(marker: marker), name: "libplanted.so", in: dir)
        return (dir, checked, planted, marker)
    }

    /// `renameat2(RENAME_EXCHANGE)` looked up at run time (Swift's Glibc does not declare it);
    /// nil when this C library lacks it.
    static let exchange: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }  // RTLD_DEFAULT
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32).self)
    }()

    @Test("the marker constructor really runs when its library is loaded (so the tests below can fail)")
    func markerWorks() throws {
        let (dir, _, planted, marker) = try Self.setUp("control")
        defer { withExtendedLifetime(dir) {} }
        _ = try PluginLoader.load(try Self.scanned(planted)).get()
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    @Test("another library renamed over the scanned file is PLUGIN_CHANGED and its constructor never runs")
    func renamedOver() throws {
        let (dir, checked, planted, marker) = try Self.setUp("renamed")
        defer { withExtendedLifetime(dir) {} }
        let plugin = try Self.scanned(checked)
        try #require(rename(planted, checked) == 0)
        let problem = try #require(PluginLoader.load(plugin).failure)
        #expect(problem.code == .pluginChanged)
        #expect(problem.file == checked)
        #expect(problem.message.contains("nothing was loaded: scan again"))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("a RENAME_EXCHANGE of the scanned file with another library is PLUGIN_CHANGED, nothing of it runs")
    func exchanged() throws {
        let (dir, checked, planted, marker) = try Self.setUp("exchanged")
        defer { withExtendedLifetime(dir) {} }
        let plugin = try Self.scanned(checked)
        if let exchange = Self.exchange {
            try #require(exchange(AT_FDCWD, checked, AT_FDCWD, planted, 2 /* RENAME_EXCHANGE */) == 0)
        } else {
            try #require(rename(planted, checked) == 0)
        }
        let problem = try #require(PluginLoader.load(plugin).failure)
        #expect(problem.code == .pluginChanged)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("a directory on the path swapped for a symbolic link to another copy is PLUGIN_CHANGED")
    func directorySwappedForLink() throws {
        let (dir, _, planted, marker) = try Self.setUp("dirswap")
        let plugins = dir.url("plugins"), elsewhere = dir.url("elsewhere")
        try FileManager.default.createDirectory(atPath: plugins, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: dir.url("libchecked.so"), toPath: plugins + "/libp.so")
        try FileManager.default.copyItem(atPath: planted, toPath: elsewhere + "/libp.so")
        let plugin = try Self.scanned(plugins + "/libp.so")
        try #require(rename(plugins, dir.url("old")) == 0)
        try FileManager.default.createSymbolicLink(atPath: plugins, withDestinationPath: elsewhere)
        let problem = try #require(PluginLoader.load(plugin).failure)
        #expect(problem.code == .pluginChanged)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("the file rewritten in place after the scan (same inode) is PLUGIN_CHANGED")
    func rewrittenInPlace() throws {
        let (dir, checked, planted, marker) = try Self.setUp("rewritten")
        defer { withExtendedLifetime(dir) {} }
        let plugin = try Self.scanned(checked)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: planted))
        let handle = try #require(FileHandle(forWritingAtPath: checked))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: bytes)
        try handle.close()
        let problem = try #require(PluginLoader.load(plugin).failure)
        #expect(problem.code == .pluginChanged)
        #expect(problem.message.contains("rewritten in place"))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("dlopen's message names the plugin's real path, never /proc/self/fd")
    func messagesNameTheRealPath() throws {
        let dir = try TemporaryDirectory(prefix: "swap-message")
        let source = TestPlugin.source(metadata: TestPlugin.metadata(id: "org.test.undefined"), prelude: """
            extern int ph_test_nowhere(void);
            __attribute__((used)) int ph_test_caller(void) { return ph_test_nowhere(); }
            """)
        let path = try CPluginBuilder.build(source: source, name: "libundefined.so", in: dir)
        let problem = try #require(PluginLoader.load(try Self.scanned(path)).failure)
        #expect(problem.code == .loadFailed)
        #expect(problem.message.contains("\(path): undefined symbol: ph_test_nowhere"), "\(problem.message)")
        #expect(!problem.message.contains("/proc/self/fd"))
    }

    @Test("plugins loaded one after another through reused descriptor numbers are each their own library")
    func reusedDescriptorNumbers() throws {
        var ids: Set<String> = []
        var directories: [TemporaryDirectory] = []  // kept: the files must outlive their loads' checks
        defer { withExtendedLifetime(directories) {} }
        for index in 0..<3 {
            let dir = try TemporaryDirectory(prefix: "swap-reuse")
            directories.append(dir)
            let metadata = TestPlugin.metadata(id: "org.test.reuse\(index)", nodeType: "test.reuse\(index)")
            let path = try CPluginBuilder.build(source: TestPlugin.source(metadata: metadata), name: "libreuse.so", in: dir)
            let plugin = try PluginLoader.load(try Self.scanned(path)).get()
            ids.insert(plugin.manifest.id)
            #expect(plugin.path == path)
        }
        #expect(ids.count == 3)
    }
}
