import PluginHostCore

/// Finds the plugin's metadata note (owner "plugin-host", type 0x50480001) among the file's
/// notes, reading only note headers until the right note is found.
///
/// A note is `namesz, descsz, type` (three 32-bit words), the owner name padded to the note
/// alignment, then the description padded likewise. Every size is checked against what is left
/// of the enclosing section or segment, and the metadata's size against
/// ``ELFReader/maximumMetadataSize`` before its bytes are read, so neither a hostile size nor a
/// huge note can make the reader allocate or read more than the cap.
struct ELFNoteScanner {
    /// PH_METADATA_NOTE_NAME with its NUL, as namesz counts it.
    static let ownerName: [UInt8] = Array("plugin-host".utf8) + [0]
    /// PH_METADATA_NOTE_TYPE.
    static let noteType: UInt32 = 0x5048_0001
    /// Above this many notes in one section the file is treated as hostile.
    static let maximumNotesPerRegion = 4_096

    let file: ELFFileBytes

    /// The metadata note in the SHT_NOTE sections, or nil when none carries it.
    func scan(_ sections: ELFSectionTable) throws(Problem) -> [UInt8]? {
        for index in 0..<sections.count {
            let section = sections.section(index)
            guard section.type == ELF.sectionNote else { continue }
            let region = try file.range(offset: section.offset, size: section.size, "note section \(index)")
            if let note = try scan(region, alignment: section.alignment, where: "note section \(index)") {
                return note
            }
        }
        return nil
    }

    /// The metadata note in the PT_NOTE segments (for files without section headers).
    func scan(_ segments: ELFSegmentTable) throws(Problem) -> [UInt8]? {
        for index in 0..<segments.count {
            let segment = segments.segment(index)
            guard segment.type == ELF.segmentNote else { continue }
            let region = try file.range(offset: segment.offset, size: segment.fileSize, "PT_NOTE segment \(index)")
            if let note = try scan(region, alignment: segment.alignment, where: "PT_NOTE segment \(index)") {
                return note
            }
        }
        return nil
    }

    /// Walks the notes in `region`. Notes are 4-byte aligned, except in 8-aligned regions
    /// (e.g. `.note.gnu.property`), as binutils and LLVM read them.
    /// `place` names the region in messages; it is built only for a problem.
    private func scan(
        _ region: (offset: Int, size: Int), alignment: UInt64, where place: @autoclosure () -> String
    ) throws(Problem) -> [UInt8]? {
        let align = alignment == 8 ? 8 : 4
        var position = 0  // relative to region.offset; always <= region.size
        var notes = 0
        while region.size - position >= 12 {
            notes += 1
            guard notes <= Self.maximumNotesPerRegion else {
                throw file.malformed("\(place()) holds more than \(Self.maximumNotesPerRegion) notes")
            }
            let header = try file.bytes(at: region.offset + position, count: 12, "a note header in \(place())")
            let nameSize = Int(header.u32(0)), descSize = Int(header.u32(4)), type = header.u32(8)
            // Each size is below 2^32 and position below the file size, so none of these sums can
            // overflow a 64-bit Int; each is checked against the region before it is used.
            let nameStart = position + 12
            let descStart = Self.alignUp(nameStart + nameSize, to: align)
            let descEnd = descStart + descSize
            guard descEnd <= region.size else {
                throw file.malformed("a note in \(place()) claims a \(nameSize)-byte name and a \(descSize)-byte description, running past the end of its \(region.size)-byte region")
            }
            if type == Self.noteType && nameSize == Self.ownerName.count {
                let name = try file.bytes(at: region.offset + nameStart, count: nameSize, "a note name in \(place())")
                if name.matches(Self.ownerName, at: 0) {
                    return try readMetadata(at: region.offset + descStart, count: descSize)
                }
            }
            position = min(Self.alignUp(descEnd, to: align), region.size)
        }
        return nil
    }

    /// The note description with trailing NULs removed, after the size cap.
    private func readMetadata(at offset: Int, count: Int) throws(Problem) -> [UInt8] {
        guard count <= ELFReader.maximumMetadataSize else {
            throw Problem(.metadataTooLarge, .error,
                          "the metadata note is \(count) bytes, more than the \(ELFReader.maximumMetadataSize) bytes this host accepts; shorten the plugin's metadata JSON (descriptions, schemas)",
                          file: file.path)
        }
        let desc = try file.bytes(at: offset, count: count, "the metadata note")
        var end = desc.count
        while end > 0 && desc.u8(end - 1) == 0 { end -= 1 }
        return Array(desc.storage[desc.start..<(desc.start + end)])
    }

    private static func alignUp(_ value: Int, to alignment: Int) -> Int {
        (value + alignment - 1) & ~(alignment - 1)
    }
}
