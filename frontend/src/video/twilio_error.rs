//! Twilio Video's error codes as a Rust enum, with what each means for the
//! person on screen. Pure, so the mapping is tested natively; codes from
//! `docs/twilio.md`.

use crate::visit::machine::EndReason;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwilioError {
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

impl TwilioError {
    pub fn from_code(code: Option<u32>) -> Self {
        match code {
            Some(20101) => TwilioError::InvalidToken,
            Some(20104) => TwilioError::TokenExpired,
            Some(20107) => TwilioError::BadSignature,
            Some(53000) => TwilioError::Unreachable,
            Some(53001) => TwilioError::SignalingLost,
            Some(53105) => TwilioError::RoomFull,
            Some(53118) => TwilioError::RoomEnded,
            Some(53205) => TwilioError::JoinedElsewhere,
            Some(53405) => TwilioError::MediaFailed,
            other => TwilioError::Other(other),
        }
    }

    /// Why the visit ended, when this error ends a connected room.
    pub fn end_reason(self) -> EndReason {
        match self {
            TwilioError::TokenExpired => EndReason::TokenExpired,
            TwilioError::RoomEnded => EndReason::RoomEnded,
            TwilioError::JoinedElsewhere => EndReason::JoinedElsewhere,
            _ => EndReason::ConnectionLost,
        }
    }

    /// Plain words for a join that failed, with what to do next.
    pub fn message(self) -> &'static str {
        match self {
            TwilioError::Unreachable | TwilioError::SignalingLost | TwilioError::SdkMissing => {
                "We can't reach the video service. Check your internet connection, then press Join again."
            }
            TwilioError::MediaFailed => {
                "Your video connection could not be set up. A strict firewall or VPN can cause this: try another network, then press Join again."
            }
            TwilioError::TokenExpired => {
                "Your visit link has expired. Please ask your clinic for a new one."
            }
            TwilioError::InvalidToken | TwilioError::BadSignature => {
                "This visit link could not be checked by the video service. Please ask your clinic for a new one."
            }
            TwilioError::RoomFull => {
                "This visit already has as many people as it can take. Please ask your clinician."
            }
            TwilioError::RoomEnded => "This visit has already ended.",
            TwilioError::Unsupported => {
                "This browser can't make video calls. Please use a current Chrome, Edge, Firefox or Safari."
            }
            TwilioError::JoinedElsewhere => {
                "You joined this visit from another tab or device."
            }
            TwilioError::Other(_) => {
                "Something went wrong connecting to your visit. Please press Join again."
            }
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
                TwilioError::from_code(Some(code)),
                TwilioError::Other(Some(code)),
                "{code}"
            );
        }
        assert_eq!(
            TwilioError::from_code(Some(12345)),
            TwilioError::Other(Some(12345))
        );
        assert_eq!(TwilioError::from_code(None), TwilioError::Other(None));
    }

    #[test]
    fn disconnect_codes_end_the_visit_with_the_issue_s_reasons() {
        let reason = |code| TwilioError::from_code(Some(code)).end_reason();
        assert_eq!(reason(53118), EndReason::RoomEnded);
        assert_eq!(reason(53205), EndReason::JoinedElsewhere);
        assert_eq!(reason(20104), EndReason::TokenExpired);
        assert_eq!(reason(53001), EndReason::ConnectionLost);
        assert_eq!(
            TwilioError::Other(None).end_reason(),
            EndReason::ConnectionLost
        );
    }

    #[test]
    fn messages_are_plain_words_without_codes() {
        assert!(TwilioError::Unreachable
            .message()
            .contains("can't reach the video service"));
        for code in KNOWN {
            let message = TwilioError::from_code(Some(code)).message();
            assert!(!message.chars().any(|c| c.is_ascii_digit()), "{message}");
        }
    }
}
