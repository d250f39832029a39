//! One visit on the clinician's list: its live state, Start, End for
//! everyone, Running late, Forget, and the two links to share.

use crate::components::end_visit::EndVisit;
use crate::components::running_late::RunningLate;
use crate::components::share_link::ShareLink;
use crate::route::{page_path, Route};
use api_types::CreateVisitResponse;
use yew::prelude::*;
use yew_router::prelude::{Link, Routable};

/// What the clinician did to a visit on their list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListChange {
    Forget,
    Ended,
}

/// A link to this SPA at `route`, from wherever it is hosted, on the page
/// that serves it (a patient's link opens the lean patient page).
fn link_to(route: &Route) -> String {
    let location = web_sys::window().map(|w| w.location());
    let base = location
        .map(|l| {
            format!(
                "{}{}",
                l.origin().unwrap_or_default(),
                page_path(&l.pathname().unwrap_or_default(), route)
            )
        })
        .unwrap_or_default();
    format!("{base}#{}", route.to_path())
}

pub struct VisitCardProps {
    pub patient: Option<String>,
    pub visit: CreateVisitResponse,
    /// The live state, in words.
    pub status: String,
    pub ended: bool,
    pub onchange: Callback<(String, ListChange)>,
}

pub fn visit_card(props: VisitCardProps) -> Html {
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
        <section class="card visit" key={props.visit.visit_id.clone()}>
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
            <ShareLink label="Patient link" link={patient_link} />
            <ShareLink label="Guest link (interpreter or relative)" link={guest_link} />
        </section>
    }
}
