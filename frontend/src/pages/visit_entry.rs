//! Where a patient's or guest's visit link lands: the invite is checked by
//! asking for a video token, so a bad link is explained before anything else.

use crate::context::use_session;
use crate::messages::InviteProblem;
use api_types::{Role, TokenRequest, TokenResponse};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub invite: String,
    pub role: Role,
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
    {
        let entry = entry.clone();
        use_effect_with(props.invite.clone(), move |invite| {
            let request = TokenRequest {
                invite: Some(invite.clone()),
                visit_id: None,
            };
            yew::platform::spawn_local(async move {
                entry.set(match session.api.video_token(&request, None).await {
                    Ok(token) => Entry::Ready(token),
                    Err(err) => Entry::Problem(InviteProblem::from_error(&err)),
                });
            });
        });
    }
    let heading = match props.role {
        Role::Guest => "Joining a video visit",
        _ => "Your video visit",
    };
    let body = match &*entry {
        Entry::Checking => html! { <p aria-busy="true">{ "Checking your visit link…" }</p> },
        Entry::Problem(problem) => html! {
            <div role="alert" class="problem">
                <h2>{ problem.title() }</h2>
                <p>{ problem.advice() }</p>
            </div>
        },
        Entry::Ready(_) => html! {
            <p class="ready">{ "Your visit link works. Before you join we will check your camera and microphone. Then you wait in a quiet waiting room until your clinician arrives." }</p>
        },
    };
    html! {
        <main class="page">
            <section class="card">
                <h1>{ heading }</h1>
                { body }
            </section>
        </main>
    }
}
