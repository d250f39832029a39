//! The audit trail: one line per sign-in, token minted and refusal, with the
//! event, role, visit id, token id, client address and (in the log line's
//! timestamp) UTC time. Never names, passwords or tokens.

use api_types::Role;
use std::net::IpAddr;

struct Entry<'a> {
    event: &'a str,
    reason: &'a str,
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
        role = entry.role.map(Role::as_str).unwrap_or("-"),
        visit_id = entry.visit_id.unwrap_or("-"),
        token_id = entry.token_id.unwrap_or("-"),
        client = %entry.client.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
        "audit"
    );
}

pub fn signed_in(token_id: &str, client: Option<IpAddr>) {
    record(Entry {
        event: "sign_in",
        reason: "-",
        role: Some(Role::Provider),
        visit_id: None,
        token_id: Some(token_id),
        client,
    });
}

/// `kind` names what was minted: `session_refreshed`, `visit_created`, `video_token`.
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
        role: Some(role),
        visit_id,
        token_id: Some(token_id),
        client,
    });
}

/// A refused request; `reason` is the stable error code it was answered with.
pub fn refused(reason: &str, visit_id: Option<&str>, client: Option<IpAddr>) {
    record(Entry {
        event: "refused",
        reason,
        role: None,
        visit_id,
        token_id: None,
        client,
    });
}
