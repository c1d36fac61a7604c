import Foundation
import PluginELF
import PluginHostCore
import PluginHostTestSupport
import Testing

/// A real plugin with one program header or dynamic entry forged: each is a file `dlopen` would
/// map or follow blindly (and could crash on), so the scan must refuse it with ELF_MALFORMED
/// naming the field. The section headers stay intact, so these checks run on every file, not
/// only on stripped ones.
@Suite("ELFReader checks what the dynamic linker trusts")
struct ELFReaderLoadLayoutTests {
    // Program header fields (Elf64_Phdr) and tags used below.
    static let pOffset = 8, pVaddr = 16, pFilesz = 32, pMemsz = 40, pAlign = 48
    static let ptLoad: UInt32 = 1, ptDynamic: UInt32 = 2

    /// The echo plugin with `patch` applied, inspected; returns the problem (checking it names the file).
    private func problem(_ patch: (inout ELFImage) throws -> Void) throws -> Problem? {
        var image = ELFImage(bytes: try Fixtures.echoPlugin().bytes)
        try patch(&image)
        let (path, result, _) = try Fixtures.inspect(image.bytes)
        let problem = Fixtures.problem(result)
        #expect(problem?.file == path)
        return problem
    }

    /// Sets the value of the first dynamic entry `tag` (which the plugin must have).
    private static func setDynamic(_ tag: UInt64, _ value: UInt64, in image: inout ELFImage) throws {
        let entry = image.dynamicEntry(tag)  // not inside #require: its failure message would print the image
        try #require(entry != nil, "no dynamic tag \(tag)")
        image.set64(entry! + 8, value)
    }

    /// The PT_LOAD headers' file offsets (a linked plugin has at least two).
    private static func loads(_ image: ELFImage) throws -> [Int] {
        let loads = image.programHeaders(ofType: ptLoad)
        try #require(loads.count >= 2)
        return loads
    }

    /// The file offset of the first program header of type `type`.
    private static func programHeader(_ type: UInt32, in image: ELFImage) throws -> Int {
        let headers = image.programHeaders(ofType: type)
        try #require(!headers.isEmpty, "no program header of type \(type)")
        return headers[0]
    }

    @Test("the untouched plugin passes every load check")
    func untouched() throws {
        let plugin = try Fixtures.echoPlugin()
        #expect(try ELFReader.inspect(path: plugin.path).get().exportsPluginEntry)
    }

    @Test("every bundled plugin passes the load checks", arguments: ["math", "string", "greeter", "demo", "hazard"])
    func bundledPlugins(name: String) throws {
        let path = BuildProducts.plugin(name)
        try #require(FileManager.default.fileExists(atPath: path), "build the package first: \(path)")
        let inspection = try ELFReader.inspect(path: path).get()
        #expect(inspection.exportsPluginEntry)
    }

    @Test("a PT_LOAD whose p_offset is past the end of the file is ELF_MALFORMED")
    func loadOffsetPastEOF() throws {
        let found = try problem { image in
            let last = try Self.loads(image).last!
            image.set64(last + Self.pOffset, UInt64(image.bytes.count) + 0x10000)
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("PT_LOAD segment") == true)
    }

    @Test("a PT_LOAD whose p_filesz is larger than its p_memsz is ELF_MALFORMED")
    func fileSizeOverMemorySize() throws {
        let found = try problem { image in
            let first = try Self.loads(image)[0]
            image.set64(first + Self.pMemsz, image.u64(first + Self.pFilesz) - 1)
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("p_filesz") == true)
        #expect(found?.message.contains("p_memsz") == true)
    }

    @Test("a PT_LOAD whose p_align is not a power of two is ELF_MALFORMED")
    func alignmentNotPowerOfTwo() throws {
        let found = try problem { image in
            image.set64(try Self.loads(image)[0] + Self.pAlign, 0x3000)
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("power of two") == true)
    }

    @Test("a PT_LOAD whose p_offset and p_vaddr differ modulo p_align is ELF_MALFORMED")
    func offsetAndAddressMisaligned() throws {
        let found = try problem { image in
            let second = try Self.loads(image)[1]
            image.set64(second + Self.pVaddr, image.u64(second + Self.pVaddr) + 8)
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("p_align") == true)
    }

    @Test("PT_LOAD segments out of address order (overlapping) are ELF_MALFORMED")
    func overlappingSegments() throws {
        let found = try problem { image in
            let loads = try Self.loads(image)
            // The second segment moved into the first one's first page, its alignment kept.
            let alignment = max(1, image.u64(loads[1] + Self.pAlign))
            image.set64(loads[1] + Self.pVaddr, image.u64(loads[0] + Self.pVaddr) + image.u64(loads[1] + Self.pVaddr) % alignment)
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("ascending address order") == true)
    }

    @Test("a PT_DYNAMIC outside every PT_LOAD is ELF_MALFORMED")
    func dynamicOutsideLoads() throws {
        let found = try problem { image in
            let dynamic = try Self.programHeader(Self.ptDynamic, in: image)
            image.set64(dynamic + Self.pVaddr, 0xDEAD_0000_0000)
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("PT_DYNAMIC segment at p_vaddr 0xdead00000000") == true)
        #expect(found?.message.contains("lies outside every loadable segment") == true)
    }

    @Test("a PT_DYNAMIC whose p_offset is not where its segment maps its address is ELF_MALFORMED")
    func dynamicOffsetMismatch() throws {
        let found = try problem { image in
            let dynamic = try Self.programHeader(Self.ptDynamic, in: image)
            image.set64(dynamic + Self.pOffset, image.u64(dynamic + Self.pOffset) - 16)
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("PT_DYNAMIC segment says p_offset") == true)
    }

    @Test("a second PT_DYNAMIC is ELF_MALFORMED")
    func twoDynamicSegments() throws {
        let found = try problem { image in
            let note = try Self.programHeader(4, in: image)  // PT_NOTE → PT_DYNAMIC
            image.set32(note, Self.ptDynamic)
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("are both PT_DYNAMIC") == true)
    }

    @Test("no PT_DYNAMIC at all is ELF_MALFORMED")
    func noDynamicSegment() throws {
        let found = try problem { image in
            let dynamic = try Self.programHeader(Self.ptDynamic, in: image)
            image.set32(dynamic, 0x6474_e551)  // PT_GNU_STACK
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("no PT_DYNAMIC") == true)
    }

    @Test("a dynamic section without DT_NULL is ELF_MALFORMED")
    func noTerminatingNull() throws {
        let found = try problem { image in
            let dynamic = try Self.programHeader(Self.ptDynamic, in: image)
            let start = Int(image.u64(dynamic + Self.pOffset)), count = Int(image.u64(dynamic + Self.pFilesz)) / 16
            for entry in 0..<count where image.u64(start + entry * 16) == 0 {
                image.set64(start + entry * 16, 0x6000_0001)  // a tag in DT_LOOS..DT_HIOS nobody acts on
            }
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("no DT_NULL") == true)
    }

    @Test("DT_STRTAB outside every loadable segment is ELF_MALFORMED, naming the field and value")
    func stringTableOutside() throws {
        let found = try problem { try Self.setDynamic(5, 0xDEAD_0000_0000, in: &$0) }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("DT_STRTAB 0xdead00000000") == true)
        #expect(found?.message.contains("lies outside every loadable segment") == true)
    }

    @Test("DT_STRSZ running past the end of its segment is ELF_MALFORMED")
    func stringTableSizeTooLarge() throws {
        let found = try problem { try Self.setDynamic(10, 0x4000_0000, in: &$0) }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("DT_STRSZ 0x40000000") == true)
    }

    @Test("DT_SYMTAB outside every loadable segment is ELF_MALFORMED")
    func symbolTableOutside() throws {
        let found = try problem { try Self.setDynamic(6, 0xDEAD_0000_0000, in: &$0) }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("DT_SYMTAB 0xdead00000000") == true)
    }

    @Test("DT_INIT_ARRAY outside every loadable segment is ELF_MALFORMED")
    func initArrayOutside() throws {
        let found = try problem { try Self.setDynamic(25, 0xDEAD_0000_0000, in: &$0) }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("DT_INIT_ARRAY 0xdead00000000") == true)
    }

    @Test("DT_INIT_ARRAYSZ running the array past its segment is ELF_MALFORMED")
    func initArraySizeTooLarge() throws {
        let found = try problem { try Self.setDynamic(27, 0x100_0000, in: &$0) }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("DT_INIT_ARRAY") == true)
        #expect(found?.message.contains("DT_INIT_ARRAYSZ 0x1000000") == true)
    }

    @Test("DT_RELA with a DT_RELASZ near 2^64 (the range wraps) is ELF_MALFORMED")
    func relocationSizeWraps() throws {
        let found = try problem { try Self.setDynamic(8, UInt64.max - 4, in: &$0) }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("DT_RELA ") == true)
    }

    @Test("DT_GNU_HASH outside every loadable segment is ELF_MALFORMED")
    func gnuHashOutside() throws {
        let found = try problem { try Self.setDynamic(0x6fff_fef5, 0xDEAD_0000_0000, in: &$0) }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("DT_GNU_HASH 0xdead00000000") == true)
    }

    @Test("DT_INIT or DT_FINI in a segment that is not executable is ELF_MALFORMED")
    func initFunctionNotExecutable() throws {
        let found = try problem { image in
            let strings = image.dynamicEntry(5)!
            let tag: UInt64 = image.dynamicEntry(12) != nil ? 12 : 13  // DT_INIT, else DT_FINI
            try Self.setDynamic(tag, image.u64(strings + 8), in: &image)  // point it at .dynstr
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("is not executable") == true)
    }

    @Test("a DT_NEEDED offset past DT_STRSZ is ELF_MALFORMED, and at DT_STRSZ - 1 it is not")
    func neededPastStringTable() throws {
        // The echo plugin needs no library; linked with --no-as-needed it has DT_NEEDED libc.
        let directory = try TemporaryDirectory()
        let built = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: Fixtures.metadata),
                                             name: "libneeds.so", in: directory, extraFlags: ["-Wl,--no-as-needed"])
        var image = ELFImage(bytes: try Fixtures.readBytes(built))
        let needed = image.dynamicEntry(1), sizeEntry = image.dynamicEntry(10)
        try #require(needed != nil && sizeEntry != nil, "no DT_NEEDED or DT_STRSZ in \(built)")
        let size = image.u64(sizeEntry! + 8)
        image.set64(needed! + 8, size - 1)
        #expect(Fixtures.problem(ELFReader.inspect(path: try directory.write("libedge.so", image.bytes))) == nil)
        image.set64(needed! + 8, size)
        let path = try directory.write("libpast.so", image.bytes)
        let found = Fixtures.problem(ELFReader.inspect(path: path))
        #expect(found?.code == .elfMalformed)
        #expect(found?.file == path)
        #expect(found?.message.contains("DT_NEEDED names string offset 0x\(String(size, radix: 16))") == true)
        #expect(found?.message.contains("DT_STRSZ") == true)
    }

    @Test("the checks also run on a file without section headers")
    func withoutSectionHeaders() throws {
        let found = try problem { image in
            image.set64(40, 0)
            image.set16(60, 0)
            image.set16(62, 0)
            try Self.setDynamic(25, 0xDEAD_0000_0000, in: &image)
        }
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("DT_INIT_ARRAY") == true)
    }
}
