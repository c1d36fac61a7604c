import PluginHostCore

/// The fields of the 64-bit ELF header this reader uses, after checking that the file is an
/// ELF shared library this host could load.
///
/// The checks run in the order a person fixes them: is it ELF at all (NOT_ELF), is it for this
/// word size, byte order and machine (WRONG_ARCH), is it a shared library (NOT_SHARED_LIBRARY),
/// and are the header's own sizes sane (ELF_MALFORMED). Only after all of that may other code
/// read the file's fields in host byte order.
struct ELFHeader {
    var type: UInt16
    var machine: UInt16
    var programHeaderOffset: UInt64
    var sectionHeaderOffset: UInt64
    var programHeaderCount: Int
    var sectionHeaderCount: Int

    /// Validates the identification and header in `file`'s prefix.
    init(_ file: ELFFileBytes) throws(Problem) {
        let bytes = file.prefix
        let path = file.path
        guard bytes.count >= ELF.identSize, bytes.prefix(4).elementsEqual(ELF.magic) else {
            throw Self.notELF(bytes, path: path)
        }
        let elfClass = bytes[ELF.classIndex], data = bytes[ELF.dataIndex]
        // e_machine sits at offset 18 in both classes; decode it in the file's own byte order
        // so a foreign file's message can say what it was built for.
        let foreignMachine: UInt16? = bytes.count >= 20
            ? (data == ELF.dataBig ? UInt16(bytes[18]) << 8 | UInt16(bytes[19]) : UInt16(bytes[19]) << 8 | UInt16(bytes[18]))
            : nil
        // Message parts, built only when a check fails (interpolating them on every file cost
        // as much as reading the whole header).
        var builtFor: String { foreignMachine.map { " for \(ELF.machineName($0)) (e_machine \($0))" } ?? "" }
        var host: String { ELF.machineName(ELF.hostMachine) }
        switch elfClass {
        case ELF.class64: break
        case ELF.class32:
            throw Problem(.wrongArch, .error,
                          "32-bit ELF file (ELFCLASS32)\(builtFor), but this host is 64-bit \(host); rebuild the plugin as a 64-bit \(host) library",
                          file: path)
        default:
            throw file.malformed("EI_CLASS is \(elfClass), expected 2 (ELFCLASS64)")
        }
        switch data {
        case ELF.hostData: break
        case ELF.dataLittle, ELF.dataBig:
            let found = data == ELF.dataBig ? "big-endian" : "little-endian"
            let wanted = ELF.hostData == ELF.dataBig ? "big-endian" : "little-endian"
            throw Problem(.wrongArch, .error,
                          "\(found) ELF file\(builtFor), but this host is \(wanted) \(host); rebuild the plugin for \(host)",
                          file: path)
        default:
            throw file.malformed("EI_DATA is \(data), expected 1 (little-endian) or 2 (big-endian)")
        }
        guard bytes[ELF.versionIndex] == ELF.currentVersion else {
            throw file.malformed("EI_VERSION is \(bytes[ELF.versionIndex]), expected 1")
        }
        guard bytes.count >= ELF.headerSize else {
            throw file.malformed("the ELF header is cut off: the file is \(file.fileSize) bytes, a 64-bit ELF header needs \(ELF.headerSize) (truncated?)")
        }
        let header = ByteView(storage: bytes, start: 0, count: ELF.headerSize)
        type = header.u16(16)
        machine = header.u16(18)
        guard machine == ELF.hostMachine else {
            throw Problem(.wrongArch, .error,
                          "built for \(ELF.machineName(machine)) (e_machine \(machine)), but this host is \(host); rebuild the plugin for \(host)",
                          file: path)
        }
        guard type == ELF.typeShared else { throw Self.notShared(type, path: path) }
        guard header.u32(20) == 1 else { throw file.malformed("e_version is \(header.u32(20)), expected 1") }
        programHeaderOffset = header.u64(32)
        sectionHeaderOffset = header.u64(40)
        let headerSize = header.u16(52)
        let programEntrySize = Int(header.u16(54))
        programHeaderCount = Int(header.u16(56))
        let sectionEntrySize = Int(header.u16(58))
        sectionHeaderCount = Int(header.u16(60))
        guard headerSize >= ELF.headerSize else {
            throw file.malformed("e_ehsize is \(headerSize), smaller than the \(ELF.headerSize)-byte 64-bit header")
        }
        guard programHeaderCount == 0 || programEntrySize == ELF.programHeaderSize else {
            throw file.malformed("e_phentsize is \(programEntrySize), expected \(ELF.programHeaderSize)")
        }
        guard sectionHeaderCount == 0 || sectionEntrySize == ELF.sectionHeaderSize else {
            throw file.malformed("e_shentsize is \(sectionEntrySize), expected \(ELF.sectionHeaderSize)")
        }
        if sectionHeaderOffset == 0 { sectionHeaderCount = 0 }
        if programHeaderOffset == 0 { programHeaderCount = 0 }
    }

    /// NOT_ELF, quoting the first bytes so a person recognises a text file, script or image.
    private static func notELF(_ bytes: [UInt8], path: String) -> Problem {
        if bytes.isEmpty {
            return Problem(.notELF, .error, "not an ELF file (it is empty); plugins must be shared libraries", file: path)
        }
        if bytes.count < ELF.identSize && bytes.prefix(4).elementsEqual(ELF.magic) {
            return Problem(.notELF, .error,
                           "not an ELF file (only \(bytes.count) bytes, shorter than the 16-byte ELF identification); plugins must be shared libraries",
                           file: path)
        }
        let hex = bytes.prefix(8).map { byte -> String in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
        return Problem(.notELF, .error,
                       "not an ELF file (starts with 0x\(hex)); plugins must be shared libraries", file: path)
    }

    /// NOT_SHARED_LIBRARY, naming what the file is instead.
    private static func notShared(_ type: UInt16, path: String) -> Problem {
        let what: String
        switch type {
        case ELF.typeExecutable: what = "an executable (ET_EXEC)"
        case ELF.typeRelocatable: what = "a relocatable object file (ET_REL, a .o)"
        case ELF.typeCore: what = "a core dump (ET_CORE)"
        default: what = "an ELF file of type \(type)"
        }
        return Problem(.notSharedLibrary, .error,
                       "\(what), not a shared library (ET_DYN); build plugins with `-shared -fPIC`",
                       file: path)
    }
}
