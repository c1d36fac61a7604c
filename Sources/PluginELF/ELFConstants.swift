/// The ELF numbers this reader needs, from the System V gABI and the Linux/GNU extensions.
///
/// Spelled out here instead of imported from `<elf.h>` so the module needs no C shim and the
/// values a hostile file is compared against are visible in one place.
enum ELF {
    // e_ident
    static let magic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]  // "\x7fELF"
    static let identSize = 16
    static let classIndex = 4, dataIndex = 5, versionIndex = 6
    static let class32: UInt8 = 1, class64: UInt8 = 2
    static let dataLittle: UInt8 = 1, dataBig: UInt8 = 2
    static let currentVersion: UInt8 = 1

    // Sizes of the 64-bit structures.
    static let headerSize = 64
    static let sectionHeaderSize = 64
    static let programHeaderSize = 56
    static let symbolSize = 24
    static let dynamicEntrySize = 16

    // e_type
    static let typeRelocatable: UInt16 = 1, typeExecutable: UInt16 = 2
    static let typeShared: UInt16 = 3, typeCore: UInt16 = 4

    // e_machine
    static let machineX86_64: UInt16 = 62
    static let machineAArch64: UInt16 = 183

    // sh_type
    static let sectionSymbolTable: UInt32 = 2
    static let sectionStringTable: UInt32 = 3
    static let sectionHash: UInt32 = 5
    static let sectionNote: UInt32 = 7
    static let sectionNoBits: UInt32 = 8
    static let sectionDynamicSymbols: UInt32 = 11
    static let sectionGNUHash: UInt32 = 0x6fff_fff6

    // p_type
    static let segmentLoad: UInt32 = 1
    static let segmentDynamic: UInt32 = 2
    static let segmentNote: UInt32 = 4
    // p_flags
    static let segmentExecutable: UInt32 = 1  // PF_X

    // d_tag (the ones the reader or the load checks act on; see ELFDynamicSection)
    static let dynamicNull: UInt64 = 0
    static let dynamicNeeded: UInt64 = 1
    static let dynamicPLTRelocationsSize: UInt64 = 2
    static let dynamicPLTGOT: UInt64 = 3
    static let dynamicHash: UInt64 = 4
    static let dynamicStringTable: UInt64 = 5
    static let dynamicSymbolTable: UInt64 = 6
    static let dynamicRela: UInt64 = 7
    static let dynamicRelaSize: UInt64 = 8
    static let dynamicStringTableSize: UInt64 = 10
    static let dynamicSymbolEntrySize: UInt64 = 11
    static let dynamicInit: UInt64 = 12
    static let dynamicFini: UInt64 = 13
    static let dynamicSoname: UInt64 = 14
    static let dynamicRPath: UInt64 = 15
    static let dynamicRel: UInt64 = 17
    static let dynamicRelSize: UInt64 = 18
    static let dynamicJumpRelocations: UInt64 = 23
    static let dynamicInitArray: UInt64 = 25
    static let dynamicFiniArray: UInt64 = 26
    static let dynamicInitArraySize: UInt64 = 27
    static let dynamicFiniArraySize: UInt64 = 28
    static let dynamicRunPath: UInt64 = 29
    static let dynamicPreinitArray: UInt64 = 32
    static let dynamicPreinitArraySize: UInt64 = 33
    static let dynamicRelrSize: UInt64 = 35
    static let dynamicRelr: UInt64 = 36
    static let dynamicGNUHash: UInt64 = 0x6fff_fef5
    static let dynamicVersionSymbols: UInt64 = 0x6fff_fff0
    static let dynamicVersionDefinitions: UInt64 = 0x6fff_fffc
    static let dynamicVersionNeeds: UInt64 = 0x6fff_fffe
    static let dynamicAuxiliary: UInt64 = 0x7fff_fffd
    static let dynamicFilter: UInt64 = 0x7fff_ffff

    // Symbols
    static let undefinedSection: UInt16 = 0  // SHN_UNDEF
    static let extendedSectionIndex: UInt16 = 0xFFFF  // SHN_XINDEX
    static let bindGlobal: UInt8 = 1, bindWeak: UInt8 = 2
    static let typeFunction: UInt8 = 2
    static let visibilityDefault: UInt8 = 0, visibilityProtected: UInt8 = 3

    /// The machine this host runs on: a plugin must match it exactly to be loadable.
    #if arch(x86_64)
    static let hostMachine = machineX86_64
    #elseif arch(arm64)
    static let hostMachine = machineAArch64
    #else
    #error("PluginELF supports x86_64 and arm64 hosts; add this architecture's EM_ value")
    #endif

    /// The byte order this host's loader accepts (EI_DATA).
    #if _endian(little)
    static let hostData = dataLittle
    #else
    static let hostData = dataBig
    #endif

    /// A person's name for an `e_machine` value, for messages ("built for AArch64 …").
    static func machineName(_ machine: UInt16) -> String {
        switch machine {
        case 2: return "SPARC"
        case 3: return "x86 (i386)"
        case 8: return "MIPS"
        case 20: return "PowerPC"
        case 21: return "PowerPC64"
        case 22: return "s390"
        case 40: return "ARM (32-bit)"
        case 43: return "SPARC V9"
        case 62: return "x86-64"
        case 183: return "AArch64"
        case 243: return "RISC-V"
        case 258: return "LoongArch"
        default: return "an unknown machine"
        }
    }
}
