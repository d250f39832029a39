//! The clinician's page after sign-in: the day's visits with who is waiting,
//! arrival alerts, and creating a visit and sharing its links.

use crate::alerts;
use crate::components::input_value;
use crate::components::running_late::RunningLate;
use crate::context::{use_session, SessionAction};
use crate::messages;
use crate::pages::visit_entry::VisitEntry;
use crate::qr;
use crate::route::Route;
use crate::services::now_seconds;
use crate::services::storage::{self, SavedVisit};
use crate::services::timers::every;
use api_types::{CreateVisitRequest, CreateVisitResponse};
use api_types::{Presence, TokenRequest, VisitStatus, DEFAULT_VISIT_MINUTES, MAX_VISIT_MINUTES};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use yew::prelude::*;
use yew_router::prelude::*;

/// A link to this SPA at `route`, from wherever it is hosted.
fn link_to(route: &Route) -> String {
    let location = web_sys::window().map(|w| w.location());
    let base = location
        .map(|l| {
            format!(
                "{}{}",
                l.origin().unwrap_or_default(),
                l.pathname().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!("{base}#{}", route.to_path())
}

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
    let live = use_state(|| None::<Result<BTreeMap<String, VisitStatus>, ()>>);
    let waiting_before = use_mut_ref(BTreeSet::<String>::new);
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

    // Live state of every visit on this page, every 3 s, without reloading.
    {
        let (live, api) = (live.clone(), session.api.clone());
        let token = session.clinician.as_ref().map(|c| c.token.clone());
        let ids: Vec<String> = created
            .iter()
            .filter(|v| !v.ended)
            .map(|v| v.visit.visit_id.clone())
            .collect();
        use_effect_with((token, ids), move |(token, ids)| {
            let polling = (!ids.is_empty())
                .then_some(())
                .and(token.clone())
                .map(|token| {
                    let ids = ids.clone();
                    every(Duration::from_secs(3), move |stopped| {
                        let (api, token, ids, live, waiting_before) = (
                            api.clone(),
                            token.clone(),
                            ids.clone(),
                            live.clone(),
                            waiting_before.clone(),
                        );
                        async move {
                            let answer = api.visit_status(&token, ids).await;
                            if stopped.get() {
                                return;
                            }
                            if let Ok(visits) = &answer {
                                let waiting: BTreeSet<String> = visits
                                    .iter()
                                    .filter(|v| v.presence == Presence::PatientWaiting)
                                    .map(|v| v.visit_id.clone())
                                    .collect();
                                if alerts::new_arrivals(&waiting_before.borrow(), &waiting) > 0 {
                                    alerts::patient_arrived(waiting.len());
                                }
                                *waiting_before.borrow_mut() = waiting;
                            }
                            live.set(Some(
                                answer
                                    .map(|visits| {
                                        visits
                                            .into_iter()
                                            .map(|v| (v.visit_id.clone(), v))
                                            .collect()
                                    })
                                    .map_err(drop),
                            ));
                        }
                    })
                });
            move || polling.into_iter().for_each(|stop| stop())
        });
    }

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
                    <VisitLinks key={id} patient={saved.patient.clone()} visit={saved.visit.clone()}
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

/// What the clinician did to a visit on their list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListChange {
    Forget,
    Ended,
}

#[derive(Properties, PartialEq)]
struct VisitLinksProps {
    patient: Option<String>,
    visit: CreateVisitResponse,
    /// The live state, in words.
    status: String,
    ended: bool,
    onchange: Callback<(String, ListChange)>,
}

#[component]
fn VisitLinks(props: &VisitLinksProps) -> Html {
    let title = props
        .patient
        .clone()
        .map_or_else(|| "Visit".to_owned(), |name| format!("Visit with {name}"));
    let patient_link = link_to(&Route::PatientVisit {
        invite: props.visit.patient_invite.clone(),
    });
    let guest_link = link_to(&Route::GuestVisit {
        invite: props.visit.guest_invite.clone(),
    });
    let start = Route::ProviderVisit {
        visit_id: props.visit.visit_id.clone(),
    };
    let id = props.visit.visit_id.clone();
    let ended = props.onchange.reform({
        let id = id.clone();
        move |()| (id.clone(), ListChange::Ended)
    });
    let forget = props
        .onchange
        .reform(move |_: MouseEvent| (id.clone(), ListChange::Forget));
    html! {
        <section class="card visit">
            <h2>{ title }</h2>
            <p class="status" role="status">{ props.status.clone() }</p>
            <div class="row">
                if !props.ended {
                    <Link<Route> to={start} classes="button start">{ "Start visit" }</Link<Route>>
                    <EndVisit visit_id={props.visit.visit_id.clone()} onended={ended} />
                }
                <button class="secondary forget" onclick={forget}
                    aria-label={format!("Forget {} on this computer", props.patient.clone().unwrap_or_else(|| "this visit".to_owned()))}>
                    { "Forget" }
                </button>
            </div>
            if !props.ended {
                <RunningLate visit_id={props.visit.visit_id.clone()} />
            }
            <CopyLink label="Patient link" link={patient_link} />
            <CopyLink label="Guest link (interpreter or relative)" link={guest_link} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CopyLinkProps {
    label: AttrValue,
    link: String,
}

#[component]
fn CopyLink(props: &CopyLinkProps) -> Html {
    let copied = use_state(|| false);
    let onclick = {
        let (link, copied) = (props.link.clone(), copied.clone());
        Callback::from(move |_| {
            if let Some(window) = web_sys::window() {
                let _ = window.navigator().clipboard().write_text(&link);
                copied.set(true);
            }
        })
    };
    html! {
        <div class="stack">
            <label>
                { props.label.clone() }
                <input class="link" readonly=true value={props.link.clone()} />
            </label>
            <button class="secondary" {onclick} aria-label={format!("Copy {}", props.label.to_ascii_lowercase())}>
                { if *copied { "Copied" } else { "Copy" } }
            </button>
            <QrCode link={props.link.clone()} label={props.label.clone()} />
        </div>
    }
}

/// The link as a QR code, for a patient to scan from the clinician's screen.
#[component]
fn QrCode(props: &CopyLinkProps) -> Html {
    let drawn = use_state(|| None::<(u32, String)>);
    {
        let drawn = drawn.clone();
        use_effect_with(props.link.clone(), move |link| {
            let link = link.clone();
            yew::platform::spawn_local(async move { drawn.set(qr::encode(&link).await) });
        });
    }
    let Some((n, path)) = (*drawn).clone() else {
        return html! {};
    };
    // A quiet zone of 4 modules around the code, as scanners expect.
    html! {
        <svg class="qr" viewBox={format!("-4 -4 {0} {0}", n + 8)} role="img" aria-label={format!("QR code of the {}", props.label.to_ascii_lowercase())}>
            <rect x="-4" y="-4" width="100%" height="100%" fill="#fff" />
            <path d={path} fill="#000" />
        </svg>
    }
}

#[derive(Properties, PartialEq)]
pub struct ProviderVisitProps {
    pub visit_id: String,
}

/// The clinician joining one of their visits.
#[component]
pub fn ProviderVisit(props: &ProviderVisitProps) -> Html {
    let session = use_session();
    if session.clinician.is_none() {
        return html! { <Redirect<Route> to={Route::ProviderSignIn} /> };
    }
    let request = TokenRequest {
        visit_id: Some(props.visit_id.clone()),
        ..TokenRequest::default()
    };
    html! { <VisitEntry {request} as_clinician=true /> }
}

#[derive(Properties, PartialEq)]
struct EndVisitProps {
    visit_id: String,
    onended: Callback<()>,
}

/// Ends the visit for the patient and any guests, who are told why.
#[component]
fn EndVisit(props: &EndVisitProps) -> Html {
    let session = use_session();
    let outcome = use_state(|| None::<&'static str>);
    let onclick = {
        let (outcome, visit_id, onended) = (
            outcome.clone(),
            props.visit_id.clone(),
            props.onended.clone(),
        );
        Callback::from(move |_| {
            let Some(token) = session.clinician.as_ref().map(|c| c.token.clone()) else {
                return;
            };
            let (api, outcome, visit_id, onended) = (
                session.api.clone(),
                outcome.clone(),
                visit_id.clone(),
                onended.clone(),
            );
            yew::platform::spawn_local(async move {
                match api.end_visit(&token, visit_id).await {
                    Ok(()) => onended.emit(()),
                    Err(_) => outcome.set(Some("Could not end the visit. Please try again.")),
                }
            });
        })
    };
    html! {
        <>
            <button class="secondary end" {onclick}>{ "End visit for everyone" }</button>
            <span role="status">{ outcome.unwrap_or_default() }</span>
        </>
    }
}
