//! The clinician's page after sign-in: the day's visits as a queue, waiting
//! patients first, with arrival alerts, keyboard shortcuts, and creating a
//! visit and sharing its links.

use crate::alerts;
use crate::components::create_visit_form::CreateVisitForm;
use crate::components::visit_row::{ListChange, VisitRow};
use crate::context::{use_session, SessionAction};
use crate::hooks::{use_live_status, use_locale, use_shortcuts};
use crate::i18n::Locale;
use crate::queue;
use crate::route::Route;
use crate::services::now_seconds;
use crate::services::storage::{self, SavedVisit};
use api_types::{Presence, VisitStatus};
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use yew_router::prelude::*;

#[component]
pub fn ProviderVisits() -> Html {
    let session = use_session();
    let t = use_locale();
    let clinician_id = session
        .clinician
        .as_ref()
        .map(|c| c.clinician.id.clone())
        .unwrap_or_default();
    let created = {
        let id = clinician_id.clone();
        use_state(move || storage::load_visits(&id, now_seconds()))
    };
    let notifications = use_state(alerts::notifications_allowed);

    // The list is kept in this browser, for this clinician only.
    {
        let id = clinician_id.clone();
        use_effect_with((*created).clone(), move |visits| {
            if !id.is_empty() {
                storage::save_visits(&id, visits);
            }
        });
    }

    let ids: Vec<String> = created
        .iter()
        .filter(|v| !v.ended)
        .map(|v| v.visit.visit_id.clone())
        .collect();
    let live = use_live_status(ids);
    use_shortcuts(Callback::from(queue_shortcut));

    let Some(clinician) = session.clinician.clone() else {
        return html! { <Redirect<Route> to={Route::ProviderSignIn} /> };
    };

    let oncreated = {
        let created = created.clone();
        Callback::from(move |visit: SavedVisit| {
            let mut list = (*created).clone();
            list.insert(0, visit);
            created.set(list);
        })
    };
    // Signing out, like any end of the session, clears the list (app.rs).
    let sign_out = {
        let session = session.clone();
        Callback::from(move |_| session.dispatch(SessionAction::SignedOut))
    };
    let update = {
        let created = created.clone();
        Callback::from(move |(visit_id, change): (String, ListChange)| {
            let mut list = (*created).clone();
            match change {
                ListChange::Forget => list.retain(|v| v.visit.visit_id != visit_id),
                ListChange::Ended => list
                    .iter_mut()
                    .filter(|v| v.visit.visit_id == visit_id)
                    .for_each(|v| v.ended = true),
            }
            created.set(list);
        })
    };
    let now = now_seconds();
    let waiting = waiting_count(&created, live.as_ref());
    let page_title = t.t("clinic.visits.page_title").to_owned();
    use_effect_with(waiting, move |waiting| {
        alerts::set_title(&alerts::title(&page_title, *waiting));
        move || alerts::set_title(&page_title)
    });
    let allow_notifications = {
        let notifications = notifications.clone();
        Callback::from(move |_: MouseEvent| {
            let notifications = notifications.clone();
            yew::platform::spawn_local(async move {
                notifications.set(alerts::ask_for_notifications().await);
            });
        })
    };

    html! {
        <main class="page dashboard">
            <section class="card dashboard-header">
                <div class="row">
                    <h1>{ t.html("clinic.visits.title") }</h1>
                    <p class="signed-in">{ t.fill("clinic.visits.signed_in_as", &[("name", &clinician.clinician.display_name)]) }</p>
                    if !*notifications && alerts::notifications_supported() {
                        <button class="secondary notify" onclick={allow_notifications}>{ t.html("clinic.visits.notify") }</button>
                    }
                    <button class="secondary sign-out" onclick={sign_out}>{ t.html("clinic.visits.sign_out") }</button>
                </div>
                <CreateVisitForm {oncreated} />
            </section>
            <div class="row queue-head">
                <p class="queue-summary" role="status">{ waiting_words(&t, waiting) }</p>
                <p class="shortcuts">
                    { t.html("clinic.visits.keys") }{ " " }<kbd>{ "n" }</kbd>{ " " }{ t.html("clinic.visits.key_new") }{ " · " }<kbd>{ "j" }</kbd>{ " / " }<kbd>{ "k" }</kbd>
                    { " " }{ t.html("clinic.visits.key_move") }{ " · " }<kbd>{ "Enter" }</kbd>{ " " }{ t.html("clinic.visits.key_start") }
                </p>
            </div>
            // Waits are read at each render: the live status re-renders the
            // list every 3 s, and a row re-renders only when its words change.
            <ol class="queue" aria-label={t.t("clinic.visits.queue").to_owned()}>
                { for queue::in_order(&created, live.as_ref()).into_iter().map(|(saved, state)| html! {
                    <VisitRow key={saved.visit.visit_id.clone()} saved={saved.clone()} {state} status={state.words(&t, now)} onchange={update.clone()} />
                }) }
            </ol>
        </main>
    }
}

fn waiting_words(t: &Locale, waiting: usize) -> String {
    match waiting {
        0 => t.t("clinic.visits.none_waiting").to_owned(),
        n => t.count("clinic.visits.waiting", n as u64),
    }
}

/// The dashboard's keys, unless the person is typing: `n` goes to the new
/// visit's first field; `j` and `k` move between the rows' main actions,
/// which Enter follows as any link.
fn queue_shortcut(event: KeyboardEvent) {
    let typing = event
        .target_dyn_into::<web_sys::Element>()
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
    if typing || event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let focus = |css: &str, index: Option<usize>| -> Option<()> {
        let found = document.query_selector_all(css).ok()?;
        let element = found.get(index? as u32)?;
        element
            .dyn_into::<web_sys::HtmlElement>()
            .ok()?
            .focus()
            .ok()
    };
    let moved = match event.key().as_str() {
        "n" => focus("#patient-name", Some(0)),
        key @ ("j" | "k") => {
            let rows = document.query_selector_all(ROW_ACTIONS).ok();
            let len = rows.as_ref().map_or(0, |rows| rows.length() as usize);
            let active = document.active_element();
            let at = (0..len).find(|&i| {
                rows.as_ref()
                    .and_then(|rows| rows.get(i as u32))
                    .map(|n| n.unchecked_into())
                    == active
            });
            focus(
                ROW_ACTIONS,
                queue::step(at, len, if key == "j" { 1 } else { -1 }),
            )
        }
        _ => None,
    };
    if moved.is_some() {
        event.prevent_default();
    }
}

/// Each row's main action (Start or Rejoin), in queue order.
const ROW_ACTIONS: &str = ".queue a.start";

/// Patients waiting now, among the visits still on the list.
fn waiting_count(
    visits: &[SavedVisit],
    live: Option<&Result<BTreeMap<String, VisitStatus>, ()>>,
) -> usize {
    let Some(Ok(live)) = live else { return 0 };
    visits
        .iter()
        .filter(|v| !v.ended)
        .filter_map(|v| live.get(&v.visit.visit_id))
        .filter(|s| s.presence == Presence::PatientWaiting)
        .count()
}
