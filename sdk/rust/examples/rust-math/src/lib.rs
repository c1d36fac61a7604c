//! An example plugin in Rust with two nodes:
//!
//! - `rust.multiply`: `{"a": 3, "b": 4}` → `{"result": 12}`
//! - `rust.greet`: `{"name": "Ada"}` → `{"greeting": "Hello, Ada!"}`; the greeting word comes
//!   from the plugin's configuration (`{"greeting": "Hi"}`), else "Hello".
//!
//! Build: `cargo build --release` → `target/release/libph_rust_math.so`, then
//! `plugin-host scan --strict target/release`.

use plugin_host_sdk::json::Value;
use plugin_host_sdk::{export_plugin, Call, Error, Host, Level, Plugin};

/// The metadata the host reads from the file before loading it. Strict mode (the default of
/// `plugin-host scan`) wants every field shown here; unknown keys are errors.
const METADATA: &str = r#"{"id":"org.example.rust-math","name":"Rust Math","version":"1.0.0","abi":"1.0",
"author":"Example Author","license":"MIT","description":"Multiplies numbers and greets people, in Rust.",
"threadSafe":true,"dependencies":{},"nodes":[
{"nodeType":"rust.multiply","version":"1.0.0","category":"math","description":"Returns a * b.",
 "requiredFields":["a","b"],
 "schema":{"type":"object","properties":{"a":{"type":"number","description":"Left factor."},
   "b":{"type":"number","description":"Right factor."}},"required":["a","b"],"additionalProperties":false},
 "supportedVersions":[1],"tags":["arithmetic","rust"]},
{"nodeType":"rust.greet","version":"1.0.0","category":"text","description":"Greets someone by name.",
 "requiredFields":["name"],
 "schema":{"type":"object","properties":{"name":{"type":"string","description":"Who to greet."}},
   "required":["name"],"additionalProperties":false},
 "supportedVersions":[1],"tags":["text","rust"]}]}"#;

/// Per-instance state, built by init from the configuration; read-only afterwards, so
/// concurrent executes are safe (`"threadSafe": true`).
struct RustMath {
    greeting: String,
}

fn number(params: &Value, key: &str) -> Result<f64, Error> {
    params.get(key).and_then(Value::as_f64).ok_or_else(|| Error::invalid_parameters(format!("\"{key}\" must be a number")))
}

impl Plugin for RustMath {
    fn init(host: &Host<'_>, config_json: &str) -> Result<Self, String> {
        let config = plugin_host_sdk::json::parse(config_json).map_err(|e| format!("configuration: {e}"))?;
        let greeting = match config.get("greeting") {
            None => "Hello".to_string(),
            Some(Value::String(word)) => word.clone(),
            Some(_) => return Err("configuration: \"greeting\" must be a string".to_string()),
        };
        host.log(Level::Info, &format!("rust-math ready (host {})", host.host_version().unwrap_or("unknown")));
        Ok(RustMath { greeting })
    }

    fn execute(&self, call: &mut Call<'_>) -> Result<(), Error> {
        let params = call.params()?;
        let output = match call.node_type() {
            "rust.multiply" => {
                let product = number(&params, "a")? * number(&params, "b")?;
                if !product.is_finite() {
                    return Err(Error::invalid_parameters("a * b is too large for a JSON number"));
                }
                Value::object([("result", Value::from(product))])
            }
            "rust.greet" => {
                let name = params.get("name").and_then(Value::as_str).ok_or_else(|| Error::invalid_parameters("\"name\" must be a string"))?;
                Value::object([("greeting", Value::from(format!("{}, {name}!", self.greeting)))])
            }
            other => return Err(Error::unsupported(format!("rust-math has no node {other}"))),
        };
        call.set_output(&output);
        Ok(())
    }
}

export_plugin!(RustMath, METADATA);
