//! Hearth's own signed tokens: clinician sessions, visit invites and built-in
//! room tokens. Each kind has its own key and audience and one algorithm, so
//! a token of one kind never passes for another.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "hearth-token-service";
/// Clock skew tolerated between copies of the service and browsers.
pub const LEEWAY_SECONDS: u64 = 5;
const ALGORITHM: Algorithm = Algorithm::HS256;

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
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
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
        let mut validation = Validation::new(ALGORITHM);
        validation.set_audience(&[audience]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        Self {
            audience,
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            validation,
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
        jsonwebtoken::encode(&Header::new(ALGORITHM), claims, &self.encoding)
            .expect("HMAC signing of serialisable claims cannot fail")
    }

    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<Claims<T>, TokenError> {
        jsonwebtoken::decode::<Claims<T>>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| match err.kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                _ => TokenError::Malformed,
            })
    }
}

pub fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

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
            &EncodingKey::from_secret(&[1; 32]),
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
