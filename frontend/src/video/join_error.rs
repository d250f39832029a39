//! Why joining or staying in a room failed, on either backend, with what
//! each means for the person on screen. Twilio's error codes map onto it
//! (codes from `docs/twilio.md`); built-in rooms use the same words. Pure,
//! so the mapping is tested natively.

use crate::visit::machine::EndReason;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinError {
    /// 20101: the token is not a valid access token.
    InvalidToken,
    /// 20104: the token expired (also breaks reconnection).
    TokenExpired,
    /// 20107: the token's signature does not match the API key.
    BadSignature,
    /// 53000: the signalling server cannot be reached.
    Unreachable,
    /// 53001: the signalling connection dropped.
    SignalingLost,
    /// 53105: the room has no seat left.
    RoomFull,
    /// 53118: the room was completed (for example by "End visit").
    RoomEnded,
    /// 53205: the same identity connected elsewhere.
    JoinedElsewhere,
    /// 53405: the media connection failed.
    MediaFailed,
    /// Our copy of the SDK did not load.
    SdkMissing,
    /// The SDK says this browser cannot make its calls (`isSupported`).
    Unsupported,
    /// Any other code, or none.
    Other(Option<u32>),
}

impl JoinError {
    pub fn from_code(code: Option<u32>) -> Self {
        match code {
            Some(20101) => JoinError::InvalidToken,
            Some(20104) => JoinError::TokenExpired,
            Some(20107) => JoinError::BadSignature,
            Some(53000) => JoinError::Unreachable,
            Some(53001) => JoinError::SignalingLost,
            Some(53105) => JoinError::RoomFull,
            Some(53118) => JoinError::RoomEnded,
            Some(53205) => JoinError::JoinedElsewhere,
            Some(53405) => JoinError::MediaFailed,
            other => JoinError::Other(other),
        }
    }

    /// Why the visit ended, when this error ends a connected room.
    pub fn end_reason(self) -> EndReason {
        match self {
            JoinError::TokenExpired => EndReason::TokenExpired,
            JoinError::RoomEnded => EndReason::RoomEnded,
            JoinError::JoinedElsewhere => EndReason::JoinedElsewhere,
            _ => EndReason::ConnectionLost,
        }
    }

    /// The catalogue key of plain words for a join that failed, with what
    /// to do next.
    pub fn message(self) -> &'static str {
        match self {
            JoinError::Unreachable | JoinError::SignalingLost | JoinError::SdkMissing => {
                "join.unreachable"
            }
            JoinError::MediaFailed => "join.blocked",
            JoinError::TokenExpired => "join.expired",
            JoinError::InvalidToken | JoinError::BadSignature => "join.unchecked",
            JoinError::RoomFull => "join.full",
            JoinError::RoomEnded => "join.ended",
            JoinError::Unsupported => "errors.unsupported_browser",
            JoinError::JoinedElsewhere => "join.elsewhere",
            JoinError::Other(_) => "join.failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [u32; 9] = [
        20101, 20104, 20107, 53000, 53001, 53105, 53118, 53205, 53405,
    ];

    #[test]
    fn every_documented_code_has_its_own_variant() {
        for code in KNOWN {
            assert_ne!(
                JoinError::from_code(Some(code)),
                JoinError::Other(Some(code)),
                "{code}"
            );
        }
        assert_eq!(
            JoinError::from_code(Some(12345)),
            JoinError::Other(Some(12345))
        );
        assert_eq!(JoinError::from_code(None), JoinError::Other(None));
    }

    #[test]
    fn disconnect_codes_end_the_visit_with_the_issue_s_reasons() {
        let reason = |code| JoinError::from_code(Some(code)).end_reason();
        assert_eq!(reason(53118), EndReason::RoomEnded);
        assert_eq!(reason(53205), EndReason::JoinedElsewhere);
        assert_eq!(reason(20104), EndReason::TokenExpired);
        assert_eq!(reason(53001), EndReason::ConnectionLost);
        assert_eq!(
            JoinError::Other(None).end_reason(),
            EndReason::ConnectionLost
        );
    }

    #[test]
    fn messages_are_plain_words_without_codes() {
        let t = crate::i18n::Locale::english();
        assert!(t
            .t(JoinError::Unreachable.message())
            .contains("can't reach the video service"));
        for code in KNOWN {
            let message = t.t(JoinError::from_code(Some(code)).message());
            assert!(!message.chars().any(|c| c.is_ascii_digit()), "{message}");
            assert!(!message.contains('.') || message.contains(' '), "{message}");
        }
    }
}
