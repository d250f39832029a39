//! What survives a reload of this tab: the clinician's session token.
//! sessionStorage is per tab and cleared when the tab closes.

use api_types::SessionResponse;

const SESSION_KEY: &str = "hearth.session";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

pub fn load_session(now_seconds: u64) -> Option<SessionResponse> {
    let text = storage()?.get_item(SESSION_KEY).ok()??;
    let session: SessionResponse = serde_json::from_str(&text).ok()?;
    (session.expires_at > now_seconds).then_some(session)
}

pub fn save_session(session: Option<&SessionResponse>) {
    let Some(storage) = storage() else { return };
    let _ = match session.and_then(|s| serde_json::to_string(s).ok()) {
        Some(text) => storage.set_item(SESSION_KEY, &text),
        None => storage.remove_item(SESSION_KEY),
    };
}
