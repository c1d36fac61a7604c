import Foundation
import Glibc
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import Testing

@Suite("PluginInspector: metadata from real files, never loaded")
struct PluginInspectorTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory(prefix: "ph-metadata") }

    /// A library that exports ph_plugin_entry but embeds no metadata note.
    static let noNoteSource = """
        #include <plugin_host/plugin.h>
        PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return 0; }
        """

    static let metadata = CPluginBuilder.validMetadata(id: "org.test.echo", nodeTypes: ["test.echo"])

    @Test("the embedded note is read, validated and kept as raw bytes", arguments: ValidationMode.allCases)
    func note(mode: ValidationMode) throws {
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "libecho.so", in: directory)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: mode)
        #expect(inspection.problems == [])
        #expect(inspection.origin == .elfNote)
        #expect(inspection.rawMetadata == Array(Self.metadata.utf8), "trailing NUL stripped")
        #expect(inspection.manifest?.id == "org.test.echo")
        #expect(inspection.manifest?.nodes.map(\.nodeType) == ["test.echo"])
        #expect(inspection.isLoadable)
        #expect(inspection.path == path)
    }

    @Test("an fd opened by discovery gives the same result as a path")
    func fileDescriptor() throws {
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "libecho.so", in: directory)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        var status = stat()
        try #require(fstat(fd, &status) == 0)
        let withSize = PluginInspector.inspect(path: path, fileDescriptor: fd, fileSize: Int(status.st_size), mode: .strict)
        let withoutSize = PluginInspector.inspect(path: path, fileDescriptor: fd, fileSize: nil, mode: .strict)
        for inspection in [withSize, withoutSize] {
            #expect(inspection.problems == [])
            #expect(inspection.manifest?.id == "org.test.echo")
        }
    }

    @Test("without a note, the sidecar <file>.plugin.json is used")
    func sidecar() throws {
        let path = try CPluginBuilder.build(source: Self.noNoteSource, name: "libside.so", in: directory)
        let sidecar = try directory.write("libside.so.plugin.json", Self.metadata + "\n")
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .strict)
        #expect(inspection.problems == [])
        #expect(inspection.origin == .sidecar(path: sidecar))
        #expect(inspection.rawMetadata == Array((Self.metadata + "\n").utf8))
        #expect(inspection.manifest?.id == "org.test.echo")
    }

    @Test("problems in a sidecar name the sidecar file")
    func sidecarProblemsNameSidecar() throws {
        let path = try CPluginBuilder.build(source: Self.noNoteSource, name: "libside.so", in: directory)
        let broken = Self.metadata.replacingOccurrences(of: "\"test.echo\"", with: "\"Test.Echo\"")
        let sidecar = try directory.write("libside.so.plugin.json", broken)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.metaBadNodeType, .error)])
        #expect(inspection.problems.first?.file == sidecar)
        #expect(!inspection.isLoadable)
    }

    @Test("no note and no sidecar is NO_METADATA")
    func noMetadata() throws {
        let path = try CPluginBuilder.build(source: Self.noNoteSource, name: "libnone.so", in: directory)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.noMetadata, .error)])
        #expect(inspection.problems.first?.message.contains("PH_PLUGIN_METADATA") == true)
        #expect(inspection.problems.first?.message.contains("libnone.so.plugin.json") == true)
        #expect(inspection.origin == nil)
        #expect(inspection.manifest == nil)
    }

    @Test("a sidecar that is not JSON is METADATA_NOT_JSON with line and column")
    func sidecarNotJSON() throws {
        let path = try CPluginBuilder.build(source: Self.noNoteSource, name: "libbad.so", in: directory)
        let sidecar = try directory.write("libbad.so.plugin.json", "{\"id\": \"org.test.bad\",\n oops}")
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.metadataNotJSON, .error)])
        #expect(inspection.problems.first?.message.contains("line 2, column 2") == true)
        #expect(inspection.problems.first?.file == sidecar)
        #expect(inspection.manifest == nil)
    }

    @Test("a sidecar that links to a file that is not JSON never has a byte of it quoted in the message")
    func sidecarLinkLeaksNothing() throws {
        let path = try CPluginBuilder.build(source: Self.noNoteSource, name: "libpeek.so", in: directory)
        let secret = try directory.write("secret.txt", "S3cret-token\n")
        #expect(symlink(secret, directory.url("libpeek.so.plugin.json")) == 0)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        let message = try #require(inspection.problems.first { $0.code == .metadataNotJSON }?.message)
        #expect(message == "The metadata is not JSON: unexpected character at line 1, column 1; fix the JSON text.")
        #expect(!message.contains("'S'"), "a byte of the linked file is quoted: \(message)")
    }

    @Test("a note that is not JSON is METADATA_NOT_JSON")
    func noteNotJSON() throws {
        let source = CPluginBuilder.echoPluginSource(metadata: "{\"id\": \"org.test.x\", nodes}")
        let path = try CPluginBuilder.build(source: source, name: "libnotjson.so", in: directory)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.metadataNotJSON, .error)])
        #expect(inspection.origin == .elfNote)
        #expect(inspection.rawMetadata == Array("{\"id\": \"org.test.x\", nodes}".utf8))
    }

    @Test("a note that is not valid UTF-8 is METADATA_NOT_JSON")
    func noteNotUTF8() throws {
        let source = CPluginBuilder.echoPluginSource(metadata: "{\"id\": \"org.\u{FF}\"}")
            .replacingOccurrences(of: "\\303\\277", with: "\\377")
        let path = try CPluginBuilder.build(source: source, name: "liblatin1.so", in: directory)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.metadataNotJSON, .error)])
        #expect(inspection.rawMetadata?.contains(0xFF) == true)
    }

    @Test("a note and a different sidecar: warning, and the note is used")
    func bothDiffer() throws {
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "libboth.so", in: directory)
        try directory.write("libboth.so.plugin.json", CPluginBuilder.validMetadata(id: "org.test.other", nodeTypes: ["test.other"]))
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .strict)
        #expect(inspection.problems.found == [Found(.metadataSourcesDiffer, .warning)])
        #expect(inspection.problems.first?.message.contains("the note is used") == true)
        #expect(inspection.problems.first?.message.contains("differ (first at `/id`)") == true, "\(inspection.problems)")
        #expect(inspection.origin == .elfNote)
        #expect(inspection.manifest?.id == "org.test.echo")
        #expect(inspection.isLoadable)
    }

    @Test("a sidecar holding the same JSON, formatted differently, is no problem")
    func bothSame() throws {
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "libsame.so", in: directory)
        let pretty = JSONWriter.string(try JSONParser.parse(Self.metadata), style: .pretty)
        try directory.write("libsame.so.plugin.json", pretty)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .strict)
        #expect(inspection.problems == [])
    }

    @Test("a sidecar that is a FIFO is NOT_REGULAR_FILE, without blocking")
    func sidecarFIFO() throws {
        let path = try CPluginBuilder.build(source: Self.noNoteSource, name: "libfifo.so", in: directory)
        try #require(mkfifo(directory.url("libfifo.so.plugin.json"), 0o644) == 0)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.notRegularFile, .error)])
    }

    @Test("a sidecar that is a directory is NOT_REGULAR_FILE")
    func sidecarDirectory() throws {
        let path = try CPluginBuilder.build(source: Self.noNoteSource, name: "libdir.so", in: directory)
        try directory.makeDirectory("libdir.so.plugin.json")
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.notRegularFile, .error)])
    }

    @Test("a sidecar above the metadata size cap is METADATA_TOO_LARGE")
    func sidecarTooLarge() throws {
        let path = try CPluginBuilder.build(source: Self.noNoteSource, name: "libbig.so", in: directory)
        try directory.write("libbig.so.plugin.json", [UInt8](repeating: 0x20, count: 256 * 1024 + 1))
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.metadataTooLarge, .error)])
    }

    @Test("a sidecar that cannot be used beside a note is only a warning")
    func brokenSidecarBesideNote() throws {
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "libnd.so", in: directory)
        try directory.makeDirectory("libnd.so.plugin.json")
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .strict)
        #expect(inspection.problems.found == [Found(.notRegularFile, .warning)])
        #expect(inspection.isLoadable)
    }

    @Test("validation follows the mode: an unknown key is an error strict, a warning loose")
    func modeApplies() throws {
        let metadata = Self.metadata.replacingOccurrences(of: "\"threadSafe\":true", with: "\"threadSafe\":true,\"x\":1")
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata), name: "libx.so", in: directory)
        let strict = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .strict)
        let loose = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(strict.problems.found == [Found(.metaUnknownKey, .error)])
        #expect(loose.problems.found == [Found(.metaUnknownKey, .warning)])
        #expect(loose.isLoadable)
    }

    @Test("a file that is not ELF reports the ELF reader's problem and no manifest")
    func notELF() throws {
        let path = try directory.write("libtext.so", "this is not a library\n")
        try directory.write("libtext.so.plugin.json", Self.metadata)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.notELF, .error)])
        #expect(inspection.manifest == nil)
    }

    // Written for the real PluginELF reader, which detects a missing ph_plugin_entry export.
    // (The temporary reader in wip/metadata also reads .dynsym, so this passes there too.)
    @Test("a library with metadata but no exported ph_plugin_entry is ENTRY_MISSING")
    func entryMissing() throws {
        let source = """
            #include <plugin_host/plugin.h>
            PH_PLUGIN_METADATA(\(CPluginBuilder.cStringLiteral(Self.metadata)));
            const char *not_the_entry(void) { return PH_PLUGIN_METADATA_JSON; }
            """
        let path = try CPluginBuilder.build(source: source, name: "libnoentry.so", in: directory)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .loose)
        #expect(inspection.problems.found == [Found(.entryMissing, .error)])
        #expect(inspection.problems.first?.message.contains("PH_EXPORT") == true)
        #expect(inspection.manifest?.id == "org.test.echo")
        #expect(!inspection.isLoadable)
    }

    @Test("a sidecar that says what the note says, formatted differently and ending in blank lines, is not a difference")
    func sameSidecarReformatted() throws {
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "libsame.so", in: directory)
        let note = try JSONParser.parse(CPluginBuilder.validMetadata(id: "org.test.echo", nodeTypes: ["test.echo"]))
        try directory.write("libsame.so.plugin.json", JSONWriter.string(note, style: .pretty) + "\n\n  \n")
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .strict)
        #expect(inspection.problems.isEmpty, "\(inspection.problems)")
    }
}
