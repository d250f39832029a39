//! ICE servers for built-in rooms: STUN as configured, and TURN with
//! time-limited credentials in coturn's REST style (`use-auth-secret`), so
//! no long-lived TURN password ever reaches a browser.

use crate::settings::IceSettings;
use api_types::IceServer;
use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use sha1::Sha1;

/// coturn's credential: base64(HMAC-SHA1(secret, username)).
pub fn turn_credential(secret: &str, username: &str) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The servers for one participant, TURN credentials expiring with the token.
pub fn ice_servers(settings: &IceSettings, identity: &str, expires_at: u64) -> Vec<IceServer> {
    let stun = (!settings.stun_urls.is_empty()).then(|| IceServer {
        urls: settings.stun_urls.clone(),
        username: None,
        credential: None,
    });
    let turn = settings.turn.as_ref().map(|turn| {
        let username = format!("{expires_at}:{identity}");
        IceServer {
            urls: turn.urls.clone(),
            credential: Some(turn_credential(turn.secret.expose_secret(), &username)),
            username: Some(username),
        }
    });
    stun.into_iter().chain(turn).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::TurnSettings;
    use secrecy::SecretString;

    #[test]
    fn the_credential_is_hmac_sha1_base64() {
        // RFC 2202-style reference value for HMAC-SHA1.
        assert_eq!(
            turn_credential("key", "The quick brown fox jumps over the lazy dog"),
            "3nybhbi3iqa8ino29wqQcBydtNk="
        );
    }

    #[test]
    fn turn_usernames_carry_the_expiry_and_the_opaque_identity() {
        let settings = IceSettings {
            stun_urls: vec!["stun:s.example".into()],
            turn: Some(TurnSettings {
                urls: vec!["turn:t.example".into()],
                secret: SecretString::from("shared".to_owned()),
            }),
        };
        let servers = ice_servers(&settings, "patient.abc", 1_800_000_000);
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[0].username, None);
        assert_eq!(
            servers[1].username.as_deref(),
            Some("1800000000:patient.abc")
        );
        assert_eq!(
            servers[1].credential.as_deref(),
            Some(turn_credential("shared", "1800000000:patient.abc").as_str())
        );
        assert!(ice_servers(&IceSettings::default(), "x", 1).is_empty());
    }
}
