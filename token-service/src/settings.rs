//! Typed settings, read from the environment (and an optional `.env`) and
//! validated once at start-up, so a bad value stops the service with a message
//! naming the variable instead of failing on the first request.

use api_types::VideoMode;
use secrecy::SecretString;
use std::path::PathBuf;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug)]
pub enum VideoSettings {
    /// No Twilio credentials: the service runs its own rooms.
    Local,
    Twilio(TwilioCredentials),
}

impl VideoSettings {
    pub fn mode(&self) -> VideoMode {
        match self {
            VideoSettings::Local => VideoMode::Local,
            VideoSettings::Twilio(_) => VideoMode::Twilio,
        }
    }
}

#[derive(Debug)]
pub struct TwilioCredentials {
    pub account_sid: String,
    pub api_key: String,
    pub api_secret: SecretString,
}

/// A setting that cannot be used, named so ops can fix it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid setting {variable}: {problem}")]
pub struct SettingsError {
    pub variable: String,
    pub problem: String,
}

impl SettingsError {
    fn new(variable: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            variable: variable.into(),
            problem: problem.into(),
        }
    }
}

const TWILIO_VARIABLES: [&str; 3] = ["TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET"];

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
        let log_format = match var("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(SettingsError::new(
                    "LOG_FORMAT",
                    format!("{other:?} is neither \"text\" nor \"json\""),
                ))
            }
        };
        let static_dir = var("STATIC_DIR").map(PathBuf::from);
        let video = video_settings(TWILIO_VARIABLES.map(var))?;

        Ok(Self {
            host,
            port,
            log_format,
            static_dir,
            video,
        })
    }
}

/// All three Twilio variables, or none. Some but not all is a mistake that must
/// not silently fall back to local rooms.
fn video_settings([sid, key, secret]: [Option<String>; 3]) -> Result<VideoSettings, SettingsError> {
    let missing: Vec<&str> = TWILIO_VARIABLES
        .iter()
        .zip([&sid, &key, &secret])
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| *name)
        .collect();
    match (sid, key, secret) {
        (None, None, None) => Ok(VideoSettings::Local),
        (Some(account_sid), Some(api_key), Some(api_secret)) => {
            let account_sid = account_sid.trim().to_owned();
            let api_key = api_key.trim().to_owned();
            if !is_twilio_sid(&account_sid, "AC") {
                return Err(SettingsError::new(
                    "TWILIO_ACCOUNT_SID",
                    "must be \"AC\" followed by 32 hex digits (Twilio Console, Account Info)",
                ));
            }
            if !is_twilio_sid(&api_key, "SK") {
                return Err(SettingsError::new(
                    "TWILIO_API_KEY",
                    "must be \"SK\" followed by 32 hex digits (an API key SID, not the account SID)",
                ));
            }
            Ok(VideoSettings::Twilio(TwilioCredentials {
                account_sid,
                api_key,
                api_secret: SecretString::from(api_secret.trim().to_owned()),
            }))
        }
        _ => Err(SettingsError::new(
            missing.join(", "),
            "missing; Twilio needs TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET \
             together (set none of them for built-in video)",
        )),
    }
}

fn is_twilio_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

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
    fn a_bad_log_format_names_the_variable() {
        assert_eq!(
            settings(&[("LOG_FORMAT", "xml")]).unwrap_err().variable,
            "LOG_FORMAT"
        );
    }

    #[test]
    fn all_three_twilio_variables_select_twilio() {
        let s = settings(&[
            ("TWILIO_ACCOUNT_SID", SID),
            ("TWILIO_API_KEY", KEY),
            ("TWILIO_API_SECRET", "s3cret"),
        ])
        .unwrap();
        assert_eq!(s.video.mode(), VideoMode::Twilio);
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
        let with = |sid: &str, key: &str| {
            settings(&[
                ("TWILIO_ACCOUNT_SID", sid),
                ("TWILIO_API_KEY", key),
                ("TWILIO_API_SECRET", "x"),
            ])
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
}
