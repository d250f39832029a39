//! Video backends behind one interface: each turns its room's events into
//! the waiting-room machine's inputs, plus the remote media to show.

pub mod join_error;
pub mod local;
pub mod quality;
pub mod twilio;

use crate::media::Kind;
use crate::visit::machine::Input;
use api_types::{LateNotice, Role, TokenResponse, VideoMode};
use join_error::JoinError;
use local::LocalRoom;
use serde::{Deserialize, Serialize};
use twilio::TwilioRoom;
use web_sys::MediaStream;
use yew::Callback;

#[derive(Debug, Clone, PartialEq)]
pub enum RoomEvent {
    Input(Input),
    /// A remote participant's camera and microphone, ready to attach.
    RemoteStream {
        identity: String,
        stream: MediaStream,
    },
    /// The name a participant chose to show, sent browser to browser.
    RemoteName {
        identity: String,
        name: String,
    },
    /// Connecting failed; the person may try again.
    JoinFailed(JoinError),
    /// Words from the clinic for the room's view.
    Notice(Notice),
    /// A patient's intake answers, for the clinician's side panel.
    Intake(Vec<IntakeAnswer>),
    /// A patient confirmed a notice (for the notice participant).
    NoticeSeen,
    /// Some media could not be sent or received; the call goes on.
    MediaFailed(MediaFailure),
    /// Someone's shared screen, or `None` once they stop sharing.
    RemoteScreen {
        identity: String,
        stream: Option<MediaStream>,
    },
    /// How good a connection is, 0 to 5 bars: someone's (by identity), or
    /// our own (`None`).
    Quality {
        identity: Option<String>,
        bars: u8,
    },
    /// A chat message from someone in the call, browser to browser.
    Chat {
        identity: String,
        text: String,
    },
}

/// Which way media failed, for a plain-language note on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaFailure {
    /// Our camera or microphone could not be published.
    Sending,
    /// Someone's camera or microphone could not be received.
    Receiving,
}

impl MediaFailure {
    /// The catalogue key of what to tell the person.
    pub fn message(self) -> &'static str {
        match self {
            MediaFailure::Sending => "media.not_sent",
            MediaFailure::Receiving => "media.not_received",
        }
    }
}

/// Where rooms are signalled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signalling {
    /// The built-in rooms' WebSocket on the token service.
    pub built_in: String,
    /// Tests only: a Twilio emulator in place of Twilio's own address
    /// (`config.json`'s `test_twilio_signalling_url`).
    pub twilio_emulator: Option<String>,
}

/// A room on whichever backend the token is for.
pub enum VideoRoom {
    Local(LocalRoom),
    Twilio(TwilioRoom),
}

impl VideoRoom {
    /// Starts joining; everything after arrives through `emit`.
    pub fn connect(
        signalling: Signalling,
        token: &TokenResponse,
        display_name: String,
        local: MediaStream,
        emit: Callback<RoomEvent>,
    ) -> Self {
        match token.backend {
            VideoMode::Local => VideoRoom::Local(LocalRoom::connect(
                signalling.built_in,
                token,
                display_name,
                local,
                emit,
            )),
            VideoMode::Twilio => VideoRoom::Twilio(TwilioRoom::connect(
                token,
                signalling.twilio_emulator,
                display_name,
                local,
                emit,
            )),
        }
    }

    /// Shares intake answers with the clinicians in the room, now and as
    /// they join, never with guests.
    pub fn share_intake(&self, answers: Vec<IntakeAnswer>) {
        match self {
            VideoRoom::Local(room) => room.share_intake(answers),
            VideoRoom::Twilio(room) => room.share_intake(answers),
        }
    }

    pub fn leave(&self) {
        match self {
            VideoRoom::Local(room) => room.leave(),
            VideoRoom::Twilio(room) => room.leave(),
        }
    }

    /// Mute and Camera off, for everyone in the room: built-in rooms send
    /// silence and black frames, Twilio pauses the published track.
    pub fn set_enabled(&self, kind: Kind, on: bool) {
        match self {
            VideoRoom::Local(room) => room.set_enabled(kind, on),
            VideoRoom::Twilio(room) => room.set_enabled(kind, on),
        }
    }

    /// A fresh token for the same place. Built-in rooms keep the socket
    /// open with it; the Twilio SDK takes no new token mid-call, so Twilio
    /// tokens are minted to last the visit instead.
    pub fn renew(&self, token: &TokenResponse) {
        if let VideoRoom::Local(room) = self {
            room.renew(token);
        }
    }

    /// Says `text` in the chat to everyone in the room now, browser to
    /// browser; nobody who arrives later receives it.
    pub fn chat(&self, text: String) {
        let message = PeerMessage::Chat { text };
        match self {
            VideoRoom::Local(room) => room.send_to_everyone(&message),
            VideoRoom::Twilio(room) => room.send(&message),
        }
    }

    /// Shares `screen` with everyone in the room, now and as they join:
    /// built-in rooms add its track to each connection and renegotiate;
    /// Twilio publishes it as a video track named `screen`.
    pub fn share_screen(&self, screen: &MediaStream) {
        match self {
            VideoRoom::Local(room) => room.share_screen(screen),
            VideoRoom::Twilio(room) => room.share_screen(screen),
        }
    }

    /// Stops sending the shared screen.
    pub fn stop_screen(&self) {
        match self {
            VideoRoom::Local(room) => room.stop_screen(),
            VideoRoom::Twilio(room) => room.stop_screen(),
        }
    }

    /// Sends a new capture (the person changed camera or microphone).
    pub fn use_media(&self, stream: MediaStream) {
        match self {
            VideoRoom::Local(room) => room.use_media(stream),
            VideoRoom::Twilio(room) => room.use_media(stream),
        }
    }
}

/// Whether this browser can join on `backend`: WebRTC for built-in rooms,
/// the SDK's own verdict for Twilio (loading the SDK the first time).
pub async fn supported(backend: VideoMode) -> Result<(), JoinError> {
    match backend {
        VideoMode::Local => {
            let has_webrtc = js_sys::Reflect::has(&js_sys::global(), &"RTCPeerConnection".into())
                .unwrap_or(false);
            has_webrtc.then_some(()).ok_or(JoinError::Unsupported)
        }
        VideoMode::Twilio => {
            let video = twilio::load_sdk().await?;
            video
                .is_supported()
                .then_some(())
                .ok_or(JoinError::Unsupported)
        }
    }
}

/// What browsers in a visit tell each other directly (a data channel in
/// built-in rooms), so names never pass through the service or identities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerMessage {
    Hello {
        name: String,
    },
    /// Sent by a patient to clinicians only, never through the service.
    Intake {
        answers: Vec<IntakeAnswer>,
    },
    /// "Running late", from the dashboard's notice participant (Twilio).
    Notice(LateNotice),
    /// The patient's browser showed the notice.
    NoticeSeen,
    /// An in-call chat message, never kept.
    Chat {
        text: String,
    },
    /// The sender stopped sharing their screen (built-in rooms; Twilio
    /// unpublishes the track instead).
    ScreenEnded,
}

/// What the clinic tells the people in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The clinician's "running late", for the waiting patient.
    Late(LateNotice),
    /// For the clinicians: the patient's link was kept out elsewhere.
    KeptOut,
}

impl Notice {
    /// A "running late" as shown, from either backend: the note cleaned
    /// and bounded as any other text from outside this browser.
    pub fn late(late: LateNotice) -> Notice {
        let note = late
            .note
            .and_then(|note| clean_text(&note, api_types::MAX_NOTE_CHARS));
        Notice::Late(LateNotice { note, ..late })
    }
}

/// One answered question, with the question's words so the clinician's
/// panel needs nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeAnswer {
    pub question: String,
    pub answer: String,
}

/// Identities of the dashboard's notice participants (set by the service).
pub const NOTICE_PREFIX: &str = "notice.";

/// Bounds on what a peer may send as intake answers.
const MAX_ANSWERS: usize = 20;
const MAX_ANSWER_CHARS: usize = 2000;

/// What a message from `from` means here (pure, tested natively): names
/// are cleaned; intake answers count only from a patient, bounded.
pub fn peer_event(from: &str, message: PeerMessage) -> Option<RoomEvent> {
    let from_patient = Role::from_identity(from) == Some(Role::Patient);
    match message {
        PeerMessage::Notice(late) => from
            .starts_with(NOTICE_PREFIX)
            .then(|| RoomEvent::Notice(Notice::late(late))),
        PeerMessage::NoticeSeen => from_patient.then_some(RoomEvent::NoticeSeen),
        PeerMessage::Hello { name } => clean_name(&name).map(|name| RoomEvent::RemoteName {
            identity: from.to_owned(),
            name,
        }),
        PeerMessage::ScreenEnded => Role::from_identity(from).map(|_| RoomEvent::RemoteScreen {
            identity: from.to_owned(),
            stream: None,
        }),
        PeerMessage::Chat { text } => Role::from_identity(from)
            .and(clean_text(&text, MAX_CHAT_CHARS))
            .map(|text| RoomEvent::Chat {
                identity: from.to_owned(),
                text,
            }),
        PeerMessage::Intake { answers } => from_patient.then(|| {
            RoomEvent::Intake(
                answers
                    .into_iter()
                    .take(MAX_ANSWERS)
                    .map(|a| IntakeAnswer {
                        question: a.question.chars().take(MAX_ANSWER_CHARS).collect(),
                        answer: a.answer.chars().take(MAX_ANSWER_CHARS).collect(),
                    })
                    .collect(),
            )
        }),
    }
}

/// Longest name shown for a participant.
pub const MAX_NAME_CHARS: usize = 60;
/// Longest chat message sent or shown.
pub const MAX_CHAT_CHARS: usize = 1000;

/// A display name as shown to others: see [`clean_text`].
pub fn clean_name(name: &str) -> Option<String> {
    clean_text(name, MAX_NAME_CHARS)
}

/// Text from another browser as shown here: trimmed, no control or
/// invisible formatting characters (a right-to-left override could make
/// "Guest" read as something else), at most `max` characters; `None` when
/// nothing is left.
pub fn clean_text(text: &str, max: usize) -> Option<String> {
    let cleaned: String = text
        .chars()
        .filter(|&c| !c.is_control() && !is_format(c))
        .collect::<String>()
        .trim()
        .chars()
        .take(max)
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// Unicode's invisible formatting characters (category Cf) that reorder or
/// hide text: bidirectional overrides and isolates, zero-width characters.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_bounded() {
        assert_eq!(clean_name("  Ana \u{0007}Lima "), Some("Ana Lima".into()));
        assert_eq!(
            clean_name("Dr.\u{202E}tseuG \u{200B}Rivera\u{FEFF}"),
            Some("Dr.tseuG Rivera".into())
        );
        assert_eq!(clean_name(" \n "), None);
        assert_eq!(
            clean_name(&"x".repeat(100)).unwrap().chars().count(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn intake_answers_count_only_from_a_patient_and_are_bounded() {
        let answers = vec![
            IntakeAnswer {
                question: "Why?".into(),
                answer: "y".repeat(5000),
            };
            30
        ];
        let message = PeerMessage::Intake { answers };
        assert_eq!(peer_event("guest.g", message.clone()), None);
        assert_eq!(peer_event("provider.c", message.clone()), None);
        let Some(RoomEvent::Intake(kept)) = peer_event("patient.p", message) else {
            panic!("a patient's answers are shown");
        };
        assert_eq!(kept.len(), MAX_ANSWERS);
        assert_eq!(kept[0].answer.chars().count(), MAX_ANSWER_CHARS);
    }

    #[test]
    fn notices_count_only_from_notice_participants_and_acks_only_from_patients() {
        let late = LateNotice::new(Some(10), Some("Sorry")).unwrap();
        let notice = PeerMessage::Notice(late.clone());
        assert_eq!(
            peer_event("notice.n1", notice.clone()),
            Some(RoomEvent::Notice(Notice::Late(late)))
        );
        assert_eq!(peer_event("guest.g", notice), None);
        assert_eq!(
            peer_event("patient.p", PeerMessage::NoticeSeen),
            Some(RoomEvent::NoticeSeen)
        );
        assert_eq!(peer_event("guest.g", PeerMessage::NoticeSeen), None);
        assert_eq!(
            serde_json::to_string(&PeerMessage::NoticeSeen).unwrap(),
            r#""notice_seen""#
        );
    }

    #[test]
    fn a_late_notes_text_is_cleaned_and_bounded_whichever_way_it_came() {
        let sly = LateNotice {
            minutes: Some(5),
            note: Some(format!("\u{202e}Back soon{}", "x".repeat(400))),
        };
        let Notice::Late(shown) = Notice::late(sly) else {
            panic!("a late notice stays one");
        };
        let note = shown.note.unwrap();
        assert!(note.starts_with("Back soon"), "{note}");
        assert_eq!(note.chars().count(), api_types::MAX_NOTE_CHARS);
        assert_eq!(shown.minutes, Some(5));
        let blank = LateNotice {
            minutes: None,
            note: Some(" \u{200b} ".into()),
        };
        assert_eq!(
            Notice::late(blank),
            Notice::Late(LateNotice {
                minutes: None,
                note: None
            })
        );
    }

    #[test]
    fn chat_counts_from_people_in_the_visit_cleaned_and_bounded() {
        let chat = |text: &str| PeerMessage::Chat { text: text.into() };
        assert_eq!(
            peer_event("guest.g", chat(" Can you hear me?\u{202E} ")),
            Some(RoomEvent::Chat {
                identity: "guest.g".into(),
                text: "Can you hear me?".into()
            })
        );
        assert_eq!(peer_event("notice.n1", chat("hi")), None);
        assert_eq!(peer_event("patient.p", chat(" \u{200B} ")), None);
        let Some(RoomEvent::Chat { text, .. }) = peer_event("provider.c", chat(&"y".repeat(5000)))
        else {
            panic!("a long message is cut, not dropped");
        };
        assert_eq!(text.chars().count(), MAX_CHAT_CHARS);
        assert_eq!(
            serde_json::to_string(&chat("hi")).unwrap(),
            r#"{"chat":{"text":"hi"}}"#
        );
    }

    #[test]
    fn peer_messages_have_a_stable_wire_form() {
        let hello = PeerMessage::Hello { name: "Ana".into() };
        assert_eq!(
            serde_json::to_string(&hello).unwrap(),
            r#"{"hello":{"name":"Ana"}}"#
        );
        assert!(serde_json::from_str::<PeerMessage>(r#"{"other":{}}"#).is_err());
    }
}
