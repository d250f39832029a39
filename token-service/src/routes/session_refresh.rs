//! `POST /api/session/refresh`: a clinician's app keeps the session alive.

use crate::auth::{AuthError, ClinicianSession};
use crate::rate_limit::client_ip;
use crate::sessions::issue;
use crate::state::AppState;
use crate::tokens::now;
use actix_web::{web, HttpRequest, HttpResponse};
use api_types::Role;

/// `POST /api/session/refresh`: a fresh idle window, never past the absolute end.
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: ClinicianSession,
) -> Result<HttpResponse, AuthError> {
    let Some(clinician) = state.accounts.info(session.clinician_id()) else {
        return Err(AuthError::Invalid);
    };
    let (response, token_id) = issue(&state, clinician, now(), session.0.extra.max_exp);
    crate::audit::minted(
        "session_refreshed",
        Role::Provider,
        None,
        &token_id,
        client_ip(&req, &state.trusted_proxies),
    );
    Ok(HttpResponse::Ok().json(response))
}
