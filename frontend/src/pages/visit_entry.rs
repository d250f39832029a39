//! Where a visit link lands: the invite (or, for a clinician, the session and
//! visit id) is exchanged for a video token first, so a bad link is explained
//! before anything else.

use crate::context::use_session;
use crate::hooks::use_locale;
use crate::messages::InviteProblem;
use crate::pages::visit::Visit;
use crate::services::timers::before_expiry;
use api_types::{TokenRequest, TokenResponse};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub request: TokenRequest,
    /// A clinician's visit: the request goes with their session, and the
    /// token, which ends with the session's idle window, is renewed before
    /// it runs out.
    #[prop_or_default]
    pub as_clinician: bool,
    /// For a clinician: the patient's name from their own list.
    #[prop_or_default]
    pub patient_name: Option<String>,
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
    let t = use_locale();
    let entry = use_state(|| Entry::Checking);
    // Bumped by Rejoin: a fresh token, and a fresh visit page with it.
    let attempt = use_state(|| 0_u32);
    // Read when a request goes out: a session refreshed mid-call must not
    // restart the visit.
    let bearer = use_mut_ref(|| None::<String>);
    *bearer.borrow_mut() = session
        .clinician
        .as_ref()
        .filter(|_| props.as_clinician)
        .map(|c| c.token.clone());
    let mint = {
        let (api, request) = (session.api.clone(), props.request.clone());
        move || {
            let (api, request, bearer) = (api.clone(), request.clone(), bearer.borrow().clone());
            async move { api.video_token(&request, bearer.as_deref()).await }
        }
    };
    {
        let (entry, mint) = (entry.clone(), mint.clone());
        use_effect_with((props.request.clone(), *attempt), move |_| {
            entry.set(Entry::Checking);
            yew::platform::spawn_local(async move {
                entry.set(match mint().await {
                    Ok(token) => Entry::Ready(token),
                    Err(err) => Entry::Problem(InviteProblem::from_error(&err)),
                });
            });
        });
    }
    {
        let entry = entry.clone();
        let renew_by = match &*entry {
            Entry::Ready(token) if props.as_clinician => Some(token.expires_at),
            _ => None,
        };
        use_effect_with(renew_by, move |renew_by| {
            let renewal = renew_by.map(|expires_at| {
                before_expiry(expires_at, async move {
                    // If renewing fails, the call goes on until the token
                    // ends, and the room then says why.
                    if let Ok(token) = mint().await {
                        entry.set(Entry::Ready(token));
                    }
                })
            });
            move || renewal.into_iter().for_each(|cancel| cancel())
        });
    }
    match &*entry {
        Entry::Ready(token) => {
            let key = *attempt;
            let onrejoin = Callback::from(move |()| attempt.set(key + 1));
            let patient_name = props.patient_name.clone();
            html! { <Visit {key} token={token.clone()} {onrejoin} {patient_name} /> }
        }
        Entry::Checking => html! {
            <main class="page"><section class="card">
                <h1>{ t.html("entry.title") }</h1>
                <p aria-busy="true">{ t.html("entry.checking") }</p>
            </section></main>
        },
        Entry::Problem(problem) => html! {
            <main class="page"><section class="card">
                <h1>{ t.html("entry.title") }</h1>
                <div role="alert" class="problem">
                    <h2>{ problem.title(&t) }</h2>
                    <p>{ problem.advice(&t) }</p>
                </div>
            </section></main>
        },
    }
}
