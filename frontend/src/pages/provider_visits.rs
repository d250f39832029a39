//! The clinician's page after sign-in: the day's visits with who is waiting,
//! arrival alerts, and creating a visit and sharing its links.

use crate::alerts;
use crate::components::create_visit_form::CreateVisitForm;
use crate::components::visit_card::{visit_card, ListChange, VisitCardProps};
use crate::context::{use_session, SessionAction};
use crate::hooks::use_live_status;
use crate::messages;
use crate::route::Route;
use crate::services::now_seconds;
use crate::services::storage::{self, SavedVisit};
use api_types::{Presence, VisitStatus};
use std::collections::BTreeMap;
use yew::prelude::*;
use yew_router::prelude::*;

#[component]
pub fn ProviderVisits() -> Html {
    let session = use_session();
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
                <CreateVisitForm {oncreated} />
            </section>
            { for created.iter().map(|saved| {
                let id = saved.visit.visit_id.clone();
                let status = if saved.ended {
                    "Ended".to_owned()
                } else {
                    messages::visit_status(live.as_ref().map(|l| l.as_ref().map(|m| m.get(&id))), now_seconds())
                };
                visit_card(VisitCardProps {
                    patient: saved.patient.clone(),
                    visit: saved.visit.clone(),
                    status,
                    ended: saved.ended,
                    onchange: update.clone(),
                })
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
