//! Opaque identifiers: visit ids, video identities, token ids. None carries a
//! name or anything else about a person.

use api_types::Role;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const RANDOM_BYTES: usize = 16;
const TAG_BYTES: usize = 16;

/// 128 random bits, URL-safe: token ids and opaque identity parts.
pub fn random_id() -> String {
    let mut bytes = [0u8; RANDOM_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new signing key: 32 random bytes, base64.
pub fn generate_key() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A key for one purpose, derived from a configured key, so one secret can
/// serve several uses without any two sharing a key.
pub fn derive_key(key: &[u8], purpose: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Visit ids are 128 random bits plus a tag binding them to the clinician who
/// created the visit. Without a database, the tag is how the service knows
/// whose visit it is.
#[derive(Clone)]
pub struct VisitIds {
    key: Vec<u8>,
}

impl std::fmt::Debug for VisitIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VisitIds")
    }
}

impl VisitIds {
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    fn tagger(&self, random: &[u8], clinician_id: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(random);
        mac.update(clinician_id.as_bytes());
        mac
    }

    pub fn create(&self, clinician_id: &str) -> String {
        let mut random = [0u8; RANDOM_BYTES];
        rand::thread_rng().fill_bytes(&mut random);
        let tag = self.tagger(&random, clinician_id).finalize().into_bytes();
        let mut id = random.to_vec();
        id.extend_from_slice(&tag[..TAG_BYTES]);
        URL_SAFE_NO_PAD.encode(id)
    }

    /// True only for a well-formed id that `clinician_id` created (constant time).
    pub fn is_owned_by(&self, visit_id: &str, clinician_id: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(visit_id) {
            Ok(bytes) if bytes.len() == RANDOM_BYTES + TAG_BYTES => {
                let (random, tag) = bytes.split_at(RANDOM_BYTES);
                self.tagger(random, clinician_id)
                    .verify_truncated_left(tag)
                    .is_ok()
            }
            _ => false,
        }
    }
}

/// A video identity: the role, a dot, an opaque part. Every client reads the
/// role from the prefix; nothing else about the person is in it.
pub fn identity(role: Role, opaque: &str) -> String {
    format!("{}.{opaque}", role.as_str())
}

/// What a patient's device is called within one invite: a hash of the
/// invite's id and the browser's own secret. It differs for every visit, so
/// nothing in a room or at Twilio links one browser across visits.
pub fn device_tag(invite_id: &str, device_secret: &str) -> String {
    use sha2::Digest;
    let digest = Sha256::new()
        .chain_update(invite_id.as_bytes())
        .chain_update([0])
        .chain_update(device_secret.as_bytes())
        .finalize();
    URL_SAFE_NO_PAD.encode(&digest[..9])
}

/// The room for a visit: the visit id itself, already opaque and URL-safe.
pub fn room_name(visit_id: &str) -> String {
    visit_id.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visit_ids_are_url_safe_and_long_enough() {
        let ids = VisitIds::new(vec![7; 32]);
        let id = ids.create("c-1");
        assert_eq!(id.len(), 43);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(id, ids.create("c-1"));
    }

    #[test]
    fn only_the_creating_clinician_owns_a_visit() {
        let ids = VisitIds::new(vec![7; 32]);
        let id = ids.create("c-1");
        assert!(ids.is_owned_by(&id, "c-1"));
        assert!(!ids.is_owned_by(&id, "c-2"));
        assert!(!VisitIds::new(vec![8; 32]).is_owned_by(&id, "c-1"));
        assert!(!ids.is_owned_by("short", "c-1"));
        assert!(!ids.is_owned_by(&format!("{id}A"), "c-1"));
    }

    #[test]
    fn identities_carry_the_role_prefix_only() {
        let identity = identity(Role::Patient, &random_id());
        assert_eq!(Role::from_identity(&identity), Some(Role::Patient));
        assert!(identity.len() <= 128);
    }

    #[test]
    fn device_tags_are_short_and_differ_by_visit_and_device() {
        let tag = device_tag("invite-1", "device-a");
        assert_eq!(tag.len(), 12);
        assert_eq!(tag, device_tag("invite-1", "device-a"));
        assert_ne!(tag, device_tag("invite-2", "device-a"));
        assert_ne!(tag, device_tag("invite-1", "device-b"));
        assert_ne!(device_tag("ab", "c"), device_tag("a", "bc"));
    }

    #[test]
    fn derived_keys_differ_by_purpose() {
        assert_ne!(derive_key(&[1; 32], "a"), derive_key(&[1; 32], "b"));
        assert_eq!(derive_key(&[1; 32], "a").len(), 32);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_visit_ids_are_never_owned(id in ".{0,80}", clinician in "[a-z0-9-]{1,20}") {
            proptest::prop_assert!(!VisitIds::new(vec![7; 32]).is_owned_by(&id, &clinician));
        }
    }
}
