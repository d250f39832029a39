//! Plain-language messages for what can go wrong, by the service's stable
//! error codes, in the person's language. Pure, so every mapping is tested
//! natively (in English).

use crate::i18n::Locale;
use crate::services::http::HttpError;
use crate::video::Notice;
use crate::visit::machine::EndReason;
use api_types::{ErrorCode, Role, DEFAULT_INVITE_EARLY_MINUTES, MAX_DAYS_AHEAD, MAX_VISIT_MINUTES};

/// Said where a patient's link is already in use on another device: at the
/// link, and in a tab that lost the race to join.
pub const OPEN_ELSEWHERE: &str = "errors.open_elsewhere";
const UNREACHABLE: &str = "errors.unreachable";
const SESSION_ENDED: &str = "clinic.errors.session_ended";
const TRY_AGAIN: &str = "errors.try_again";
const SLOW_DOWN: &str = "errors.slow_down";

pub fn sign_in(t: &Locale, err: &HttpError) -> String {
    t.t(match (err, err.code()) {
        (HttpError::Network, _) => UNREACHABLE,
        (_, Some(ErrorCode::InvalidCredentials)) => "clinic.sign_in.no_match",
        (_, Some(ErrorCode::RateLimited)) => SLOW_DOWN,
        _ => TRY_AGAIN,
    })
    .to_owned()
}

pub fn create_visit(t: &Locale, err: &HttpError) -> String {
    if err.session_ended() {
        return t.t(SESSION_ENDED).to_owned();
    }
    match (err, err.code()) {
        (HttpError::Network, _) => t.t(UNREACHABLE).to_owned(),
        (_, Some(ErrorCode::InvalidLength)) => t.fill(
            "clinic.create.length",
            &[("max", &MAX_VISIT_MINUTES.to_string())],
        ),
        (_, Some(ErrorCode::VisitOver)) => t.t("clinic.create.over").to_owned(),
        (_, Some(ErrorCode::VisitTooFarAhead)) => t.fill(
            "clinic.create.too_far",
            &[("days", &MAX_DAYS_AHEAD.to_string())],
        ),
        (_, Some(ErrorCode::RateLimited)) => t.t(SLOW_DOWN).to_owned(),
        _ => t.t(TRY_AGAIN).to_owned(),
    }
}

/// Longest patient name the clinician's list keeps (checked in the
/// browser: the name is never sent).
pub const MAX_PATIENT_NAME_CHARS: usize = 100;

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

    pub fn title(self, t: &Locale) -> &str {
        t.t(match self {
            InviteProblem::Ended => "invite.ended_title",
            InviteProblem::Expired => "invite.expired_title",
            InviteProblem::NotYetValid => "invite.early_title",
            InviteProblem::Invalid => "invite.invalid_title",
            InviteProblem::OpenElsewhere => "invite.elsewhere_title",
            InviteProblem::GuestsFull => "invite.full_title",
            InviteProblem::Unreachable | InviteProblem::Busy => "invite.unavailable_title",
        })
    }

    pub fn advice(self, t: &Locale) -> String {
        let key = match self {
            InviteProblem::Ended => "invite.ended",
            InviteProblem::Expired => "invite.expired",
            InviteProblem::NotYetValid => {
                let minutes = DEFAULT_INVITE_EARLY_MINUTES.to_string();
                return t.fill("invite.early", &[("minutes", &minutes)]);
            }
            InviteProblem::Invalid => "invite.invalid",
            InviteProblem::OpenElsewhere => OPEN_ELSEWHERE,
            InviteProblem::GuestsFull => "invite.full",
            InviteProblem::Unreachable => UNREACHABLE,
            InviteProblem::Busy => TRY_AGAIN,
        };
        t.t(key).to_owned()
    }
}

/// A chosen name always comes with the role, so a guest cannot pass for
/// the clinician.
pub fn caption(t: &Locale, name: Option<&String>, role: Role) -> String {
    let label = participant_label(t, role);
    match name {
        Some(name) => t.fill("role.caption", &[("name", name), ("role", label)]),
        None => label.to_owned(),
    }
}

pub fn participant_label(t: &Locale, role: Role) -> &str {
    t.t(match role {
        Role::Provider => "role.clinician",
        Role::Patient => "role.patient",
        Role::Guest => "role.guest",
    })
}

pub fn end_message(t: &Locale, reason: EndReason) -> &str {
    t.t(match reason {
        EndReason::Left => "ended.left",
        EndReason::ClinicianEnded => "ended.by_clinician",
        EndReason::JoinedElsewhere => "ended.elsewhere",
        EndReason::OpenElsewhere => OPEN_ELSEWHERE,
        EndReason::TokenExpired => "ended.expired",
        EndReason::RoomEnded => "ended.room_closed",
        EndReason::ConnectionLost => "ended.connection_lost",
    })
}

/// What the clinic tells the people in a room, in their language; the
/// clinician's own note as written.
pub fn notice(t: &Locale, notice: &Notice) -> String {
    match notice {
        Notice::KeptOut => t.t("call.kept_out").to_owned(),
        Notice::Late(late) => {
            late.words(|m| t.fill("waiting.late", &[("minutes", &m.to_string())]))
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
        assert!(InviteProblem::Expired
            .advice(&Locale::english())
            .contains("call your clinic"));
    }

    #[test]
    fn messages_never_show_raw_codes() {
        let t = Locale::clinic_english();
        let codes = ErrorCode::ALL.iter().map(|c| c.as_str()).chain(["???"]);
        for code in codes {
            for message in [sign_in(&t, &status(code)), create_visit(&t, &status(code))] {
                assert!(!message.contains('_'), "{code}: {message}");
            }
            let problem = InviteProblem::from_error(&status(code));
            assert!(!problem.advice(&t).contains('_'), "{code}: {problem:?}");
            assert!(!problem.title(&t).contains('_'), "{code}: {problem:?}");
        }
        assert!(create_visit(&t, &status("invalid_length")).contains("480 minutes"));
        assert!(sign_in(&t, &HttpError::Network).contains("can't reach"));
        assert!(create_visit(&t, &status("session_expired")).contains("sign in again"));
    }

    #[test]
    fn notices_say_how_late_in_the_patients_language_with_the_note_as_written() {
        let late = api_types::LateNotice::new(Some(10), Some("Sorry!")).unwrap();
        assert_eq!(
            notice(&Locale::english(), &Notice::Late(late)),
            "Your clinician is running about 10 minutes late. Sorry!"
        );
        assert!(notice(&Locale::english(), &Notice::KeptOut).contains("another device"));
    }
}
