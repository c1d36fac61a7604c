import Glibc
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import PluginRuntime
import Testing

/// The bundled example `examples/libm`: scanned from the checkout with the default (safe)
/// options and executed through the whole runtime, exactly as the README shows.
@Suite("The libm example")
struct LibmExampleTests {
    static let directory = CPluginBuilder.repositoryRoot + "/examples/libm"

    static func host() -> PluginHost {
        PluginHost(configuration: HostConfiguration(directories: [SearchDirectory(path: directory)]))
    }

    @Test("the example scans as one ok plugin, strict, with five libm nodes")
    func scans() throws {
        let report = Scanner().scan([SearchDirectory(path: Self.directory)])
        let plugin = try #require(report.plugins.first)
        #expect(report.plugins.count == 1)
        #expect(plugin.problems == [])
        #expect(plugin.status == .ok)
        #expect(plugin.manifest?.nodes.map(\.nodeType) == ["libm.pow", "libm.sqrt", "libm.hypot", "libm.cbrt", "libm.floor"])
    }

    @Test("the example's files are not writable by group or others, as git checks them out with umask 022")
    func permissions() {
        for path in [Self.directory, Self.directory + "/libm.plugin.json"] {
            var status = stat()
            #expect(stat(path, &status) == 0)
            #expect(status.st_mode & 0o022 == 0, "\(path)")
        }
    }

    static let calls: [(String, JSONValue, JSONValue)] = [
        ("libm.pow", ["base": 2, "exp": 10], 1024),
        ("libm.sqrt", ["x": 2.25], 1.5),
        ("libm.hypot", ["x": 3, "y": 4], 5),
        ("libm.cbrt", ["x": -8], -2),
        ("libm.floor", ["x": -1.5], -2),
    ]

    @Test("each node runs through PluginHost.execute", arguments: calls)
    func executes(nodeType: String, parameters: JSONValue, expected: JSONValue) {
        let result = Self.host().execute(nodeType: nodeType, parameters: parameters)
        #expect(result.succeeded)
        #expect(result.output == ["result": expected])
    }

    @Test("a wrong parameter type is VALIDATION_FAILED by the derived schema, before any call")
    func validation() {
        let result = Self.host().execute(nodeType: "libm.pow", parameters: ["base": "2", "exp": 10])
        #expect(result.errorCode == .validationFailed)
        #expect(result.error == "parameters for libm.pow do not match its schema: /base must be a number, got string")
    }

    @Test("a result JSON cannot carry (sqrt of -1) is EXECUTION_ERROR")
    func notANumber() {
        let result = Self.host().execute(nodeType: "libm.sqrt", parameters: ["x": -1])
        #expect(result.errorCode == .executionError)
        #expect(result.error?.hasPrefix("sqrt returned") == true)
    }
}
