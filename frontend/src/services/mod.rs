pub mod api;
pub mod http;
pub mod json;
pub mod locales;
pub mod script;
pub mod storage;
pub mod timers;

/// Unix seconds, from the browser's clock.
pub fn now_seconds() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}
