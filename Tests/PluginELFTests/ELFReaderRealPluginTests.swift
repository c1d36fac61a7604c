import Glibc
import PluginELF
import PluginHostCore
import PluginHostTestSupport
import Testing

/// Real libraries built by real compilers: the reader must see exactly what the dynamic linker
/// and the SDK macros put there.
@Suite("ELFReader on real plugins")
struct ELFReaderRealPluginTests {
    /// A plugin whose entry point is defined without PH_EXPORT, so -fvisibility=hidden hides it.
    static let hiddenEntrySource = """
        __attribute__((section(".note.plugin_host"), used, aligned(4))) static const struct {
            unsigned namesz, descsz, type; char name[12]; char desc[3];
        } note = {12u, 3u, 0x50480001u, "plugin-host", "{}"};
        const void *ph_plugin_entry(void) { return &note; }
        """

    /// An echo-plugin-shaped source with `count` extra exported functions, to make the dynamic
    /// symbol table much larger than the first 64 KiB read.
    static func manySymbolsSource(count: Int, withEntry: Bool) -> String {
        var source = "#include <plugin_host/plugin.h>\n"
        for index in 0..<count {
            source += "__attribute__((visibility(\"default\"))) int exported_function_number_\(index)(int x) { return x + \(index); }\n"
        }
        if withEntry {
            source += "PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return 0; }\n"
        }
        return source
    }

    @Test("reads the metadata note of a plugin built with cc byte for byte")
    func noteMatchesMetadata() throws {
        let plugin = try Fixtures.echoPlugin()
        let inspection = try ELFReader.inspect(path: plugin.path).get()
        #expect(inspection.metadataNote == Array(Fixtures.metadata.utf8))
    }

    @Test("sees that a plugin built with cc exports ph_plugin_entry")
    func entryExported() throws {
        let plugin = try Fixtures.echoPlugin()
        #expect(try ELFReader.inspect(path: plugin.path).get().exportsPluginEntry == true)
    }

    @Test("reports the host's machine for a plugin built here")
    func machineIsHost() throws {
        let plugin = try Fixtures.echoPlugin()
        #expect(try ELFReader.inspect(path: plugin.path).get().machine == Fixtures.hostMachine)
    }

    @Test("inspect(fileDescriptor:) gives the same answer as inspect(path:)")
    func fileDescriptorVariant() throws {
        let plugin = try Fixtures.echoPlugin()
        let fd = open(plugin.path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let result = ELFReader.inspect(fileDescriptor: fd, fileSize: plugin.bytes.count, path: plugin.path)
        #expect(try result.get() == ELFReader.inspect(path: plugin.path).get())
    }

    @Test("reads a plugin built with clang", .enabled(if: Fixtures.clangAvailable, "clang is not installed"))
    func clangPlugin() throws {
        let directory = try TemporaryDirectory()
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: Fixtures.metadata),
                                            name: "libclang.so", in: directory, compiler: "clang")
        let inspection = try ELFReader.inspect(path: path).get()
        #expect(inspection == ELFInspection(metadataNote: Array(Fixtures.metadata.utf8), exportsPluginEntry: true,
                                            machine: Fixtures.hostMachine))
    }

    @Test("an entry point hidden by -fvisibility=hidden is not exported")
    func hiddenEntry() throws {
        let directory = try TemporaryDirectory()
        let path = try CPluginBuilder.build(source: Self.hiddenEntrySource, name: "libhidden.so", in: directory)
        let inspection = try ELFReader.inspect(path: path).get()
        #expect(inspection.exportsPluginEntry == false)
        #expect(inspection.metadataNote == Array("{}".utf8))
    }

    @Test("a library that only imports ph_plugin_entry (an undefined FUNC symbol) does not export it")
    func undefinedEntry() throws {
        let directory = try TemporaryDirectory()
        // Linking against a library that defines it makes the reference a typed FUNC, so only
        // st_shndx == SHN_UNDEF tells the import from a definition. SysV .hash, unlike .gnu.hash,
        // also hashes undefined symbols, so the lookup really meets this one.
        try CPluginBuilder.build(source: "const void *ph_plugin_entry(void) { return 0; }\n", name: "libdefines.so",
                                 in: directory, extraFlags: ["-fvisibility=default"])
        let source = """
            extern const void *ph_plugin_entry(void);
            __attribute__((visibility("default"))) const void *caller(void) { return ph_plugin_entry(); }
            """
        let path = try CPluginBuilder.build(source: source, name: "libimports.so", in: directory,
                                            extraFlags: ["-L", directory.path, "-ldefines", "-Wl,--hash-style=sysv"])
        let symbol = try #require(ELFImage(bytes: try Fixtures.readBytes(path)).dynamicSymbol(named: "ph_plugin_entry"))
        try #require(symbol.info & 0xF == 2 && symbol.sectionIndex == 0)  // FUNC, SHN_UNDEF
        #expect(try ELFReader.inspect(path: path).get().exportsPluginEntry == false)
    }

    @Test("a data object named ph_plugin_entry is not an entry function")
    func dataEntry() throws {
        let directory = try TemporaryDirectory()
        let source = "__attribute__((visibility(\"default\"))) const int ph_plugin_entry = 1;\n"
        let path = try CPluginBuilder.build(source: source, name: "libdata.so", in: directory)
        #expect(try ELFReader.inspect(path: path).get().exportsPluginEntry == false)
    }

    @Test("a weak ph_plugin_entry definition counts as exported")
    func weakEntry() throws {
        let directory = try TemporaryDirectory()
        let source = "__attribute__((visibility(\"default\"), weak)) const void *ph_plugin_entry(void) { return 0; }\n"
        let path = try CPluginBuilder.build(source: source, name: "libweak.so", in: directory)
        #expect(try ELFReader.inspect(path: path).get().exportsPluginEntry == true)
    }

    @Test("a library without PH_PLUGIN_METADATA has no metadata note")
    func noNote() throws {
        let directory = try TemporaryDirectory()
        let source = "#include <plugin_host/plugin.h>\nPH_EXPORT const ph_plugin *ph_plugin_entry(void) { return 0; }\n"
        let path = try CPluginBuilder.build(source: source, name: "libnonote.so", in: directory)
        let inspection = try ELFReader.inspect(path: path).get()
        #expect(inspection.metadataNote == nil)
        #expect(inspection.exportsPluginEntry == true)
    }

    @Test("finds the entry through the SysV .hash table of a --hash-style=sysv library")
    func sysvHash() throws {
        let directory = try TemporaryDirectory()
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: Fixtures.metadata),
                                            name: "libsysv.so", in: directory, extraFlags: ["-Wl,--hash-style=sysv"])
        let image = ELFImage(bytes: try Fixtures.readBytes(path))
        try #require(image.firstSection(ofType: 0x6fff_fff6) == nil)  // really no .gnu.hash
        #expect(try ELFReader.inspect(path: path).get().exportsPluginEntry == true)
    }

    @Test("finds the entry by a linear scan of .dynsym when the file has no hash table section")
    func linearScan() throws {
        let directory = try TemporaryDirectory()
        let built = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: Fixtures.metadata),
                                             name: "libsysv.so", in: directory, extraFlags: ["-Wl,--hash-style=sysv"])
        var image = ELFImage(bytes: try Fixtures.readBytes(built))
        let hash = try #require(image.firstSection(ofType: 5))
        image.set32(image.sectionHeader(hash) + 4, 1)  // SHT_HASH → SHT_PROGBITS
        let path = try directory.write("liblinear.so", image.bytes)
        #expect(try ELFReader.inspect(path: path).get().exportsPluginEntry == true)
    }

    @Test("finds the entry among 6000 exports whose tables lie beyond the first 64 KiB")
    func manySymbolsWithEntry() throws {
        let directory = try TemporaryDirectory()
        let path = try CPluginBuilder.build(source: Self.manySymbolsSource(count: 6000, withEntry: true),
                                            name: "libmany.so", in: directory)
        #expect(try ELFReader.inspect(path: path).get().exportsPluginEntry == true)
    }

    @Test("reports no entry among 6000 exports that do not include it")
    func manySymbolsWithoutEntry() throws {
        let directory = try TemporaryDirectory()
        let path = try CPluginBuilder.build(source: Self.manySymbolsSource(count: 6000, withEntry: false),
                                            name: "libmany.so", in: directory)
        #expect(try ELFReader.inspect(path: path).get().exportsPluginEntry == false)
    }

    @Test("reads a 100 KiB metadata note that extends past the first 64 KiB read")
    func largeNote() throws {
        let directory = try TemporaryDirectory()
        let description = String(repeating: "x", count: 100 * 1024)
        let metadata = #"{"id":"org.test.big","description":"\#(description)"}"#
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata),
                                            name: "libbig.so", in: directory)
        #expect(try ELFReader.inspect(path: path).get().metadataNote == Array(metadata.utf8))
    }

    @Test("a metadata note over 256 KiB is METADATA_TOO_LARGE")
    func tooLargeNote() throws {
        let directory = try TemporaryDirectory()
        let metadata = #"{"description":"\#(String(repeating: "y", count: ELFReader.maximumMetadataSize))"}"#
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata),
                                            name: "libhuge.so", in: directory)
        let problem = Fixtures.problem(ELFReader.inspect(path: path))
        #expect(problem?.code == .metadataTooLarge)
        #expect(problem?.file == path)
    }

    @Test("a metadata note of exactly 256 KiB (NUL included) is accepted")
    func noteAtTheLimit() throws {
        let directory = try TemporaryDirectory()
        let prefix = #"{"d":""#, suffix = #""}"#
        let filler = String(repeating: "z", count: ELFReader.maximumMetadataSize - 1 - prefix.count - suffix.count)
        let metadata = prefix + filler + suffix
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata),
                                            name: "liblimit.so", in: directory)
        #expect(try ELFReader.inspect(path: path).get().metadataNote?.count == ELFReader.maximumMetadataSize - 1)
    }

    @Test("without section headers, reads the note from PT_NOTE and the entry through PT_DYNAMIC")
    func noSectionHeaders() throws {
        let plugin = try Fixtures.echoPlugin()
        var image = ELFImage(bytes: plugin.bytes)
        image.set64(40, 0)  // e_shoff
        image.set16(60, 0)  // e_shnum
        image.set16(62, 0)  // e_shstrndx
        let (_, result, _) = try Fixtures.inspect(image.bytes)
        #expect(try result.get() == ELFInspection(metadataNote: Array(Fixtures.metadata.utf8), exportsPluginEntry: true,
                                                  machine: Fixtures.hostMachine))
    }
}
