//! Who is calling: the clinician session in `Authorization: Bearer …`.

use crate::error::json_response_error;
use crate::rate_limit::client_ip;
use crate::state::AppState;
use crate::tokens::{Claims, SessionExtra, TokenError};
use actix_web::http::StatusCode;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use api_types::ErrorCode;
use std::future::{ready, Ready};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Please sign in.")]
    Missing,
    #[error("Your session has ended. Please sign in again.")]
    Expired,
    #[error("Your session is not valid. Please sign in again.")]
    Invalid,
    #[error("A visit link cannot be used for this.")]
    InviteNotAllowed,
}

impl AuthError {
    fn status(&self) -> StatusCode {
        match self {
            AuthError::InviteNotAllowed => StatusCode::FORBIDDEN,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AuthError::Missing => ErrorCode::Unauthenticated,
            AuthError::Expired => ErrorCode::SessionExpired,
            AuthError::Invalid => ErrorCode::InvalidSession,
            AuthError::InviteNotAllowed => ErrorCode::Forbidden,
        }
    }
}

json_response_error!(AuthError);

/// A verified clinician session.
#[derive(Debug, Clone)]
pub struct ClinicianSession(pub Claims<SessionExtra>);

impl ClinicianSession {
    pub fn clinician_id(&self) -> &str {
        &self.0.registered.sub
    }

    /// Reads and checks the bearer token. A valid invite presented here is a
    /// patient or guest reaching for clinician rights: 403, not 401.
    pub fn from_request_parts(req: &HttpRequest, state: &AppState) -> Result<Self, AuthError> {
        let token = bearer(req).ok_or(AuthError::Missing)?;
        match state.sessions.verify::<SessionExtra>(token) {
            Ok(claims)
                if claims.extra.max_exp + crate::tokens::LEEWAY_SECONDS >= crate::tokens::now() =>
            {
                Ok(ClinicianSession(claims))
            }
            Ok(_) | Err(TokenError::Expired) => Err(AuthError::Expired),
            Err(_)
                if state
                    .invites
                    .verify::<crate::tokens::InviteExtra>(token)
                    .is_ok() =>
            {
                Err(AuthError::InviteNotAllowed)
            }
            Err(_) => Err(AuthError::Invalid),
        }
    }
}

/// The token in `Authorization: Bearer <token>`, if there is one.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

impl FromRequest for ClinicianSession {
    type Error = AuthError;
    type Future = Ready<Result<Self, AuthError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req
            .app_data::<web::Data<AppState>>()
            .expect("AppState is registered in configure()");
        let result = Self::from_request_parts(req, state);
        if let Err(err) = &result {
            crate::audit::refused(err.code(), None, client_ip(req, &state.trusted_proxies));
        }
        ready(result)
    }
}
