//! Scripts served next to the app and loaded only when first needed (the
//! Twilio SDK, the QR code generator), outside the first-paint budget.

use wasm_bindgen_futures::JsFuture;

/// Adds `<script src>` and waits for it to run; a script that fails to load
/// is removed, so the next call tries again.
pub async fn load(src: &str) -> Result<(), ()> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or(())?;
    let script = document.create_element("script").map_err(drop)?;
    script.set_attribute("src", src).map_err(drop)?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = script.add_event_listener_with_callback("load", &resolve);
        let _ = script.add_event_listener_with_callback("error", &reject);
    });
    document
        .head()
        .ok_or(())?
        .append_child(&script)
        .map_err(drop)?;
    JsFuture::from(loaded)
        .await
        .map(drop)
        .map_err(|_| script.remove())
}
