//! Twilio Video access tokens, in the format `docs/twilio.md` records: HS256 with the API key secret, `cty` = `twilio-fpa;v=1`, and a
//! video grant that always names the room.

use crate::settings::{TwilioCredentials, MAX_TTL_SECONDS};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct AccessTokenClaims<'a> {
    jti: String,
    grants: Grants<'a>,
    iat: u64,
    exp: u64,
    iss: &'a str,
    sub: &'a str,
}

#[derive(Debug, Serialize)]
struct Grants<'a> {
    identity: &'a str,
    video: VideoGrant<'a>,
}

#[derive(Debug, Serialize)]
struct VideoGrant<'a> {
    room: &'a str,
}

/// Mints a token for `identity` in `room`, issued at `now`, living `ttl`
/// seconds (capped at Twilio's maximum).
pub fn access_token(
    credentials: &TwilioCredentials,
    identity: &str,
    room: &str,
    now: u64,
    ttl: u64,
) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("JWT".to_owned());
    header.cty = Some("twilio-fpa;v=1".to_owned());
    let claims = AccessTokenClaims {
        jti: format!("{}-{now}", credentials.api_key),
        grants: Grants {
            identity,
            video: VideoGrant { room },
        },
        iat: now,
        exp: now + ttl.min(MAX_TTL_SECONDS),
        iss: &credentials.api_key,
        sub: &credentials.account_sid,
    };
    let key = EncodingKey::from_secret(credentials.api_secret.expose_secret().as_bytes());
    jsonwebtoken::encode(&header, &claims, &key)
        .expect("HMAC signing of serialisable claims cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

    fn decode_part(token: &str, index: usize) -> serde_json::Value {
        let part = token.split('.').nth(index).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn token_has_twilios_header_and_claims() {
        let credentials = TwilioCredentials::new(
            "AC0123456789abcdef0123456789abcdef".into(),
            "SK0123456789abcdef0123456789abcdef".into(),
            "secret",
        );
        let token = access_token(
            &credentials,
            "patient.abc",
            "room-1",
            1_700_000_000,
            100_000,
        );
        assert_eq!(
            decode_part(&token, 0),
            serde_json::json!({"alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1"})
        );
        assert_eq!(
            decode_part(&token, 1),
            serde_json::json!({
                "jti": "SK0123456789abcdef0123456789abcdef-1700000000",
                "grants": {"identity": "patient.abc", "video": {"room": "room-1"}},
                "iat": 1_700_000_000u64,
                "exp": 1_700_000_000u64 + 86_400,
                "iss": "SK0123456789abcdef0123456789abcdef",
                "sub": "AC0123456789abcdef0123456789abcdef",
            })
        );
    }
}
