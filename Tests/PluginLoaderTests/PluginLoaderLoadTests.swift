import Glibc
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginMetadata
import Testing

@Suite("PluginLoader.load checks the library before trusting it")
struct PluginLoaderLoadTests {
    private let metadata = TestPlugin.metadata()

    /// A plugin whose `ph_plugin` initializer is `descriptor`, loaded; returns its failure.
    /// The directory is returned so the file outlives the call.
    private func loadFailure(descriptor: String? = nil, entry: String? = nil, rawMetadata: String? = nil) throws -> (Problem?, String, TemporaryDirectory) {
        var source = TestPlugin.source(metadata: metadata)
        if let descriptor {
            source = TestPlugin.source(metadata: metadata, descriptor: descriptor)
        } else if let entry {
            source = TestPlugin.source(metadata: metadata, entry: entry)
        }
        let built = try TestPlugin.build(source)
        let result = PluginLoader.load(TestPlugin.inspection(path: built.path, metadata: rawMetadata ?? metadata))
        return (result.failure, built.path, built.directory)
    }

    @Test("the echo plugin loads, initializes and echoes its parameters")
    func echoPluginRoundTrip() throws {
        let built = try TestPlugin.build(CPluginBuilder.echoPluginSource(id: "org.test.loader", nodeType: "test.node"))
        let json = CPluginBuilder.validMetadata(id: "org.test.loader", nodeTypes: ["test.node"])
        let plugin = try PluginLoader.load(TestPlugin.inspection(path: built.path, metadata: json)).get()
        try plugin.initialize(config: .object([:])).get()
        let outcome = plugin.execute(.test(#"{"value":42}"#), cancellation: nil)
        #expect(outcome == PluginCallOutcome(status: 0, output: Array(#"{"value":42}"#.utf8)))
        #expect(plugin.path == built.path)
        #expect(plugin.manifest.id == "org.test.loader")
        #expect(plugin.abi == ABIVersion(major: 1, minor: 0))
    }

    @Test("loading the same path twice returns the same object")
    func sameFileSameObject() throws {
        let built = try TestPlugin.build(TestPlugin.source(metadata: metadata))
        let inspection = TestPlugin.inspection(path: built.path, metadata: metadata)
        let first = try PluginLoader.load(inspection).get()
        let second = try PluginLoader.load(inspection).get()
        #expect(first === second)
    }

    @Test("the same file reached through a symbolic link is the same object")
    func symlinkSameObject() throws {
        let built = try TestPlugin.build(TestPlugin.source(metadata: metadata))
        let link = built.directory.url("link.so")
        #expect(symlink(built.path, link) == 0)
        let first = try PluginLoader.load(TestPlugin.inspection(path: built.path, metadata: metadata)).get()
        let second = try PluginLoader.load(TestPlugin.inspection(path: link, metadata: metadata)).get()
        #expect(first === second)
    }

    @Test("an inspection that is not loadable is refused with its first error, without dlopen")
    func refusesUnloadableInspection() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("libnot-elf.so", "not a library")
        let warning = Problem(.metaUnknownKey, .warning, "unknown key", file: path)
        let error = Problem(.notELF, .error, "not an ELF file", file: path)
        let inspection = PluginInspection(path: path, problems: [warning, error])
        #expect(PluginLoader.load(inspection).failure == error)
    }

    @Test("an inspection without a manifest is refused even with no problems listed")
    func refusesInspectionWithoutManifest() {
        let inspection = PluginInspection(path: "/nonexistent/libx.so")
        let problem = PluginLoader.load(inspection).failure
        #expect(problem?.code == .noMetadata)
        #expect(problem?.file == "/nonexistent/libx.so")
    }

    @Test("ph_plugin_entry returning NULL is ENTRY_INVALID")
    func entryReturnsNull() throws {
        let (problem, path, _) = try loadFailure(entry: "return 0;")
        #expect(problem?.code == .entryInvalid)
        #expect(problem?.file == path)
        #expect(problem?.message.contains("returned NULL") == true)
    }

    @Test("a struct_size smaller than ABI 1.0's ph_plugin is ENTRY_INVALID")
    func structSizeTooSmall() throws {
        let (problem, path, _) = try loadFailure(
            descriptor: "4, PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR, PH_PLUGIN_METADATA_JSON, t_init, t_execute, t_shutdown")
        #expect(problem?.code == .entryInvalid)
        #expect(problem?.file == path)
        #expect(problem?.message.hasPrefix("ph_plugin.struct_size is 4, smaller than the 40 bytes") == true)
    }

    @Test("a NULL execute callback is ENTRY_INVALID naming it")
    func nullExecute() throws {
        let (problem, _, _) = try loadFailure(
            descriptor: "sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR, PH_PLUGIN_METADATA_JSON, t_init, 0, t_shutdown")
        #expect(problem?.code == .entryInvalid)
        #expect(problem?.message.hasPrefix("ph_plugin.execute is NULL;") == true)
    }

    @Test("NULL init and shutdown are both named")
    func nullInitAndShutdown() throws {
        let (problem, _, _) = try loadFailure(
            descriptor: "sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR, PH_PLUGIN_METADATA_JSON, 0, t_execute, 0")
        #expect(problem?.code == .entryInvalid)
        #expect(problem?.message.hasPrefix("ph_plugin.init, shutdown are NULL;") == true)
    }

    @Test("abi_major 2 in the descriptor is ABI_INCOMPATIBLE")
    func abiMajorTwo() throws {
        let (problem, path, _) = try loadFailure(
            descriptor: "sizeof(ph_plugin), 2, 0, PH_PLUGIN_METADATA_JSON, t_init, t_execute, t_shutdown")
        #expect(problem?.code == .abiIncompatible)
        #expect(problem?.file == path)
        #expect(problem?.message.hasPrefix("ph_plugin says ABI 2.0 but this host implements ABI 1.0;") == true)
    }

    @Test("an abi_minor newer than the host's is ABI_INCOMPATIBLE")
    func abiMinorNewer() throws {
        let (problem, _, _) = try loadFailure(
            descriptor: "sizeof(ph_plugin), 1, 1, PH_PLUGIN_METADATA_JSON, t_init, t_execute, t_shutdown")
        #expect(problem?.code == .abiIncompatible)
        #expect(problem?.message.hasPrefix("ph_plugin says ABI 1.1") == true)
    }

    @Test("metadata_json different from the embedded bytes is METADATA_MISMATCH")
    func metadataDiffers() throws {
        let (problem, path, _) = try loadFailure(
            descriptor: #"sizeof(ph_plugin), 1, 0, "{\"id\":\"org.other\"}", t_init, t_execute, t_shutdown"#)
        #expect(problem?.code == .metadataMismatch)
        #expect(problem?.file == path)
        // Both sources named, and where they part.
        #expect(problem?.message == "ph_plugin.metadata_json (returned by ph_plugin_entry) and the metadata the scan read from the file differ (18 and \(metadata.utf8.count) bytes, first different at byte 11); rebuild so both come from PH_PLUGIN_METADATA_JSON")
    }

    @Test("metadata_json that is a prefix of the scanned bytes is METADATA_MISMATCH")
    func metadataShorter() throws {
        let (problem, _, _) = try loadFailure(rawMetadata: metadata + "}")
        #expect(problem?.code == .metadataMismatch)
        #expect(problem?.message.contains("first different at byte \(metadata.utf8.count)") == true, "\(String(describing: problem))")
    }

    @Test("trailing whitespace after either copy of the metadata is not a difference")
    func trailingWhitespaceIsNoDifference() throws {
        let (problem, _, _) = try loadFailure(rawMetadata: metadata + "\n \t\r\n")
        #expect(problem == nil, "\(String(describing: problem))")
    }

    @Test("metadata_json longer than the scanned bytes is METADATA_MISMATCH")
    func metadataLonger() throws {
        let (problem, _, _) = try loadFailure(rawMetadata: String(metadata.dropLast()))
        #expect(problem?.code == .metadataMismatch)
    }

    @Test("a NULL metadata_json is METADATA_MISMATCH")
    func metadataNull() throws {
        let (problem, _, _) = try loadFailure(
            descriptor: "sizeof(ph_plugin), 1, 0, 0, t_init, t_execute, t_shutdown")
        #expect(problem?.code == .metadataMismatch)
        #expect(problem?.message == "ph_plugin.metadata_json is NULL; set it to PH_PLUGIN_METADATA_JSON")
    }

    @Test("a library without ph_plugin_entry is ENTRY_MISSING")
    func entryMissing() throws {
        let source = """
        #include <plugin_host/plugin.h>
        PH_PLUGIN_METADATA(\(CPluginBuilder.cStringLiteral(metadata)));
        PH_EXPORT int something_else(void) { return 1; }
        """
        let (result, path) = try TestPlugin.loadResult(source, metadata: metadata)
        #expect(result.failure?.code == .entryMissing)
        #expect(result.failure?.file == path)
    }

    @Test("a library needing an undefined function fails dlopen with LOAD_FAILED")
    func undefinedSymbol() throws {
        let source = """
        #include <plugin_host/plugin.h>
        PH_PLUGIN_METADATA(\(CPluginBuilder.cStringLiteral(metadata)));
        extern int ph_test_function_nobody_defines(void);
        PH_EXPORT int calls_it(void) { return ph_test_function_nobody_defines(); }
        """
        let (result, path) = try TestPlugin.loadResult(source, metadata: metadata)
        #expect(result.failure?.code == .loadFailed)
        #expect(result.failure?.file == path)
        #expect(result.failure?.message.contains("undefined symbol: ph_test_function_nobody_defines") == true)
    }

    @Test("a file that is not a library is LOAD_FAILED with dlerror's text")
    func notALibrary() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("libtext.so", String(repeating: "not a shared library\n", count: 100))
        let problem = PluginLoader.load(TestPlugin.inspection(path: path, metadata: metadata)).failure
        #expect(problem?.code == .loadFailed)
        #expect(problem?.file == path)
        #expect(problem?.message.hasPrefix("dlopen failed: \(path): invalid ELF header;") == true)
    }

    @Test("a failed load is not cached: the same file is checked again")
    func failureNotCached() throws {
        let (first, path, directory) = try loadFailure(entry: "return 0;")
        let second = PluginLoader.load(TestPlugin.inspection(path: path, metadata: metadata)).failure
        #expect(first?.code == .entryInvalid)
        #expect(second == first)
        withExtendedLifetime(directory) {}
    }
}
