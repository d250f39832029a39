//! The video settings: Twilio credentials (or none, for built-in rooms)
//! and the STUN/TURN servers built-in rooms hand to browsers.

use super::parse::list;
use super::SettingsError;
use api_types::VideoMode;
use secrecy::SecretString;

#[derive(Debug, Default)]
pub struct IceSettings {
    pub stun_urls: Vec<String>,
    pub turn: Option<TurnSettings>,
}

/// A TURN server using coturn's REST API: time-limited credentials from a shared secret.
#[derive(Debug)]
pub struct TurnSettings {
    pub urls: Vec<String>,
    pub secret: SecretString,
}

/// How long sessions and invites last, in seconds.
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
    /// Base of the Video REST API (`TWILIO_VIDEO_API_URL`; tests point it
    /// at a stand-in server).
    pub video_api: String,
    /// Base of the core REST API, for SMS (`TWILIO_API_URL`).
    pub api: String,
    /// Sender of "running late" texts (`TWILIO_SMS_FROM`): a number or a
    /// Messaging Service SID; no SMS without it.
    pub sms_from: Option<String>,
}

/// A setting that cannot be used, named so ops can fix it.
impl TwilioCredentials {
    /// Credentials for Twilio's own API addresses, without SMS.
    pub fn new(account_sid: String, api_key: String, api_secret: &str) -> Self {
        Self {
            account_sid,
            api_key,
            api_secret: SecretString::from(api_secret.to_owned()),
            video_api: DEFAULT_VIDEO_API.to_owned(),
            api: DEFAULT_API.to_owned(),
            sms_from: None,
        }
    }
}

pub(super) fn ice_settings(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<IceSettings, SettingsError> {
    let urls = |variable: &str, schemes: &[&str]| {
        list(var(variable))
            .into_iter()
            .map(|url| {
                if schemes.iter().any(|scheme| url.starts_with(scheme)) {
                    Ok(url)
                } else {
                    Err(SettingsError::new(
                        variable,
                        format!("{url:?} does not start with {}", schemes.join(" or ")),
                    ))
                }
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let stun_urls = urls("STUN_URLS", &["stun:", "stuns:"])?;
    let turn_urls = urls("TURN_URLS", &["turn:", "turns:"])?;
    let turn = match (turn_urls.is_empty(), var("TURN_SECRET")) {
        (true, None) => None,
        (false, Some(secret)) => Some(TurnSettings {
            urls: turn_urls,
            secret: SecretString::from(secret),
        }),
        (true, Some(_)) => {
            return Err(SettingsError::new(
                "TURN_URLS",
                "must be set with TURN_SECRET",
            ))
        }
        (false, None) => {
            return Err(SettingsError::new(
                "TURN_SECRET",
                "must be set with TURN_URLS",
            ))
        }
    };
    Ok(IceSettings { stun_urls, turn })
}

/// One of two named values; the first is the default.
/// All three Twilio variables, or none. Some but not all is a mistake that must
/// not silently fall back to local rooms.
pub(super) const TWILIO_VARIABLES: [&str; 3] =
    ["TWILIO_ACCOUNT_SID", "TWILIO_API_KEY", "TWILIO_API_SECRET"];

pub(super) fn video_settings(
    [sid, key, secret]: [Option<String>; 3],
) -> Result<VideoSettings, SettingsError> {
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
            Ok(VideoSettings::Twilio(TwilioCredentials::new(
                account_sid,
                api_key,
                api_secret.trim(),
            )))
        }
        _ => Err(SettingsError::new(
            missing.join(", "),
            "missing; Twilio needs TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET \
             together (set none of them for built-in video)",
        )),
    }
}

const DEFAULT_VIDEO_API: &str = "https://video.twilio.com";
const DEFAULT_API: &str = "https://api.twilio.com";

fn is_twilio_sid(value: &str, prefix: &str) -> bool {
    value.len() == 34
        && value.starts_with(prefix)
        && value[2..].bytes().all(|b| b.is_ascii_hexdigit())
}
