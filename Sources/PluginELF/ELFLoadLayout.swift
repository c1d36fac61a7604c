import PluginHostCore

/// Checks, without loading the file, what the dynamic linker trusts when it maps a library:
/// the PT_LOAD segments, the PT_DYNAMIC segment, and every address and string offset in the
/// dynamic section that `dlopen` dereferences before any of the plugin's code runs.
///
/// Why at scan time: glibc maps each PT_LOAD as its header says and then follows the dynamic
/// section's addresses (string and symbol tables, hash tables, relocations, init and fini
/// functions and arrays, version tables) without checking them, so one forged field crashes the
/// process that calls `dlopen` — or makes it read or write memory the plugin's author chose —
/// after the scan already said `ok`. A file real linkers would not produce is refused here with
/// ELF_MALFORMED naming the field and its value instead.
///
/// What holds for a file that passes:
/// - at least one PT_LOAD; each one's file range lies inside the file, `p_filesz <= p_memsz`,
///   its memory range does not wrap, `p_align` is 0 or a power of two with
///   `p_offset % p_align == p_vaddr % p_align`, and the PT_LOADs are in ascending `p_vaddr`
///   order without overlapping;
/// - exactly one PT_DYNAMIC, whose file range lies inside the file and inside one PT_LOAD's
///   file-backed part at the offset that segment maps its address to (so what the scan reads
///   is what the dynamic linker reads), ended by DT_NULL;
/// - every address the dynamic section gives (``addressChecks``) lies in some PT_LOAD's memory
///   image, with its size where the section gives one; DT_INIT and DT_FINI in an executable one;
/// - every string offset (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH…) is below DT_STRSZ.
///
/// Cost: one pass over the program headers and over the dynamic entries, and a pass over the
/// PT_LOADs per checked address (a few dozen addresses; the segment count is capped at
/// ``ELFSegmentTable/maximumCount``). Relocation entries themselves are not read.
enum ELFLoadLayout {
    /// An address the dynamic linker dereferences, the tag giving its size (if any), and the
    /// fewest bytes it reads there when the section gives no size.
    struct AddressCheck {
        var address: ELFDynamicSection.Tag
        var size: ELFDynamicSection.Tag?
        var minimumSize: UInt64
        /// A function the dynamic linker calls: it must lie in an executable segment.
        var isCode = false
    }

    /// Every address `dlopen` follows at load, in the order a person reads a dynamic section.
    static let addressChecks: [AddressCheck] = [
        AddressCheck(address: .stringTable, size: .stringTableSize, minimumSize: 1),
        AddressCheck(address: .symbolTable, size: nil, minimumSize: UInt64(ELF.symbolSize)),
        AddressCheck(address: .sysvHash, size: nil, minimumSize: 8),  // nbucket, nchain
        AddressCheck(address: .gnuHash, size: nil, minimumSize: 16),  // nbuckets, symoffset, bloom size, shift
        AddressCheck(address: .rela, size: .relaSize, minimumSize: 0),
        AddressCheck(address: .rel, size: .relSize, minimumSize: 0),
        AddressCheck(address: .relr, size: .relrSize, minimumSize: 0),
        AddressCheck(address: .jumpRelocations, size: .pltRelocationsSize, minimumSize: 0),
        AddressCheck(address: .pltGOT, size: nil, minimumSize: 8),
        AddressCheck(address: .initFunction, size: nil, minimumSize: 1, isCode: true),
        AddressCheck(address: .finiFunction, size: nil, minimumSize: 1, isCode: true),
        AddressCheck(address: .initArray, size: .initArraySize, minimumSize: 0),
        AddressCheck(address: .finiArray, size: .finiArraySize, minimumSize: 0),
        AddressCheck(address: .preinitArray, size: .preinitArraySize, minimumSize: 0),
        AddressCheck(address: .versionSymbols, size: nil, minimumSize: 2),  // one Elf64_Versym
        AddressCheck(address: .versionDefinitions, size: nil, minimumSize: 20),  // one Elf64_Verdef
        AddressCheck(address: .versionNeeds, size: nil, minimumSize: 16),  // one Elf64_Verneed
    ]

    /// Runs every check; returns the dynamic section for the symbol lookup to use.
    static func check(_ segments: ELFSegmentTable, file: ELFFileBytes) throws(Problem) -> ELFDynamicSection {
        try checkLoadSegments(segments, file: file)
        let dynamic = try ELFDynamicSection(try dynamicSegment(segments, file: file), file: file)
        try checkAddresses(dynamic, segments: segments, file: file)
        try checkStringOffsets(dynamic, file: file)
        return dynamic
    }

    /// The PT_LOAD checks: inside the file, sizes, alignment, ascending and disjoint.
    static func checkLoadSegments(_ segments: ELFSegmentTable, file: ELFFileBytes) throws(Problem) {
        var previous: (index: Int, end: UInt64)?
        for index in 0..<segments.count {
            let segment = segments.segment(index)
            guard segment.type == ELF.segmentLoad else { continue }
            let name = "PT_LOAD segment \(index)"
            _ = try file.range(offset: segment.offset, size: segment.fileSize, "\(name) (p_offset 0x\(hex(segment.offset)), p_filesz 0x\(hex(segment.fileSize)))")
            guard segment.fileSize <= segment.memorySize else {
                throw file.malformed("\(name) has p_filesz 0x\(hex(segment.fileSize)), larger than its p_memsz 0x\(hex(segment.memorySize)); the file is corrupt or was not produced by a linker")
            }
            let (end, overflow) = segment.virtualAddress.addingReportingOverflow(segment.memorySize)
            guard !overflow else {
                throw file.malformed("\(name) at p_vaddr 0x\(hex(segment.virtualAddress)) with p_memsz 0x\(hex(segment.memorySize)) runs past the end of the address space")
            }
            let alignment = segment.alignment
            if alignment > 1 {
                guard alignment & (alignment - 1) == 0 else {
                    throw file.malformed("\(name) has p_align 0x\(hex(alignment)), which is not a power of two")
                }
                guard segment.offset % alignment == segment.virtualAddress % alignment else {
                    throw file.malformed("\(name) has p_offset 0x\(hex(segment.offset)) and p_vaddr 0x\(hex(segment.virtualAddress)), which differ modulo its p_align 0x\(hex(alignment)), so it cannot be mapped")
                }
            }
            if let previous, segment.virtualAddress < previous.end {
                throw file.malformed("\(name) at p_vaddr 0x\(hex(segment.virtualAddress)) starts before PT_LOAD segment \(previous.index) ends (0x\(hex(previous.end))); loadable segments must be in ascending address order and must not overlap")
            }
            previous = (index, end)
        }
        guard previous != nil else {
            throw file.malformed("the file has no PT_LOAD segment, so the dynamic linker has nothing to map")
        }
    }

    /// The one PT_DYNAMIC, checked to lie where a PT_LOAD maps it.
    static func dynamicSegment(_ segments: ELFSegmentTable, file: ELFFileBytes) throws(Problem) -> ELFSegment {
        var found: (index: Int, segment: ELFSegment)?
        for index in 0..<segments.count where segments.segment(index).type == ELF.segmentDynamic {
            if let found {
                throw file.malformed("program headers \(found.index) and \(index) are both PT_DYNAMIC; a shared library has exactly one")
            }
            found = (index, segments.segment(index))
        }
        guard let (index, dynamic) = found else {
            throw file.malformed("the file has no PT_DYNAMIC segment; a shared library needs one for the dynamic linker to load it")
        }
        _ = try file.range(offset: dynamic.offset, size: dynamic.fileSize, "the PT_DYNAMIC segment (program header \(index))")
        guard dynamic.fileSize >= UInt64(ELF.dynamicEntrySize) else {
            throw file.malformed("the PT_DYNAMIC segment is \(dynamic.fileSize) bytes, too small for even its DT_NULL entry")
        }
        guard let mapped = segments.fileRange(ofAddress: dynamic.virtualAddress), dynamic.fileSize <= mapped.available else {
            throw file.malformed("the PT_DYNAMIC segment at p_vaddr 0x\(hex(dynamic.virtualAddress)) (0x\(hex(dynamic.fileSize)) bytes) lies outside every loadable segment; the file is corrupt or was not produced by a linker")
        }
        guard mapped.offset == dynamic.offset else {
            throw file.malformed("the PT_DYNAMIC segment says p_offset 0x\(hex(dynamic.offset)), but its PT_LOAD segment maps its address 0x\(hex(dynamic.virtualAddress)) from offset 0x\(hex(mapped.offset)); the file is corrupt or was not produced by a linker")
        }
        return dynamic
    }

    /// Every address in ``addressChecks`` inside a PT_LOAD's memory image.
    static func checkAddresses(_ dynamic: ELFDynamicSection, segments: ELFSegmentTable, file: ELFFileBytes) throws(Problem) {
        if let entrySize = dynamic.value(.symbolEntrySize), entrySize != UInt64(ELF.symbolSize) {
            throw file.malformed("DT_SYMENT is \(entrySize), expected \(ELF.symbolSize)")
        }
        if dynamic.value(.stringTable) != nil && dynamic.value(.stringTableSize) == nil {
            throw file.malformed("the dynamic section has DT_STRTAB but no DT_STRSZ, so its string table has no bounds")
        }
        for check in addressChecks {
            guard let address = dynamic.value(check.address) else { continue }
            let givenSize = check.size.flatMap { dynamic.value($0) }
            let size = givenSize ?? check.minimumSize
            guard let segment = segments.loadSegment(containing: address, size: size) else {
                let extent = givenSize.map { " with \(check.size!.name) 0x\(hex($0))" } ?? ""
                throw file.malformed("\(check.address.name) 0x\(hex(address))\(extent) lies outside every loadable segment; the file is corrupt or was not produced by a linker")
            }
            if check.isCode && segment.flags & ELF.segmentExecutable == 0 {
                throw file.malformed("\(check.address.name) 0x\(hex(address)) lies in a loadable segment that is not executable; the file is corrupt or was not produced by a linker")
            }
        }
    }

    /// Every string offset below DT_STRSZ.
    static func checkStringOffsets(_ dynamic: ELFDynamicSection, file: ELFFileBytes) throws(Problem) {
        guard let (offset, name) = dynamic.largestStringOffset else { return }
        guard let size = dynamic.value(.stringTableSize), dynamic.value(.stringTable) != nil else {
            throw file.malformed("the dynamic section has \(name) but no DT_STRTAB and DT_STRSZ to read it from")
        }
        guard offset < size else {
            throw file.malformed("\(name) names string offset 0x\(hex(offset)), past the end of the 0x\(hex(size))-byte dynamic string table (DT_STRSZ); the file is corrupt or was not produced by a linker")
        }
    }
}
