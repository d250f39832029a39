//! What survives a reload: the clinician's session token and their visit
//! list, both in sessionStorage (per tab, gone when the tab closes). The
//! list holds patients' names, so it also goes whenever the session ends.
//! Two things last in localStorage: this browser's device secret, a random
//! value that says nothing about anyone, and the language the person chose
//! (a preference, not health data).

use crate::services::json;
use api_types::{CreateVisitResponse, SessionResponse};
use serde::{Deserialize, Serialize};

const SESSION_KEY: &str = "hearth.session";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

pub fn load_session(now_seconds: u64) -> Option<SessionResponse> {
    let text = storage()?.get_item(SESSION_KEY).ok()??;
    let session: SessionResponse = json::from_str(&text).ok()?;
    (session.expires_at > now_seconds).then_some(session)
}

pub fn save_session(session: Option<&SessionResponse>) {
    let Some(storage) = storage() else { return };
    let _ = match session.and_then(json::to_string) {
        Some(text) => storage.set_item(SESSION_KEY, &text),
        None => storage.remove_item(SESSION_KEY),
    };
}

fn lasting() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

const LANGUAGE_KEY: &str = "hearth.language";

/// The language the person chose here before, if any.
pub fn chosen_language() -> Option<String> {
    lasting()?.get_item(LANGUAGE_KEY).ok()?
}

pub fn choose_language(language: &str) {
    if let Some(storage) = lasting() {
        let _ = storage.set_item(LANGUAGE_KEY, language);
    }
}

const DEVICE_KEY: &str = "hearth.device";

/// This browser's secret, made once: with it, the service lets only the
/// device that holds a patient's place take it over (in another tab).
pub fn device_secret() -> Option<String> {
    let window = web_sys::window()?;
    let storage = lasting();
    if let Some(known) = storage
        .as_ref()
        .and_then(|s| s.get_item(DEVICE_KEY).ok().flatten())
    {
        return Some(known);
    }
    let made = window.crypto().ok()?.random_uuid();
    if let Some(storage) = storage {
        let _ = storage.set_item(DEVICE_KEY, &made);
    }
    Some(made)
}

/// A visit on the clinician's list, kept in this browser only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedVisit {
    /// What the clinician typed; never sent anywhere but this browser's storage.
    pub patient: Option<String>,
    pub visit: CreateVisitResponse,
    /// Ended for everyone from this list.
    #[serde(default)]
    pub ended: bool,
}

/// One key per clinician, so two clinicians' lists never mix.
fn visits_key(clinician_id: &str) -> String {
    format!("{VISITS_PREFIX}{clinician_id}")
}

const VISITS_PREFIX: &str = "hearth.visits.";

/// Forgets the clinician's list: their session ended.
pub fn forget_visits(clinician_id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&visits_key(clinician_id));
    }
}

/// Removes lists an earlier version kept in localStorage, where they
/// outlived every session.
pub fn forget_lasting_visits() {
    let Some(storage) = lasting() else {
        return;
    };
    let count = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(VISITS_PREFIX))
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

/// The visits whose links still work at `now` (pure, tested natively).
pub fn still_current(visits: Vec<SavedVisit>, now: u64) -> Vec<SavedVisit> {
    visits
        .into_iter()
        .filter(|v| v.visit.invites_expire_at > now)
        .collect()
}

pub fn load_visits(clinician_id: &str, now: u64) -> Vec<SavedVisit> {
    let text = storage().and_then(|s| s.get_item(&visits_key(clinician_id)).ok()?);
    let visits = text
        .and_then(|t| json::from_str(&t).ok())
        .unwrap_or_default();
    still_current(visits, now)
}

pub fn save_visits(clinician_id: &str, visits: &[SavedVisit]) {
    let Some(storage) = storage() else {
        return;
    };
    let key = visits_key(clinician_id);
    let _ = match json::to_string(&visits) {
        Some(text) if !visits.is_empty() => storage.set_item(&key, &text),
        _ => storage.remove_item(&key),
    };
}

/// A visit on the list, for tests: invites that expire at `expires`.
#[cfg(test)]
pub(crate) fn saved_visit(id: &str, expires: u64) -> SavedVisit {
    SavedVisit {
        patient: None,
        visit: CreateVisitResponse {
            visit_id: id.into(),
            patient_invite: String::new(),
            guest_invite: String::new(),
            starts_at: 0,
            length_minutes: 30,
            invites_valid_from: 0,
            invites_expire_at: expires,
        },
        ended: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(id: &str, expires: u64) -> SavedVisit {
        saved_visit(id, expires)
    }

    #[test]
    fn visits_whose_links_expired_drop_off_the_list() {
        let kept = still_current(vec![visit("old", 100), visit("today", 200)], 150);
        assert_eq!(kept, vec![visit("today", 200)]);
    }

    #[test]
    fn lists_saved_before_the_ended_flag_still_load() {
        let text = r#"[{"patient":"A","visit":{"visit_id":"v","patient_invite":"p","guest_invite":"g","starts_at":1,"length_minutes":30,"invites_valid_from":0,"invites_expire_at":9}}]"#;
        let loaded: Vec<SavedVisit> = serde_json::from_str(text).unwrap();
        assert!(!loaded[0].ended);
    }
}
