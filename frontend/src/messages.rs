//! Plain-language messages for what can go wrong, by the service's stable
//! error codes. Pure, so every mapping is tested natively.

use crate::services::http::HttpError;
use crate::visit::machine::EndReason;
use api_types::{ErrorCode, Role, DEFAULT_INVITE_EARLY_MINUTES, MAX_DAYS_AHEAD, MAX_VISIT_MINUTES};

pub const UNREACHABLE: &str =
    "We can't reach the Hearth service. Check your internet connection and try again.";
const SESSION_ENDED: &str = "Your session has ended. Please sign in again.";
const TRY_AGAIN: &str = "Something went wrong on our side. Please try again in a moment.";
/// Said where a patient's link is already in use on another device: at the
/// link, and in a tab that lost the race to join.
pub const OPEN_ELSEWHERE: &str = "Your visit is already open on another phone, tablet or computer. Close it there, then try again here. If that device is switched off, wait a minute and try again.";
/// Shown in the call while our own connection scores 2 bars or fewer.
pub const WEAK_CONNECTION: &str = "Your connection is weak; turning your camera off may help.";
const SLOW_DOWN: &str = "Too many attempts in a short time. Please wait a minute and try again.";

pub fn sign_in(err: &HttpError) -> &'static str {
    match (err, err.code()) {
        (HttpError::Network, _) => UNREACHABLE,
        (_, Some(ErrorCode::InvalidCredentials)) => {
            "That username and password don't match an account."
        }
        (_, Some(ErrorCode::RateLimited)) => SLOW_DOWN,
        _ => TRY_AGAIN,
    }
}

pub fn create_visit(err: &HttpError) -> String {
    if err.session_ended() {
        return SESSION_ENDED.to_owned();
    }
    match (err, err.code()) {
        (HttpError::Network, _) => UNREACHABLE.to_owned(),
        (_, Some(ErrorCode::InvalidLength)) => {
            format!("A visit lasts from 1 to {MAX_VISIT_MINUTES} minutes.")
        }
        (_, Some(ErrorCode::VisitOver)) => {
            "That start time is already over. Choose a later one.".to_owned()
        }
        (_, Some(ErrorCode::VisitTooFarAhead)) => {
            format!("Visits can be booked at most {MAX_DAYS_AHEAD} days ahead.")
        }
        (_, Some(ErrorCode::RateLimited)) => SLOW_DOWN.to_owned(),
        _ => TRY_AGAIN.to_owned(),
    }
}

/// A visit's live state for the clinician's list: `None` before the first
/// answer, `Some(Err(()))` when the service cannot say.
/// Longest patient name the clinician's list keeps (checked in the
/// browser: the name is never sent).
pub const MAX_PATIENT_NAME_CHARS: usize = 100;
pub const PATIENT_NAME_TOO_LONG: &str = "The patient's name can be at most 100 characters.";

/// Why a visit link cannot be used, as the patient or guest meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteProblem {
    /// The clinician ended the visit for everyone.
    Ended,
    Expired,
    NotYetValid,
    Invalid,
    Unreachable,
    Busy,
    /// The patient is in the visit on another device, which keeps its place.
    OpenElsewhere,
    /// As many interpreters and relatives as the visit allows are there.
    GuestsFull,
}

impl InviteProblem {
    pub fn from_error(err: &HttpError) -> Self {
        match (err, err.code()) {
            (HttpError::Network, _) => InviteProblem::Unreachable,
            (_, Some(ErrorCode::VisitEnded)) => InviteProblem::Ended,
            (_, Some(ErrorCode::PatientElsewhere)) => InviteProblem::OpenElsewhere,
            (_, Some(ErrorCode::GuestsFull)) => InviteProblem::GuestsFull,
            (_, Some(ErrorCode::InviteExpired)) => InviteProblem::Expired,
            (_, Some(ErrorCode::InviteNotYetValid)) => InviteProblem::NotYetValid,
            (
                _,
                Some(ErrorCode::InviteInvalid | ErrorCode::WrongVisit | ErrorCode::InvalidBody),
            ) => InviteProblem::Invalid,
            _ => InviteProblem::Busy,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            InviteProblem::Ended => "This visit has ended",
            InviteProblem::Expired => "This visit link has expired",
            InviteProblem::NotYetValid => "It's a little early",
            InviteProblem::Invalid => "This visit link doesn't work",
            InviteProblem::OpenElsewhere => "This visit is open on another device",
            InviteProblem::GuestsFull => "This visit is full",
            InviteProblem::Unreachable | InviteProblem::Busy => {
                "We can't open your visit right now"
            }
        }
    }

    pub fn advice(self) -> String {
        match self {
            InviteProblem::Ended => {
                "Your clinician ended this visit. If you still need them, please contact your clinic.".to_owned()
            }
            InviteProblem::Expired => {
                "Visit links stop working a while after the appointment. Please call your clinic and ask for a new link.".to_owned()
            }
            InviteProblem::NotYetValid => {
                format!("Your visit link opens {DEFAULT_INVITE_EARLY_MINUTES} minutes before your appointment. Please come back closer to the time.")
            }
            InviteProblem::Invalid => {
                "Please open the link again exactly as your clinic sent it. If it still doesn't work, call your clinic for a new one.".to_owned()
            }
            InviteProblem::OpenElsewhere => OPEN_ELSEWHERE.to_owned(),
            InviteProblem::GuestsFull => {
                "The visit already has as many interpreters and relatives as it allows. If you should be in it, please call the clinic.".to_owned()
            }
            InviteProblem::Unreachable => UNREACHABLE.to_owned(),
            InviteProblem::Busy => TRY_AGAIN.to_owned(),
        }
    }
}

/// A chosen name always comes with the role, so a guest cannot pass for
/// the clinician.
pub fn caption(name: Option<&String>, role: Role) -> String {
    match name {
        Some(name) => format!("{name} ({})", participant_label(role)),
        None => participant_label(role).to_owned(),
    }
}

pub fn participant_label(role: Role) -> &'static str {
    match role {
        Role::Provider => "Clinician",
        Role::Patient => "Patient",
        Role::Guest => "Guest",
    }
}

pub fn end_message(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Left => "You left the visit.",
        EndReason::ClinicianEnded => "Your clinician ended the visit.",
        EndReason::JoinedElsewhere => {
            "You joined from another tab or device, so this one was disconnected."
        }
        EndReason::OpenElsewhere => OPEN_ELSEWHERE,
        EndReason::TokenExpired => {
            "Your visit link has expired. Please ask your clinic for a new one."
        }
        EndReason::RoomEnded => {
            "The video room for this visit has closed. If you still need your clinician, please contact your clinic."
        }
        EndReason::ConnectionLost => {
            "We lost the connection and could not get it back."
        }
    }
}

/// A running time as a clock: "4:05", or "1:02:09" past an hour.
pub fn clock(seconds: u64) -> String {
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{seconds:02}")
    } else {
        format!("{minutes}:{seconds:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::http::with_code as status;

    #[test]
    fn clocks_read_as_minutes_then_hours() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(245), "4:05");
        assert_eq!(clock(3729), "1:02:09");
    }

    #[test]
    fn invite_codes_map_to_what_the_patient_should_do() {
        assert_eq!(
            InviteProblem::from_error(&status("visit_ended")),
            InviteProblem::Ended
        );
        assert_eq!(
            InviteProblem::from_error(&status("invite_expired")),
            InviteProblem::Expired
        );
        assert_eq!(
            InviteProblem::from_error(&status("invite_not_yet_valid")),
            InviteProblem::NotYetValid
        );
        assert_eq!(
            InviteProblem::from_error(&status("invite_invalid")),
            InviteProblem::Invalid
        );
        assert_eq!(
            InviteProblem::from_error(&status("patient_elsewhere")),
            InviteProblem::OpenElsewhere
        );
        assert_eq!(
            InviteProblem::from_error(&status("guests_full")),
            InviteProblem::GuestsFull
        );
        assert_eq!(
            InviteProblem::from_error(&HttpError::Network),
            InviteProblem::Unreachable
        );
        assert_eq!(
            InviteProblem::from_error(&status("rate_limited")),
            InviteProblem::Busy
        );
        assert!(InviteProblem::Expired.advice().contains("call your clinic"));
    }

    #[test]
    fn messages_never_show_raw_codes() {
        let codes = ErrorCode::ALL.iter().map(|c| c.as_str()).chain(["???"]);
        for code in codes {
            for message in [
                sign_in(&status(code)).to_owned(),
                create_visit(&status(code)),
            ] {
                assert!(!message.contains('_'), "{code}: {message}");
            }
            let problem = InviteProblem::from_error(&status(code));
            assert!(!problem.advice().contains('_'), "{code}: {problem:?}");
        }
        assert!(create_visit(&status("invalid_length")).contains("480 minutes"));
        assert_eq!(sign_in(&HttpError::Network), UNREACHABLE);
        assert!(create_visit(&status("session_expired")).contains("sign in again"));
    }
}
