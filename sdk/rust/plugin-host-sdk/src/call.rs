//! Safe views of what the host hands a plugin: [`Host`] during init, [`Call`] during execute.

use crate::abi::*;
use crate::json::{self, Value};
use crate::Error;
use core::ffi::{c_char, CStr};
use core::marker::PhantomData;
use core::mem::{offset_of, size_of};
use std::ffi::CString;

/// Log levels for [`Host::log`] and [`Call::log`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Debug = PH_LOG_DEBUG as isize,
    Info = PH_LOG_INFO as isize,
    Warning = PH_LOG_WARNING as isize,
    Error = PH_LOG_ERROR as isize,
}

/// A message as a C string: interior NULs (which C would stop at) become U+FFFD.
pub(crate) fn c_message(message: &str) -> CString {
    CString::new(message.replace('\0', "\u{FFFD}")).expect("NULs were replaced")
}

/// A host-owned C string as `&str`; `None` for NULL. The host passes UTF-8.
unsafe fn optional_str<'a>(pointer: *const c_char) -> Option<&'a str> {
    if pointer.is_null() {
        return None;
    }
    CStr::from_ptr(pointer).to_str().ok()
}

/// Host-owned bytes of a known length as `&str` ("" for NULL or invalid UTF-8).
unsafe fn sized_str<'a>(pointer: *const c_char, len: usize) -> &'a str {
    if pointer.is_null() {
        return "";
    }
    core::str::from_utf8(core::slice::from_raw_parts(pointer.cast::<u8>(), len)).unwrap_or("")
}

/// True when a struct whose first member is `struct_size` holds the field at
/// `offset..offset+size`: the Rust form of the header's `PH_HAS_FIELD`.
pub fn has_field(struct_size: u32, offset: usize, size: usize) -> bool {
    struct_size as usize >= offset + size
}

/// The host, as [`Plugin::init`](crate::Plugin::init) sees it.
pub struct Host<'a> {
    raw: *const PhHostApi,
    _host: PhantomData<&'a PhHostApi>,
}

impl<'a> Host<'a> {
    /// # Safety
    /// `raw` must be the `ph_host_api` the host passed to init, valid for `'a`.
    pub unsafe fn from_raw(raw: *const PhHostApi) -> Self {
        Host { raw, _host: PhantomData }
    }

    /// The host's ABI version, `(major, minor)`.
    pub fn abi_version(&self) -> (u16, u16) {
        let host = unsafe { &*self.raw };
        (host.abi_major, host.abi_minor)
    }

    /// Writes a log line attributed to this plugin.
    pub fn log(&self, level: Level, message: &str) {
        let host = unsafe { &*self.raw };
        if let Some(log) = host.log {
            let message = c_message(message);
            unsafe { log(self.raw, level as i32, message.as_ptr()) }
        }
    }

    fn host_info(&self) -> Option<&'a PhExtHostInfo> {
        let host = unsafe { &*self.raw };
        let get_extension = host.get_extension?;
        let info = unsafe { get_extension(self.raw, EXT_HOST_INFO.as_ptr().cast()) }.cast::<PhExtHostInfo>();
        unsafe { info.as_ref() }
    }

    /// The host's version string (`ph.host-info/1`), when the host offers it.
    pub fn host_version(&self) -> Option<&'a str> {
        let info = self.host_info()?;
        if !has_field(info.struct_size, offset_of!(PhExtHostInfo, host_version), size_of::<*const c_char>()) {
            return None;
        }
        unsafe { optional_str(info.host_version) }
    }

    /// The absolute path of this plugin's own file (`ph.host-info/1`), when the host offers it.
    pub fn plugin_path(&self) -> Option<&'a str> {
        let info = self.host_info()?;
        if !has_field(info.struct_size, offset_of!(PhExtHostInfo, plugin_path), size_of::<*const c_char>()) {
            return None;
        }
        unsafe { optional_str(info.plugin_path) }
    }
}

/// One node execution. Everything borrowed from it is valid only while `execute` runs; copy
/// what you keep.
pub struct Call<'a> {
    raw: *mut PhCall,
    _call: PhantomData<&'a mut PhCall>,
}

impl<'a> Call<'a> {
    /// # Safety
    /// `raw` must be the `ph_call` the host passed to execute, valid for `'a`.
    pub unsafe fn from_raw(raw: *mut PhCall) -> Self {
        Call { raw, _call: PhantomData }
    }

    fn raw(&self) -> &PhCall {
        unsafe { &*self.raw }
    }

    /// The node type being executed, e.g. `"rust.multiply"` (one plugin may serve several).
    pub fn node_type(&self) -> &'a str {
        unsafe { optional_str(self.raw().node_type) }.unwrap_or("")
    }
    /// 1 for the first attempt, 2 for the first retry, and so on.
    pub fn attempt(&self) -> u32 {
        self.raw().attempt
    }
    /// The tenant the call runs for; "" in single-tenant mode.
    pub fn tenant_id(&self) -> &'a str {
        unsafe { optional_str(self.raw().tenant_id) }.unwrap_or("")
    }
    /// The execution's id, shared by its retries: use it for idempotency keys.
    pub fn execution_id(&self) -> &'a str {
        unsafe { optional_str(self.raw().execution_id) }.unwrap_or("")
    }
    /// The parameters as JSON text: an object already validated against the node's schema.
    pub fn params_json(&self) -> &'a str {
        let call = self.raw();
        unsafe { sized_str(call.params_json, call.params_len) }
    }
    /// The input items as JSON text: an array of the parents' outputs (`[]` when none).
    pub fn input_json(&self) -> &'a str {
        let call = self.raw();
        unsafe { sized_str(call.input_json, call.input_len) }
    }
    /// The parameters, parsed. A parse failure is an `invalid_parameters` error.
    pub fn params(&self) -> Result<Value, Error> {
        json::parse(self.params_json()).map_err(|e| Error::invalid_parameters(format!("params: {e}")))
    }
    /// The input items, parsed.
    pub fn input(&self) -> Result<Value, Error> {
        json::parse(self.input_json()).map_err(|e| Error::invalid_parameters(format!("input: {e}")))
    }

    /// Sets the node's output to `json` (JSON text; the host copies it and rejects output
    /// that is not JSON). A later call replaces an earlier one.
    pub fn set_output_json(&mut self, json: &str) {
        if let Some(set_output) = self.raw().set_output {
            unsafe { set_output(self.raw, json.as_ptr().cast(), json.len()) }
        }
    }
    /// Sets the node's output to `value`.
    pub fn set_output(&mut self, value: &Value) {
        self.set_output_json(&value.to_string());
    }

    /// True once the host has stopped waiting (timeout or cancellation): a long node polls it
    /// and returns [`Error::cancelled`].
    pub fn is_cancelled(&self) -> bool {
        match self.raw().is_cancelled {
            Some(is_cancelled) => unsafe { is_cancelled(self.raw) != 0 },
            None => false,
        }
    }

    /// Writes a log line attributed to this execution.
    pub fn log(&mut self, level: Level, message: &str) {
        if let Some(log) = self.raw().log {
            let message = c_message(message);
            unsafe { log(self.raw, level as i32, message.as_ptr()) }
        }
    }

    /// Reports `error` to the host (`set_error`); the entry glue calls it for an `Err`.
    pub(crate) fn report(&mut self, error: &Error) {
        if let Some(set_error) = self.raw().set_error {
            let message = c_message(&error.message);
            unsafe { set_error(self.raw, error.code, message.as_ptr()) }
        }
    }
}
