import PluginELF
import PluginHostCore
import PluginHostTestSupport
import Testing

/// Files that are not plugins, or are damaged or forged ones: each must give its exact problem
/// code, name the file, and never crash or hang the reader.
@Suite("ELFReader on hostile files")
struct ELFReaderHostileFileTests {
    /// Inspects `bytes` written to disk and returns the problem, checking it names the file.
    private func problem(_ bytes: [UInt8], name: String = "libpatched.so") throws -> Problem? {
        let (path, result, _) = try Fixtures.inspect(bytes, name: name)
        let problem = Fixtures.problem(result)
        #expect(problem?.file == path)
        return problem
    }

    /// The echo plugin with `patch` applied.
    private func patched(_ patch: (inout ELFImage) throws -> Void) throws -> [UInt8] {
        var image = ELFImage(bytes: try Fixtures.echoPlugin().bytes)
        try patch(&image)
        return image.bytes
    }

    // MARK: Not ELF at all

    @Test("an empty file is NOT_ELF")
    func emptyFile() throws {
        #expect(try problem([])?.code == .notELF)
    }

    @Test("a 3-byte file is NOT_ELF")
    func threeBytes() throws {
        #expect(try problem([0x7F, 0x45, 0x4C])?.code == .notELF)
    }

    @Test("a text file named .so is NOT_ELF, and the message quotes its first bytes")
    func textFile() throws {
        let found = try problem(Array("hello".utf8))
        #expect(found?.code == .notELF)
        #expect(found?.message.contains("0x68656c6c6f") == true)
    }

    @Test("a PNG image is NOT_ELF")
    func pngHeader() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1]
        #expect(try problem(png)?.code == .notELF)
    }

    @Test("the ELF magic alone, shorter than the 16-byte identification, is NOT_ELF")
    func magicOnly() throws {
        #expect(try problem(Array(try Fixtures.echoPlugin().bytes.prefix(10)))?.code == .notELF)
    }

    // MARK: Truncated

    @Test("a plugin truncated at 20 bytes is ELF_MALFORMED")
    func truncatedAt20() throws {
        #expect(try problem(Array(try Fixtures.echoPlugin().bytes.prefix(20)))?.code == .elfMalformed)
    }

    @Test("a plugin truncated in the middle of its ELF header is ELF_MALFORMED")
    func truncatedMidHeader() throws {
        #expect(try problem(Array(try Fixtures.echoPlugin().bytes.prefix(40)))?.code == .elfMalformed)
    }

    @Test("a plugin truncated just before its section headers is ELF_MALFORMED, naming the table")
    func truncatedBeforeSectionHeaders() throws {
        let bytes = try Fixtures.echoPlugin().bytes
        let found = try problem(Array(bytes.prefix(ELFImage(bytes: bytes).sectionHeaderOffset)))
        #expect(found?.code == .elfMalformed)
        #expect(found?.message.contains("section header table") == true)
    }

    @Test("a plugin truncated just before its metadata note is ELF_MALFORMED")
    func truncatedBeforeNote() throws {
        let bytes = try Fixtures.echoPlugin().bytes
        let note = try #require(ELFImage(bytes: bytes).metadataNoteHeader)
        #expect(try problem(Array(bytes.prefix(note)))?.code == .elfMalformed)
    }

    @Test("every truncation of a plugin fails: NOT_ELF below 16 bytes, ELF_MALFORMED from there")
    func everyTruncation() throws {
        let bytes = try Fixtures.echoPlugin().bytes
        let directory = try TemporaryDirectory()
        for length in stride(from: 0, to: bytes.count, by: 97) {
            let path = try directory.write("libcut\(length).so", Array(bytes.prefix(length)))
            let code = Fixtures.problem(ELFReader.inspect(path: path))?.code
            #expect(code == (length < 16 ? .notELF : .elfMalformed), "truncated at \(length) bytes")
        }
    }

    // MARK: Forged headers

    @Test("e_shoff pointing past the end of the file is ELF_MALFORMED")
    func sectionHeadersPastEOF() throws {
        let bytes = try patched { $0.set64(40, UInt64($0.bytes.count + 4096)) }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("e_shoff near 2^64 (offset + size overflows) is ELF_MALFORMED")
    func sectionHeaderOffsetOverflow() throws {
        let bytes = try patched { $0.set64(40, UInt64.max - 8) }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("e_shnum of 65535 is ELF_MALFORMED")
    func hugeSectionCount() throws {
        let bytes = try patched { $0.set16(60, 0xFFFF) }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("a few sections more than the file holds is ELF_MALFORMED")
    func sectionCountPastEOF() throws {
        let bytes = try patched { $0.set16(60, $0.u16(60) + 3) }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("a wrong e_shentsize is ELF_MALFORMED")
    func wrongSectionEntrySize() throws {
        let bytes = try patched { $0.set16(58, 40) }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("EI_CLASS other than 1 or 2 is ELF_MALFORMED")
    func invalidClass() throws {
        let bytes = try patched { $0.bytes[4] = 7 }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("EI_VERSION other than 1 is ELF_MALFORMED")
    func invalidVersion() throws {
        let bytes = try patched { $0.bytes[6] = 0 }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    // MARK: Forged notes

    @Test("the metadata note claiming a 0xFFFFFFF0-byte description is ELF_MALFORMED")
    func metadataNoteHugeDescSize() throws {
        let bytes = try patched { image in image.set32(try #require(image.metadataNoteHeader) + 4, 0xFFFF_FFF0) }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("another note claiming a 0xFFFFFFF0-byte description is ELF_MALFORMED")
    func otherNoteHugeDescSize() throws {
        let bytes = try patched { image in
            let firstNote = try #require(image.firstSection(ofType: 7))
            image.set32(Int(image.u64(image.sectionHeader(firstNote) + 24)) + 4, 0xFFFF_FFF0)
        }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("a note claiming a 0xFFFFFFFF-byte name is ELF_MALFORMED")
    func noteHugeNameSize() throws {
        let bytes = try patched { image in image.set32(try #require(image.metadataNoteHeader), 0xFFFF_FFFF) }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("a note section whose size runs past the end of the file is ELF_MALFORMED")
    func noteSectionPastEOF() throws {
        let bytes = try patched { image in
            let note = try #require(image.firstSection(ofType: 7))
            image.set64(image.sectionHeader(note) + 32, UInt64(image.bytes.count))
        }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("a note description over 256 KiB is METADATA_TOO_LARGE when its section holds it")
    func noteDescOverCap() throws {
        // Grow the file and the note section so the forged size is consistent, then claim it.
        let claimed = ELFReader.maximumMetadataSize + 16
        let bytes = try patched { image in
            let header = try #require(image.metadataNoteHeader)
            let section = try #require((0..<image.sectionCount).first {
                image.u32(image.sectionHeader($0) + 4) == 7 && Int(image.u64(image.sectionHeader($0) + 24)) == header
            })
            let tableStart = image.sectionHeaderOffset
            let newTableStart = tableStart + claimed + 64
            let table = Array(image.bytes[tableStart..<(tableStart + image.sectionCount * 64)])
            image.bytes += [UInt8](repeating: 0, count: newTableStart + table.count - image.bytes.count)
            image.bytes.replaceSubrange(newTableStart..<(newTableStart + table.count), with: table)
            image.set64(40, UInt64(newTableStart))
            image.set64(image.sectionHeader(section) + 32, UInt64(24 + claimed))
            image.set32(header + 4, UInt32(claimed))
        }
        #expect(try problem(bytes)?.code == .metadataTooLarge)
    }

    // MARK: Forged symbol tables

    @Test(".dynsym linking to a section index past the table is ELF_MALFORMED")
    func dynsymBadLink() throws {
        let bytes = try patched { image in
            let dynsym = try #require(image.firstSection(ofType: 11))
            image.set32(image.sectionHeader(dynsym) + 40, 5000)
        }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test(".gnu.hash declaring 2^32-1 buckets is ELF_MALFORMED")
    func gnuHashHugeBucketCount() throws {
        let bytes = try patched { image in
            let hash = try #require(image.firstSection(ofType: 0x6fff_fff6))
            image.set32(Int(image.u64(image.sectionHeader(hash) + 24)), 0xFFFF_FFFF)
        }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("a dynamic symbol name offset past .dynstr is ELF_MALFORMED")
    func symbolNamePastStringTable() throws {
        let bytes = try patched { image in
            let dynsym = try #require(image.firstSection(ofType: 11))
            let start = Int(image.u64(image.sectionHeader(dynsym) + 24))
            let count = Int(image.u64(image.sectionHeader(dynsym) + 32)) / 24
            for index in 1..<count { image.set32(start + index * 24, 0x7FFF_FFFF) }
        }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    // MARK: Forged program headers (files without section headers)

    /// The echo plugin with its section headers removed, then `patch` applied.
    private func withoutSections(_ patch: (inout ELFImage) throws -> Void) throws -> [UInt8] {
        try patched { image in
            image.set64(40, 0)
            image.set16(60, 0)
            image.set16(62, 0)
            try patch(&image)
        }
    }

    /// File offset of the first program header of type `type`.
    private func programHeader(ofType type: UInt32, in image: ELFImage) throws -> Int {
        try #require(image.programHeaders(ofType: type).first)
    }

    @Test("without section headers, a PT_NOTE segment running past the end of the file is ELF_MALFORMED")
    func noteSegmentPastEOF() throws {
        let bytes = try withoutSections { image in
            let note = try programHeader(ofType: 4, in: image)
            image.set64(note + 32, UInt64(image.bytes.count))  // p_filesz
        }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("without section headers, e_phnum of 65535 is ELF_MALFORMED")
    func hugeProgramHeaderCount() throws {
        let bytes = try withoutSections { $0.set16(56, 0xFFFF) }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    @Test("without section headers, a DT_SYMTAB address outside every PT_LOAD is ELF_MALFORMED")
    func unmappedSymbolTable() throws {
        let bytes = try withoutSections { image in
            let dynamic = Int(image.u64(try programHeader(ofType: 2, in: image) + 8))
            let entry = try #require((0..<64).first { image.u64(dynamic + $0 * 16) == 6 })  // DT_SYMTAB
            image.set64(dynamic + entry * 16 + 8, 0xDEAD_0000_0000)
        }
        #expect(try problem(bytes)?.code == .elfMalformed)
    }

    // MARK: Another machine, word size, byte order or file type

    @Test("a 32-bit ELF file (EI_CLASS 1) is WRONG_ARCH")
    func thirtyTwoBit() throws {
        let bytes = try patched { $0.bytes[4] = 1 }
        #expect(try problem(bytes)?.code == .wrongArch)
    }

    @Test("a file for another machine is WRONG_ARCH, naming both machines")
    func otherMachine() throws {
        let bytes = try patched { $0.set16(18, Fixtures.foreignMachine) }
        let found = try problem(bytes)
        #expect(found?.code == .wrongArch)
        #if arch(x86_64)
        #expect(found?.message == "built for AArch64 (e_machine 183), but this host is x86-64; rebuild the plugin for x86-64")
        #else
        #expect(found?.message == "built for x86-64 (e_machine 62), but this host is AArch64; rebuild the plugin for AArch64")
        #endif
    }

    @Test("a big-endian ELF file is WRONG_ARCH")
    func bigEndian() throws {
        let bytes = try patched { $0.bytes[5] = 2 }
        #expect(try problem(bytes)?.code == .wrongArch)
    }

    @Test("an executable (ET_EXEC) is NOT_SHARED_LIBRARY, telling to build with -shared -fPIC")
    func executable() throws {
        let bytes = try patched { $0.set16(16, 2) }
        let found = try problem(bytes)
        #expect(found?.code == .notSharedLibrary)
        #expect(found?.message.contains("-shared -fPIC") == true)
    }

    @Test("a relocatable object (ET_REL) is NOT_SHARED_LIBRARY")
    func relocatable() throws {
        let bytes = try patched { $0.set16(16, 1) }
        #expect(try problem(bytes)?.code == .notSharedLibrary)
    }

    // MARK: Anything at all

    @Test("randomly corrupted plugins never crash the reader, and failures name the file")
    func randomCorruption() throws {
        let original = try Fixtures.echoPlugin().bytes
        let directory = try TemporaryDirectory()
        let allowed: Set<ProblemCode> = [.elfMalformed, .wrongArch, .notSharedLibrary, .metadataTooLarge, .notELF]
        var generator = SplitMix64(seed: 0x5EED)
        for round in 0..<400 {
            var bytes = original
            // Corrupt a few bytes in the headers and tables, where the offsets and sizes live.
            let tableStart = ELFImage(bytes: original).sectionHeaderOffset
            for _ in 0..<(1 + Int(generator.next() % 4)) {
                let region = generator.next() % 2 == 0 ? 0..<0x400 : tableStart..<original.count
                bytes[region.lowerBound + Int(generator.next() % UInt64(region.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            let path = try directory.write("libfuzz\(round).so", bytes)
            if case .failure(let problem) = ELFReader.inspect(path: path) {
                #expect(allowed.contains(problem.code), "round \(round): \(problem)")
                #expect(problem.file == path)
            }
        }
    }
}

/// A tiny deterministic generator, so a corruption that fails can be reproduced.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
