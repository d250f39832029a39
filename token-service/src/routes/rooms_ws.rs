//! `GET /api/rooms/ws`: a member's signalling socket for a built-in room.
//! The room token rides in the WebSocket subprotocol header, never in the
//! URL, and is checked before the upgrade.

use crate::error::json_response_error;
use crate::rooms::{JoinError, Seat};
use crate::signalling::{self, Member, Signalling, MAX_MESSAGE_BYTES};
use crate::state::AppState;
use crate::tokens::{Claims, RoomExtra, TokenError};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use api_types::{ErrorCode, SIGNALLING_PROTOCOL};

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignallingError {
    #[error("Connect with a room token in the WebSocket subprotocol.")]
    MissingToken,
    #[error("This room token has expired. Please rejoin the visit.")]
    Expired,
    #[error("This room token is not valid.")]
    Invalid,
    #[error("{0}")]
    Join(JoinError),
    #[error("Built-in rooms are off: this service uses Twilio.")]
    NotLocal,
    #[error("This address takes WebSocket connections only.")]
    NotWebSocket,
    #[error("This visit has ended.")]
    VisitEnded,
}

impl SignallingError {
    fn status(&self) -> StatusCode {
        match self {
            SignallingError::MissingToken | SignallingError::Expired | SignallingError::Invalid => {
                StatusCode::UNAUTHORIZED
            }
            SignallingError::Join(JoinError::RoomFull | JoinError::GuestsFull) => {
                StatusCode::CONFLICT
            }
            SignallingError::Join(JoinError::ServiceFull | JoinError::Unavailable) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            SignallingError::Join(JoinError::OpenElsewhere) => StatusCode::CONFLICT,
            SignallingError::NotLocal => StatusCode::NOT_FOUND,
            SignallingError::NotWebSocket => StatusCode::BAD_REQUEST,
            SignallingError::VisitEnded => StatusCode::GONE,
        }
    }

    fn code(&self) -> ErrorCode {
        match self {
            SignallingError::MissingToken => ErrorCode::Unauthenticated,
            SignallingError::Expired => ErrorCode::RoomTokenExpired,
            SignallingError::Invalid => ErrorCode::RoomTokenInvalid,
            SignallingError::Join(JoinError::RoomFull) => ErrorCode::RoomFull,
            SignallingError::Join(JoinError::GuestsFull) => ErrorCode::GuestsFull,
            SignallingError::Join(JoinError::ServiceFull | JoinError::Unavailable) => {
                ErrorCode::Unavailable
            }
            SignallingError::Join(JoinError::OpenElsewhere) => ErrorCode::PatientElsewhere,
            SignallingError::NotLocal => ErrorCode::NotFound,
            SignallingError::NotWebSocket => ErrorCode::WebsocketRequired,
            SignallingError::VisitEnded => ErrorCode::VisitEnded,
        }
    }
}

json_response_error!(SignallingError);

/// The token offered as the second subprotocol: `hearth-signalling, <token>`.
fn offered_token(req: &HttpRequest) -> Option<&str> {
    let offered = req
        .headers()
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?;
    let mut protocols = offered.split(',').map(str::trim);
    if protocols.next()? != SIGNALLING_PROTOCOL {
        return None;
    }
    protocols.next().filter(|token| !token.is_empty())
}

/// `GET /api/rooms/ws`: a built-in room's signalling socket.
pub async fn connect(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, SignallingError> {
    let client = crate::rate_limit::client_ip(&req, &state.trusted_proxies);
    let admitted = admit(&state, &req)
        .await
        .inspect_err(|err| crate::audit::refused(err.code(), None, client))?;
    let (claims, signalling) = admitted;
    let (response, session, stream) =
        actix_ws::handle_with_protocols(&req, body, &[SIGNALLING_PROTOCOL])
            .map_err(|_| SignallingError::NotWebSocket)?;
    let stream = stream
        .max_frame_size(MAX_MESSAGE_BYTES)
        .aggregate_continuations()
        .max_continuation_size(MAX_MESSAGE_BYTES);
    let member = Member {
        room: claims.extra.room,
        identity: claims.registered.sub,
        role: claims.extra.role,
        device: claims.extra.device,
        connection: signalling.next_connection(),
        expires_at: claims.registered.exp,
    };
    actix_web::rt::spawn(signalling::run(state.into_inner(), member, session, stream));
    Ok(response)
}

async fn admit<'a>(
    state: &'a AppState,
    req: &HttpRequest,
) -> Result<(Claims<RoomExtra>, &'a Signalling), SignallingError> {
    let signalling = state.backend.built_in().ok_or(SignallingError::NotLocal)?;
    let token = offered_token(req).ok_or(SignallingError::MissingToken)?;
    let claims: Claims<RoomExtra> = state.rooms.verify(token).map_err(|err| match err {
        TokenError::Expired => SignallingError::Expired,
        _ => SignallingError::Invalid,
    })?;
    let ended = state
        .ended
        .is_ended(&claims.extra.room, crate::tokens::now())
        .await
        .map_err(|_| SignallingError::Join(JoinError::Unavailable))?;
    if ended {
        return Err(SignallingError::VisitEnded);
    }
    let seat = Seat {
        identity: &claims.registered.sub,
        role: claims.extra.role,
        device: claims.extra.device.as_deref(),
    };
    match signalling.admits(&claims.extra.room, &seat).await {
        // Kept out after the upgrade, so the browser reads why in the close code.
        Ok(()) | Err(JoinError::OpenElsewhere) => Ok((claims, signalling)),
        Err(err) => Err(SignallingError::Join(err)),
    }
}
