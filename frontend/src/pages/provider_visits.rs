//! The clinician's page after sign-in: the day's visits with who is waiting,
//! arrival alerts, and creating a visit and sharing its links.

use crate::alerts;
use crate::components::input_value;
use crate::components::visit_card::{ListChange, VisitCard};
use crate::context::{use_session, SessionAction};
use crate::hooks::use_live_status;
use crate::messages;
use crate::route::Route;
use crate::services::now_seconds;
use crate::services::storage::{self, SavedVisit};
use api_types::CreateVisitRequest;
use api_types::{Presence, VisitStatus, DEFAULT_VISIT_MINUTES, MAX_VISIT_MINUTES};
use std::collections::BTreeMap;
use yew::prelude::*;
use yew_router::prelude::*;

/// Reads a `datetime-local` value as Unix seconds in the browser's time zone.
fn local_time_to_unix(value: &str) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    let millis = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
    (millis.is_finite() && millis > 0.0).then(|| (millis / 1000.0) as u64)
}

#[component]
pub fn ProviderVisits() -> Html {
    let session = use_session();
    let name = use_node_ref();
    let starts = use_node_ref();
    let length = use_node_ref();
    let clinician_id = session
        .clinician
        .as_ref()
        .map(|c| c.clinician.id.clone())
        .unwrap_or_default();
    let created = {
        let id = clinician_id.clone();
        use_state(move || storage::load_visits(&id, now_seconds()))
    };
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
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

    let Some(clinician) = session.clinician.clone() else {
        return html! { <Redirect<Route> to={Route::ProviderSignIn} /> };
    };

    let onsubmit = {
        let (name, starts, length) = (name.clone(), starts.clone(), length.clone());
        let (created, error, busy, session) = (
            created.clone(),
            error.clone(),
            busy.clone(),
            session.clone(),
        );
        let token = clinician.token.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if *busy {
                return;
            }
            let patient_name = Some(input_value(&name).trim().to_owned()).filter(|n| !n.is_empty());
            // The name stays in this browser: checked here, never sent.
            if patient_name
                .as_ref()
                .is_some_and(|n| n.chars().count() > messages::MAX_PATIENT_NAME_CHARS)
            {
                error.set(Some(messages::PATIENT_NAME_TOO_LONG.to_owned()));
                return;
            }
            let request = CreateVisitRequest {
                starts_at: local_time_to_unix(&input_value(&starts)),
                length_minutes: input_value(&length).parse().ok(),
            };
            let (created, error, busy, session, token) = (
                created.clone(),
                error.clone(),
                busy.clone(),
                session.clone(),
                token.clone(),
            );
            busy.set(true);
            yew::platform::spawn_local(async move {
                match session.api.create_visit(&token, &request).await {
                    Ok(visit) => {
                        let mut list = (*created).clone();
                        list.insert(
                            0,
                            SavedVisit {
                                patient: patient_name,
                                visit,
                                ended: false,
                            },
                        );
                        created.set(list);
                        error.set(None);
                    }
                    Err(err) if err.session_ended() => {
                        session.dispatch(SessionAction::SignedOut);
                    }
                    Err(err) => error.set(Some(messages::create_visit(&err))),
                }
                busy.set(false);
            });
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
    let waiting = waiting_count(&created, live.as_ref());
    use_effect_with(waiting, |waiting| {
        alerts::set_title(&alerts::title(TITLE, *waiting));
        || alerts::set_title(TITLE)
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
        <main class="page">
            <section class="card">
                <div class="row">
                    <h1>{ "Your visits" }</h1>
                    <button class="secondary sign-out" onclick={sign_out}>{ "Sign out" }</button>
                </div>
                <p>{ format!("Signed in as {}.", clinician.clinician.display_name) }</p>
                if !*notifications && alerts::notifications_supported() {
                    <button class="secondary notify" onclick={allow_notifications}>{ "Notify me when a patient arrives" }</button>
                }
                <form class="stack" {onsubmit}>
                    <h2>{ "New visit" }</h2>
                    <label for="patient-name">{ "Patient's name (optional, kept only in this browser)" }</label>
                    <input id="patient-name" ref={name} maxlength="100" autocomplete="off" />
                    <label for="starts-at">{ "Starts (leave empty for now)" }</label>
                    <input id="starts-at" ref={starts} type="datetime-local" />
                    <label for="length">{ "Length in minutes" }</label>
                    <input id="length" ref={length} type="number" min="1" max={MAX_VISIT_MINUTES.to_string()} value={DEFAULT_VISIT_MINUTES.to_string()} />
                    <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                    <button type="submit" disabled={*busy}>{ "Create visit" }</button>
                </form>
            </section>
            { for created.iter().map(|saved| {
                let id = saved.visit.visit_id.clone();
                let status = if saved.ended {
                    "Ended".to_owned()
                } else {
                    messages::visit_status(live.as_ref().map(|l| l.as_ref().map(|m| m.get(&id))), now_seconds())
                };
                html! {
                    <VisitCard key={id} patient={saved.patient.clone()} visit={saved.visit.clone()}
                        {status} ended={saved.ended} onchange={update.clone()} />
                }
            }) }
        </main>
    }
}

const TITLE: &str = "Your visits · Hearth";

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
