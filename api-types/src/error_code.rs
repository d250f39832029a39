//! Every error code the service answers with (`{"error": {"code": …}}`),
//! so the service and the SPA match on the same names at compile time.

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it travels in JSON.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// The code a response carried; `None` for one this build does not know.
            pub fn parse(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // Any request
    BodyTooLarge = "body_too_large",
    MalformedJson = "malformed_json",
    InvalidBody = "invalid_body",
    UnsupportedMediaType = "unsupported_media_type",
    NotFound = "not_found",
    MethodNotAllowed = "method_not_allowed",
    RateLimited = "rate_limited",
    Internal = "internal",
    // Sessions
    Unauthenticated = "unauthenticated",
    SessionExpired = "session_expired",
    InvalidSession = "invalid_session",
    Forbidden = "forbidden",
    InvalidCredentials = "invalid_credentials",
    /// Every place for a password check is taken; try again shortly.
    Busy = "busy",
    // Visits
    InvalidLength = "invalid_length",
    VisitOver = "visit_over",
    VisitTooFarAhead = "visit_too_far_ahead",
    TooManyVisits = "too_many_visits",
    NotYourVisit = "not_your_visit",
    StatusUnavailable = "status_unavailable",
    InvalidNotice = "invalid_notice",
    InvalidPhone = "invalid_phone",
    VisitEnded = "visit_ended",
    // Video tokens
    InviteOrVisitRequired = "invite_or_visit_required",
    InviteExpired = "invite_expired",
    InviteNotYetValid = "invite_not_yet_valid",
    InviteInvalid = "invite_invalid",
    WrongVisit = "wrong_visit",
    NoticeUnavailable = "notice_unavailable",
    PatientElsewhere = "patient_elsewhere",
    GuestsFull = "guests_full",
    // Built-in rooms' socket
    RoomTokenExpired = "room_token_expired",
    RoomTokenInvalid = "room_token_invalid",
    RoomFull = "room_full",
    Unavailable = "unavailable",
    WebsocketRequired = "websocket_required",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_itself_and_none_repeats() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert!(seen.insert(code.as_str()), "{code:?} repeats");
        }
        assert_eq!(ErrorCode::parse("something_new"), None);
    }
}
