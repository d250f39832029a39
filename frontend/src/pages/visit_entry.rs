//! Where a visit link lands: the invite (or, for a clinician, the session and
//! visit id) is exchanged for a video token first, so a bad link is explained
//! before anything else.

use crate::context::use_session;
use crate::messages::InviteProblem;
use crate::pages::visit::Visit;
use api_types::{TokenRequest, TokenResponse};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub request: TokenRequest,
    /// A clinician's session token, for `visit_id` requests.
    #[prop_or_default]
    pub session: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Checking,
    Ready(TokenResponse),
    Problem(InviteProblem),
}

#[component]
pub fn VisitEntry(props: &Props) -> Html {
    let session = use_session();
    let entry = use_state(|| Entry::Checking);
    // Bumped by Rejoin: a fresh token, and a fresh visit page with it.
    let attempt = use_state(|| 0_u32);
    {
        let entry = entry.clone();
        use_effect_with(
            (props.request.clone(), props.session.clone(), *attempt),
            move |(request, bearer, _)| {
                let (request, bearer) = (request.clone(), bearer.clone());
                entry.set(Entry::Checking);
                yew::platform::spawn_local(async move {
                    entry.set(
                        match session.api.video_token(&request, bearer.as_deref()).await {
                            Ok(token) => Entry::Ready(token),
                            Err(err) => Entry::Problem(InviteProblem::from_error(&err)),
                        },
                    );
                });
            },
        );
    }
    match &*entry {
        Entry::Ready(token) => {
            let key = *attempt;
            let onrejoin = Callback::from(move |()| attempt.set(key + 1));
            html! { <Visit {key} token={token.clone()} {onrejoin} /> }
        }
        Entry::Checking => html! {
            <main class="page"><section class="card">
                <h1>{ "Your video visit" }</h1>
                <p aria-busy="true">{ "Checking your visit link…" }</p>
            </section></main>
        },
        Entry::Problem(problem) => html! {
            <main class="page"><section class="card">
                <h1>{ "Your video visit" }</h1>
                <div role="alert" class="problem">
                    <h2>{ problem.title() }</h2>
                    <p>{ problem.advice() }</p>
                </div>
            </section></main>
        },
    }
}
