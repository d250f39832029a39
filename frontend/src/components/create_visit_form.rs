//! "New visit": the patient's name (kept only in this browser), start
//! and length; the service makes the visit and its two invites.

use crate::components::input_value;
use crate::context::{use_session, SessionAction};
use crate::hooks::use_locale;
use crate::messages;
use crate::services::storage::SavedVisit;
use api_types::{CreateVisitRequest, DEFAULT_VISIT_MINUTES, MAX_VISIT_MINUTES};
use yew::prelude::*;

/// Reads a `datetime-local` value as Unix seconds in the browser's time zone.
fn local_time_to_unix(value: &str) -> Option<u64> {
    if value.is_empty() {
        return None;
    }
    let millis = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value)).get_time();
    (millis.is_finite() && millis > 0.0).then(|| (millis / 1000.0) as u64)
}

#[derive(Properties, PartialEq)]
pub struct CreateVisitFormProps {
    /// A visit was made: it goes to the top of the list.
    pub oncreated: Callback<SavedVisit>,
}

#[component]
pub fn CreateVisitForm(props: &CreateVisitFormProps) -> Html {
    let session = use_session();
    let t = use_locale();
    let name = use_node_ref();
    let starts = use_node_ref();
    let length = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let Some(clinician) = session.clinician.clone() else {
        return Html::default();
    };
    let onsubmit = {
        let (name, starts, length, t) = (name.clone(), starts.clone(), length.clone(), t.clone());
        let (oncreated, error, busy, session) = (
            props.oncreated.clone(),
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
                let max = messages::MAX_PATIENT_NAME_CHARS.to_string();
                error.set(Some(
                    t.fill("clinic.create.name_too_long", &[("max", &max)]),
                ));
                return;
            }
            let request = CreateVisitRequest {
                starts_at: local_time_to_unix(&input_value(&starts)),
                length_minutes: input_value(&length).parse().ok(),
            };
            let (name, oncreated, error, busy, session, token, t) = (
                name.clone(),
                oncreated.clone(),
                error.clone(),
                busy.clone(),
                session.clone(),
                token.clone(),
                t.clone(),
            );
            busy.set(true);
            yew::platform::spawn_local(async move {
                match session.api.create_visit(&token, &request).await {
                    Ok(visit) => {
                        oncreated.emit(SavedVisit {
                            patient: patient_name,
                            visit,
                            ended: false,
                        });
                        error.set(None);
                        // Ready for the next visit, without the last name.
                        if let Some(input) = name.cast::<web_sys::HtmlInputElement>() {
                            input.set_value("");
                        }
                    }
                    Err(err) if err.session_ended() => {
                        session.dispatch(SessionAction::SignedOut);
                    }
                    Err(err) => error.set(Some(messages::create_visit(&t, &err))),
                }
                busy.set(false);
            });
        })
    };
    html! {
        <form class="new-visit" {onsubmit} aria-labelledby="new-visit">
            <h2 id="new-visit" class="visually-hidden">{ t.html("clinic.create.heading") }</h2>
            <div class="field wide">
                <label for="patient-name">{ t.html("clinic.create.name") }</label>
                <input id="patient-name" ref={name} maxlength="100" autocomplete="off" aria-keyshortcuts="n" />
            </div>
            <div class="field">
                <label for="starts-at">{ t.html("clinic.create.starts") }</label>
                <input id="starts-at" ref={starts} type="datetime-local" />
            </div>
            <div class="field">
                <label for="length">{ t.html("clinic.create.minutes") }</label>
                <input id="length" ref={length} type="number" min="1" max={MAX_VISIT_MINUTES.to_string()} value={DEFAULT_VISIT_MINUTES.to_string()} />
            </div>
            <button type="submit" disabled={*busy}>{ t.html("clinic.create.create") }</button>
            <p class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
        </form>
    }
}
