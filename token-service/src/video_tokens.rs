//! `POST /api/token`: a video token for one visit's room, from an invite or
//! from a clinician session plus the visit id.

use crate::auth::{bearer, AuthError, ClinicianSession};
use crate::error::json_response_error;
use crate::ids::{identity, random_id, room_name};
use crate::rate_limit::client_ip;
use crate::settings::{VideoSettings, MAX_TTL_SECONDS};
use crate::startup::AppState;
use crate::tokens::{now, Claims, TokenError};
use crate::visits::InviteExtra;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use api_types::{Role, TokenRequest, TokenResponse, VideoMode};
use serde::{Deserialize, Serialize};

/// A built-in room token says which room and role (`sub` = identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomExtra {
    pub room: String,
    pub role: Role,
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
    not_after: u64,
}

fn admit_invite(
    state: &AppState,
    invite: &str,
    visit_id: Option<&str>,
) -> Result<Admission, VideoTokenError> {
    let claims: Claims<InviteExtra> = state.invites.verify(invite)?;
    let visit = claims.registered.sub;
    if visit_id.is_some_and(|asked| asked != visit) {
        return Err(VideoTokenError::WrongVisit);
    }
    let identity = match claims.extra.role {
        // One patient per invite: the same identity on every device, so a
        // second tab replaces the first instead of doubling the patient.
        Role::Patient => identity(Role::Patient, &claims.registered.jti),
        Role::Guest => identity(Role::Guest, &random_id()),
        Role::Provider => return Err(VideoTokenError::InviteInvalid),
    };
    Ok(Admission {
        visit_id: visit,
        role: claims.extra.role,
        identity,
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
        not_after: session.0.extra.max_exp,
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
        (Some(invite), asked) => admit_invite(&state, invite, asked),
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

    let now = now();
    let ttl = admission
        .not_after
        .saturating_sub(now)
        .clamp(60, MAX_TTL_SECONDS);
    let room = room_name(&admission.visit_id);
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
