import Foundation
import PluginHostTestSupport
import Testing

/// `sdk/template` is what a third party copies: it must build with plain `cc` and its
/// Makefile, need no Swift runtime, export only the entry point, carry its metadata, and
/// pass the host's strict scan.
@Suite("SDK template plugin")
struct TemplateTests {
    private var template: BuiltTemplate { get throws { try BuiltTemplate.shared.get() } }

    @Test("make builds libexample.so with plain cc, hidden visibility and the SDK include path")
    func buildsWithMake() throws {
        let built = try template
        #expect(FileManager.default.fileExists(atPath: built.library))
        #expect(built.makeOutput.contains("-std=c11 -shared -fPIC -fvisibility=hidden -Wall -Wextra"))
        #expect(built.makeOutput.contains("-I\(Toolchain.sdkDirectory)/include"))
    }

    @Test("the built plugin needs no Swift runtime library")
    func noSwiftRuntime() throws {
        let needed = try ELFNotes.neededLibraries(of: try template.library)
        #expect(!needed.isEmpty)
        #expect(needed.allSatisfy { !$0.hasPrefix("libswift") && !$0.hasPrefix("libFoundation") && !$0.hasPrefix("libdispatch") })
    }

    @Test("the built plugin exports ph_plugin_entry and nothing else of its own")
    func exportsOnlyTheEntry() throws {
        #expect(try ELFNotes.exportedSymbols(of: try template.library) == ["ph_plugin_entry"])
    }

    @Test("the note holds the template's metadata, and the descriptor returns the same bytes")
    func noteHoldsMetadata() throws {
        let built = try template
        let metadata = try #require(try ELFNotes.pluginHostMetadata(in: built.library))
        #expect(metadata.hasPrefix(#"{"id":"org.example.scale","name":"Scale","version":"1.0.0","abi":"1.0","#))
        #expect(metadata.contains(#""nodeType":"example.scale""#))
        let outcome = try PluginDriver.execute(built.library, "example.scale", #"{"value":3,"factor":2.5}"#)
        #expect(outcome.noteMatchesDescriptor)
    }

    @Test("example.scale multiplies value by factor")
    func scales() throws {
        let outcome = try PluginDriver.execute(try template.library, "example.scale", #"{"value":3,"factor":2.5}"#)
        #expect(outcome == .init(noteMatchesDescriptor: true, status: 0, output: #"{"result":7.5}"#, error: nil))
    }

    @Test("example.scale reports an overflowing result as an execution error")
    func overflowIsExecutionError() throws {
        let outcome = try PluginDriver.execute(try template.library, "example.scale", #"{"value":1e308,"factor":10}"#)
        #expect(outcome.status == 2)
        #expect(outcome.error == "2 the result overflows a double")
        #expect(outcome.output == nil)
    }

    @Test("make clean removes the library")
    func cleanRemovesLibrary() throws {
        let scratch = try TemporaryDirectory(prefix: "sdk-template-clean")
        let copy = scratch.url("example")
        try Toolchain.runChecked("cp", ["-R", Toolchain.sdkDirectory + "/template", copy])
        try Toolchain.runChecked("make", ["-C", copy, "PLUGIN_HOST_SDK=\(Toolchain.sdkDirectory)"])
        #expect(FileManager.default.fileExists(atPath: copy + "/libexample.so"))
        try Toolchain.runChecked("make", ["-C", copy, "clean"])
        #expect(!FileManager.default.fileExists(atPath: copy + "/libexample.so"))
    }

    @Test("a wrong PLUGIN_HOST_SDK, or a copy with no SDK beside it and no installed plugin-host, says what to do")
    func sdkPathProblems() throws {
        let scratch = try TemporaryDirectory(prefix: "sdk-template-path")
        let copy = scratch.url("example")
        try Toolchain.runChecked("cp", ["-R", Toolchain.sdkDirectory + "/template", copy])
        let wrong = try Toolchain.run("make", ["-C", copy, "PLUGIN_HOST_SDK=\(scratch.path)/nowhere"])
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("PLUGIN_HOST_SDK=\(scratch.path)/nowhere has no include/plugin_host/plugin.h"), "\(wrong.stderr)")
        // pkg-config is pointed at an empty directory, so an installed plugin-host cannot help.
        let alone = try ProcessRunner.run(
            "/usr/bin/env", ["PKG_CONFIG_PATH=\(scratch.path)", "PKG_CONFIG_LIBDIR=\(scratch.path)", "make", "-C", copy])
        #expect(alone.status != 0)
        #expect(alone.stderr.contains("cannot find the plugin-host SDK headers"), "\(alone.stderr)")
        #expect(!FileManager.default.fileExists(atPath: copy + "/libexample.so"))
    }

    @Test("plugin-host scan --strict --json accepts the built template")
    func strictScanAcceptsTemplate() throws {
        let built = try template
        let result = try Toolchain.run(BuildProducts.cli, ["scan", "--strict", "--json", built.directory])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["mode"] as? String == "strict")
        let plugins = try #require(report["plugins"] as? [[String: Any]])
        #expect(plugins.count == 1)
        #expect(plugins.first?["status"] as? String == "ok")
        #expect(plugins.first?["id"] as? String == "org.example.scale")
        #expect(plugins.first?["nodes"] as? [String] == ["example.scale"])
        #expect((plugins.first?["problems"] as? [Any])?.isEmpty == true)
    }
}
