/// What the host learned from a plugin's ELF file by reading it, without loading it.
///
/// The metadata layer turns ``metadataNote`` into a manifest (or looks for a sidecar when it is
/// nil), and the loader refuses a library whose ``exportsPluginEntry`` is false with
/// ENTRY_MISSING before ever calling `dlopen`.
public struct ELFInspection: Sendable, Hashable {
    /// The desc bytes of the metadata note (owner "plugin-host", type 0x50480001, see plugin.h
    /// `PH_METADATA_NOTE_NAME` / `PH_METADATA_NOTE_TYPE`), trailing NUL bytes removed; nil when
    /// the file has no such note.
    public var metadataNote: [UInt8]?
    /// Whether `.dynsym` defines a global or weak FUNC symbol `ph_plugin_entry`
    /// (`st_shndx != SHN_UNDEF`) with default or protected visibility — what `dlsym` would find.
    public var exportsPluginEntry: Bool
    /// `e_machine`, e.g. 62 for x86-64 (always the host's: another machine is WRONG_ARCH).
    public var machine: UInt16

    public init(metadataNote: [UInt8]?, exportsPluginEntry: Bool, machine: UInt16) {
        self.metadataNote = metadataNote
        self.exportsPluginEntry = exportsPluginEntry
        self.machine = machine
    }
}
