//! "Running late": the clinician tells a waiting patient, in the waiting
//! room and optionally by SMS, without joining the call.

use crate::components::input_value;
use crate::context::use_session;
use crate::hooks::use_locale;
use crate::i18n::Locale;
use crate::services::api::Api;
use crate::video::twilio;
use api_types::{
    ErrorCode, LateNotice, RunningLateRequest, RunningLateResponse, SmsOutcome, TokenRequest,
    LATE_MINUTES, MAX_NOTE_CHARS,
};
use yew::prelude::*;

/// What happened, in words for the clinician (pure).
pub fn outcome_text(t: &Locale, outcome: &RunningLateResponse) -> String {
    let room = t.t(if outcome.delivered {
        "clinic.late.delivered"
    } else {
        "clinic.late.not_delivered"
    });
    let sms = outcome.sms.map(|sms| {
        t.t(match sms {
            SmsOutcome::Sent => "clinic.late.sms_sent",
            SmsOutcome::Failed => "clinic.late.sms_failed",
            SmsOutcome::NotSetUp => "clinic.late.sms_not_set_up",
        })
    });
    [Some(room), sms]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
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
    let (Ok(token), Some(notice)) = (
        api.video_token(&ask, Some(session)).await,
        LateNotice::new(request.minutes, request.note.as_deref()),
    ) else {
        return false;
    };
    twilio::deliver_notice(&token, emulator, notice).await
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub visit_id: String,
}

#[component]
pub fn RunningLate(props: &Props) -> Html {
    let session = use_session();
    let t = use_locale();
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
        let (visit_id, t) = (props.visit_id.clone(), t.clone());
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
            let (api, result, busy, t) =
                (session.api.clone(), result.clone(), busy.clone(), t.clone());
            let emulator = session.config.test_twilio_signalling_url.clone();
            busy.set(true);
            result.set(Some(t.t("clinic.late.sending").to_owned()));
            yew::platform::spawn_local(async move {
                let said = match api.running_late(&token, &request).await {
                    Ok(mut outcome) => {
                        if outcome.deliver_from_dashboard {
                            result.set(Some(t.t("clinic.late.delivering").to_owned()));
                            outcome.delivered =
                                deliver_in_room(&api, emulator, &token, &request).await;
                        }
                        outcome_text(&t, &outcome)
                    }
                    Err(err) if err.code() == Some(ErrorCode::InvalidPhone) => {
                        t.t("clinic.late.bad_phone").to_owned()
                    }
                    Err(err) if err.code() == Some(ErrorCode::InvalidNotice) => {
                        t.t("clinic.late.bad_notice").to_owned()
                    }
                    Err(_) => t.t("clinic.late.failed").to_owned(),
                };
                result.set(Some(said));
                busy.set(false);
            });
        })
    };
    html! {
        <details class="running-late">
            <summary>{ t.html("clinic.late.title") }</summary>
            <form class="stack" {onsubmit}>
                <fieldset>
                    <legend>{ t.html("clinic.late.how_late") }</legend>
                    { for LATE_MINUTES.iter().map(|&m| {
                        let minutes = minutes.clone();
                        html! {
                            <label class="choice">
                                <input type="radio" name={id("late")} value={m.to_string()} checked={*minutes == Some(m)}
                                    onchange={Callback::from(move |_: Event| minutes.set(Some(m)))} />
                                { t.fill("clinic.late.minutes", &[("count", &m.to_string())]) }
                            </label>
                        }
                    }) }
                </fieldset>
                <label for={id("note")}>{ t.html("clinic.late.note") }</label>
                <input id={id("note")} class="note-text" ref={note} maxlength={MAX_NOTE_CHARS.to_string()} />
                <label for={id("phone")}>{ t.html("clinic.late.phone") }</label>
                <input id={id("phone")} class="phone" ref={phone} type="tel" placeholder="+14155550123" autocomplete="off" />
                <button type="submit" class="send-late" disabled={*busy}>{ t.html("clinic.late.send") }</button>
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
        let t = Locale::clinic_english();
        let said = outcome_text(
            &t,
            &RunningLateResponse {
                delivered: true,
                deliver_from_dashboard: false,
                sms: Some(SmsOutcome::NotSetUp),
            },
        );
        assert!(said.starts_with("Delivered") && said.contains("not set up"));
        assert!(outcome_text(
            &t,
            &RunningLateResponse {
                delivered: false,
                deliver_from_dashboard: false,
                sms: None
            }
        )
        .starts_with("Not delivered"));
    }
}
