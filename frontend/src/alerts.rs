//! Telling a clinician a patient has arrived: a tone, a count in the tab's
//! title, and a desktop notification once they have allowed them.

use crate::i18n::Locale;
use std::collections::BTreeSet;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

/// Visits whose patient is waiting now but was not at the last look (pure).
pub fn new_arrivals(before: &BTreeSet<String>, now: &BTreeSet<String>) -> usize {
    now.difference(before).count()
}

/// The tab title with the number of waiting patients in front (pure).
pub fn title(base: &str, waiting: usize) -> String {
    match waiting {
        0 => base.to_owned(),
        n => format!("({n}) {base}"),
    }
}

pub fn set_title(text: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(text);
    }
}

/// Whether the browser can show notifications and they may be asked for.
pub fn notifications_supported() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"Notification".into()).unwrap_or(false)
}

pub fn notifications_allowed() -> bool {
    notifications_supported() && Notification::permission() == NotificationPermission::Granted
}

/// Asks the browser for permission; true once granted.
pub async fn ask_for_notifications() -> bool {
    if !notifications_supported() {
        return false;
    }
    if let Ok(promise) = Notification::request_permission() {
        let _ = JsFuture::from(promise).await;
    }
    notifications_allowed()
}

/// A patient arrived: a tone, and a notification if allowed. No names: a
/// desktop notification can show on a shared screen.
pub fn patient_arrived(t: &Locale, count: usize) {
    crate::media::play_tone(None);
    if notifications_allowed() {
        let options = NotificationOptions::new();
        options.set_body(t.t("clinic.alerts.body"));
        options.set_tag("hearth-arrival");
        let heading = t.count("clinic.alerts.arrived", count as u64);
        let _ = Notification::new_with_options(&heading, &options);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_patients_new_to_the_waiting_room_count_as_arrivals() {
        assert_eq!(new_arrivals(&set(&[]), &set(&["a"])), 1);
        assert_eq!(new_arrivals(&set(&["a"]), &set(&["a"])), 0);
        assert_eq!(new_arrivals(&set(&["a"]), &set(&["b", "c"])), 2);
        assert_eq!(new_arrivals(&set(&["a", "b"]), &set(&[])), 0);
    }

    #[test]
    fn the_title_counts_waiting_patients() {
        assert_eq!(title("Your visits", 0), "Your visits");
        assert_eq!(title("Your visits", 2), "(2) Your visits");
    }
}
