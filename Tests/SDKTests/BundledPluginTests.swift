import Foundation
import PluginHostTestSupport
import Testing

/// The example plugins `swift build` puts beside the host: present, carrying their metadata
/// note, exporting only the entry point, and accepted by a strict scan.
@Suite("Bundled example plugins")
struct BundledPluginTests {
    /// Each bundled plugin with its id and node types, as its metadata must declare them.
    static let bundled: [(name: String, id: String, nodes: [String])] = [
        ("math", "org.plugin-host.math", ["math.add", "math.sub", "math.mul", "math.div"]),
        ("string", "org.plugin-host.string", ["string.upper", "string.lower", "string.concat", "string.length"]),
        ("greeter", "org.plugin-host.greeter", ["greeter.hello"]),
    ]

    @Test("swift build puts libph-math.so, libph-string.so and libph-greeter.so in the products directory",
          arguments: ["math", "string", "greeter"])
    func pluginIsBuilt(name: String) {
        #expect(FileManager.default.fileExists(atPath: BuildProducts.plugin(name)), "\(BuildProducts.plugin(name))")
    }

    @Test("each bundled plugin carries a plugin-host note with its id and node types",
          arguments: [0, 1, 2])
    func noteDeclaresPlugin(index: Int) throws {
        let plugin = Self.bundled[index]
        let notes = try Toolchain.runChecked("readelf", ["-n", BuildProducts.plugin(plugin.name)]).stdout
        #expect(notes.contains("plugin-host"))
        let metadata = try #require(try ELFNotes.pluginHostMetadata(in: BuildProducts.plugin(plugin.name)))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(metadata.utf8)) as? [String: Any])
        #expect(object["id"] as? String == plugin.id)
        #expect(object["abi"] as? String == "1.0")
        #expect(object["threadSafe"] as? Bool == true)
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.compactMap { $0["nodeType"] as? String } == plugin.nodes)
    }

    @Test("each bundled plugin returns its note's bytes from ph_plugin_entry()->metadata_json",
          .disabled(if: BuildProducts.pluginsAreSanitized, "sanitizer-built plugins need a sanitized host process"),
          arguments: [("math", "math.add"), ("string", "string.upper"), ("greeter", "greeter.hello")])
    func descriptorMatchesNote(name: String, nodeType: String) throws {
        let outcome = try PluginDriver.execute(BuildProducts.plugin(name), nodeType, "{}")
        #expect(outcome.noteMatchesDescriptor)
    }

    @Test("each bundled plugin exports ph_plugin_entry and nothing else of its own",
          arguments: ["math", "string", "greeter"])
    func exportsOnlyTheEntry(name: String) throws {
        // Swift metadata symbols would show as $s…; the greeter must hide them too.
        #expect(try ELFNotes.exportedSymbols(of: BuildProducts.plugin(name)) == ["ph_plugin_entry"])
    }

    @Test("the Swift greeter does not link Foundation")
    func greeterAvoidsFoundation() throws {
        let needed = try ELFNotes.neededLibraries(of: BuildProducts.plugin("greeter"))
        #expect(needed.contains("libswiftCore.so"))
        #expect(!needed.contains { $0.hasPrefix("libFoundation") })
    }

    @Test("plugin-host scan --strict --json accepts all three bundled plugins")
    func strictScanAcceptsBundled() throws {
        let directory = try TemporaryDirectory(prefix: "sdk-bundled")
        for plugin in Self.bundled {
            try Toolchain.runChecked("cp", [BuildProducts.plugin(plugin.name), directory.path])
        }
        let result = try Toolchain.run(BuildProducts.cli, ["scan", "--strict", "--json", directory.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let plugins = try #require(report["plugins"] as? [[String: Any]])
        let byId = Dictionary(uniqueKeysWithValues: plugins.compactMap { plugin in
            (plugin["id"] as? String).map { ($0, plugin) }
        })
        for plugin in Self.bundled {
            #expect(byId[plugin.id]?["status"] as? String == "ok", "\(plugin.id)")
            #expect(byId[plugin.id]?["nodes"] as? [String] == plugin.nodes, "\(plugin.id)")
        }
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["ok"] as? Int == 3)
        #expect(summary["rejected"] as? Int == 0)
    }
}
