//! JSON in and out. In the browser this is the browser's own `JSON` plus
//! serde-wasm-bindgen, which keeps serde_json's parser and printer out of
//! the wasm (the first-paint budget). Natively, for `cargo test`, serde_json.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

#[cfg(target_arch = "wasm32")]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|err| {
        js_sys::Error::from(err)
            .message()
            .as_string()
            .unwrap_or_else(|| "not JSON".to_owned())
    })?;
    from_js(value)
}

#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize>(value: &T) -> Option<String> {
    js_sys::JSON::stringify(&to_js(value)?).ok()?.as_string()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|err| err.to_string())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn to_string<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// A JS object or array, as from `JSON.parse`, into a Rust value.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|err| err.to_string())
}

/// A Rust value as a plain JS object (maps as objects, as JSON would).
pub fn to_js<T: Serialize>(value: &T) -> Option<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()
}
