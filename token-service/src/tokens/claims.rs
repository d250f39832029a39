//! What each kind of Hearth token says, in one place: the registered
//! claims every token carries, and what sessions, invites and built-in room
//! tokens add. Each kind has its own audience (and key).

use api_types::Role;
use serde::{Deserialize, Serialize};

pub const SESSION_AUDIENCE: &str = "hearth-session";
pub const INVITE_AUDIENCE: &str = "hearth-invite";
pub const ROOM_AUDIENCE: &str = "hearth-room";

/// The claims every Hearth token carries, all required on verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub jti: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims<T> {
    #[serde(flatten)]
    pub registered: Registered,
    #[serde(flatten)]
    pub extra: T,
}

/// What a session token says beyond the registered claims (`sub` = clinician id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionExtra {
    /// No refresh extends the session past this (Unix seconds).
    pub max_exp: u64,
}

/// What an invite says beyond the registered claims (`sub` = visit id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteExtra {
    pub role: Role,
}

/// A built-in room token says which room and role (`sub` = identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomExtra {
    pub room: String,
    pub role: Role,
    /// A patient's device tag: only that device may replace the patient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
}
