//! The C ABI of `sdk/include/plugin_host/plugin.h` and `status.h`, field for field.
//!
//! Every struct here is `#[repr(C)]` with the same members in the same order as the header,
//! so its size and offsets match what a C compiler lays out (`tests/layout.rs` checks that
//! against `cc` on every run). Callbacks the host may leave out are `Option<extern "C" fn>`:
//! a NULL function pointer is `None`, never a dangling `fn`.

use core::ffi::{c_char, c_void};

/// `PH_ABI_VERSION_MAJOR`: the ABI this crate implements.
pub const ABI_VERSION_MAJOR: u16 = 1;
/// `PH_ABI_VERSION_MINOR`.
pub const ABI_VERSION_MINOR: u16 = 0;

/// `ph_status`: 0 is success; the codes below are what `status.h` lists.
pub type PhStatus = i32;

pub const PH_OK: PhStatus = 0;
pub const PH_ERR_INVALID_PARAMETERS: PhStatus = 1;
pub const PH_ERR_EXECUTION: PhStatus = 2;
pub const PH_ERR_TRANSIENT: PhStatus = 3;
pub const PH_ERR_TIMEOUT: PhStatus = 4;
pub const PH_ERR_CREDENTIAL_MISSING: PhStatus = 5;
pub const PH_ERR_UNSUPPORTED: PhStatus = 6;
pub const PH_ERR_CANCELLED: PhStatus = 7;

/// `PH_LOG_*`: the levels of `ph_host_api.log` and `ph_call.log`.
pub const PH_LOG_DEBUG: i32 = 0;
pub const PH_LOG_INFO: i32 = 1;
pub const PH_LOG_WARNING: i32 = 2;
pub const PH_LOG_ERROR: i32 = 3;

/// `PH_METADATA_SECTION`: the ELF section that carries the metadata note.
pub const METADATA_SECTION: &str = ".note.plugin_host";
/// `PH_METADATA_NOTE_NAME`: the note's owner name (stored NUL-terminated, padded to 12 bytes).
pub const METADATA_NOTE_NAME: &[u8; 12] = b"plugin-host\0";
/// `PH_METADATA_NOTE_TYPE`.
pub const METADATA_NOTE_TYPE: u32 = 0x5048_0001;
/// `PH_EXT_HOST_INFO`, NUL-terminated for `get_extension`.
pub const EXT_HOST_INFO: &[u8] = b"ph.host-info/1\0";

/// `struct ph_host_api`: the host as one plugin sees it. Host-owned, valid from init until
/// after shutdown.
#[repr(C)]
pub struct PhHostApi {
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub host_data: *mut c_void,
    pub get_extension: Option<unsafe extern "C" fn(host: *const PhHostApi, name: *const c_char) -> *const c_void>,
    pub log: Option<unsafe extern "C" fn(host: *const PhHostApi, level: i32, message: *const c_char)>,
    pub set_init_error: Option<unsafe extern "C" fn(host: *const PhHostApi, message: *const c_char)>,
}

/// `struct ph_call`: one node execution. Every pointer in it is valid only until `execute`
/// returns.
#[repr(C)]
pub struct PhCall {
    pub struct_size: u32,
    pub attempt: u32,
    pub node_type: *const c_char,
    pub params_json: *const c_char,
    pub params_len: usize,
    pub input_json: *const c_char,
    pub input_len: usize,
    pub tenant_id: *const c_char,
    pub execution_id: *const c_char,
    pub host_data: *mut c_void,
    pub set_output: Option<unsafe extern "C" fn(call: *mut PhCall, json: *const c_char, len: usize)>,
    pub set_error: Option<unsafe extern "C" fn(call: *mut PhCall, code: PhStatus, message: *const c_char)>,
    pub is_cancelled: Option<unsafe extern "C" fn(call: *const PhCall) -> i32>,
    pub log: Option<unsafe extern "C" fn(call: *mut PhCall, level: i32, message: *const c_char)>,
}

/// `ph_plugin.init`.
pub type PhInitFn = unsafe extern "C" fn(host: *const PhHostApi, config_json: *const c_char, out_state: *mut *mut c_void) -> PhStatus;
/// `ph_plugin.execute`.
pub type PhExecuteFn = unsafe extern "C" fn(state: *mut c_void, call: *mut PhCall) -> PhStatus;
/// `ph_plugin.shutdown`.
pub type PhShutdownFn = unsafe extern "C" fn(state: *mut c_void);

/// `ph_plugin`: the descriptor `ph_plugin_entry` returns. The header requires every callback,
/// so these are plain function pointers, not options.
#[repr(C)]
pub struct PhPlugin {
    pub struct_size: u32,
    pub abi_major: u16,
    pub abi_minor: u16,
    pub metadata_json: *const c_char,
    pub init: PhInitFn,
    pub execute: PhExecuteFn,
    pub shutdown: PhShutdownFn,
}

/// A `PhPlugin` that may live in a `static`: it only holds pointers to `'static` data (the
/// metadata note) and functions, and nothing ever writes to it.
#[repr(transparent)]
pub struct StaticPlugin(pub PhPlugin);

// SAFETY: the descriptor is immutable and its pointers point at immutable statics.
unsafe impl Sync for StaticPlugin {}

/// `ph_ext_host_info` (`ph.host-info/1`): facts about the running host.
#[repr(C)]
pub struct PhExtHostInfo {
    pub struct_size: u32,
    pub host_version: *const c_char,
    pub plugin_path: *const c_char,
}
