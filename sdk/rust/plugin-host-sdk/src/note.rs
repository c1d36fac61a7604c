//! The metadata note: the bytes the host reads from the plugin file without loading it.
//!
//! The layout is an ELF note (the same one `PH_PLUGIN_METADATA` emits in C), in a section
//! named `.note.plugin_host`, 4-byte aligned:
//!
//! | offset | size | field                                                   |
//! |-------:|-----:|---------------------------------------------------------|
//! | 0      | 4    | `namesz` = 12 (`"plugin-host"` and its NUL)             |
//! | 4      | 4    | `descsz` = length of the JSON **plus one** (the NUL)    |
//! | 8      | 4    | `type` = `0x50480001`                                   |
//! | 12     | 12   | `"plugin-host\0"`                                       |
//! | 24     | descsz, padded to a multiple of 4 with zeros | the JSON and its NUL |
//!
//! All three words are in the file's byte order (little-endian on x86-64 and aarch64).

use crate::abi::{METADATA_NOTE_NAME, METADATA_NOTE_TYPE};

/// Size of the note's descriptor area for `json`: the JSON, its NUL, rounded up to 4 bytes.
/// Used as the const parameter of [`MetadataNote`] by [`export_plugin!`](crate::export_plugin).
pub const fn padded_len(json: &str) -> usize {
    (json.len() + 1 + 3) & !3
}

/// One metadata note; `N` is [`padded_len`] of its JSON, so the padding is explicit zeros.
#[repr(C, align(4))]
pub struct MetadataNote<const N: usize> {
    pub namesz: u32,
    pub descsz: u32,
    pub note_type: u32,
    pub name: [u8; 12],
    pub desc: [u8; N],
}

impl<const N: usize> MetadataNote<N> {
    /// Builds the note at compile time. Fails to compile (a panic in const evaluation) when
    /// `N` is not `padded_len(json)` or the JSON contains a NUL byte, which would cut it short.
    pub const fn new(json: &str) -> Self {
        let bytes = json.as_bytes();
        assert!(N == padded_len(json), "MetadataNote: N must be padded_len(json)");
        assert!(bytes.len() < u32::MAX as usize, "MetadataNote: metadata too large");
        let mut desc = [0u8; N];
        let mut i = 0;
        while i < bytes.len() {
            assert!(bytes[i] != 0, "plugin metadata JSON must not contain a NUL byte");
            desc[i] = bytes[i];
            i += 1;
        }
        MetadataNote {
            namesz: METADATA_NOTE_NAME.len() as u32,
            descsz: (bytes.len() + 1) as u32,
            note_type: METADATA_NOTE_TYPE,
            name: *METADATA_NOTE_NAME,
            desc,
        }
    }

    /// The JSON as embedded, without its NUL.
    pub fn json(&self) -> &str {
        let len = self.descsz as usize - 1;
        core::str::from_utf8(&self.desc[..len]).expect("built from a &str")
    }
}
