//! `#/provider/visit/<id>`: the clinician joining one of their visits, with
//! their session (the token is renewed while the call lasts).

use crate::context::use_session;
use crate::pages::visit_entry::VisitEntry;
use crate::route::Route;
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
    if session.clinician.is_none() {
        return html! { <Redirect<Route> to={Route::ProviderSignIn} /> };
    }
    let request = TokenRequest {
        visit_id: Some(props.visit_id.clone()),
        ..TokenRequest::default()
    };
    html! { <VisitEntry {request} as_clinician=true /> }
}
