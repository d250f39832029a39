//! "End visit for everyone": final for the patient and any guests, who are
//! told why.

use crate::context::use_session;
use crate::hooks::use_locale;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EndVisitProps {
    pub visit_id: String,
    pub onended: Callback<()>,
}

/// Ends the visit for the patient and any guests, who are told why.
#[component]
pub fn EndVisit(props: &EndVisitProps) -> Html {
    let session = use_session();
    let t = use_locale();
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
                    Err(_) => outcome.set(Some("clinic.end.failed")),
                }
            });
        })
    };
    html! {
        <>
            <button class="secondary end" {onclick}>{ t.html("clinic.end.end") }</button>
            <span role="status">{ outcome.map(|key| t.t(key)).unwrap_or_default() }</span>
        </>
    }
}
