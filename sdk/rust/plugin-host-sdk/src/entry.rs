//! The glue between a [`Plugin`] and the C ABI: `extern "C"` functions that the descriptor
//! points at, which catch every panic at the boundary.
//!
//! A panic that unwound into the host would be undefined behaviour, so each callback runs
//! inside `catch_unwind` and turns a panic into the ABI's failure: `set_init_error` plus
//! `PH_ERR_EXECUTION` from init, `set_error` plus `PH_ERR_EXECUTION` from execute. This needs
//! the default `panic = "unwind"`; with `panic = "abort"` a panic ends the process (the host's
//! worker isolation, `--isolation process`, then contains it).

use crate::abi::*;
use crate::call::{c_message, Call, Host};
use crate::Error;
use core::ffi::{c_char, c_void, CStr};
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A plugin: the state `init` builds from the configuration, and what `execute` does with it.
///
/// `Send + Sync` because the host may call `execute` from any of its threads, at the same time
/// when the metadata says `"threadSafe": true` (keep mutable state behind a `Mutex` or atomics).
pub trait Plugin: Send + Sync + Sized + 'static {
    /// Called once, before any execute, with the plugin's configuration as JSON text (`{}` when
    /// none). Keep it quick: the host waits a bounded time. An `Err` is reported as
    /// `INIT_FAILED` with its text.
    fn init(host: &Host<'_>, config_json: &str) -> Result<Self, String>;

    /// Runs one node. Set the result with [`Call::set_output`]; an `Err` fails the call with
    /// its code and message.
    fn execute(&self, call: &mut Call<'_>) -> Result<(), Error>;

    /// Called once, after the last execute has returned, before the state is dropped.
    fn shutdown(&self) {}
}

/// The text of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// `ph_plugin.init` for `P`.
///
/// # Safety
/// Called by the host with the arguments `plugin.h` describes.
pub unsafe extern "C" fn init<P: Plugin>(host: *const PhHostApi, config_json: *const c_char, out_state: *mut *mut c_void) -> PhStatus {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let view = Host::from_raw(host);
        let config = if config_json.is_null() { "{}" } else { CStr::from_ptr(config_json).to_str().unwrap_or("{}") };
        P::init(&view, config)
    }));
    let failure = match outcome {
        Ok(Ok(state)) => {
            *out_state = Box::into_raw(Box::new(state)).cast();
            return PH_OK;
        }
        Ok(Err(message)) => message,
        Err(payload) => format!("init panicked: {}", panic_message(&*payload)),
    };
    if let Some(set_init_error) = (*host).set_init_error {
        let message = c_message(&failure);
        set_init_error(host, message.as_ptr());
    }
    PH_ERR_EXECUTION
}

/// `ph_plugin.execute` for `P`.
///
/// # Safety
/// `state` must come from [`init::<P>`]; `call` is the host's `ph_call`.
pub unsafe extern "C" fn execute<P: Plugin>(state: *mut c_void, call: *mut PhCall) -> PhStatus {
    let plugin = &*state.cast::<P>().cast_const();
    let mut view = Call::from_raw(call);
    let outcome = catch_unwind(AssertUnwindSafe(|| plugin.execute(&mut view)));
    let error = match outcome {
        Ok(Ok(())) => return PH_OK,
        Ok(Err(error)) => error,
        Err(payload) => Error::execution(format!("{} panicked: {}", view.node_type(), panic_message(&*payload))),
    };
    view.report(&error);
    if error.code == PH_OK { PH_ERR_EXECUTION } else { error.code }
}

/// `ph_plugin.shutdown` for `P`: calls [`Plugin::shutdown`], then drops the state.
///
/// # Safety
/// `state` must come from [`init::<P>`] and is not used again.
pub unsafe extern "C" fn shutdown<P: Plugin>(state: *mut c_void) {
    if state.is_null() {
        return;
    }
    let plugin = Box::from_raw(state.cast::<P>());
    // A panic here has nobody to report to; swallowing it keeps the host alive.
    let _ = catch_unwind(AssertUnwindSafe(move || {
        plugin.shutdown();
        drop(plugin);
    }));
}

/// Exports a [`Plugin`] type as a plugin-host plugin: emits the metadata note, the
/// descriptor, and `ph_plugin_entry`. Use it once per `cdylib`, at the crate's top level.
///
/// ```ignore
/// const METADATA: &str = r#"{"id":"org.example.rust", ... }"#;
/// plugin_host_sdk::export_plugin!(MyPlugin, METADATA);
/// ```
///
/// `METADATA` must be a `const &str` (the note is built at compile time). The host reads it
/// from the file and, after loading, checks that `metadata_json` holds the same bytes; both
/// point at the one note, so they always do.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty, $metadata:expr) => {
        #[used]
        #[link_section = ".note.plugin_host"]
        static PH_PLUGIN_METADATA_NOTE: $crate::note::MetadataNote<{ $crate::note::padded_len($metadata) }> =
            $crate::note::MetadataNote::new($metadata);

        static PH_PLUGIN_DESCRIPTOR: $crate::abi::StaticPlugin = $crate::abi::StaticPlugin($crate::abi::PhPlugin {
            struct_size: ::core::mem::size_of::<$crate::abi::PhPlugin>() as u32,
            abi_major: $crate::abi::ABI_VERSION_MAJOR,
            abi_minor: $crate::abi::ABI_VERSION_MINOR,
            metadata_json: ::core::ptr::addr_of!(PH_PLUGIN_METADATA_NOTE.desc) as *const ::core::ffi::c_char,
            init: $crate::entry::init::<$plugin>,
            execute: $crate::entry::execute::<$plugin>,
            shutdown: $crate::entry::shutdown::<$plugin>,
        });

        /// The one symbol a plugin exports: its descriptor, valid for the life of the process.
        #[no_mangle]
        pub extern "C" fn ph_plugin_entry() -> *const $crate::abi::PhPlugin {
            &PH_PLUGIN_DESCRIPTOR.0
        }
    };
}
