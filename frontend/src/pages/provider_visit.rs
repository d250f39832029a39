//! `#/provider/visit/<id>`: the clinician joining one of their visits, with
//! their session (the token is renewed while the call lasts), and the
//! patient's name from their own list, which never leaves their browser.

use crate::context::use_session;
use crate::pages::visit_entry::VisitEntry;
use crate::route::Route;
use crate::services::{now_seconds, storage};
use api_types::TokenRequest;
use yew::prelude::*;
use yew_router::prelude::Redirect;

#[derive(Properties, PartialEq)]
pub struct ProviderVisitProps {
    pub visit_id: String,
}

/// The clinician joining one of their visits.
#[component]
pub fn ProviderVisit(props: &ProviderVisitProps) -> Html {
    let session = use_session();
    let clinician_id = session.clinician.as_ref().map(|c| c.clinician.id.clone());
    // Read from storage once per visit, not on every session refresh.
    let patient_name = use_memo(
        (clinician_id.clone(), props.visit_id.clone()),
        |(clinician_id, visit_id)| {
            storage::load_visits(clinician_id.as_deref()?, now_seconds())
                .into_iter()
                .find(|saved| saved.visit.visit_id == *visit_id)?
                .patient
        },
    );
    if clinician_id.is_none() {
        return html! { <Redirect<Route> to={Route::ProviderSignIn} /> };
    }
    let patient_name = (*patient_name).clone();
    let request = TokenRequest {
        visit_id: Some(props.visit_id.clone()),
        ..TokenRequest::default()
    };
    html! { <VisitEntry {request} as_clinician=true {patient_name} /> }
}
