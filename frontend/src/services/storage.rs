//! What survives a reload: the clinician's session token (sessionStorage:
//! per tab, cleared when the tab closes) and their visit list (localStorage,
//! for the day, until they sign out).

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

/// localStorage, so the day's list survives closing the tab; one key per
/// clinician, so a shared computer never mixes two clinicians' lists.
fn visits_key(clinician_id: &str) -> String {
    format!("hearth.visits.{clinician_id}")
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The visits whose links still work at `now` (pure, tested natively).
pub fn still_current(visits: Vec<SavedVisit>, now: u64) -> Vec<SavedVisit> {
    visits
        .into_iter()
        .filter(|v| v.visit.invites_expire_at > now)
        .collect()
}

pub fn load_visits(clinician_id: &str, now: u64) -> Vec<SavedVisit> {
    let text = local_storage().and_then(|s| s.get_item(&visits_key(clinician_id)).ok()?);
    let visits = text
        .and_then(|t| json::from_str(&t).ok())
        .unwrap_or_default();
    still_current(visits, now)
}

pub fn save_visits(clinician_id: &str, visits: &[SavedVisit]) {
    let Some(storage) = local_storage() else {
        return;
    };
    let key = visits_key(clinician_id);
    let _ = match json::to_string(&visits) {
        Some(text) if !visits.is_empty() => storage.set_item(&key, &text),
        _ => storage.remove_item(&key),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(id: &str, expires: u64) -> SavedVisit {
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
