//! Access tokens, checked as Twilio checks them: the HS256 signature with
//! the API key's secret, the expiry against the emulator's clock, and the
//! video grant's room against the room asked for.

use jsonwebtoken::{decode, errors::ErrorKind, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Claims {
    exp: u64,
    grants: Grants,
}

#[derive(Debug, Deserialize)]
struct Grants {
    identity: String,
    video: Option<VideoGrant>,
}

#[derive(Debug, Deserialize)]
struct VideoGrant {
    room: Option<String>,
}

/// A refusal with Twilio's code and words, as the SDK maps them to errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: u32,
    pub message: &'static str,
}

pub const INVALID: Refusal = Refusal {
    code: 20101,
    message: "Invalid Access Token",
};
pub const EXPIRED: Refusal = Refusal {
    code: 20104,
    message: "Access Token expired or expiration date invalid",
};
pub const BAD_SIGNATURE: Refusal = Refusal {
    code: 20107,
    message: "Invalid Access Token signature",
};
pub const ROOM_FULL: Refusal = Refusal {
    code: 53105,
    message: "Room contains too many Participants",
};
/// A `sync` for a session the room no longer has (its window ran out).
pub const SESSION_GONE: Refusal = Refusal {
    code: 53002,
    message: "Signaling connection timed out",
};
pub const DUPLICATE_IDENTITY: Refusal = Refusal {
    code: 53205,
    message: "Duplicate identity",
};

/// The identity a token lets into `room` at `now` (Unix seconds).
///
/// A token whose grant names another room, or no room, is refused as
/// invalid: Hearth's tokens always name their room (docs/twilio.md).
pub fn admit(token: &str, secret: &str, room: &str, now: u64) -> Result<String, Refusal> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = decode::<Claims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map_err(|e| match e.kind() {
        ErrorKind::InvalidSignature => BAD_SIGNATURE,
        _ => INVALID,
    })?
    .claims;
    if claims.exp <= now {
        return Err(EXPIRED);
    }
    let granted = claims.grants.video.and_then(|video| video.room);
    if granted.as_deref() != Some(room) {
        return Err(INVALID);
    }
    Ok(claims.grants.identity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::json;

    fn token(secret: &str, room: &str, exp: u64) -> String {
        let claims =
            json!({"exp": exp, "grants": {"identity": "patient.a", "video": {"room": room}}});
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    }

    #[test]
    fn a_good_token_admits_its_identity_to_its_room_only() {
        let good = token("s", "room-1", 200);
        assert_eq!(admit(&good, "s", "room-1", 100), Ok("patient.a".to_owned()));
        assert_eq!(admit(&good, "s", "room-2", 100), Err(INVALID));
        assert_eq!(admit(&good, "other", "room-1", 100), Err(BAD_SIGNATURE));
        assert_eq!(admit(&good, "s", "room-1", 200), Err(EXPIRED));
        assert_eq!(admit("not-a-token", "s", "room-1", 100), Err(INVALID));
    }
}
