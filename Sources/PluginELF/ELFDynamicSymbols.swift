import PluginHostCore

/// Where the dynamic symbol table, its string table and its hash tables lie in the file, with
/// every region already checked to be inside the file.
///
/// Found from the section headers (`.dynsym` and its `sh_link` string table, `.gnu.hash` and
/// `.hash` linked to it) or, when a file has no section headers, from the dynamic section
/// (DT_SYMTAB, DT_STRTAB, DT_STRSZ, DT_GNU_HASH, DT_HASH), whose addresses are mapped to file
/// offsets through the PT_LOAD segments exactly as the dynamic linker would see them.
struct ELFDynamicSymbols {
    var symbolsOffset: Int
    /// How many symbols may be indexed: the section's entry count, or, without sections, how
    /// many entries fit in the rest of the segment (an upper bound only).
    var symbolLimit: Int
    /// Whether `symbolLimit` is the table's real size, so a linear scan is meaningful.
    var symbolCountIsExact: Bool
    var stringsOffset: Int
    var stringsSize: Int
    var gnuHash: (offset: Int, size: Int)?
    var sysvHash: (offset: Int, size: Int)?

    /// From the section headers; nil when the file has no `.dynsym` (so it exports nothing).
    static func fromSections(_ sections: ELFSectionTable, file: ELFFileBytes) throws(Problem) -> ELFDynamicSymbols? {
        var symbolsIndex: Int?
        for index in 0..<sections.count where sections.section(index).type == ELF.sectionDynamicSymbols {
            symbolsIndex = index
            break
        }
        guard let symbolsIndex else { return nil }
        let symbols = sections.section(symbolsIndex)
        guard symbols.entrySize == UInt64(ELF.symbolSize) || symbols.entrySize == 0 else {
            throw file.malformed(".dynsym entry size is \(symbols.entrySize), expected \(ELF.symbolSize)")
        }
        let symbolRegion = try file.range(offset: symbols.offset, size: symbols.size, ".dynsym")
        guard Int(symbols.link) < sections.count, Int(symbols.link) != 0 else {
            throw file.malformed(".dynsym links to string table section \(symbols.link), but the file has \(sections.count) sections")
        }
        let strings = sections.section(Int(symbols.link))
        guard strings.type == ELF.sectionStringTable else {
            throw file.malformed(".dynsym links to section \(symbols.link), which is not a string table (type \(strings.type))")
        }
        let stringRegion = try file.range(offset: strings.offset, size: strings.size, ".dynstr")
        var table = ELFDynamicSymbols(symbolsOffset: symbolRegion.offset, symbolLimit: symbolRegion.size / ELF.symbolSize,
                                      symbolCountIsExact: true, stringsOffset: stringRegion.offset,
                                      stringsSize: stringRegion.size)
        for index in 0..<sections.count {
            let section = sections.section(index)
            guard Int(section.link) == symbolsIndex else { continue }
            if section.type == ELF.sectionGNUHash && table.gnuHash == nil {
                table.gnuHash = try file.range(offset: section.offset, size: section.size, ".gnu.hash")
            } else if section.type == ELF.sectionHash && table.sysvHash == nil {
                table.sysvHash = try file.range(offset: section.offset, size: section.size, ".hash")
            }
        }
        return table
    }

    /// From the dynamic section (already checked by ``ELFLoadLayout``); nil when it names no
    /// symbol or string table.
    static func fromDynamicSection(_ dynamic: ELFDynamicSection, segments: ELFSegmentTable,
                                   file: ELFFileBytes) throws(Problem) -> ELFDynamicSymbols? {
        guard let symbolsAddress = dynamic.value(.symbolTable), let stringsAddress = dynamic.value(.stringTable) else {
            return nil
        }
        let stringsSize = dynamic.value(.stringTableSize)
        func locate(_ address: UInt64, _ what: String) throws(Problem) -> (offset: Int, size: Int) {
            guard let range = segments.fileRange(ofAddress: address) else {
                throw file.malformed("\(what) address 0x\(String(address, radix: 16)) lies in no PT_LOAD segment of the file")
            }
            return try file.range(offset: range.offset, size: range.available, what)
        }
        let symbols = try locate(symbolsAddress, "DT_SYMTAB")
        let strings = try locate(stringsAddress, "DT_STRTAB")
        return ELFDynamicSymbols(
            symbolsOffset: symbols.offset, symbolLimit: symbols.size / ELF.symbolSize, symbolCountIsExact: false,
            stringsOffset: strings.offset, stringsSize: stringsSize.map { min(strings.size, Int(clamping: $0)) } ?? strings.size,
            gnuHash: try dynamic.value(.gnuHash).map { address throws(Problem) in try locate(address, "DT_GNU_HASH") },
            sysvHash: try dynamic.value(.sysvHash).map { address throws(Problem) in try locate(address, "DT_HASH") })
    }
}
