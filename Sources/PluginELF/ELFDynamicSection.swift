import PluginHostCore

/// The entries of a library's PT_DYNAMIC segment that the dynamic linker acts on when it loads
/// the library, read once up to DT_NULL and kept by tag, the last entry of a tag winning as in
/// glibc's `elf_get_dynamic_info`.
///
/// One reader for both users — the symbol lookup of a file without section headers
/// (``ELFDynamicSymbols``) and the load checks (``ELFLoadLayout``) — so both see exactly the
/// values `dlopen` will. Reading is one bounded read and one pass over the entries, whatever
/// the file claims; nothing here is trusted until ``ELFLoadLayout`` has checked it.
struct ELFDynamicSection {
    /// Above this many entries before DT_NULL the segment is treated as hostile (real ones have
    /// about forty; one per DT_NEEDED library plus a few dozen). It bounds the read to 64 KiB.
    static let maximumEntries = 4_096

    /// A tag whose value the reader or the load checks use; `rawValue` indexes ``values``.
    enum Tag: Int, CaseIterable, Sendable {
        case stringTable, stringTableSize, symbolTable, symbolEntrySize, sysvHash, gnuHash
        case rela, relaSize, rel, relSize, relr, relrSize, jumpRelocations, pltRelocationsSize, pltGOT
        case initFunction, finiFunction, initArray, initArraySize, finiArray, finiArraySize
        case preinitArray, preinitArraySize, versionSymbols, versionDefinitions, versionNeeds

        /// `d_tag` and the gABI name, for messages, in `rawValue` order.
        private static let table: [(tag: UInt64, name: String)] = [
            (ELF.dynamicStringTable, "DT_STRTAB"), (ELF.dynamicStringTableSize, "DT_STRSZ"),
            (ELF.dynamicSymbolTable, "DT_SYMTAB"), (ELF.dynamicSymbolEntrySize, "DT_SYMENT"),
            (ELF.dynamicHash, "DT_HASH"), (ELF.dynamicGNUHash, "DT_GNU_HASH"),
            (ELF.dynamicRela, "DT_RELA"), (ELF.dynamicRelaSize, "DT_RELASZ"),
            (ELF.dynamicRel, "DT_REL"), (ELF.dynamicRelSize, "DT_RELSZ"),
            (ELF.dynamicRelr, "DT_RELR"), (ELF.dynamicRelrSize, "DT_RELRSZ"),
            (ELF.dynamicJumpRelocations, "DT_JMPREL"), (ELF.dynamicPLTRelocationsSize, "DT_PLTRELSZ"),
            (ELF.dynamicPLTGOT, "DT_PLTGOT"), (ELF.dynamicInit, "DT_INIT"), (ELF.dynamicFini, "DT_FINI"),
            (ELF.dynamicInitArray, "DT_INIT_ARRAY"), (ELF.dynamicInitArraySize, "DT_INIT_ARRAYSZ"),
            (ELF.dynamicFiniArray, "DT_FINI_ARRAY"), (ELF.dynamicFiniArraySize, "DT_FINI_ARRAYSZ"),
            (ELF.dynamicPreinitArray, "DT_PREINIT_ARRAY"), (ELF.dynamicPreinitArraySize, "DT_PREINIT_ARRAYSZ"),
            (ELF.dynamicVersionSymbols, "DT_VERSYM"), (ELF.dynamicVersionDefinitions, "DT_VERDEF"),
            (ELF.dynamicVersionNeeds, "DT_VERNEED"),
        ]
        private static let byValue: [UInt64: Tag] = Dictionary(
            uniqueKeysWithValues: Tag.allCases.map { (table[$0.rawValue].tag, $0) })

        init?(value: UInt64) {
            guard let tag = Self.byValue[value] else { return nil }
            self = tag
        }

        var name: String { Self.table[rawValue].name }
    }

    /// The last value of each ``Tag``, nil when the section has none.
    private var values: [UInt64?]
    /// How many entries precede DT_NULL.
    let count: Int
    /// The largest string-table offset an entry names (DT_NEEDED, DT_SONAME, DT_RPATH,
    /// DT_RUNPATH, DT_AUXILIARY, DT_FILTER) and that entry's name, nil when none does.
    let largestStringOffset: (offset: UInt64, name: String)?

    /// Reads the entries of `segment` (PT_DYNAMIC, its file range already checked against the
    /// file). ELF_MALFORMED when no DT_NULL ends them inside the segment or there are more than
    /// ``maximumEntries``.
    init(_ segment: ELFSegment, file: ELFFileBytes) throws(Problem) {
        let region = try file.range(offset: segment.offset, size: segment.fileSize, "the PT_DYNAMIC segment")
        let available = region.size / ELF.dynamicEntrySize
        let readable = min(available, Self.maximumEntries + 1)
        let bytes = try file.bytes(at: region.offset, count: readable * ELF.dynamicEntrySize, "the PT_DYNAMIC segment")
        var values = [UInt64?](repeating: nil, count: Tag.allCases.count)
        var largest: (offset: UInt64, name: String)?
        var ended: Int?
        for entry in 0..<readable {
            let tag = bytes.u64(entry * ELF.dynamicEntrySize), value = bytes.u64(entry * ELF.dynamicEntrySize + 8)
            if tag == ELF.dynamicNull {
                ended = entry
                break
            }
            if let known = Tag(value: tag) {
                values[known.rawValue] = value
            } else if let name = Self.stringOffsetTagName(tag), value >= largest?.offset ?? 0 {
                largest = (value, name)
            }
        }
        guard let ended else {
            if available > Self.maximumEntries {
                throw file.malformed("the dynamic section has more than \(Self.maximumEntries) entries before its DT_NULL, far more than a linker writes")
            }
            throw file.malformed("the dynamic section (\(region.size) bytes at offset 0x\(hex(segment.offset))) has no DT_NULL entry ending it, so the dynamic linker would read past it")
        }
        self.values = values
        self.count = ended
        self.largestStringOffset = largest
    }

    /// The value of the last `tag` entry, nil when there is none.
    func value(_ tag: Tag) -> UInt64? { values[tag.rawValue] }

    /// The name of a tag whose value is an offset into the dynamic string table, nil otherwise.
    private static func stringOffsetTagName(_ tag: UInt64) -> String? {
        switch tag {
        case ELF.dynamicNeeded: return "DT_NEEDED"
        case ELF.dynamicSoname: return "DT_SONAME"
        case ELF.dynamicRPath: return "DT_RPATH"
        case ELF.dynamicRunPath: return "DT_RUNPATH"
        case ELF.dynamicAuxiliary: return "DT_AUXILIARY"
        case ELF.dynamicFilter: return "DT_FILTER"
        default: return nil
        }
    }
}

/// `value` in hexadecimal, for messages about addresses and offsets.
func hex(_ value: UInt64) -> String { String(value, radix: 16) }
