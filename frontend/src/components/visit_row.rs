//! One visit on the clinician's queue: who, the state chip and the main
//! action on one line; behind "Share & manage", the links with their QR
//! codes, Running late, End visit for everyone and Forget, drawn only while
//! open, so a long queue stays short and quick.

use crate::bindings::time_of_day;
use crate::components::end_visit::EndVisit;
use crate::components::running_late::RunningLate;
use crate::components::share_link::ShareLink;
use crate::hooks::use_locale;
use crate::i18n::Locale;
use crate::queue::RowState;
use crate::route::{page_path, Route};
use crate::services::storage::SavedVisit;
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

/// The row's name: the patient's, as the clinician typed it, or the time
/// the visit starts, in the browser's time zone.
fn title(t: &Locale, saved: &SavedVisit) -> String {
    saved.patient.clone().unwrap_or_else(|| {
        let time = time_of_day(&t.language, saved.visit.starts_at).unwrap_or_default();
        t.fill("clinic.row.visit_at", &[("time", &time)])
    })
}

#[derive(Properties, PartialEq)]
pub struct VisitRowProps {
    pub saved: SavedVisit,
    pub state: RowState,
    /// The state chip's words (`RowState::words`), so the row re-renders
    /// only when they change.
    pub status: String,
    pub onchange: Callback<(String, ListChange)>,
}

#[component]
pub fn VisitRow(props: &VisitRowProps) -> Html {
    let t = use_locale();
    let open = use_state(|| false);
    let visit = &props.saved.visit;
    let title = title(&t, &props.saved);
    let id = visit.visit_id.clone();
    let ended = props.onchange.reform({
        let id = id.clone();
        move |()| (id.clone(), ListChange::Ended)
    });
    let forget = props
        .onchange
        .reform(move |_: MouseEvent| (id.clone(), ListChange::Forget));
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let panel = format!("manage-{}", visit.visit_id);
    let live = props.state != RowState::Ended;
    html! {
        <li class="visit">
            <div class="row-main">
                <h2>{ &title }</h2>
                <span class={classes!("status", props.state.class())}>{ &props.status }</span>
                if let Some(action) = props.state.action() {
                    <Link<Route> to={Route::ProviderVisit { visit_id: visit.visit_id.clone() }} classes="button start">
                        <span aria-hidden="true">{ t.html(action) }</span>
                        <span class="visually-hidden">{ t.fill("clinic.row.action", &[("action", t.t(action)), ("title", &title)]) }</span>
                    </Link<Route>>
                }
                <button class="secondary manage" aria-expanded={open.to_string()} aria-controls={panel.clone()} onclick={toggle}>
                    { t.html("clinic.row.manage") }
                </button>
            </div>
            if *open {
                <div class="manage-panel" id={panel}>
                    if live {
                        <ShareLink label={t.t("clinic.row.patient_link").to_owned()} link={link_to(&Route::PatientVisit { invite: visit.patient_invite.clone() })} />
                        <ShareLink label={t.t("clinic.row.guest_link").to_owned()} link={link_to(&Route::GuestVisit { invite: visit.guest_invite.clone() })} />
                        <RunningLate visit_id={visit.visit_id.clone()} />
                        <div class="row">
                            <EndVisit visit_id={visit.visit_id.clone()} onended={ended} />
                        </div>
                    }
                    <button class="secondary forget" onclick={forget} aria-label={t.fill("clinic.row.forget_label", &[("title", &title)])}>
                        { t.html("clinic.row.forget") }
                    </button>
                </div>
            }
        </li>
    }
}
