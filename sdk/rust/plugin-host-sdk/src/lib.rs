//! Write plugin-host node-executor plugins in Rust.
//!
//! A plugin is a `cdylib` that implements [`Plugin`] and exports it with [`export_plugin!`]:
//!
//! ```ignore
//! use plugin_host_sdk::{export_plugin, json::Value, Call, Error, Host, Plugin};
//!
//! const METADATA: &str = r#"{"id":"org.example.double", ... }"#;
//!
//! struct Double;
//! impl Plugin for Double {
//!     fn init(_host: &Host<'_>, _config: &str) -> Result<Self, String> { Ok(Double) }
//!     fn execute(&self, call: &mut Call<'_>) -> Result<(), Error> {
//!         let params = call.params()?;
//!         let x = params.get("x").and_then(Value::as_f64).ok_or_else(|| Error::invalid_parameters("x must be a number"))?;
//!         call.set_output(&Value::object([("result", Value::from(x * 2.0))]));
//!         Ok(())
//!     }
//! }
//! export_plugin!(Double, METADATA);
//! ```
//!
//! What the macro emits is exactly what `plugin.h`'s `PH_PLUGIN_METADATA` and
//! `ph_plugin_entry` give a C plugin: the metadata as an ELF note the host reads without
//! loading the file ([`note`]), and the one exported function returning the descriptor
//! ([`abi::PhPlugin`]). Every callback catches panics at the boundary ([`entry`]).
//!
//! The crate has no dependencies; [`json`] is a small reader and writer for parameters and
//! output.

pub mod abi;
pub mod call;
pub mod entry;
pub mod error;
pub mod json;
pub mod note;

pub use call::{has_field, Call, Host, Level};
pub use entry::Plugin;
pub use error::Error;

#[cfg(test)]
mod tests {
    //! The entry glue driven the way the host drives it: a `ph_call` whose callbacks record
    //! what the plugin reported.
    use super::abi::*;
    use super::json::Value;
    use super::*;
    use core::ffi::{c_char, c_void, CStr};
    use std::cell::RefCell;

    #[derive(Default)]
    struct Recorded {
        output: Option<String>,
        error: Option<(PhStatus, String)>,
        logs: Vec<(i32, String)>,
        init_error: Option<String>,
    }

    thread_local! { static RECORDED: RefCell<Recorded> = RefCell::new(Recorded::default()); }

    unsafe extern "C" fn set_output(_: *mut PhCall, json: *const c_char, len: usize) {
        let text = String::from_utf8(core::slice::from_raw_parts(json.cast::<u8>(), len).to_vec()).unwrap();
        RECORDED.with(|r| r.borrow_mut().output = Some(text));
    }
    unsafe extern "C" fn set_error(_: *mut PhCall, code: PhStatus, message: *const c_char) {
        let text = CStr::from_ptr(message).to_str().unwrap().to_string();
        RECORDED.with(|r| r.borrow_mut().error = Some((code, text)));
    }
    unsafe extern "C" fn is_cancelled(call: *const PhCall) -> i32 {
        ((*call).attempt == 99) as i32
    }
    unsafe extern "C" fn call_log(_: *mut PhCall, level: i32, message: *const c_char) {
        let text = CStr::from_ptr(message).to_str().unwrap().to_string();
        RECORDED.with(|r| r.borrow_mut().logs.push((level, text)));
    }
    unsafe extern "C" fn set_init_error(_: *const PhHostApi, message: *const c_char) {
        let text = CStr::from_ptr(message).to_str().unwrap().to_string();
        RECORDED.with(|r| r.borrow_mut().init_error = Some(text));
    }

    struct Subject {
        scale: f64,
    }

    impl Plugin for Subject {
        fn init(_host: &Host<'_>, config: &str) -> Result<Self, String> {
            let config = json::parse(config).map_err(|e| e.to_string())?;
            match config.get("scale") {
                None => Ok(Subject { scale: 1.0 }),
                Some(Value::Number(n)) => Ok(Subject { scale: *n }),
                Some(_) if config.get("panic").is_some() => panic!("init was told to panic"),
                Some(_) => Err("configuration: \"scale\" must be a number".to_string()),
            }
        }
        fn execute(&self, call: &mut Call<'_>) -> Result<(), Error> {
            if call.is_cancelled() {
                return Err(Error::cancelled());
            }
            let params = call.params()?;
            call.log(Level::Info, "scaling\0with a NUL");
            match params.get("x") {
                Some(Value::Number(x)) => {
                    call.set_output(&Value::object([("result", Value::from(x * self.scale))]));
                    Ok(())
                }
                Some(Value::String(s)) if s == "panic" => panic!("asked to panic"),
                _ => Err(Error::invalid_parameters("x must be a number")),
            }
        }
    }

    fn host() -> PhHostApi {
        PhHostApi {
            struct_size: core::mem::size_of::<PhHostApi>() as u32,
            abi_major: 1,
            abi_minor: 0,
            host_data: core::ptr::null_mut(),
            get_extension: None,
            log: None,
            set_init_error: Some(set_init_error),
        }
    }

    fn run(state: *mut c_void, params: &str, attempt: u32) -> (PhStatus, Recorded) {
        RECORDED.with(|r| *r.borrow_mut() = Recorded::default());
        let mut call = PhCall {
            struct_size: core::mem::size_of::<PhCall>() as u32,
            attempt,
            node_type: b"test.scale\0".as_ptr().cast(),
            params_json: params.as_ptr().cast(),
            params_len: params.len(),
            input_json: b"[]\0".as_ptr().cast(),
            input_len: 2,
            tenant_id: b"\0".as_ptr().cast(),
            execution_id: b"e1\0".as_ptr().cast(),
            host_data: core::ptr::null_mut(),
            set_output: Some(set_output),
            set_error: Some(set_error),
            is_cancelled: Some(is_cancelled),
            log: Some(call_log),
        };
        let status = unsafe { entry::execute::<Subject>(state, &mut call) };
        (status, RECORDED.with(|r| core::mem::take(&mut *r.borrow_mut())))
    }

    fn init(config: &[u8]) -> (PhStatus, *mut c_void, Option<String>) {
        RECORDED.with(|r| *r.borrow_mut() = Recorded::default());
        let host = host();
        let mut state = core::ptr::null_mut();
        let status = unsafe { entry::init::<Subject>(&host, config.as_ptr().cast(), &mut state) };
        (status, state, RECORDED.with(|r| r.borrow_mut().init_error.take()))
    }

    #[test]
    fn execute_reports_output_errors_and_panics() {
        let (status, state, _) = init(b"{\"scale\":3}\0");
        assert_eq!(status, PH_OK);

        let (status, recorded) = run(state, r#"{"x":4}"#, 1);
        assert_eq!(status, PH_OK);
        assert_eq!(recorded.output.as_deref(), Some(r#"{"result":12}"#));
        assert_eq!(recorded.logs, vec![(PH_LOG_INFO, "scaling\u{FFFD}with a NUL".to_string())]);

        let (status, recorded) = run(state, r#"{"x":true}"#, 1);
        assert_eq!(status, PH_ERR_INVALID_PARAMETERS);
        assert_eq!(recorded.error, Some((PH_ERR_INVALID_PARAMETERS, "x must be a number".to_string())));

        let (status, recorded) = run(state, "{not json", 1);
        assert_eq!(status, PH_ERR_INVALID_PARAMETERS);
        assert!(recorded.error.unwrap().1.starts_with("params: invalid JSON at byte 1"));

        // A panic stops at the boundary and becomes an execution error naming the node.
        let (status, recorded) = run(state, r#"{"x":"panic"}"#, 1);
        assert_eq!(status, PH_ERR_EXECUTION);
        assert_eq!(recorded.error, Some((PH_ERR_EXECUTION, "test.scale panicked: asked to panic".to_string())));

        let (status, recorded) = run(state, r#"{"x":1}"#, 99);
        assert_eq!((status, recorded.error.map(|e| e.0)), (PH_ERR_CANCELLED, Some(PH_ERR_CANCELLED)));

        unsafe { entry::shutdown::<Subject>(state) };
    }

    #[test]
    fn init_failures_reach_set_init_error() {
        let (status, state, message) = init(b"{\"scale\":\"big\"}\0");
        assert_eq!((status, state.is_null()), (PH_ERR_EXECUTION, true));
        assert_eq!(message.as_deref(), Some("configuration: \"scale\" must be a number"));

        let (status, _, message) = init(b"{\"scale\":\"big\",\"panic\":1}\0");
        assert_eq!(status, PH_ERR_EXECUTION);
        assert_eq!(message.as_deref(), Some("init panicked: init was told to panic"));
    }

    #[test]
    fn the_note_has_the_header_layout() {
        const JSON: &str = r#"{"id":"x"}"#; // 10 bytes: descsz 11, padded to 12
        static NOTE: note::MetadataNote<{ note::padded_len(JSON) }> = note::MetadataNote::new(JSON);
        assert_eq!(core::mem::align_of_val(&NOTE), 4);
        assert_eq!(core::mem::size_of_val(&NOTE), 12 + 12 + 12);
        let bytes = unsafe { core::slice::from_raw_parts(&NOTE as *const _ as *const u8, core::mem::size_of_val(&NOTE)) };
        assert_eq!(&bytes[0..4], &12u32.to_ne_bytes());
        assert_eq!(&bytes[4..8], &11u32.to_ne_bytes());
        assert_eq!(&bytes[8..12], &0x5048_0001u32.to_ne_bytes());
        assert_eq!(&bytes[12..24], b"plugin-host\0");
        assert_eq!(&bytes[24..36], b"{\"id\":\"x\"}\0\0");
        assert_eq!(NOTE.json(), JSON);
    }
}
