import Foundation
import PluginHostCore
import PluginHostTestSupport
@testable import PluginLoader
import PluginMetadata
import PluginSDK
import Synchronization
import Testing

/// Function nodes through the loader: standalone manifests open their library, symbols are
/// resolved at load, and calls go through `LoadedPlugin.execute` like any node.
@Suite("Function nodes through the loader")
struct FunctionNodeLoaderTests {
    /// A standalone manifest for `library` with one function node per (nodeType, symbol, signature, params).
    static func manifest(library: String, threadSafe: Bool = true, nodes: [(String, String, String, [String])]) -> String {
        let nodeList: [JSONValue] = nodes.map { nodeType, symbol, signature, params in
            ["nodeType": .string(nodeType), "version": "1.0.0", "category": "test", "description": "A C function.",
             "supportedVersions": [1],
             "function": ["symbol": .string(symbol), "signature": .string(signature), "params": .array(params.map { .string($0) })]]
        }
        return JSONWriter.string([
            "id": "org.test.functions", "name": "Functions", "version": "1.0.0", "abi": "1.0", "description": "C functions.",
            "threadSafe": .bool(threadSafe), "dependencies": [:], "library": .string(library), "nodes": .array(nodeList),
        ])
    }

    static let pow = [("m.pow", "pow", "double(double,double)", ["base", "exp"])]

    /// Directories kept until the process ends: a deleted file's inode is soon reused, and the
    /// dynamic linker (like the loader's table) knows a loaded file by its inode.
    static let kept = Locked<[TemporaryDirectory]>([])

    /// Writes `text` as a standalone manifest in a fresh directory and inspects it.
    static func inspect(_ text: String) throws -> (inspection: PluginInspection, directory: TemporaryDirectory) {
        let directory = try TemporaryDirectory(prefix: "loader-functions")
        kept.withLock { $0.append(directory) }
        let path = try directory.write("functions.plugin.json", text)
        let inspection = PluginInspector.inspectStandalone(path: path, fileDescriptor: nil, mode: .strict)
        #expect(inspection.problems == [])
        return (inspection, directory)
    }

    static func request(_ nodeType: String, _ params: String) -> PluginCallRequest {
        PluginCallRequest(nodeType: NulTerminatedUTF8(nodeType), params: NulTerminatedUTF8(params))
    }

    @Test("a standalone manifest loads its library, initializes without code, and executes a function node")
    func executesThroughLoadedPlugin() throws {
        let (inspection, directory) = try Self.inspect(Self.manifest(library: "libm.so.6", nodes: Self.pow))
        defer { withExtendedLifetime(directory) {} }
        let plugin = try PluginLoader.load(inspection).get()
        try plugin.initialize(config: [:]).get()
        let outcome = plugin.execute(Self.request("m.pow", #"{"base":2,"exp":10}"#), cancellation: nil)
        #expect(outcome == PluginCallOutcome(status: PH_OK, output: Array(#"{"result":1024}"#.utf8)))
        #expect(plugin.abi == ABIVersion(major: 1, minor: 0))
    }

    @Test("a parameter that does not map is PH_ERR_INVALID_PARAMETERS with a message naming it")
    func invalidParameters() throws {
        let (inspection, directory) = try Self.inspect(Self.manifest(library: "libm.so.6", nodes: Self.pow))
        defer { withExtendedLifetime(directory) {} }
        let plugin = try PluginLoader.load(inspection).get()
        try plugin.initialize(config: [:]).get()
        let outcome = plugin.execute(Self.request("m.pow", #"{"base":"two","exp":10}"#), cancellation: nil)
        #expect(outcome == PluginCallOutcome(status: PH_ERR_INVALID_PARAMETERS, errorCode: PH_ERR_INVALID_PARAMETERS,
                                             errorMessage: "parameter `base` must be a number (double), got a string"))
    }

    @Test("a function node is refused before initialize and after shutdown, like any node")
    func lifecycle() throws {
        let (inspection, directory) = try Self.inspect(Self.manifest(library: "libm.so.6", nodes: Self.pow))
        defer { withExtendedLifetime(directory) {} }
        let plugin = try PluginLoader.load(inspection).get()
        #expect(plugin.execute(Self.request("m.pow", #"{"base":2,"exp":1}"#), cancellation: nil).status == PH_ERR_INTERNAL)
        try plugin.initialize(config: [:]).get()
        #expect(plugin.execute(Self.request("m.pow", #"{"base":2,"exp":1}"#), cancellation: nil).status == PH_OK)
        #expect(plugin.shutdown() == false)  // no plugin shutdown to run
        #expect(plugin.execute(Self.request("m.pow", #"{"base":2,"exp":1}"#), cancellation: nil).status == PH_ERR_INTERNAL)
    }

    @Test("a node type the manifest does not serve is refused without a crash")
    func unknownNodeType() throws {
        let (inspection, directory) = try Self.inspect(Self.manifest(library: "libm.so.6", nodes: Self.pow))
        defer { withExtendedLifetime(directory) {} }
        let plugin = try PluginLoader.load(inspection).get()
        try plugin.initialize(config: [:]).get()
        let outcome = plugin.execute(Self.request("m.other", "{}"), cancellation: nil)
        #expect(outcome.status == PH_ERR_INTERNAL)
        #expect(outcome.errorMessage == "m.other is not a function node of org.test.functions, which has no plugin code to run other nodes")
    }

    @Test("a library that cannot be opened is LOAD_FAILED with dlerror's text")
    func missingLibrary() throws {
        let (inspection, directory) = try Self.inspect(Self.manifest(library: "libph-does-not-exist.so.3", nodes: Self.pow))
        defer { withExtendedLifetime(directory) {} }
        let problem = try #require(PluginLoader.load(inspection).failure)
        #expect(problem.code == .loadFailed)
        #expect(problem.file == inspection.path)
        #expect(problem.message.hasPrefix("the library libph-does-not-exist.so.3 could not be opened: libph-does-not-exist.so.3: cannot open shared object file"))
    }

    @Test("a symbol the library does not export is SYMBOL_MISSING naming the node")
    func missingSymbol() throws {
        let nodes = Self.pow + [("m.nope", "ph_no_such_function", "double(double)", ["x"])]
        let (inspection, directory) = try Self.inspect(Self.manifest(library: "libm.so.6", nodes: nodes))
        defer { withExtendedLifetime(directory) {} }
        let problem = try #require(PluginLoader.load(inspection).failure)
        #expect(problem.code == .symbolMissing)
        #expect(problem.node == "m.nope")
        #expect(problem.message == "node m.nope calls ph_no_such_function, which libm.so.6 does not export; fix \"symbol\" or use a library that provides it")
    }

    @Test("a relative library path is taken from the manifest's directory; a soname or absolute path as written")
    func libraryPath() {
        #expect(PluginLoader.libraryPath("./lib/libx.so", manifest: "/srv/plugins/x.plugin.json") == "/srv/plugins/./lib/libx.so")
        #expect(PluginLoader.libraryPath("lib/libx.so", manifest: "/srv/plugins/x.plugin.json") == "/srv/plugins/lib/libx.so")
        #expect(PluginLoader.libraryPath("libm.so.6", manifest: "/srv/plugins/x.plugin.json") == "libm.so.6")
        #expect(PluginLoader.libraryPath("/usr/lib/libx.so", manifest: "/srv/plugins/x.plugin.json") == "/usr/lib/libx.so")
    }

    @Test("a plugin library's function node resolves in its own library and runs beside its native node")
    func nativePluginFunction() throws {
        let metadata = JSONWriter.string(ManifestFixtures.nativeWithFunction)
        let source = TestPlugin.source(metadata: metadata, prelude: """
            PH_EXPORT int32_t ph_test_twice(int32_t x) { return 2 * x; }
            """)
        let built = try TestPlugin.build(source)
        Self.kept.withLock { $0.append(built.directory) }
        let (manifest, problems) = ManifestValidator.validate(Array(metadata.utf8), mode: .strict, file: built.path)
        #expect(problems == [])
        let inspection = PluginInspection(path: built.path, origin: .elfNote, rawMetadata: Array(metadata.utf8), manifest: manifest)
        let plugin = try PluginLoader.load(inspection).get()
        try plugin.initialize(config: [:]).get()
        #expect(plugin.execute(Self.request("test.twice", #"{"x":21}"#), cancellation: nil).outputText == #"{"result":42}"#)
        #expect(plugin.execute(Self.request("test.node", #"{"value":1}"#), cancellation: nil).outputText == #"{"value":1}"#)
    }
}

/// Metadata for a native plugin with one native node and one function node.
enum ManifestFixtures {
    static let nativeWithFunction: JSONValue = [
        "id": "org.test.native", "name": "Native", "version": "1.0.0", "abi": "1.0", "description": "Native and function nodes.",
        "threadSafe": false, "dependencies": [:],
        "nodes": [
            ["nodeType": "test.node", "version": "1.0.0", "category": "test", "description": "Echoes.", "requiredFields": [],
             "schema": ["type": "object"], "supportedVersions": [1]],
            ["nodeType": "test.twice", "version": "1.0.0", "category": "test", "description": "Doubles x.", "supportedVersions": [1],
             "function": ["symbol": "ph_test_twice", "signature": "int32(int32)", "params": ["x"]]],
        ],
    ]
}
