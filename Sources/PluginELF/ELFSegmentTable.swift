import PluginHostCore

/// One program header (segment), with its offsets still unchecked.
struct ELFSegment {
    var type: UInt32
    var flags: UInt32
    var offset: UInt64
    var virtualAddress: UInt64
    var fileSize: UInt64
    var memorySize: UInt64
    var alignment: UInt64
}

/// The program header table, read with one bounded read and decoded on demand.
struct ELFSegmentTable {
    /// Above this many segments the file is treated as hostile (real libraries have about ten).
    static let maximumCount = 4_096

    private let table: ByteView?
    let count: Int

    init(_ file: ELFFileBytes, header: ELFHeader) throws(Problem) {
        guard header.programHeaderCount > 0 else {
            table = nil
            count = 0
            return
        }
        let count = header.programHeaderCount
        guard count <= Self.maximumCount else {
            throw file.malformed("the file declares \(count) program headers, more than the \(Self.maximumCount) a plugin could have")
        }
        let offset = try file.int(header.programHeaderOffset, "the program header table offset (e_phoff)")
        table = try file.bytes(at: offset, count: count * ELF.programHeaderSize,
                               "the program header table (\(count) entries)")
        self.count = count
    }

    /// Segment `index` (0 ..< count).
    func segment(_ index: Int) -> ELFSegment {
        let base = index * ELF.programHeaderSize
        let table = self.table!
        return ELFSegment(type: table.u32(base), flags: table.u32(base + 4), offset: table.u64(base + 8),
                          virtualAddress: table.u64(base + 16), fileSize: table.u64(base + 32),
                          memorySize: table.u64(base + 40), alignment: table.u64(base + 48))
    }

    /// The PT_LOAD segment whose memory image `[p_vaddr, p_vaddr + p_memsz)` holds all of
    /// `[address, address + size)` (for `size` 0, `address` may be the image's end), or nil.
    /// What the dynamic linker dereferences lives in memory, so the memory size counts, not the
    /// file size: the part past `p_filesz` is zero-filled, which is harmless to read.
    func loadSegment(containing address: UInt64, size: UInt64) -> ELFSegment? {
        let (end, overflow) = address.addingReportingOverflow(size)
        guard !overflow else { return nil }
        for index in 0..<count {
            let segment = segment(index)
            guard segment.type == ELF.segmentLoad, address >= segment.virtualAddress else { continue }
            let (segmentEnd, segmentOverflow) = segment.virtualAddress.addingReportingOverflow(segment.memorySize)
            if !segmentOverflow && end <= segmentEnd { return segment }
        }
        return nil
    }

    /// The file offset of virtual address `address` and how many bytes of the file follow it
    /// inside the same PT_LOAD segment, or nil when no segment maps it from the file.
    func fileRange(ofAddress address: UInt64) -> (offset: UInt64, available: UInt64)? {
        for index in 0..<count {
            let segment = segment(index)
            guard segment.type == ELF.segmentLoad, address >= segment.virtualAddress else { continue }
            let delta = address - segment.virtualAddress
            guard delta < segment.fileSize else { continue }
            let (offset, overflow) = segment.offset.addingReportingOverflow(delta)
            guard !overflow else { continue }
            return (offset, segment.fileSize - delta)
        }
        return nil
    }
}
