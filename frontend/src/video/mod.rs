//! Video backends behind one interface: each turns its room's events into
//! the waiting-room machine's inputs, plus the remote media to show.

pub mod local;

use crate::visit::machine::Input;
use serde::{Deserialize, Serialize};
use web_sys::MediaStream;

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
}

/// What browsers in a visit tell each other directly (a data channel in
/// built-in rooms), so names never pass through the service or identities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PeerMessage {
    Hello { name: String },
}

/// Longest name shown for a participant.
pub const MAX_NAME_CHARS: usize = 60;

/// A display name as shown to others: trimmed, no control characters,
/// at most [`MAX_NAME_CHARS`]; `None` when nothing is left.
pub fn clean_name(name: &str) -> Option<String> {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_bounded() {
        assert_eq!(clean_name("  Ana \u{0007}Lima "), Some("Ana Lima".into()));
        assert_eq!(clean_name(" \n "), None);
        assert_eq!(
            clean_name(&"x".repeat(100)).unwrap().chars().count(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn peer_messages_have_a_stable_wire_form() {
        let hello = PeerMessage::Hello { name: "Ana".into() };
        assert_eq!(
            serde_json::to_string(&hello).unwrap(),
            r#"{"type":"hello","name":"Ana"}"#
        );
        assert!(serde_json::from_str::<PeerMessage>(r#"{"type":"other"}"#).is_err());
    }
}
