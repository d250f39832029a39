//! The audit trail: one line per sign-in, token minted, visit ended, notice
//! sent and refusal, with the event, the clinician's account id where one
//! acted, role, visit id, token id, client address and (in the log line's
//! timestamp) UTC time. Never patients' names, passwords or tokens. Rate
//! limiting writes at most one line per client and minute.

use api_types::{ErrorCode, Role};
use std::net::IpAddr;

struct Entry<'a> {
    event: &'a str,
    reason: &'a str,
    /// The clinician account that acted or was tried (an opaque id).
    clinician: Option<&'a str>,
    role: Option<Role>,
    visit_id: Option<&'a str>,
    token_id: Option<&'a str>,
    client: Option<IpAddr>,
}

fn record(entry: Entry<'_>) {
    tracing::info!(
        target: "audit",
        event = entry.event,
        reason = entry.reason,
        clinician = entry.clinician.unwrap_or("-"),
        role = entry.role.map(Role::as_str).unwrap_or("-"),
        visit_id = entry.visit_id.unwrap_or("-"),
        token_id = entry.token_id.unwrap_or("-"),
        client = %entry.client.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
        "audit"
    );
}

pub fn signed_in(clinician: &str, token_id: &str, client: Option<IpAddr>) {
    record(Entry {
        event: "sign_in",
        reason: "-",
        clinician: Some(clinician),
        role: Some(Role::Provider),
        visit_id: None,
        token_id: Some(token_id),
        client,
    });
}

/// `kind` names what was minted: `session_refreshed`, `invite` (two per new
/// visit), `video_token`.
pub fn minted(
    kind: &str,
    role: Role,
    visit_id: Option<&str>,
    token_id: &str,
    client: Option<IpAddr>,
) {
    record(Entry {
        event: kind,
        reason: "-",
        clinician: None,
        role: Some(role),
        visit_id,
        token_id: Some(token_id),
        client,
    });
}

/// A clinician acted on a visit: `visit_ended`, `running_late`.
pub fn acted(event: &str, clinician: &str, visit_id: &str, client: Option<IpAddr>) {
    record(Entry {
        event,
        reason: "-",
        clinician: Some(clinician),
        role: Some(Role::Provider),
        visit_id: Some(visit_id),
        token_id: None,
        client,
    });
}

/// A refused sign-in, naming the account only when it exists (a stranger's
/// "username" may be a password typed in the wrong box).
pub fn refused_sign_in(known_account: Option<&str>, client: Option<IpAddr>) {
    record(Entry {
        event: "refused",
        reason: ErrorCode::InvalidCredentials.as_str(),
        clinician: Some(known_account.unwrap_or("unknown_account")),
        role: None,
        visit_id: None,
        token_id: None,
        client,
    });
}

/// A refused request; `reason` is the stable error code it was answered with.
pub fn refused(reason: ErrorCode, visit_id: Option<&str>, client: Option<IpAddr>) {
    record(Entry {
        event: "refused",
        reason: reason.as_str(),
        clinician: None,
        role: None,
        visit_id,
        token_id: None,
        client,
    });
}
