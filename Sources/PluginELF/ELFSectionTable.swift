import PluginHostCore

/// One section header, with its offsets still unchecked (check them with `ELFFileBytes`).
struct ELFSection {
    var type: UInt32
    var offset: UInt64
    var size: UInt64
    var link: UInt32
    var alignment: UInt64
    var entrySize: UInt64
}

/// The section header table, read with one bounded read and decoded on demand (no array of
/// decoded headers is built, so a scan allocates nothing per section).
struct ELFSectionTable {
    /// Above this many sections the file is treated as hostile: a linked shared library has
    /// tens, and the cap bounds both the read (1 MiB) and every loop over sections.
    static let maximumCount = 16_384

    private let table: ByteView?
    let count: Int

    init(_ file: ELFFileBytes, header: ELFHeader) throws(Problem) {
        guard header.sectionHeaderOffset != 0 else {
            table = nil
            count = 0
            return
        }
        let offset = try file.int(header.sectionHeaderOffset, "the section header table offset (e_shoff)")
        var count = header.sectionHeaderCount
        if count == 0 {
            // Extended numbering: with 0xff00 or more sections, e_shnum is 0 and section 0's
            // sh_size holds the count.
            let first = try file.bytes(at: offset, count: ELF.sectionHeaderSize, "section header 0")
            guard first.u64(32) <= UInt64(Self.maximumCount) else {
                throw file.malformed("the file declares \(first.u64(32)) sections, more than the \(Self.maximumCount) a plugin could have")
            }
            count = Int(first.u64(32))
        }
        guard count <= Self.maximumCount else {
            throw file.malformed("the file declares \(count) sections, more than the \(Self.maximumCount) a plugin could have")
        }
        let size = try file.offset(0, plus: count, times: ELF.sectionHeaderSize, "the section header table size")
        table = try file.bytes(at: offset, count: size, "the section header table (\(count) entries)")
        self.count = count
    }

    /// Section `index` (0 ..< count).
    func section(_ index: Int) -> ELFSection {
        let base = index * ELF.sectionHeaderSize
        let table = self.table!
        return ELFSection(type: table.u32(base + 4), offset: table.u64(base + 24), size: table.u64(base + 32),
                          link: table.u32(base + 40), alignment: table.u64(base + 48),
                          entrySize: table.u64(base + 56))
    }
}
