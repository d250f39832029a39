//! `POST /api/token`: a video token for one visit's room, from an invite or
//! from a clinician session plus the visit id.

use crate::auth::{bearer, AuthError, ClinicianSession};
use crate::error::json_response_error;
use crate::ids::{device_tag, identity, random_id, room_name};
use crate::rate_limit::client_ip;
use crate::rooms::{JoinError, Seat};
use crate::settings::{VideoSettings, MAX_TTL_SECONDS};
use crate::startup::AppState;
use crate::tokens::{now, Claims, TokenError};
use crate::visits::InviteExtra;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use api_types::{Role, TokenRequest, TokenResponse, VideoMode, MAX_DEVICE_CHARS};
use serde::{Deserialize, Serialize};

/// A built-in room token says which room and role (`sub` = identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomExtra {
    pub room: String,
    pub role: Role,
    /// A patient's device tag: only that device may replace the patient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VideoTokenError {
    #[error("Send either an invite, or a visit id with a clinician session.")]
    NeedInviteOrVisit,
    #[error("This visit link has expired. Please ask your clinic for a new one.")]
    InviteExpired,
    #[error("This visit link is not active yet. Please open it closer to your appointment time.")]
    InviteNotYetValid,
    #[error("This visit link is not valid. Please check it, or ask your clinic for a new one.")]
    InviteInvalid,
    #[error("This visit link is for a different visit.")]
    WrongVisit,
    #[error("This visit belongs to another clinician.")]
    NotYourVisit,
    #[error("Notice participants exist only for Twilio rooms; built-in rooms get notices from the service.")]
    NoticeUnavailable,
    #[error("This visit has ended. If you still need your clinician, please contact your clinic.")]
    VisitEnded,
    #[error("This visit is open on another device. Please close it there, then try again.")]
    PatientElsewhere,
    #[error("This visit already has as many interpreters and relatives as it allows.")]
    GuestsFull,
    #[error("{0}")]
    Auth(#[from] AuthError),
}

impl VideoTokenError {
    fn status(&self) -> StatusCode {
        match self {
            VideoTokenError::NeedInviteOrVisit | VideoTokenError::NoticeUnavailable => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            VideoTokenError::InviteExpired
            | VideoTokenError::InviteNotYetValid
            | VideoTokenError::InviteInvalid => StatusCode::UNAUTHORIZED,
            VideoTokenError::WrongVisit | VideoTokenError::NotYourVisit => StatusCode::FORBIDDEN,
            VideoTokenError::VisitEnded => StatusCode::GONE,
            VideoTokenError::PatientElsewhere | VideoTokenError::GuestsFull => StatusCode::CONFLICT,
            VideoTokenError::Auth(err) => actix_web::ResponseError::status_code(err),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            VideoTokenError::NeedInviteOrVisit => "invite_or_visit_required",
            VideoTokenError::InviteExpired => "invite_expired",
            VideoTokenError::InviteNotYetValid => "invite_not_yet_valid",
            VideoTokenError::InviteInvalid => "invite_invalid",
            VideoTokenError::WrongVisit => "wrong_visit",
            VideoTokenError::NotYourVisit => "not_your_visit",
            VideoTokenError::NoticeUnavailable => "notice_unavailable",
            VideoTokenError::VisitEnded => "visit_ended",
            VideoTokenError::PatientElsewhere => "patient_elsewhere",
            VideoTokenError::GuestsFull => "guests_full",
            VideoTokenError::Auth(err) => err.code(),
        }
    }
}

json_response_error!(VideoTokenError);

impl From<TokenError> for VideoTokenError {
    fn from(err: TokenError) -> Self {
        match err {
            TokenError::Expired => VideoTokenError::InviteExpired,
            TokenError::NotYetValid => VideoTokenError::InviteNotYetValid,
            _ => VideoTokenError::InviteInvalid,
        }
    }
}

/// A notice participant's token lives this long: enough to deliver one notice.
const NOTICE_SECONDS: u64 = 120;

/// Who is entering which visit's room, and until when at the latest.
struct Admission {
    visit_id: String,
    role: Role,
    identity: String,
    /// A patient's device tag (see [`device_tag`]).
    device: Option<String>,
    not_after: u64,
}

fn admit_invite(
    state: &AppState,
    invite: &str,
    visit_id: Option<&str>,
    device: Option<&str>,
) -> Result<Admission, VideoTokenError> {
    let claims: Claims<InviteExtra> = state.invites.verify(invite)?;
    let visit = claims.registered.sub;
    if visit_id.is_some_and(|asked| asked != visit) {
        return Err(VideoTokenError::WrongVisit);
    }
    let (identity, device) = match claims.extra.role {
        Role::Patient => {
            // A request without a usable secret is a device of its own.
            let secret = device
                .filter(|d| !d.is_empty() && d.len() <= MAX_DEVICE_CHARS)
                .map_or_else(random_id, str::to_owned);
            let tag = device_tag(&claims.registered.jti, &secret);
            let patient = identity(Role::Patient, &claims.registered.jti);
            match state.video {
                // One identity per invite: another tab takes the place over,
                // and the room keeps other devices out.
                VideoSettings::Local => (patient, Some(tag)),
                // Twilio replaces any same identity (53205), so each device
                // gets its own, and the service checks who is in the room.
                VideoSettings::Twilio(_) => (format!("{patient}.{tag}"), Some(tag)),
            }
        }
        Role::Guest => (identity(Role::Guest, &random_id()), None),
        Role::Provider => return Err(VideoTokenError::InviteInvalid),
    };
    Ok(Admission {
        visit_id: visit,
        role: claims.extra.role,
        identity,
        device,
        not_after: claims.registered.exp,
    })
}

/// Why the room keeps this newcomer out, if it does: a patient's link on
/// another device while the patient is there (a copied link must not push
/// the patient out), or one guest too many.
async fn kept_out(state: &AppState, admission: &Admission, room: &str) -> Option<VideoTokenError> {
    if admission.role == Role::Provider {
        return None;
    }
    if let Some(signalling) = &state.signalling {
        let seat = Seat {
            identity: &admission.identity,
            role: admission.role,
            device: admission.device.as_deref(),
        };
        // The socket checks again as it joins; a full service is said there.
        return match signalling.refusal(room, &seat)? {
            JoinError::OpenElsewhere => Some(VideoTokenError::PatientElsewhere),
            JoinError::GuestsFull => Some(VideoTokenError::GuestsFull),
            JoinError::RoomFull | JoinError::ServiceFull => None,
        };
    }
    let rest = state.twilio_rest.as_ref()?;
    match rest.identities_in(room).await {
        Ok(present) => twilio_refusal(admission, &present, state.guests_per_room),
        Err(err) => {
            // Twilio's own rules still hold; only these checks are skipped.
            tracing::warn!(error = %err, "Twilio presence for a token failed");
            None
        }
    }
}

/// The rules of [`kept_out`] for a Twilio room, from who is in it now.
/// Each patient device is its own identity there (`patient.<invite>.<tag>`).
fn twilio_refusal(
    admission: &Admission,
    present: &[String],
    guests_per_room: usize,
) -> Option<VideoTokenError> {
    match admission.role {
        Role::Patient => {
            let (patient, _) = admission.identity.rsplit_once('.')?;
            present
                .iter()
                .any(|other| {
                    other != &admission.identity
                        && other
                            .strip_prefix(patient)
                            .is_some_and(|tag| tag.starts_with('.'))
                })
                .then_some(VideoTokenError::PatientElsewhere)
        }
        Role::Guest => {
            let guests = present
                .iter()
                .filter(|other| Role::from_identity(other) == Some(Role::Guest))
                .count();
            (guests >= guests_per_room).then_some(VideoTokenError::GuestsFull)
        }
        Role::Provider => None,
    }
}

fn admit_clinician(
    state: &AppState,
    req: &HttpRequest,
    visit_id: &str,
) -> Result<Admission, VideoTokenError> {
    let session = ClinicianSession::from_request_parts(req, state)?;
    if !state
        .visit_ids
        .is_owned_by(visit_id, session.clinician_id())
    {
        return Err(VideoTokenError::NotYourVisit);
    }
    Ok(Admission {
        visit_id: visit_id.to_owned(),
        role: Role::Provider,
        identity: identity(Role::Provider, session.clinician_id()),
        device: None,
        not_after: match state.video {
            // Ends with the session's idle window; the call renews it over
            // the socket while the clinician's app keeps the session alive.
            VideoSettings::Local => session.0.registered.exp,
            // The SDK cannot take a new token mid-call and re-presents the
            // old one on every reconnect (20104 once expired), so a Twilio
            // token must last the visit: up to the session's absolute end.
            VideoSettings::Twilio(_) => session.0.extra.max_exp,
        },
    })
}

pub async fn mint(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<TokenRequest>,
) -> Result<HttpResponse, VideoTokenError> {
    let client = client_ip(&req, &state.trusted_proxies);
    let TokenRequest {
        invite,
        visit_id,
        notice,
        device,
    } = body.into_inner();
    let admission = match (invite.as_deref(), visit_id.as_deref()) {
        (Some(_), _) | (None, None) if notice => Err(VideoTokenError::NeedInviteOrVisit),
        (None, Some(_)) if notice && state.video.mode() == VideoMode::Local => {
            Err(VideoTokenError::NoticeUnavailable)
        }
        (None, Some(visit_id)) if notice && bearer(&req).is_some() => {
            admit_clinician(&state, &req, visit_id).map(|clinician| Admission {
                identity: format!("notice.{}", random_id()),
                not_after: now() + NOTICE_SECONDS,
                ..clinician
            })
        }
        (Some(invite), asked) => admit_invite(&state, invite, asked, device.as_deref()),
        (None, Some(visit_id)) if bearer(&req).is_some() => admit_clinician(&state, &req, visit_id),
        (None, Some(_)) => Err(VideoTokenError::Auth(AuthError::Missing)),
        (None, None) => Err(VideoTokenError::NeedInviteOrVisit),
    }
    .and_then(|admission| {
        let ended = state.ended.is_ended(&room_name(&admission.visit_id), now());
        if ended {
            Err(VideoTokenError::VisitEnded)
        } else {
            Ok(admission)
        }
    })
    .inspect_err(|err| crate::audit::refused(err.code(), visit_id.as_deref(), client))?;
    let room = room_name(&admission.visit_id);
    if let Some(refused) = kept_out(&state, &admission, &room).await {
        crate::audit::refused(refused.code(), Some(&admission.visit_id), client);
        return Err(refused);
    }

    let now = now();
    let ttl = admission
        .not_after
        .saturating_sub(now)
        .clamp(60, MAX_TTL_SECONDS);
    let (token, token_id, ice_servers) = match &state.video {
        VideoSettings::Twilio(credentials) => {
            let token =
                crate::twilio::access_token(credentials, &admission.identity, &room, now, ttl);
            (token, format!("{}-{now}", credentials.api_key), Vec::new())
        }
        VideoSettings::Local => {
            let registered = state
                .rooms
                .registered(&admission.identity, now, now, now + ttl);
            let token_id = registered.jti.clone();
            let extra = RoomExtra {
                room: room.clone(),
                role: admission.role,
                device: admission.device.clone(),
            };
            let ice = crate::ice::ice_servers(&state.ice, &admission.identity, now + ttl);
            (
                state.rooms.sign(&Claims { registered, extra }),
                token_id,
                ice,
            )
        }
    };
    crate::audit::minted(
        "video_token",
        admission.role,
        Some(&admission.visit_id),
        &token_id,
        client,
    );
    Ok(HttpResponse::Ok().json(TokenResponse {
        token,
        backend: state.video.mode(),
        room,
        identity: admission.identity,
        role: admission.role,
        expires_at: now + ttl,
        ice_servers,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admission(role: Role, identity: &str) -> Admission {
        Admission {
            visit_id: "v".into(),
            role,
            identity: identity.into(),
            device: None,
            not_after: 0,
        }
    }

    fn present(identities: &[&str]) -> Vec<String> {
        identities.iter().map(|&i| i.to_owned()).collect()
    }

    #[test]
    fn a_twilio_room_keeps_the_patients_place_and_caps_guests() {
        let phone = admission(Role::Patient, "patient.inv.phone");
        let laptop = admission(Role::Patient, "patient.inv.laptop");
        let here = present(&["patient.inv.phone", "provider.c", "guest.a", "guest.b"]);
        assert_eq!(twilio_refusal(&phone, &here, 3), None, "its own tab");
        assert_eq!(
            twilio_refusal(&laptop, &here, 3),
            Some(VideoTokenError::PatientElsewhere)
        );
        let other_visit = present(&["patient.invoice.phone", "patient.in.phone"]);
        assert_eq!(twilio_refusal(&laptop, &other_visit, 3), None);

        let guest = admission(Role::Guest, "guest.c");
        assert_eq!(twilio_refusal(&guest, &here, 3), None);
        assert_eq!(
            twilio_refusal(&guest, &here, 2),
            Some(VideoTokenError::GuestsFull)
        );
        let clinician = admission(Role::Provider, "provider.d");
        assert_eq!(twilio_refusal(&clinician, &here, 0), None);
    }
}
