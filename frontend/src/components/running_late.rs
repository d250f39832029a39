//! "Running late": the clinician tells a waiting patient, in the waiting
//! room and optionally by SMS, without joining the call.

use crate::components::input_value;
use crate::context::use_session;
use crate::services::api::Api;
use crate::video::twilio;
use api_types::{
    running_late_text, ErrorCode, RunningLateRequest, RunningLateResponse, SmsOutcome,
    TokenRequest, LATE_MINUTES, MAX_NOTE_CHARS,
};
use yew::prelude::*;

/// What happened, in words for the clinician (pure).
pub fn outcome_text(outcome: &RunningLateResponse) -> String {
    let room = if outcome.delivered {
        "Delivered: your patient saw it in the waiting room."
    } else {
        "Not delivered: no patient is in the waiting room."
    };
    let sms = match outcome.sms {
        None => "",
        Some(SmsOutcome::Sent) => " Text message sent.",
        Some(SmsOutcome::Failed) => " The text message could not be sent.",
        Some(SmsOutcome::NotSetUp) => " Text messages are not set up for this clinic.",
    };
    format!("{room}{sms}")
}

/// Twilio mode: this browser joins the room as a short-lived data-only
/// participant to say it; true once the patient's browser confirms.
async fn deliver_in_room(
    api: &Api,
    emulator: Option<String>,
    session: &str,
    request: &RunningLateRequest,
) -> bool {
    let ask = TokenRequest {
        visit_id: Some(request.visit_id.clone()),
        notice: true,
        ..TokenRequest::default()
    };
    let (Ok(token), Some(text)) = (
        api.video_token(&ask, Some(session)).await,
        running_late_text(request.minutes, request.note.as_deref()),
    ) else {
        return false;
    };
    twilio::deliver_notice(&token, emulator, text).await
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub visit_id: String,
}

#[component]
pub fn RunningLate(props: &Props) -> Html {
    let session = use_session();
    let minutes = use_state(|| Some(LATE_MINUTES[0]));
    let (note, phone) = (use_node_ref(), use_node_ref());
    let result = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let id = |field: &str| format!("{field}-{}", props.visit_id);
    let onsubmit = {
        let (minutes, note, phone, result, busy) = (
            minutes.clone(),
            note.clone(),
            phone.clone(),
            result.clone(),
            busy.clone(),
        );
        let visit_id = props.visit_id.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(token) = session.clinician.as_ref().map(|c| c.token.clone()) else {
                return;
            };
            let request = RunningLateRequest {
                visit_id: visit_id.clone(),
                minutes: *minutes,
                note: Some(input_value(&note)).filter(|n| !n.trim().is_empty()),
                phone: Some(input_value(&phone)).filter(|p| !p.trim().is_empty()),
            };
            let (api, result, busy) = (session.api.clone(), result.clone(), busy.clone());
            let emulator = session.config.test_twilio_signalling_url.clone();
            busy.set(true);
            result.set(Some("Sending…".to_owned()));
            yew::platform::spawn_local(async move {
                let said = match api.running_late(&token, &request).await {
                    Ok(mut outcome) => {
                        if outcome.deliver_from_dashboard {
                            result.set(Some("Delivering to the waiting room…".to_owned()));
                            outcome.delivered =
                                deliver_in_room(&api, emulator, &token, &request).await;
                        }
                        outcome_text(&outcome)
                    }
                    Err(err) if err.code() == Some(ErrorCode::InvalidPhone) => {
                        "Enter the phone number with + and the country code, like +14155550123."
                            .to_owned()
                    }
                    Err(err) if err.code() == Some(ErrorCode::InvalidNotice) => {
                        "Choose how late you are, or write a message of 280 characters or fewer."
                            .to_owned()
                    }
                    Err(_) => "Could not send it. Please try again.".to_owned(),
                };
                result.set(Some(said));
                busy.set(false);
            });
        })
    };
    html! {
        <details class="running-late">
            <summary>{ "Running late? Tell your patient" }</summary>
            <form class="stack" {onsubmit}>
                <fieldset>
                    <legend>{ "How late" }</legend>
                    { for LATE_MINUTES.iter().map(|&m| {
                        let minutes = minutes.clone();
                        html! {
                            <label class="choice">
                                <input type="radio" name={id("late")} value={m.to_string()} checked={*minutes == Some(m)}
                                    onchange={Callback::from(move |_: Event| minutes.set(Some(m)))} />
                                { format!("{m} minutes") }
                            </label>
                        }
                    }) }
                </fieldset>
                <label for={id("note")}>{ "Message (optional)" }</label>
                <input id={id("note")} class="note-text" ref={note} maxlength={MAX_NOTE_CHARS.to_string()} />
                <label for={id("phone")}>{ "Also text it to (optional, not stored)" }</label>
                <input id={id("phone")} class="phone" ref={phone} type="tel" placeholder="+14155550123" autocomplete="off" />
                <button type="submit" class="send-late" disabled={*busy}>{ "Send" }</button>
                <p class="late-result" role="status">{ (*result).clone().unwrap_or_default() }</p>
            </form>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clinician_is_told_whether_it_arrived() {
        let said = outcome_text(&RunningLateResponse {
            delivered: true,
            deliver_from_dashboard: false,
            sms: Some(SmsOutcome::NotSetUp),
        });
        assert!(said.starts_with("Delivered") && said.contains("not set up"));
        assert!(outcome_text(&RunningLateResponse {
            delivered: false,
            deliver_from_dashboard: false,
            sms: None
        })
        .starts_with("Not delivered"));
    }
}
