//! `POST /api/session`: a clinician signs in.

use crate::rate_limit::client_ip;
use crate::sessions::issue;
use crate::state::AppState;
use crate::tokens::now;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use api_types::{ErrorCode, SessionRequest};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown user and wrong password look the same from outside.
    #[error("That username and password do not match an account.")]
    InvalidCredentials,
    /// Every place for a password check is taken.
    #[error("Sign-in is busy. Please try again in a moment.")]
    Busy,
}

impl SignInError {
    fn status(&self) -> StatusCode {
        match self {
            SignInError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            SignInError::Busy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> ErrorCode {
        match self {
            SignInError::InvalidCredentials => ErrorCode::InvalidCredentials,
            SignInError::Busy => ErrorCode::Busy,
        }
    }
}

impl actix_web::ResponseError for SignInError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = crate::error::json_error(self.status(), self.code(), &self.to_string());
        if matches!(self, SignInError::Busy) {
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("1"),
            );
        }
        response
    }
}

/// `POST /api/session`.
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<SessionRequest>,
) -> Result<HttpResponse, SignInError> {
    let client = client_ip(&req, &state.trusted_proxies);
    let SessionRequest { username, password } = body.into_inner();
    let known = state.accounts.info(&username).map(|info| info.id);
    let accounts = state.accounts.clone();
    let place = state
        .password_checks
        .clone()
        .try_acquire_owned()
        .map_err(|_| SignInError::Busy)?;
    // Argon2 takes tens of milliseconds: keep it off the async workers.
    let verified = web::block(move || {
        let verified = accounts.verify(&username, &password);
        drop(place);
        verified
    })
    .await
    .map_err(|_| SignInError::Busy)?;
    let Some(clinician) = verified else {
        crate::audit::refused_sign_in(known.as_deref(), client);
        return Err(SignInError::InvalidCredentials);
    };
    let now = now();
    let response = issue(
        &state,
        clinician,
        now,
        now + state.lifetimes.session_absolute,
    );
    crate::audit::signed_in(&response.0.clinician.id, &response.1, client);
    Ok(HttpResponse::Ok().json(response.0))
}
