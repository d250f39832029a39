//! Wire types shared by the SPA and the token service, so both sides agree on
//! field names at compile time. Serde only: no I/O, no web or server crates.

use serde::{Deserialize, Serialize};

mod error_code;
pub use error_code::ErrorCode;

/// A visit's length unless the clinician chooses one, in minutes.
pub const DEFAULT_VISIT_MINUTES: u32 = 30;
/// The longest visit, in minutes.
pub const MAX_VISIT_MINUTES: u32 = 8 * 60;
/// Visits can be booked up to this many days ahead.
pub const MAX_DAYS_AHEAD: u64 = 90;
/// Invites open this long before the visit (the service's default for
/// `INVITE_EARLY_SECONDS`), in minutes.
pub const DEFAULT_INVITE_EARLY_MINUTES: u64 = 30;
/// Invites keep working this long after the visit's end (the default for
/// `INVITE_GRACE_SECONDS`), in minutes.
pub const DEFAULT_INVITE_GRACE_MINUTES: u64 = 120;

/// Which video backend the service drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoMode {
    /// Twilio Video Group Rooms.
    Twilio,
    /// The service's own rooms: WebSocket signalling, peer-to-peer WebRTC.
    Local,
}

impl VideoMode {
    pub fn as_str(self) -> &'static str {
        match self {
            VideoMode::Twilio => "twilio",
            VideoMode::Local => "local",
        }
    }
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    /// `ok`, or `degraded` while copies cannot reach their shared state.
    pub status: String,
    /// Which copy answered, when copies share rooms: an opaque name made
    /// at its start-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
    pub version: String,
    pub video_mode: VideoMode,
}

/// Every error the service returns has this body, whatever the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, machine-readable; clients branch on this, never on `message`.
    pub code: String,
    pub message: String,
}

/// The SPA's run-time settings: `config.json`, served next to `index.html`.
///
/// Unknown fields are refused so that a misspelt setting is reported to ops
/// instead of silently ignored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// Base URL of the token service. Relative values (such as `"./"`) are
    /// resolved against the page, for a service that serves the SPA itself.
    pub api_base_url: String,
    /// The waiting room's optional questionnaire; none shows when empty.
    #[serde(default)]
    pub intake: Vec<IntakeQuestion>,
    /// Whether patients and guests may share their screen in the call (the
    /// clinician always may). On unless the clinic turns it off.
    #[serde(default = "on")]
    pub patient_screen_share: bool,
    /// The languages patients may choose, as BCP 47 codes, each with a
    /// catalogue at `locales/<code>.json` (English is built in).
    #[serde(default = "offered_languages")]
    pub languages: Vec<String>,
    /// The clinic's own words over any catalogue string, by language and
    /// then by key, in the catalogues' shape (its name, its phone number).
    #[serde(default)]
    pub messages: MessageTree,
    /// For tests only: a local Twilio emulator's signalling address
    /// (`ws://…`), given to the Twilio SDK as its `wsServer`. Clinics never
    /// set it; without it the SDK connects to Twilio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_twilio_signalling_url: Option<String>,
}

fn on() -> bool {
    true
}

fn offered_languages() -> Vec<String> {
    vec!["en".to_owned(), "es".to_owned()]
}

/// A message catalogue as i18next's JSON writes it: strings, grouped by
/// nested objects whose names join with dots into a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageTree {
    Text(String),
    Group(Vec<(String, MessageTree)>),
}

impl MessageTree {
    /// Every message with its dotted key (`"waiting.title"`), in the file's
    /// order.
    pub fn flatten(&self) -> Vec<(String, String)> {
        fn walk(key: &str, tree: &MessageTree, into: &mut Vec<(String, String)>) {
            match tree {
                MessageTree::Text(text) => into.push((key.to_owned(), text.clone())),
                MessageTree::Group(group) => {
                    for (name, entry) in group {
                        let inner = if key.is_empty() {
                            name.clone()
                        } else {
                            format!("{key}.{name}")
                        };
                        walk(&inner, entry, into);
                    }
                }
            }
        }
        let mut flat = Vec::new();
        walk("", self, &mut flat);
        flat
    }
}

impl Default for MessageTree {
    fn default() -> Self {
        MessageTree::Group(Vec::new())
    }
}

/// Words a clinic writes in `config.json`: one text, or one per language
/// (`{"en": "…", "es": "…"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translated {
    Text(String),
    ByLanguage(Vec<(String, String)>),
}

/// Both are read by hand, a string or an object kept as pairs: serde's
/// untagged enums buffer every value first, and maps bring a tree's code,
/// both of which would weigh on the patients' first paint.
macro_rules! text_or_pairs {
    ($type:ident, $pairs:ident, $expecting:literal) => {
        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Shape;
                impl<'de> serde::de::Visitor<'de> for Shape {
                    type Value = $type;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<$type, E> {
                        Ok($type::Text(text.to_owned()))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$type, A::Error> {
                        let mut pairs = Vec::new();
                        while let Some(pair) = map.next_entry()? {
                            pairs.push(pair);
                        }
                        Ok($type::$pairs(pairs))
                    }
                }
                deserializer.deserialize_any(Shape)
            }
        }
    };
}
text_or_pairs!(MessageTree, Group, "a string or an object of messages");
text_or_pairs!(
    Translated,
    ByLanguage,
    "a string or an object of texts by language"
);

impl Translated {
    /// The text in `language`, else in English, else the first given.
    pub fn get(&self, language: &str) -> &str {
        match self {
            Translated::Text(text) => text,
            Translated::ByLanguage(texts) => {
                let find = |code: &str| texts.iter().find(|(c, _)| c == code);
                find(language)
                    .or_else(|| find(DEFAULT_LANGUAGE))
                    .or(texts.first())
                    .map_or("", |(_, text)| text)
            }
        }
    }
}

/// The language built into the SPA, and every fallback's end.
pub const DEFAULT_LANGUAGE: &str = "en";

/// One question of the clinic's intake form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeQuestion {
    /// Stable and unique within the form (used for the field's id).
    pub id: String,
    pub label: Translated,
    #[serde(default)]
    pub kind: QuestionKind,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// One line.
    #[default]
    Text,
    /// A few lines.
    LongText,
    /// A checkbox the patient ticks to agree.
    Consent,
}

/// Who a participant is in a visit. The service puts it in front of every
/// video identity (`patient.…`), so every client can tell roles apart
/// without names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Patient,
    /// An interpreter or relative, invited by the clinician.
    Guest,
    /// The clinician.
    Provider,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Patient, Role::Guest, Role::Provider];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Patient => "patient",
            Role::Guest => "guest",
            Role::Provider => "provider",
        }
    }

    /// Reads the role from an identity such as `patient.k3j9…`.
    pub fn from_identity(identity: &str) -> Option<Role> {
        let (prefix, rest) = identity.split_once('.')?;
        if rest.is_empty() {
            return None;
        }
        Role::ALL.into_iter().find(|role| role.as_str() == prefix)
    }
}

/// `POST /api/session`: a clinician signs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    pub username: String,
    pub password: String,
}

/// A clinician session. Send `token` as `Authorization: Bearer …`, and call
/// `POST /api/session/refresh` before `expires_at` to keep it alive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionResponse {
    pub token: String,
    /// Unix seconds when the token stops working unless refreshed (idle limit).
    pub expires_at: u64,
    /// Unix seconds after which no refresh extends the session.
    pub absolute_expires_at: u64,
    pub clinician: ClinicianInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicianInfo {
    pub id: String,
    pub display_name: String,
}

/// `POST /api/visits`. It has no field for the patient's name, which only
/// the clinician's browser keeps: the service never sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVisitRequest {
    /// Unix seconds; defaults to now.
    #[serde(default)]
    pub starts_at: Option<u64>,
    /// Defaults to 30 minutes.
    #[serde(default)]
    pub length_minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateVisitResponse {
    pub visit_id: String,
    pub patient_invite: String,
    pub guest_invite: String,
    pub starts_at: u64,
    pub length_minutes: u32,
    /// Unix seconds: both invites work from here…
    pub invites_valid_from: u64,
    /// …until here.
    pub invites_expire_at: u64,
}

/// `POST /api/token`: either an invite, or (with a clinician session) a visit id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[serde(default)]
    pub invite: Option<String>,
    #[serde(default)]
    pub visit_id: Option<String>,
    /// Twilio mode, clinician only: a two-minute token for a data-only
    /// participant (`notice.…`, a role the waiting-room rules ignore) that
    /// carries a "running late" notice into the room.
    #[serde(default)]
    pub notice: bool,
    /// Patient links: a random secret this browser keeps for good. Only the
    /// device that holds the patient's place may take it over (another tab);
    /// any other device waits until that one has left, so a copied link
    /// cannot push the patient out.
    #[serde(default)]
    pub device: Option<String>,
}

/// Longest device secret accepted (a UUID is 36 characters).
pub const MAX_DEVICE_CHARS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub token: String,
    pub backend: VideoMode,
    pub room: String,
    pub identity: String,
    pub role: Role,
    pub expires_at: u64,
    /// STUN/TURN servers for built-in rooms (empty: host candidates only, or Twilio).
    #[serde(default)]
    pub ice_servers: Vec<IceServer>,
}

/// One entry of `RTCConfiguration.iceServers`, in the browser's own shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// `POST /api/visits/status`: live state of the clinician's own visits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitStatusRequest {
    pub visit_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Empty,
    PatientWaiting,
    GuestWaiting,
    InCall,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitStatus {
    pub visit_id: String,
    pub presence: Presence,
    /// Unix seconds the waiting patient arrived, for the wait timer.
    pub patient_since: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitStatusResponse {
    pub visits: Vec<VisitStatus>,
}

/// `POST /api/visits/end`: ends a visit for everyone in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndVisitRequest {
    pub visit_id: String,
}

/// The WebSocket subprotocol of built-in rooms. The browser offers it along
/// with its room token (`new WebSocket(url, [SIGNALLING_PROTOCOL, token])`),
/// so the token never appears in a URL.
pub const SIGNALLING_PROTOCOL: &str = "hearth-signalling";

/// Close codes the signalling service ends a socket with.
pub mod close_code {
    /// The same identity joined from another tab or device.
    pub const REPLACED: u16 = 4001;
    /// The clinician ended the visit for everyone.
    pub const ROOM_ENDED: u16 = 4003;
    /// Nothing heard from the browser for too long.
    pub const IDLE: u16 = 4004;
    /// The room token ran out while the socket was open.
    pub const EXPIRED: u16 = 4005;
    /// The patient's link is open on another device, which keeps its place.
    pub const OPEN_ELSEWHERE: u16 = 4006;
    /// Too many or too large messages.
    pub const POLICY: u16 = 4008;
}

/// A participant in a built-in room: an opaque identity and its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub identity: String,
    pub role: Role,
}

/// What a browser sends on the signalling socket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientSignal {
    /// Relay `payload` (an SDP description or ICE candidate) to one member.
    Signal {
        to: String,
        payload: serde_json::Value,
    },
    /// A patient saw the clinician's notice (the dashboard says "delivered").
    NoticeSeen,
    /// A fresh room token for the same identity and room: the socket then
    /// stays open until the new token's end. A clinician's token ends with
    /// their session's idle window, so a long call renews it.
    Renew { token: String },
}

/// What the signalling service sends to a browser. Externally tagged
/// (`{"welcome": {…}}`): the browser then reads it without buffering, which
/// keeps serde's internal-tag machinery out of the first-paint wasm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerSignal {
    /// First message after joining: who you are and who is already here.
    Welcome {
        identity: String,
        role: Role,
        roster: Vec<Participant>,
    },
    Joined(Participant),
    Left {
        identity: String,
    },
    Signal {
        from: String,
        payload: serde_json::Value,
    },
    /// A message was refused; the socket stays open unless said otherwise.
    Error {
        code: String,
        message: String,
    },
    /// The clinician's "running late" to a waiting patient, worded by the
    /// patient's browser in the patient's language.
    Notice(LateNotice),
    /// To the clinicians: the patient's link was tried on another device
    /// while the patient is in the visit, and kept out.
    KeptOut,
}

/// Longest free text a clinician may add to a "running late" notice.
pub const MAX_NOTE_CHARS: usize = 280;

/// The minutes a "running late" notice may announce.
pub const LATE_MINUTES: [u8; 3] = [5, 10, 15];

/// `POST /api/visits/running-late`: tells the waiting patient, and by SMS
/// if a phone number is given (used for this one text, never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunningLateRequest {
    pub visit_id: String,
    #[serde(default)]
    pub minutes: Option<u8>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsOutcome {
    Sent,
    Failed,
    /// This clinic has no SMS sender (Twilio mode with TWILIO_SMS_FROM).
    NotSetUp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningLateResponse {
    /// A waiting patient's browser showed it and said so.
    pub delivered: bool,
    /// Twilio mode, with a patient waiting: the service cannot enter the
    /// room, so the dashboard delivers the notice itself through a `notice`
    /// token. False while nobody waits, so no empty room is created.
    #[serde(default)]
    pub deliver_from_dashboard: bool,
    /// `None` when no phone number was given.
    pub sms: Option<SmsOutcome>,
}

/// A "running late" notice as it travels: how late and the clinician's own
/// words, so each patient's browser says it in the patient's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateNotice {
    #[serde(default)]
    pub minutes: Option<u8>,
    #[serde(default)]
    pub note: Option<String>,
}

impl LateNotice {
    /// The notice, with the note trimmed; `None` when there is nothing to say.
    pub fn new(minutes: Option<u8>, note: Option<&str>) -> Option<LateNotice> {
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        (minutes.is_some() || note.is_some()).then(|| LateNotice {
            minutes,
            note: note.map(str::to_owned),
        })
    }

    /// The notice's words: how late, as `lead` words the minutes, then
    /// the clinician's note as written.
    pub fn words(&self, lead: impl FnOnce(u8) -> String) -> String {
        [self.minutes.map(lead), self.note.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// In English, for the text message: the service cannot know which
    /// language the patient reads.
    pub fn sms_text(&self) -> String {
        self.words(|m| format!("Your clinician is running about {m} minutes late."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_notices_join_minutes_and_note_for_text_messages() {
        let sms = |m, n| LateNotice::new(m, n).map(|notice| notice.sms_text());
        assert_eq!(
            sms(Some(10), Some("  Sorry! ")).as_deref(),
            Some("Your clinician is running about 10 minutes late. Sorry!")
        );
        assert_eq!(sms(None, Some("Back soon")).as_deref(), Some("Back soon"));
        assert_eq!(LateNotice::new(None, Some("  ")), None);
    }

    #[test]
    fn clinic_words_come_in_the_chosen_language_or_english() {
        let label: Translated =
            serde_json::from_str(r#"{"es": "¿Por qué?", "en": "Why?"}"#).unwrap();
        assert_eq!(label.get("es"), "¿Por qué?");
        assert_eq!(label.get("fr"), "Why?");
        let plain: Translated = serde_json::from_str(r#""Why?""#).unwrap();
        assert_eq!(plain.get("es"), "Why?");
    }

    #[test]
    fn error_body_has_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: "not_found".into(),
                message: "No such resource.".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"error": {"code": "not_found", "message": "No such resource."}})
        );
    }

    #[test]
    fn video_mode_serialises_lowercase() {
        assert_eq!(
            serde_json::to_string(&VideoMode::Local).unwrap(),
            "\"local\""
        );
        assert_eq!(VideoMode::Twilio.as_str(), "twilio");
    }

    #[test]
    fn roles_are_read_from_identity_prefixes() {
        assert_eq!(Role::from_identity("patient.k3j9"), Some(Role::Patient));
        assert_eq!(Role::from_identity("provider.c-12"), Some(Role::Provider));
        assert_eq!(Role::from_identity("guest.x"), Some(Role::Guest));
        assert_eq!(Role::from_identity("guest."), None);
        assert_eq!(Role::from_identity("patientk3j9"), None);
        assert_eq!(Role::from_identity("doctor.x"), None);
        assert_eq!(Role::from_identity(""), None);
    }

    #[test]
    fn client_config_refuses_misspelt_fields() {
        let err = serde_json::from_str::<ClientConfig>(r#"{"apiBaseUrl": "x"}"#).unwrap_err();
        assert!(err.to_string().contains("apiBaseUrl"), "{err}");
    }

    #[test]
    fn request_parsers_refuse_garbage_without_panicking() {
        for input in [
            "",
            "{",
            "null",
            "[1]",
            "{\"invite\": 5}",
            "{\"visit_id\": null, \"x\": 1}",
            "\u{0}",
        ] {
            assert!(
                serde_json::from_str::<TokenRequest>(input).is_err(),
                "{input}"
            );
            assert!(
                serde_json::from_str::<SessionRequest>(input).is_err(),
                "{input}"
            );
        }
        assert!(serde_json::from_str::<CreateVisitRequest>("{}").is_ok());
    }
}
