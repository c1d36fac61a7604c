import Foundation
import Glibc
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import Testing

/// A plugin that ships helper libraries beside itself (RUNPATH `$ORIGIN`, the usual way for C++
/// and Rust plugins) still loads though the loader opens it through `/proc/self/fd`: `$ORIGIN`
/// is the checked directory, held open, and that directory must be the one the scan accepted.
@Suite("Plugins loaded through /proc/self/fd keep a working $ORIGIN")
struct PluginOriginTests {
    /// `lib<helper>.so`, exporting `ph_helper_answer` (42); `prelude` adds C code (a constructor).
    ///
    /// Each test gives its helper its own name: the dynamic linker takes a DT_NEEDED name it has
    /// already loaded (from any directory) to mean that library, so two tests' `libhelper.so`
    /// would share the first one loaded.
    @discardableResult
    static func buildHelper(in dir: TemporaryDirectory, helper: String, prelude: String = "") throws -> String {
        try CPluginBuilder.build(source: """
            #include <stdio.h>
            \(prelude)
            __attribute__((visibility("default"))) int ph_helper_answer(void) { return 42; }
            """, name: "lib\(helper).so", in: dir)
    }

    /// A plugin linked against `dir/lib<helper>.so` with RUNPATH `$ORIGIN`, whose execute answers
    /// `{"answer":N}` with what the helper returns.
    @discardableResult
    static func buildPlugin(
        in dir: TemporaryDirectory, id: String, helper: String, name: String = "libuses-helper.so"
    ) throws -> String {
        let source = TestPlugin.source(
            metadata: TestPlugin.metadata(id: id, nodeType: "test.\(id.split(separator: ".").last!)"),
            prelude: "extern int ph_helper_answer(void);",
            executeBody: #"""
                char out[32];
                int n = snprintf(out, sizeof out, "{\"answer\":%d}", ph_helper_answer());
                call->set_output(call, out, (size_t)n); return PH_OK;
                """#)
        return try CPluginBuilder.build(source: source, name: name, in: dir,
                                        extraFlags: ["-L", dir.path, "-l\(helper)", "-Wl,-rpath,$ORIGIN"])
    }

    static func scanned(_ path: String) throws -> ScannedPlugin { try PluginSwapTests.scanned(path) }

    static func realPath(_ path: String) throws -> String {
        let resolved = try #require(realpath(path, nil))
        defer { free(resolved) }
        return String(cString: resolved)
    }

    @Test("a plugin with RUNPATH $ORIGIN finds libhelper.so beside it and calls it")
    func helperBesideThePlugin() throws {
        let dir = try TemporaryDirectory(prefix: "origin-helper")
        try Self.buildHelper(in: dir, helper: "helper")
        let path = try Self.buildPlugin(in: dir, id: "org.test.originhelper", helper: "helper")
        let plugin = try PluginLoader.load(try Self.scanned(path)).get()
        try plugin.initialize(config: [:]).get()
        #expect(plugin.path == path)
        #expect(plugin.execute(.test("{}"), cancellation: nil).outputText == #"{"answer":42}"#)
    }

    @Test("a plugin reached through a symbolic link takes its helpers from its target's directory")
    func symlinkedPlugin() throws {
        let dir = try TemporaryDirectory(prefix: "origin-link")
        try Self.buildHelper(in: dir, helper: "helper-link")
        try Self.buildPlugin(in: dir, id: "org.test.originlink", helper: "helper-link", name: "libp.so")
        let real = try dir.makeDirectory("real"), plugins = try dir.makeDirectory("plugins")
        try FileManager.default.moveItem(atPath: dir.url("libhelper-link.so"), toPath: real + "/libhelper-link.so")
        try FileManager.default.moveItem(atPath: dir.url("libp.so"), toPath: real + "/libp.so")
        try FileManager.default.createSymbolicLink(atPath: plugins + "/libp.so", withDestinationPath: real + "/libp.so")
        let scanned = try Self.scanned(plugins + "/libp.so")
        var status = stat()
        try #require(stat(real, &status) == 0)
        #expect(scanned.directory?.inode == UInt64(status.st_ino))  // the target's directory, as checked
        let plugin = try PluginLoader.load(scanned).get()
        try plugin.initialize(config: [:]).get()
        #expect(plugin.execute(.test("{}"), cancellation: nil).outputText == #"{"answer":42}"#)
    }

    @Test("dlopen's message about a helper beside the plugin names the helper's real path")
    func helperMessageNamesRealPath() throws {
        let dir = try TemporaryDirectory(prefix: "origin-message")
        try Self.buildHelper(in: dir, helper: "helper-undefined", prelude: """
            extern int ph_test_nowhere(void);
            __attribute__((visibility("default"))) int ph_helper_caller(void) { return ph_test_nowhere(); }
            """)
        let path = try Self.buildPlugin(in: dir, id: "org.test.originmessage", helper: "helper-undefined")
        let problem = try #require(PluginLoader.load(try Self.scanned(path)).failure)
        #expect(problem.code == .loadFailed)
        let helper = try Self.realPath(dir.url("libhelper-undefined.so"))
        #expect(problem.message.contains("\(helper): undefined symbol: ph_test_nowhere"), "\(problem.message)")
        #expect(!problem.message.contains("/proc/self/fd"))
    }

    @Test("the plugin's directory renamed away and another put in its place is PLUGIN_CHANGED, nothing of it runs")
    func directoryReplaced() throws {
        let dir = try TemporaryDirectory(prefix: "origin-dirswap")
        let marker = dir.url("helper-constructor-ran")
        try Self.buildHelper(in: dir, helper: "helper-swap")
        try Self.buildPlugin(in: dir, id: "org.test.origindirswap", helper: "helper-swap", name: "libp.so")
        let plugins = try dir.makeDirectory("plugins")
        try FileManager.default.copyItem(atPath: dir.url("libhelper-swap.so"), toPath: plugins + "/libhelper-swap.so")
        try FileManager.default.copyItem(atPath: dir.url("libp.so"), toPath: plugins + "/libp.so")
        let plugin = try Self.scanned(plugins + "/libp.so")

        try #require(rename(plugins, dir.url("old")) == 0)
        let planted = try TemporaryDirectory(prefix: "origin-planted")
        try Self.buildHelper(in: planted, helper: "helper-swap", prelude: """
            __attribute__((constructor)) static void planted(void) {
                FILE *file = fopen(\(CPluginBuilder.cStringLiteral(marker)), "w");
                if (file) fclose(file);
            }
            """)
        let replacement = try dir.makeDirectory("plugins")
        try FileManager.default.copyItem(atPath: planted.url("libhelper-swap.so"), toPath: replacement + "/libhelper-swap.so")
        try FileManager.default.copyItem(atPath: dir.url("libp.so"), toPath: replacement + "/libp.so")

        let problem = try #require(PluginLoader.load(plugin).failure)
        #expect(problem.code == .pluginChanged)
        #expect(problem.file == plugins + "/libp.so")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("a directory other than the one the scan's permission check saw is PLUGIN_CHANGED")
    func anotherDirectoryThanScanned() throws {
        let dir = try TemporaryDirectory(prefix: "origin-dirid")
        let path = try CPluginBuilder.build(source: TestPlugin.source(metadata: TestPlugin.metadata(id: "org.test.origindirid")),
                                            name: "libdirid.so", in: dir)
        var plugin = try Self.scanned(path)
        try #require(plugin.directory != nil)
        plugin.directory?.inode &+= 1
        let problem = try #require(PluginLoader.load(plugin).failure)
        #expect(problem.code == .pluginChanged)
        #expect(problem.message.contains("another directory is at"), "\(problem.message)")
    }

    @Test("the plugin's directory made group-writable after the scan is PLUGIN_CHANGED")
    func directoryPermissionsChanged() throws {
        let dir = try TemporaryDirectory(prefix: "origin-dirmode")
        let plugins = try dir.makeDirectory("plugins")
        try TestPlugin.build(in: dir, id: "org.test.origindirmode", name: "libmode.so")
        try FileManager.default.moveItem(atPath: dir.url("libmode.so"), toPath: plugins + "/libmode.so")
        let plugin = try Self.scanned(plugins + "/libmode.so")
        try #require(chmod(plugins, 0o775) == 0)
        let problem = try #require(PluginLoader.load(plugin).failure)
        #expect(problem.code == .pluginChanged)
        #expect(problem.message.contains("the mode or owner of its directory"), "\(problem.message)")
    }

    @Test("without the scan's record of the directory, a world-writable one is UNSAFE_PERMISSIONS")
    func unrecordedDirectoryMustPassStrictModes() throws {
        let dir = try TemporaryDirectory(prefix: "origin-strict")
        let plugins = try dir.makeDirectory("plugins")
        try TestPlugin.build(in: dir, id: "org.test.originstrict", name: "libstrict.so")
        try FileManager.default.moveItem(atPath: dir.url("libstrict.so"), toPath: plugins + "/libstrict.so")
        let scanned = try Self.scanned(plugins + "/libstrict.so")
        try #require(chmod(plugins, 0o777) == 0)
        let identity = try #require(scanned.identity)
        let problem = try #require(PluginLoader.load(scanned.inspection, scannedAs: identity).failure)
        #expect(problem.code == .unsafePermissions)
        #expect(problem.file == plugins + "/libstrict.so")
        #expect(problem.message.contains("world-writable"), "\(problem.message)")
    }
}

extension TestPlugin {
    /// A plain valid plugin built as `dir/name`.
    @discardableResult
    static func build(in dir: TemporaryDirectory, id: String, name: String) throws -> String {
        try CPluginBuilder.build(source: source(metadata: metadata(id: id, nodeType: "test.\(id.split(separator: ".").last!)")),
                                 name: name, in: dir)
    }
}
