//! `POST /api/visits/running-late`: tells the waiting patient, and by SMS.

use crate::auth::ClinicianSession;
use crate::backend::Notified;
use crate::ids::room_name;
use crate::state::AppState;
use crate::visits::{act_on_own, is_e164, late_notice, LiveError, NOTICE_WAIT};
use actix_web::{web, HttpRequest, HttpResponse};
use api_types::{RunningLateRequest, RunningLateResponse, SmsOutcome};

/// `POST /api/visits/running-late`: the waiting patient sees the notice (and
/// gets it by SMS when a number is given). Neither text nor number is logged.
pub async fn running_late(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: ClinicianSession,
    body: web::Json<RunningLateRequest>,
) -> Result<HttpResponse, LiveError> {
    let notice = late_notice(&body)?;
    act_on_own(&state, &req, &session, &body.visit_id, "running_late")?;
    let phone = body
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if phone.is_some_and(|p| !is_e164(p)) {
        return Err(LiveError::InvalidPhone);
    }
    let room = room_name(&body.visit_id);
    let Notified {
        delivered,
        deliver_from_dashboard,
    } = state.backend.notify(&room, &notice, NOTICE_WAIT).await;
    let twilio = state.backend.twilio().map(|(_, rest)| rest);
    let sms = match (phone, twilio, state.sms_from()) {
        (None, _, _) => None,
        (Some(to), Some(twilio), Some(from)) => {
            Some(match twilio.send_sms(from, to, &notice.sms_text()).await {
                Ok(()) => SmsOutcome::Sent,
                Err(err) => {
                    tracing::warn!(error = %err, "SMS through Twilio failed");
                    SmsOutcome::Failed
                }
            })
        }
        (Some(_), _, _) => Some(SmsOutcome::NotSetUp),
    };
    Ok(HttpResponse::Ok().json(RunningLateResponse {
        delivered,
        deliver_from_dashboard,
        sms,
    }))
}
