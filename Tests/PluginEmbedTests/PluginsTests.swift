import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// ph_host_scan / ph_host_load / ph_host_list through the built library.
@Suite("Embedding: scanning, loading and listing", .disabled(if: EmbedLibrary.skipReason != nil, "\(EmbedLibrary.skipReason ?? "")"))
struct PluginsTests {
    private func pluginPaths(_ report: JSONValue?) -> [String] {
        (report?["plugins"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
    }

    @Test("by default the library's own directory is scanned for libph-*.so only")
    func defaultDirectory() throws {
        let calls = try EmbedDriver.run(["create", "@null", "scan", "@null"])
        let names = pluginPaths(calls[1].doc).map { ($0 as NSString).lastPathComponent }.sorted()
        #expect(calls[1].status == Status.ok)
        #expect(names == ["libph-demo.so", "libph-greeter.so", "libph-hazard.so", "libph-math.so", "libph-string.so"])
        #expect(calls[1].doc?["mode"] == "strict")
    }

    @Test("PLUGIN_HOST_PATH comes before the default directory, and its copy of a plugin wins")
    func environmentVariable() throws {
        let directory = try TemporaryDirectory(prefix: "embed-env")
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("string"), toPath: directory.url("libstring.so"))
        let calls = try EmbedDriver.run(["create", "@null", "scan", "@null"],
                                        environment: EmbedLibrary.environment(["PLUGIN_HOST_PATH": directory.path]))
        let plugins = calls[1].doc?["plugins"]?.arrayValue ?? []
        #expect(pluginPaths(calls[1].doc).first == directory.url("libstring.so"))
        #expect(plugins.first?["status"] == "ok")
        #expect(plugins.count == 6)
        // The bundled copy of the same plugin id comes later in the order and is the one left out.
        let bundled = plugins.first { ($0["path"]?.stringValue ?? "").hasSuffix("/libph-string.so") }
        #expect(bundled?["problems"]?.arrayValue?.first?["code"] == "DUPLICATE_PLUGIN_ID")
    }

    @Test("\"defaultPlugins\": false leaves the default directory out; pluginPath and PLUGIN_HOST_PATH stay")
    func withoutDefaultPlugins() throws {
        let given = try TemporaryDirectory(prefix: "embed-given")
        let fromEnvironment = try TemporaryDirectory(prefix: "embed-env")
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("math"), toPath: given.url("libmath.so"))
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("string"), toPath: fromEnvironment.url("libstring.so"))
        let options = JSONWriter.string(["pluginPath": [.string(given.path)], "defaultPlugins": false])
        let calls = try EmbedDriver.run(["create", options, "scan", "@null"],
                                        environment: EmbedLibrary.environment(["PLUGIN_HOST_PATH": fromEnvironment.path]))
        #expect(pluginPaths(calls[1].doc) == [given.url("libmath.so"), fromEnvironment.url("libstring.so")])
        let wrong = try EmbedDriver.run(["create", #"{"defaultPlugins":"no"}"#])
        #expect(wrong[0].status == Status.invalidArgument)
        #expect(wrong[0].line.contains("/defaultPlugins must be true or false"), "\(wrong[0])")
    }

    @Test("scan with dirs_json scans those directories, and load and list follow that scan")
    func explicitDirectories() throws {
        let directory = try TemporaryDirectory(prefix: "embed-dirs")
        try FileManager.default.copyItem(atPath: BuildProducts.plugin("math"), toPath: directory.url("libmath.so"))
        let dirs = JSONWriter.string([.string(directory.path)])
        let calls = try EmbedDriver.run(["create", #"{"defaultPlugins":false}"#, "scan", dirs, "load", "list"])
        #expect(pluginPaths(calls[1].doc) == [directory.url("libmath.so")])
        let types = calls[3].doc?.arrayValue?.compactMap { $0["nodeType"]?.stringValue }
        #expect(types == ["math.add", "math.div", "math.mul", "math.sub"])
    }

    @Test("dirs_json that is not an array of paths is INVALID_ARGUMENT", arguments: ["{}", "[1]", "[\"\"]", "[", "\"/tmp\""])
    func badDirectories(dirs: String) throws {
        let calls = try EmbedDriver.run(["create", "@null", "scan", dirs])
        #expect(calls[1].status == Status.invalidArgument, "\(calls[1])")
        #expect(calls[1].errorCode == "INVALID_ARGUMENT")
        #expect(calls[1].doc == nil)
    }

    @Test("a rejected file is in the report and the scan still succeeds")
    func rejectedFile() throws {
        let directory = try TemporaryDirectory(prefix: "embed-rejected")
        _ = try directory.write("libjunk.so", "not an ELF file")
        let calls = try EmbedDriver.run(["create", "@null", "scan", JSONWriter.string([.string(directory.path)])])
        #expect(calls[1].status == Status.ok)
        #expect(calls[1].doc?["plugins"]?.arrayValue?.first?["status"] == "rejected")
        #expect(calls[1].doc?["summary"]?["rejected"] == 1)
    }

    @Test("load initializes every accepted plugin and reports the scan summary, as `load --json` does")
    func load() throws {
        let calls = try EmbedDriver.run(["create", "@null", "load"])
        #expect(calls[1].status == Status.ok)
        #expect(calls[1].doc?["totals"]?["initialized"] == 5)
        #expect(calls[1].doc?["scan"]?["ok"] == 5)
        #expect(calls[1].doc?["concurrencyLimit"] == 5)
    }

    @Test("load lists a plugin directory that does not exist in its problems (DIRECTORY_NOT_FOUND)")
    func loadReportsMissingDirectory() throws {
        let directory = try TemporaryDirectory(prefix: "embed-missing")
        let missing = directory.url("no-such-plugins")
        let options = JSONWriter.string(["pluginPath": .array([.string(missing)]), "defaultPlugins": false])
        let calls = try EmbedDriver.run(["create", options, "load"])
        #expect(calls[1].status == Status.ok)
        let problems = calls[1].doc?["problems"]?.arrayValue ?? []
        #expect(problems.count == 1, "\(calls[1])")
        #expect(problems.first?["code"] == "DIRECTORY_NOT_FOUND")
        #expect(problems.first?["path"]?.stringValue == missing)
        #expect(calls[1].doc?["totals"]?["initialized"] == 0)
    }

    @Test("load's problems list is empty when every directory was scanned")
    func loadWithoutProblems() throws {
        let calls = try EmbedDriver.run(["create", "@null", "load"])
        #expect(calls[1].doc?["problems"] == .array([]))
    }

    @Test("initConcurrency and initTimeoutMs reach the loader")
    func loadOptions() throws {
        let calls = try EmbedDriver.run(["create", #"{"initConcurrency":1,"initTimeoutMs":2500}"#, "load"])
        #expect(calls[1].doc?["concurrencyLimit"] == 1)
        #expect(calls[1].doc?["timeoutMs"] == 2500)
        #expect(calls[1].doc?["peakConcurrency"] == 1)
    }

    @Test("list is empty before load")
    func listBeforeLoad() throws {
        let calls = try EmbedDriver.run(["create", "@null", "list"])
        #expect(calls[1].status == Status.ok)
        #expect(calls[1].doc == .array([]))
    }

    @Test("list after load describes each node type, sorted")
    func listAfterLoad() throws {
        let calls = try EmbedDriver.run(["create", "@null", "load", "list"])
        let entries = calls[2].doc?.arrayValue ?? []
        let types = entries.compactMap { $0["nodeType"]?.stringValue }
        #expect(types == types.sorted())
        #expect(types.contains("greeter.hello") && types.contains("string.upper"))
        let add = try #require(entries.first { $0["nodeType"] == "math.add" })
        #expect(add["pluginId"] == "org.plugin-host.math")
        #expect(add["pluginVersion"] == "1.0.0")
        #expect(add["description"] == "Returns a + b.")
        #expect(add["category"] == "math")
        #expect(add["tags"] == ["arithmetic"])
        #expect(add["supportedVersions"] == [1])
        #expect(add["schema"]?["required"] == ["a", "b"])
    }

    @Test("every function works with all out parameters NULL", arguments: ["scan", "load", "list"])
    func nullOutParameters(function: String) throws {
        let calls = try EmbedDriver.run(["create", "@null", "no-outs", function])
        #expect(calls[1].status == Status.ok)
    }
}
