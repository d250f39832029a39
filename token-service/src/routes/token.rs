//! `POST /api/token`: a video token for one visit's room, from an invite or
//! from a clinician session plus the visit id.

use crate::auth::{bearer, AuthError, ClinicianSession};
use crate::error::json_response_error;
use crate::ids::{device_tag, identity, random_id, room_name};
use crate::rate_limit::client_ip;
use crate::rooms::{JoinError, Seat};
use crate::settings::MAX_TTL_SECONDS;
use crate::state::AppState;
use crate::tokens::{now, Claims, InviteExtra, TokenError};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use api_types::{ErrorCode, Role, TokenRequest, TokenResponse, VideoMode, MAX_DEVICE_CHARS};

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
    #[error("Video visits are briefly unavailable. Please try again in a moment.")]
    Unavailable,
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
            VideoTokenError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            VideoTokenError::Auth(err) => actix_web::ResponseError::status_code(err),
        }
    }

    fn code(&self) -> ErrorCode {
        match self {
            VideoTokenError::NeedInviteOrVisit => ErrorCode::InviteOrVisitRequired,
            VideoTokenError::InviteExpired => ErrorCode::InviteExpired,
            VideoTokenError::InviteNotYetValid => ErrorCode::InviteNotYetValid,
            VideoTokenError::InviteInvalid => ErrorCode::InviteInvalid,
            VideoTokenError::WrongVisit => ErrorCode::WrongVisit,
            VideoTokenError::NotYourVisit => ErrorCode::NotYourVisit,
            VideoTokenError::NoticeUnavailable => ErrorCode::NoticeUnavailable,
            VideoTokenError::VisitEnded => ErrorCode::VisitEnded,
            VideoTokenError::PatientElsewhere => ErrorCode::PatientElsewhere,
            VideoTokenError::GuestsFull => ErrorCode::GuestsFull,
            VideoTokenError::Unavailable => ErrorCode::Unavailable,
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
            (state.backend.patient_identity(patient, &tag), Some(tag))
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
        not_after: state
            .backend
            .clinician_token_end(session.0.registered.exp, session.0.extra.max_exp),
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
        (None, Some(_)) if notice && state.video_mode() == VideoMode::Local => {
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
    .inspect_err(|err| crate::audit::refused(err.code(), visit_id.as_deref(), client))?;
    let ended = state
        .ended
        .is_ended(&room_name(&admission.visit_id), now())
        .await;
    let refused = match ended {
        Ok(false) => None,
        Ok(true) => Some(VideoTokenError::VisitEnded),
        Err(_) => Some(VideoTokenError::Unavailable),
    };
    if let Some(refused) = refused {
        crate::audit::refused(refused.code(), Some(&admission.visit_id), client);
        return Err(refused);
    }
    let room = room_name(&admission.visit_id);
    let seat = Seat {
        identity: &admission.identity,
        role: admission.role,
        device: admission.device.as_deref(),
    };
    let refused = state
        .backend
        .refusal(&room, &seat, state.guests_per_room)
        .await
        .and_then(|why| match why {
            JoinError::OpenElsewhere => Some(VideoTokenError::PatientElsewhere),
            JoinError::GuestsFull => Some(VideoTokenError::GuestsFull),
            JoinError::Unavailable => Some(VideoTokenError::Unavailable),
            // A full service is said by the socket as it joins.
            JoinError::RoomFull | JoinError::ServiceFull => None,
        });
    if let Some(refused) = refused {
        crate::audit::refused(refused.code(), Some(&admission.visit_id), client);
        return Err(refused);
    }

    let now = now();
    let ttl = admission
        .not_after
        .saturating_sub(now)
        .clamp(60, MAX_TTL_SECONDS);
    let minted = state.backend.mint(&state.rooms, &seat, &room, now, ttl);
    crate::audit::minted(
        "video_token",
        admission.role,
        Some(&admission.visit_id),
        &minted.token_id,
        client,
    );
    Ok(HttpResponse::Ok().json(TokenResponse {
        token: minted.token,
        backend: state.video_mode(),
        room,
        identity: admission.identity,
        role: admission.role,
        expires_at: now + ttl,
        ice_servers: minted.ice_servers,
    }))
}
