//! Typed settings, read from the environment (and an optional `.env`) and
//! validated once at start-up, so a bad value stops the service with a message
//! naming the variable instead of failing on the first request.

mod parse;
mod video;

pub use video::{IceSettings, TurnSettings, TwilioCredentials, VideoSettings};

use api_types::{VideoMode, DEFAULT_INVITE_EARLY_MINUTES, DEFAULT_INVITE_GRACE_MINUTES};
use parse::{base_url, list, one_of, parse_key, parse_origin, seconds};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use std::net::IpAddr;
use std::path::PathBuf;
use video::{ice_settings, video_settings, TWILIO_VARIABLES};

pub const DEFAULT_HOST: &str = "127.0.0.1";
pub const DEFAULT_PORT: u16 = 8080;

#[derive(Debug)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub log_format: LogFormat,
    /// A built SPA (`dist/`) to serve beside the API, for single-port runs.
    pub static_dir: Option<PathBuf>,
    pub video: VideoSettings,
    /// Exact origins (`https://clinic.example`) allowed to call the API cross-origin.
    pub allowed_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` is believed when keying rate limits.
    pub trusted_proxies: Vec<IpAddr>,
    /// `None` in built-in mode means: generate keys at start-up.
    pub session_key: Option<SecretSlice<u8>>,
    pub invite_key: Option<SecretSlice<u8>>,
    /// A TOML file of clinician accounts; `None` in built-in mode means a demo account.
    pub clinicians_file: Option<PathBuf>,
    pub lifetimes: Lifetimes,
    /// Per-client rate limits; off only where a gateway in front limits instead.
    pub rate_limits: bool,
    /// STUN and TURN for built-in rooms.
    pub ice: IceSettings,
    /// Serve HTTPS with this certificate and key (PEM files).
    pub tls: Option<TlsFiles>,
    /// Built-in rooms: sockets one copy of the service holds at most.
    pub max_sockets: usize,
    /// Interpreters and relatives in one visit at once, on either backend.
    pub max_guests: usize,
    /// Redis, shared by every copy of the service: built-in rooms and the
    /// ended-visit list live there instead of in this copy's memory. The
    /// URL may carry a password.
    pub redis_url: Option<SecretString>,
}

/// Browsers allow the camera only on https or localhost, so a clinic trying
/// built-in rooms across its LAN needs the service to speak HTTPS itself.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub certificate: PathBuf,
    pub private_key: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// A session ends this long after sign-in, however often refreshed.
    pub session_absolute: u64,
    /// A session not refreshed for this long stops working.
    pub session_idle: u64,
    /// Invites work from this long before the visit starts…
    pub invite_early: u64,
    /// …until this long after it is due to end.
    pub invite_grace: u64,
}

/// Twilio refuses access tokens that live longer than a day (error 20157), and
/// no lifetime here needs more.
pub const MAX_TTL_SECONDS: u64 = 86_400;

/// Signing keys must hold at least this many random bytes.
pub const MIN_KEY_BYTES: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid setting {variable}: {problem}")]
pub struct SettingsError {
    pub variable: String,
    pub problem: String,
}

impl SettingsError {
    pub(crate) fn new(variable: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            variable: variable.into(),
            problem: problem.into(),
        }
    }
}

impl Settings {
    /// Reads the process environment, after loading `.env` if there is one.
    pub fn from_env() -> Result<Self, SettingsError> {
        if let Err(err) = dotenvy::dotenv() {
            if !err.not_found() {
                return Err(SettingsError::new(".env", err.to_string()));
            }
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Off loopback, real accounts and fixed keys are required: the demo
    /// clinician and keys made at start-up are for trying Hearth on one
    /// machine, never for a network.
    pub fn check_exposure(&self) -> Result<(), SettingsError> {
        let loopback = self.host == "localhost"
            || self
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if loopback {
            return Ok(());
        }
        let why = |what: &str| format!("must be set to listen on {} ({what})", self.host);
        if self.clinicians_file.is_none() {
            return Err(SettingsError::new(
                "CLINICIANS_FILE",
                why("no demo clinician off loopback"),
            ));
        }
        if self.session_key.is_none() {
            return Err(SettingsError::new("SESSION_SIGNING_KEY", why(MISSING_KEY)));
        }
        if self.invite_key.is_none() {
            return Err(SettingsError::new("INVITE_SIGNING_KEY", why(MISSING_KEY)));
        }
        Ok(())
    }

    /// Builds settings from any variable source; empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let host = var("HOST").unwrap_or_else(|| DEFAULT_HOST.to_owned());
        let port = match var("PORT") {
            None => DEFAULT_PORT,
            Some(raw) => raw.trim().parse().map_err(|_| {
                SettingsError::new("PORT", format!("{raw:?} is not a port number (0-65535)"))
            })?,
        };
        let log_format = one_of(
            &var,
            "LOG_FORMAT",
            [("text", LogFormat::Text), ("json", LogFormat::Json)],
        )?;
        let static_dir = var("STATIC_DIR").map(PathBuf::from);
        let mut video = video_settings(TWILIO_VARIABLES.map(var))?;
        if let VideoSettings::Twilio(twilio) = &mut video {
            twilio.video_api = base_url(var("TWILIO_VIDEO_API_URL"), "TWILIO_VIDEO_API_URL")?
                .unwrap_or(twilio.video_api.clone());
            twilio.api =
                base_url(var("TWILIO_API_URL"), "TWILIO_API_URL")?.unwrap_or(twilio.api.clone());
            twilio.sms_from = var("TWILIO_SMS_FROM");
        }
        let allowed_origins = list(var("ALLOWED_ORIGINS"))
            .into_iter()
            .map(|origin| parse_origin(&origin))
            .collect::<Result<Vec<_>, _>>()?;
        if allowed_origins.is_empty() && video.mode() == VideoMode::Twilio {
            return Err(SettingsError::new(
                "ALLOWED_ORIGINS",
                "must list the clinic's SPA origins (such as https://visit.clinic.example) in Twilio mode",
            ));
        }
        let trusted_proxies = list(var("TRUSTED_PROXIES"))
            .into_iter()
            .map(|ip| {
                ip.parse().map_err(|_| {
                    SettingsError::new("TRUSTED_PROXIES", format!("{ip:?} is not an IP address"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let session_key = var("SESSION_SIGNING_KEY")
            .map(|v| parse_key("SESSION_SIGNING_KEY", &v))
            .transpose()?;
        let invite_key = var("INVITE_SIGNING_KEY")
            .map(|v| parse_key("INVITE_SIGNING_KEY", &v))
            .transpose()?;
        match (&session_key, &invite_key) {
            (Some(session), Some(invite)) if session.expose_secret() == invite.expose_secret() => {
                return Err(SettingsError::new(
                    "INVITE_SIGNING_KEY",
                    "must differ from SESSION_SIGNING_KEY",
                ))
            }
            (None, _) if video.mode() == VideoMode::Twilio => {
                return Err(SettingsError::new("SESSION_SIGNING_KEY", MISSING_KEY))
            }
            (_, None) if video.mode() == VideoMode::Twilio => {
                return Err(SettingsError::new("INVITE_SIGNING_KEY", MISSING_KEY))
            }
            _ => {}
        }
        let clinicians_file = var("CLINICIANS_FILE").map(PathBuf::from);
        if clinicians_file.is_none() && video.mode() == VideoMode::Twilio {
            return Err(SettingsError::new(
                "CLINICIANS_FILE",
                "must name the clinician accounts file in Twilio mode (see `token-service hash-password`)",
            ));
        }
        let lifetimes = Lifetimes {
            session_absolute: seconds(&var, "SESSION_TTL_SECONDS", 12 * 3600)?,
            session_idle: seconds(&var, "SESSION_IDLE_SECONDS", 30 * 60)?,
            invite_early: seconds(
                &var,
                "INVITE_EARLY_SECONDS",
                DEFAULT_INVITE_EARLY_MINUTES * 60,
            )?,
            invite_grace: seconds(
                &var,
                "INVITE_GRACE_SECONDS",
                DEFAULT_INVITE_GRACE_MINUTES * 60,
            )?,
        };
        if lifetimes.session_idle > lifetimes.session_absolute {
            return Err(SettingsError::new(
                "SESSION_IDLE_SECONDS",
                "must not be longer than SESSION_TTL_SECONDS",
            ));
        }

        let rate_limits = one_of(&var, "RATE_LIMITS", [("on", true), ("off", false)])?;
        let ice = ice_settings(&var)?;
        let max_sockets = match var("MAX_SOCKETS") {
            None => 5_000,
            Some(raw) => raw.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                SettingsError::new("MAX_SOCKETS", format!("{raw:?} is not a positive number"))
            })?,
        };
        // Two places stay for the patient and the clinician.
        let most_guests = crate::rooms::PARTICIPANTS_PER_ROOM - 2;
        let max_guests = match var("MAX_GUESTS") {
            None => 3,
            Some(raw) => raw
                .trim()
                .parse()
                .ok()
                .filter(|n| *n <= most_guests)
                .ok_or_else(|| {
                    SettingsError::new(
                        "MAX_GUESTS",
                        format!("{raw:?} is not a number from 0 to {most_guests}"),
                    )
                })?,
        };
        let redis_url = var("REDIS_URL")
            .map(|url| parse_redis_url(&url))
            .transpose()?;
        if redis_url.is_some() {
            // Every copy must accept what another signed and sign in the
            // same clinicians: nothing made at start-up can be shared.
            for (name, missing) in [
                ("SESSION_SIGNING_KEY", session_key.is_none()),
                ("INVITE_SIGNING_KEY", invite_key.is_none()),
                ("CLINICIANS_FILE", clinicians_file.is_none()),
            ] {
                if missing {
                    return Err(SettingsError::new(
                        name,
                        "must be set, the same on every copy, when REDIS_URL is set",
                    ));
                }
            }
        }
        let tls = match (var("TLS_CERT_FILE"), var("TLS_KEY_FILE")) {
            (None, None) => None,
            (Some(certificate), Some(private_key)) => Some(TlsFiles {
                certificate: certificate.into(),
                private_key: private_key.into(),
            }),
            (Some(_), None) => {
                return Err(SettingsError::new(
                    "TLS_KEY_FILE",
                    "must be set with TLS_CERT_FILE",
                ))
            }
            (None, Some(_)) => {
                return Err(SettingsError::new(
                    "TLS_CERT_FILE",
                    "must be set with TLS_KEY_FILE",
                ))
            }
        };

        Ok(Self {
            host,
            port,
            log_format,
            static_dir,
            video,
            rate_limits,
            ice,
            tls,
            max_sockets,
            max_guests,
            redis_url,
            allowed_origins,
            trusted_proxies,
            session_key,
            invite_key,
            clinicians_file,
            lifetimes,
        })
    }
}

/// A `redis://` URL the client accepts; checked here so a
/// typo names `REDIS_URL`, not a connection error.
fn parse_redis_url(raw: &str) -> Result<SecretString, SettingsError> {
    if !raw.starts_with("redis://") || redis::Client::open(raw).is_err() {
        return Err(SettingsError::new(
            "REDIS_URL",
            "is not a redis:// URL (such as redis://10.0.0.5:6379/0)",
        ));
    }
    Ok(SecretString::from(raw.to_owned()))
}

const MISSING_KEY: &str = "must be set in Twilio mode, the same on every copy of the service \
     (make one with `token-service generate-key`)";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const SID: &str = "AC0123456789abcdef0123456789abcdef";
    const KEY: &str = "SK0123456789abcdef0123456789abcdef";

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, SettingsError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_are_loopback_8080_text_logs_and_local_video() {
        let s = settings(&[]).unwrap();
        assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 8080));
        assert_eq!(s.log_format, LogFormat::Text);
        assert_eq!(s.video.mode(), VideoMode::Local);
        assert!(s.static_dir.is_none());
    }

    #[test]
    fn host_port_and_log_format_are_read() {
        let s = settings(&[
            ("HOST", "0.0.0.0"),
            ("PORT", "9000"),
            ("LOG_FORMAT", "json"),
        ])
        .unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.log_format),
            ("0.0.0.0", 9000, LogFormat::Json)
        );
    }

    #[test]
    fn a_bad_port_names_the_variable() {
        let err = settings(&[("PORT", "eighty")]).unwrap_err();
        assert_eq!(err.variable, "PORT");
        assert!(settings(&[("PORT", "70000")]).is_err());
    }

    #[test]
    fn rate_limits_are_on_unless_turned_off() {
        assert!(settings(&[]).unwrap().rate_limits);
        assert!(!settings(&[("RATE_LIMITS", "off")]).unwrap().rate_limits);
        assert_eq!(
            settings(&[("RATE_LIMITS", "no")]).unwrap_err().variable,
            "RATE_LIMITS"
        );
    }

    #[test]
    fn a_bad_log_format_names_the_variable() {
        assert_eq!(
            settings(&[("LOG_FORMAT", "xml")]).unwrap_err().variable,
            "LOG_FORMAT"
        );
    }

    /// 32 bytes, base64.
    const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const KEY_B: &str = "HxoZGBcWFRQTEhEQDw4NDAsKCQgHBgUEAwIBAAAAAAA";

    fn twilio(extra: &[(&'static str, &'static str)]) -> Result<Settings, SettingsError> {
        let mut vars = vec![
            ("TWILIO_ACCOUNT_SID", SID),
            ("TWILIO_API_KEY", KEY),
            ("TWILIO_API_SECRET", "s3cret"),
            ("ALLOWED_ORIGINS", "https://visit.clinic.example"),
            ("SESSION_SIGNING_KEY", KEY_A),
            ("INVITE_SIGNING_KEY", KEY_B),
            ("CLINICIANS_FILE", "/etc/hearth/clinicians.toml"),
        ];
        for (name, value) in extra {
            vars.retain(|(n, _)| n != name);
            vars.push((name, value));
        }
        settings(&vars)
    }

    #[test]
    fn all_three_twilio_variables_select_twilio() {
        let s = twilio(&[]).unwrap();
        assert_eq!(s.video.mode(), VideoMode::Twilio);
        assert_eq!(s.allowed_origins, ["https://visit.clinic.example"]);
        assert_eq!(s.session_key.unwrap().expose_secret().len(), 32);
    }

    #[test]
    fn twilio_mode_refuses_to_start_without_origins_keys_or_accounts() {
        assert_eq!(
            twilio(&[("ALLOWED_ORIGINS", "")]).unwrap_err().variable,
            "ALLOWED_ORIGINS"
        );
        assert_eq!(
            twilio(&[("SESSION_SIGNING_KEY", "")]).unwrap_err().variable,
            "SESSION_SIGNING_KEY"
        );
        assert_eq!(
            twilio(&[("INVITE_SIGNING_KEY", "")]).unwrap_err().variable,
            "INVITE_SIGNING_KEY"
        );
        assert_eq!(
            twilio(&[("CLINICIANS_FILE", "")]).unwrap_err().variable,
            "CLINICIANS_FILE"
        );
    }

    #[test]
    fn short_or_shared_keys_refuse_to_start() {
        // 31 bytes.
        let short = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg";
        let err = twilio(&[("SESSION_SIGNING_KEY", short)]).unwrap_err();
        assert_eq!(err.variable, "SESSION_SIGNING_KEY");
        assert!(err.problem.contains("31 bytes"), "{}", err.problem);
        assert_eq!(
            twilio(&[("INVITE_SIGNING_KEY", "not base64!")])
                .unwrap_err()
                .variable,
            "INVITE_SIGNING_KEY"
        );
        assert_eq!(
            twilio(&[("INVITE_SIGNING_KEY", KEY_A)])
                .unwrap_err()
                .variable,
            "INVITE_SIGNING_KEY"
        );
    }

    #[test]
    fn lifetimes_over_the_maximum_refuse_to_start() {
        let err = settings(&[("SESSION_TTL_SECONDS", "86401")]).unwrap_err();
        assert_eq!(err.variable, "SESSION_TTL_SECONDS");
        assert_eq!(
            settings(&[("INVITE_GRACE_SECONDS", "0")])
                .unwrap_err()
                .variable,
            "INVITE_GRACE_SECONDS"
        );
        let err = settings(&[
            ("SESSION_TTL_SECONDS", "600"),
            ("SESSION_IDLE_SECONDS", "900"),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "SESSION_IDLE_SECONDS");
        let s = settings(&[("INVITE_EARLY_SECONDS", "60")]).unwrap();
        assert_eq!(s.lifetimes.invite_early, 60);
        assert_eq!(s.lifetimes.session_absolute, 12 * 3600);
    }

    #[test]
    fn origins_must_be_exact_origins() {
        let s = settings(&[(
            "ALLOWED_ORIGINS",
            "https://a.example, http://localhost:8080",
        )])
        .unwrap();
        assert_eq!(
            s.allowed_origins,
            ["https://a.example", "http://localhost:8080"]
        );
        for bad in [
            "https://a.example/",
            "a.example",
            "https://a.example/path",
            "*",
        ] {
            assert_eq!(
                settings(&[("ALLOWED_ORIGINS", bad)]).unwrap_err().variable,
                "ALLOWED_ORIGINS",
                "{bad}"
            );
        }
    }

    #[test]
    fn ice_servers_are_checked_and_turn_needs_its_secret() {
        let s = settings(&[
            ("STUN_URLS", "stun:stun.clinic.example:3478"),
            (
                "TURN_URLS",
                "turn:turn.clinic.example:3478?transport=udp, turns:turn.clinic.example:5349",
            ),
            ("TURN_SECRET", "shared"),
        ])
        .unwrap();
        assert_eq!(s.ice.stun_urls.len(), 1);
        assert_eq!(s.ice.turn.unwrap().urls.len(), 2);
        assert_eq!(
            settings(&[("STUN_URLS", "http://x")]).unwrap_err().variable,
            "STUN_URLS"
        );
        assert_eq!(
            settings(&[("TURN_URLS", "turn:x")]).unwrap_err().variable,
            "TURN_SECRET"
        );
        assert_eq!(
            settings(&[("TURN_SECRET", "s")]).unwrap_err().variable,
            "TURN_URLS"
        );
    }

    #[test]
    fn redis_url_is_checked_and_needs_keys_and_accounts_every_copy_shares() {
        let shared = [
            ("SESSION_SIGNING_KEY", KEY_A),
            ("INVITE_SIGNING_KEY", KEY_B),
            ("CLINICIANS_FILE", "clinicians.toml"),
        ];
        let with = |url: &'static str, leave_out: &str| {
            let mut vars: Vec<(&str, &str)> = shared
                .iter()
                .copied()
                .filter(|(name, _)| *name != leave_out)
                .collect();
            vars.push(("REDIS_URL", url));
            settings(&vars)
        };
        assert!(with("redis://127.0.0.1:6379/0", "")
            .unwrap()
            .redis_url
            .is_some());
        assert_eq!(
            with("http://redis:6379", "").unwrap_err().variable,
            "REDIS_URL"
        );
        for needed in [
            "SESSION_SIGNING_KEY",
            "INVITE_SIGNING_KEY",
            "CLINICIANS_FILE",
        ] {
            assert_eq!(with("redis://r", needed).unwrap_err().variable, needed);
        }
        assert!(settings(&[]).unwrap().redis_url.is_none());
    }

    #[test]
    fn max_sockets_is_a_positive_number() {
        assert_eq!(settings(&[]).unwrap().max_sockets, 5_000);
        assert_eq!(settings(&[("MAX_SOCKETS", "10")]).unwrap().max_sockets, 10);
        assert_eq!(
            settings(&[("MAX_SOCKETS", "0")]).unwrap_err().variable,
            "MAX_SOCKETS"
        );
    }

    #[test]
    fn max_guests_leaves_the_patient_and_clinician_their_places() {
        assert_eq!(settings(&[]).unwrap().max_guests, 3);
        assert_eq!(settings(&[("MAX_GUESTS", "0")]).unwrap().max_guests, 0);
        assert_eq!(settings(&[("MAX_GUESTS", "4")]).unwrap().max_guests, 4);
        for bad in ["5", "-1", "many"] {
            assert_eq!(
                settings(&[("MAX_GUESTS", bad)]).unwrap_err().variable,
                "MAX_GUESTS"
            );
        }
    }

    #[test]
    fn off_loopback_accounts_and_keys_are_required() {
        assert!(settings(&[]).unwrap().check_exposure().is_ok());
        let exposed = |extra: &[(&str, &str)]| {
            let mut vars = vec![("HOST", "0.0.0.0")];
            vars.extend_from_slice(extra);
            settings(&vars)
                .unwrap()
                .check_exposure()
                .map_err(|e| e.variable)
        };
        assert_eq!(exposed(&[]), Err("CLINICIANS_FILE".to_owned()));
        let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        let other = "HxoZGBcWFRQTEhEQDw4NDAsKCQgHBgUEAwIBAAAAAAA";
        assert_eq!(
            exposed(&[("CLINICIANS_FILE", "/c.toml")]),
            Err("SESSION_SIGNING_KEY".to_owned())
        );
        assert_eq!(
            exposed(&[("CLINICIANS_FILE", "/c.toml"), ("SESSION_SIGNING_KEY", key)]),
            Err("INVITE_SIGNING_KEY".to_owned())
        );
        let all = [
            ("CLINICIANS_FILE", "/c.toml"),
            ("SESSION_SIGNING_KEY", key),
            ("INVITE_SIGNING_KEY", other),
        ];
        assert_eq!(exposed(&all), Ok(()));
        for host in ["::1", "127.0.0.2", "localhost"] {
            let local = settings(&[("HOST", host)]).unwrap();
            assert!(local.check_exposure().is_ok(), "{host}");
        }
    }

    #[test]
    fn tls_needs_both_files() {
        assert!(settings(&[]).unwrap().tls.is_none());
        let s = settings(&[("TLS_CERT_FILE", "/c.pem"), ("TLS_KEY_FILE", "/k.pem")]).unwrap();
        assert_eq!(s.tls.unwrap().certificate, PathBuf::from("/c.pem"));
        assert_eq!(
            settings(&[("TLS_CERT_FILE", "/c.pem")])
                .unwrap_err()
                .variable,
            "TLS_KEY_FILE"
        );
    }

    #[test]
    fn trusted_proxies_are_ip_addresses() {
        let s = settings(&[("TRUSTED_PROXIES", "10.0.0.1, ::1")]).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        assert_eq!(
            settings(&[("TRUSTED_PROXIES", "proxy")])
                .unwrap_err()
                .variable,
            "TRUSTED_PROXIES"
        );
    }

    #[test]
    fn some_twilio_variables_name_the_missing_ones() {
        let err = settings(&[("TWILIO_ACCOUNT_SID", SID)]).unwrap_err();
        assert_eq!(err.variable, "TWILIO_API_KEY, TWILIO_API_SECRET");
        let err = settings(&[("TWILIO_API_KEY", KEY), ("TWILIO_API_SECRET", "x")]).unwrap_err();
        assert_eq!(err.variable, "TWILIO_ACCOUNT_SID");
    }

    #[test]
    fn malformed_sids_name_the_variable() {
        let with = |sid: &'static str, key: &'static str| {
            twilio(&[("TWILIO_ACCOUNT_SID", sid), ("TWILIO_API_KEY", key)])
                .unwrap_err()
                .variable
        };
        assert_eq!(with("AC123", KEY), "TWILIO_ACCOUNT_SID");
        assert_eq!(with(KEY, KEY), "TWILIO_ACCOUNT_SID");
        assert_eq!(
            with("AC0123456789abcdef0123456789abcdeg", KEY),
            "TWILIO_ACCOUNT_SID"
        );
        assert_eq!(with(SID, SID), "TWILIO_API_KEY");
    }

    #[test]
    fn empty_values_count_as_unset() {
        let s = settings(&[("TWILIO_ACCOUNT_SID", ""), ("PORT", " ")]).unwrap();
        assert_eq!((s.port, s.video.mode()), (8080, VideoMode::Local));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_values_give_settings_or_a_named_error(value in ".{0,60}", index in 0usize..12) {
            let names = [
                "HOST", "PORT", "LOG_FORMAT", "ALLOWED_ORIGINS", "TRUSTED_PROXIES", "SESSION_SIGNING_KEY",
                "INVITE_SIGNING_KEY", "SESSION_TTL_SECONDS", "SESSION_IDLE_SECONDS", "TWILIO_ACCOUNT_SID",
                "INVITE_GRACE_SECONDS", "INVITE_EARLY_SECONDS",
            ];
            if let Err(err) = settings(&[(names[index], value.as_str())]) {
                proptest::prop_assert!(!err.variable.is_empty());
            }
        }
    }
}
