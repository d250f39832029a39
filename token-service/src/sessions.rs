//! Clinician session tokens: a fresh idle window, never past the session's
//! absolute end. Signing in and refreshing are in `routes/session*.rs`.

use crate::state::AppState;
use crate::tokens::{Claims, SessionExtra};
use api_types::{ClinicianInfo, SessionResponse};

/// A session token valid for the idle window, capped at `max_exp`; also returns its id.
pub fn issue(
    state: &AppState,
    clinician: ClinicianInfo,
    now: u64,
    max_exp: u64,
) -> (SessionResponse, String) {
    let expires_at = (now + state.lifetimes.session_idle).min(max_exp);
    let registered = state
        .sessions
        .registered(&clinician.id, now, now, expires_at);
    let token_id = registered.jti.clone();
    let token = state.sessions.sign(&Claims {
        registered,
        extra: SessionExtra { max_exp },
    });
    let response = SessionResponse {
        token,
        expires_at,
        absolute_expires_at: max_exp,
        clinician,
    };
    (response, token_id)
}
