//! The `#[repr(C)]` types against what a C compiler makes of `plugin.h`: a small C program
//! prints every struct's size and each field's offset, and the Rust side must agree. Run by
//! `cargo test`; needs `cc` (or `$CC`).

use plugin_host_sdk::abi::*;
use std::mem::{offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;

const PROGRAM: &str = r#"
#include <plugin_host/plugin.h>
#include <stdio.h>
#define S(t) printf(#t " %zu\n", sizeof(t));
#define F(t, f) printf(#t "." #f " %zu\n", offsetof(t, f));
int main(void) {
    S(ph_host_api) F(ph_host_api, abi_major) F(ph_host_api, abi_minor) F(ph_host_api, host_data)
    F(ph_host_api, get_extension) F(ph_host_api, log) F(ph_host_api, set_init_error)
    S(ph_call) F(ph_call, attempt) F(ph_call, node_type) F(ph_call, params_json) F(ph_call, params_len)
    F(ph_call, input_json) F(ph_call, input_len) F(ph_call, tenant_id) F(ph_call, execution_id)
    F(ph_call, host_data) F(ph_call, set_output) F(ph_call, set_error) F(ph_call, is_cancelled) F(ph_call, log)
    S(ph_plugin) F(ph_plugin, abi_major) F(ph_plugin, abi_minor) F(ph_plugin, metadata_json)
    F(ph_plugin, init) F(ph_plugin, execute) F(ph_plugin, shutdown)
    S(ph_ext_host_info) F(ph_ext_host_info, host_version) F(ph_ext_host_info, plugin_path)
    printf("PH_ABI_VERSION_MAJOR %d\nPH_ABI_VERSION_MINOR %d\n", PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR);
    printf("PH_METADATA_NOTE_TYPE %u\nPH_METADATA_SECTION %s\nPH_METADATA_NOTE_NAME %s\n",
           PH_METADATA_NOTE_TYPE, PH_METADATA_SECTION, PH_METADATA_NOTE_NAME);
    printf("PH_ERR_CANCELLED %d\nPH_LOG_ERROR %d\n", PH_ERR_CANCELLED, PH_LOG_ERROR);
    return 0;
}
"#;

/// Where `plugin_host/plugin.h` is: `$PLUGIN_HOST_INCLUDE`, else `sdk/include` of the checkout
/// this crate is in, else `PREFIX/include` of an installed copy
/// (`PREFIX/share/plugin-host/rust/plugin-host-sdk`), else pkg-config's `includedir`.
fn include_directory() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut candidates: Vec<PathBuf> = std::env::var_os("PLUGIN_HOST_INCLUDE").map(PathBuf::from).into_iter().collect();
    candidates.push(manifest.join("../../include"));
    candidates.push(manifest.join("../../../../include"));
    if let Ok(output) = Command::new("pkg-config").args(["--variable=includedir", "plugin-host"]).output() {
        if output.status.success() {
            candidates.push(PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
        }
    }
    candidates.iter().find(|candidate| candidate.join("plugin_host/plugin.h").is_file()).cloned().unwrap_or_else(|| {
        panic!("plugin_host/plugin.h not found in {candidates:?}: set PLUGIN_HOST_INCLUDE to the SDK's include directory")
    })
}

fn c_layout() -> Vec<(String, String)> {
    let include = include_directory();
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let source = work.join("layout.c");
    let binary = work.join("layout");
    std::fs::write(&source, PROGRAM).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let built = Command::new(&cc).arg("-std=c11").arg("-I").arg(&include).arg(&source).arg("-o").arg(&binary).output()
        .unwrap_or_else(|e| panic!("cannot run {cc}: {e}"));
    assert!(built.status.success(), "{cc} failed: {}", String::from_utf8_lossy(&built.stderr));
    let run = Command::new(&binary).output().unwrap();
    String::from_utf8(run.stdout).unwrap().lines()
        .map(|line| { let (k, v) = line.split_once(' ').unwrap(); (k.to_string(), v.to_string()) })
        .collect()
}

#[test]
fn rust_types_match_the_c_header() {
    let rust: Vec<(&str, String)> = vec![
        ("ph_host_api", size_of::<PhHostApi>().to_string()),
        ("ph_host_api.abi_major", offset_of!(PhHostApi, abi_major).to_string()),
        ("ph_host_api.abi_minor", offset_of!(PhHostApi, abi_minor).to_string()),
        ("ph_host_api.host_data", offset_of!(PhHostApi, host_data).to_string()),
        ("ph_host_api.get_extension", offset_of!(PhHostApi, get_extension).to_string()),
        ("ph_host_api.log", offset_of!(PhHostApi, log).to_string()),
        ("ph_host_api.set_init_error", offset_of!(PhHostApi, set_init_error).to_string()),
        ("ph_call", size_of::<PhCall>().to_string()),
        ("ph_call.attempt", offset_of!(PhCall, attempt).to_string()),
        ("ph_call.node_type", offset_of!(PhCall, node_type).to_string()),
        ("ph_call.params_json", offset_of!(PhCall, params_json).to_string()),
        ("ph_call.params_len", offset_of!(PhCall, params_len).to_string()),
        ("ph_call.input_json", offset_of!(PhCall, input_json).to_string()),
        ("ph_call.input_len", offset_of!(PhCall, input_len).to_string()),
        ("ph_call.tenant_id", offset_of!(PhCall, tenant_id).to_string()),
        ("ph_call.execution_id", offset_of!(PhCall, execution_id).to_string()),
        ("ph_call.host_data", offset_of!(PhCall, host_data).to_string()),
        ("ph_call.set_output", offset_of!(PhCall, set_output).to_string()),
        ("ph_call.set_error", offset_of!(PhCall, set_error).to_string()),
        ("ph_call.is_cancelled", offset_of!(PhCall, is_cancelled).to_string()),
        ("ph_call.log", offset_of!(PhCall, log).to_string()),
        ("ph_plugin", size_of::<PhPlugin>().to_string()),
        ("ph_plugin.abi_major", offset_of!(PhPlugin, abi_major).to_string()),
        ("ph_plugin.abi_minor", offset_of!(PhPlugin, abi_minor).to_string()),
        ("ph_plugin.metadata_json", offset_of!(PhPlugin, metadata_json).to_string()),
        ("ph_plugin.init", offset_of!(PhPlugin, init).to_string()),
        ("ph_plugin.execute", offset_of!(PhPlugin, execute).to_string()),
        ("ph_plugin.shutdown", offset_of!(PhPlugin, shutdown).to_string()),
        ("ph_ext_host_info", size_of::<PhExtHostInfo>().to_string()),
        ("ph_ext_host_info.host_version", offset_of!(PhExtHostInfo, host_version).to_string()),
        ("ph_ext_host_info.plugin_path", offset_of!(PhExtHostInfo, plugin_path).to_string()),
        ("PH_ABI_VERSION_MAJOR", ABI_VERSION_MAJOR.to_string()),
        ("PH_ABI_VERSION_MINOR", ABI_VERSION_MINOR.to_string()),
        ("PH_METADATA_NOTE_TYPE", METADATA_NOTE_TYPE.to_string()),
        ("PH_METADATA_SECTION", METADATA_SECTION.to_string()),
        ("PH_METADATA_NOTE_NAME", std::str::from_utf8(&METADATA_NOTE_NAME[..11]).unwrap().to_string()),
        ("PH_ERR_CANCELLED", PH_ERR_CANCELLED.to_string()),
        ("PH_LOG_ERROR", PH_LOG_ERROR.to_string()),
    ];
    let c = c_layout();
    assert_eq!(c.len(), rust.len(), "the C program and this test list different fields");
    for ((c_name, c_value), (rust_name, rust_value)) in c.iter().zip(&rust) {
        assert_eq!(c_name, rust_name);
        assert_eq!(c_value, rust_value, "{c_name}: C says {c_value}, Rust says {rust_value}");
    }
}
