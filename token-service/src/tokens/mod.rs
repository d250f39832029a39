//! Hearth's own signed tokens: clinician sessions, visit invites and built-in
//! room tokens. Each kind has its own key and audience and one algorithm, so
//! a token of one kind never passes for another.
//!
//! They are JWTs (HS256) made and checked here rather than by
//! `jsonwebtoken`, because every Hearth token has one and the same header:
//! a token whose header differs by a byte is refused before anything else
//! is read, which rules out `alg` confusion outright; the HMAC is keyed
//! once per kind, not per token; the claims are parsed once.
//! `jsonwebtoken::decode` parses the header twice and the claims twice, and
//! with `encode` it was a fifth of the token path's CPU. (Twilio's access
//! tokens, with their own header, still go through `jsonwebtoken`.)

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, Header};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha256;

mod claims;
pub use claims::{
    Claims, InviteExtra, Registered, RoomExtra, SessionExtra, INVITE_AUDIENCE, ROOM_AUDIENCE,
    SESSION_AUDIENCE,
};

pub const ISSUER: &str = "hearth-token-service";
/// Clock skew tolerated between copies of the service and browsers.
pub const LEEWAY_SECONDS: u64 = 5;
const ALGORITHM: Algorithm = Algorithm::HS256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed Hearth token")]
    Malformed,
    #[error("the token's signature does not match")]
    BadSignature,
    #[error("the token is meant for another use")]
    WrongAudience,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
}

/// Signs and verifies one kind of token.
pub struct Signer {
    audience: &'static str,
    /// The HMAC with the key already absorbed, cloned for each token.
    mac: Hmac<Sha256>,
    /// The one header every token of ours has, as it appears in the token.
    header: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl Signer {
    pub fn new(audience: &'static str, key: &[u8]) -> Self {
        let header = serde_json::to_vec(&Header::new(ALGORITHM)).expect("a header serialises");
        Self {
            audience,
            mac: Hmac::new_from_slice(key).expect("HMAC takes any key length"),
            header: URL_SAFE_NO_PAD.encode(header),
        }
    }

    /// Claims for a new token of this kind, valid from `not_before` until `expires`.
    pub fn registered(&self, subject: &str, now: u64, not_before: u64, expires: u64) -> Registered {
        Registered {
            iss: ISSUER.to_owned(),
            aud: self.audience.to_owned(),
            sub: subject.to_owned(),
            iat: now,
            nbf: not_before,
            exp: expires,
            jti: crate::ids::random_id(),
        }
    }

    pub fn sign<T: Serialize>(&self, claims: &Claims<T>) -> String {
        let claims = serde_json::to_vec(claims).expect("claims serialise");
        let mut token = format!("{}.{}", self.header, URL_SAFE_NO_PAD.encode(claims));
        let mut mac = self.mac.clone();
        mac.update(token.as_bytes());
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(mac.finalize().into_bytes(), &mut token);
        token
    }

    /// The claims of a token of this kind that is genuine and current.
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<Claims<T>, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        if header != self.header {
            return Err(TokenError::Malformed);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac.clone();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Malformed)?;
        let claims: Claims<T> =
            serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        let registered = &claims.registered;
        let now = now();
        if registered.iss != ISSUER {
            Err(TokenError::Malformed)
        } else if registered.aud != self.audience {
            Err(TokenError::WrongAudience)
        } else if registered.exp.saturating_add(LEEWAY_SECONDS) < now {
            Err(TokenError::Expired)
        } else if registered.nbf > now + LEEWAY_SECONDS {
            Err(TokenError::NotYetValid)
        } else {
            Ok(claims)
        }
    }
}

pub fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Extra {
        role: String,
    }

    fn signer(audience: &'static str, fill: u8) -> Signer {
        Signer::new(audience, &[fill; 32])
    }

    fn token(signer: &Signer, nbf_offset: i64, exp_offset: i64) -> String {
        let now = now();
        let at = |offset: i64| now.checked_add_signed(offset).unwrap();
        signer.sign(&Claims {
            registered: signer.registered("visit-1", now, at(nbf_offset), at(exp_offset)),
            extra: Extra {
                role: "patient".into(),
            },
        })
    }

    #[test]
    fn a_real_token_signs_and_verifies_with_the_crypto_backend() {
        let s = signer("hearth-invite", 1);
        let claims: Claims<Extra> = s.verify(&token(&s, 0, 60)).unwrap();
        assert_eq!(claims.registered.sub, "visit-1");
        assert_eq!(claims.registered.aud, "hearth-invite");
        assert_eq!(claims.extra.role, "patient");
        assert_eq!(claims.registered.jti.len(), 22);
    }

    #[test]
    fn time_bounds_are_enforced_with_a_small_leeway() {
        let s = signer("hearth-invite", 1);
        assert_eq!(
            s.verify::<Extra>(&token(&s, -120, -60)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            s.verify::<Extra>(&token(&s, 60, 120)),
            Err(TokenError::NotYetValid)
        );
        // Within the leeway on both sides.
        assert!(s.verify::<Extra>(&token(&s, 3, 120)).is_ok());
        assert!(s.verify::<Extra>(&token(&s, -120, -3)).is_ok());
    }

    #[test]
    fn another_kind_of_token_is_refused() {
        let invite = signer("hearth-invite", 1);
        let session = signer("hearth-session", 2);
        assert_eq!(
            invite.verify::<Extra>(&token(&session, 0, 60)),
            Err(TokenError::BadSignature)
        );
        let same_key_other_audience = signer("hearth-session", 1);
        assert_eq!(
            invite.verify::<Extra>(&token(&same_key_other_audience, 0, 60)),
            Err(TokenError::WrongAudience)
        );
    }

    #[test]
    fn our_tokens_are_standard_jwts_both_ways() {
        let s = signer("hearth-invite", 1);
        let mut validation = jsonwebtoken::Validation::new(ALGORITHM);
        validation.set_audience(&["hearth-invite"]);
        let key = jsonwebtoken::DecodingKey::from_secret(&[1; 32]);
        let ours = token(&s, 0, 60);
        let read = jsonwebtoken::decode::<Claims<Extra>>(&ours, &key, &validation).unwrap();
        assert_eq!(read.claims.extra.role, "patient");
        let theirs = jsonwebtoken::encode(
            &Header::new(ALGORITHM),
            &read.claims,
            &jsonwebtoken::EncodingKey::from_secret(&[1; 32]),
        )
        .unwrap();
        assert_eq!(theirs, ours);
        assert_eq!(s.verify::<Extra>(&theirs).unwrap(), read.claims);
    }

    #[test]
    fn only_our_own_header_is_read_even_when_correctly_signed() {
        let s = signer("hearth-invite", 1);
        let ours = token(&s, 0, 60);
        assert!(ours.starts_with(&format!("{}.", s.header)));
        let claims = ours.split('.').nth(1).unwrap();
        for header in [
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"typ":"JWT","alg":"HS256","kid":"x"}"#,
            r#"{"typ":"JWT","alg":"HS512"}"#,
        ] {
            let header = URL_SAFE_NO_PAD.encode(header);
            let mut mac = Hmac::<Sha256>::new_from_slice(&[1; 32]).unwrap();
            mac.update(format!("{header}.{claims}").as_bytes());
            let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
            let forged = format!("{header}.{claims}.{signature}");
            assert_eq!(s.verify::<Extra>(&forged), Err(TokenError::Malformed));
        }
        assert_eq!(
            s.verify::<Extra>(&format!("{ours}.extra")),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn a_flipped_signature_byte_is_refused() {
        let s = signer("hearth-invite", 1);
        let mut bytes = token(&s, 0, 60).into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).unwrap();
        assert_eq!(s.verify::<Extra>(&tampered), Err(TokenError::BadSignature));
    }

    #[test]
    fn other_algorithms_and_missing_claims_are_refused() {
        let s = signer("hearth-invite", 1);
        // alg "none", same claims.
        let claims = token(&s, 0, 60).split('.').nth(1).unwrap().to_owned();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{claims}.");
        assert!(s.verify::<Extra>(&none).is_err());
        let no_nbf = jsonwebtoken::encode(
            &Header::new(ALGORITHM),
            &serde_json::json!({"iss": ISSUER, "aud": "hearth-invite", "sub": "v", "exp": now() + 60, "role": "patient"}),
            &jsonwebtoken::EncodingKey::from_secret(&[1; 32]),
        )
        .unwrap();
        assert!(s.verify::<Extra>(&no_nbf).is_err());
        assert_eq!(s.verify::<Extra>("not.a.token"), Err(TokenError::Malformed));
    }

    proptest::proptest! {
        #[test]
        fn verifying_arbitrary_input_never_panics(input in ".{0,300}") {
            let _ = signer("hearth-invite", 1).verify::<Extra>(&input);
        }

        #[test]
        fn verifying_jwt_shaped_input_never_panics(a in "[A-Za-z0-9_-]{0,80}", b in "[A-Za-z0-9_-]{0,200}", c in "[A-Za-z0-9_-]{0,60}") {
            let s = signer("hearth-invite", 1);
            let token = [a, b, c].join(".");
            proptest::prop_assert!(s.verify::<Extra>(&token).is_err());
        }
    }
}
