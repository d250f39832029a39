//! Visits: when one happens and when its invites work, what the dashboard
//! shows for a room, the "running late" words, and the checks every
//! clinician action on a visit goes through. Nothing is stored: the visit
//! id and the invites carry all the service needs later. The handlers are
//! in `routes/visits*.rs`.

use crate::auth::ClinicianSession;
use crate::error::json_response_error;
use crate::rate_limit::client_ip;
use crate::settings::Lifetimes;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpRequest;
use api_types::{
    CreateVisitRequest, ErrorCode, LateNotice, Presence, Role, RunningLateRequest,
    DEFAULT_VISIT_MINUTES, LATE_MINUTES, MAX_DAYS_AHEAD, MAX_NOTE_CHARS, MAX_VISIT_MINUTES,
};
use std::time::Duration;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VisitError {
    #[error("A visit lasts from 1 to {MAX_VISIT_MINUTES} minutes.")]
    BadLength,
    #[error("That start time is already over; choose a later one.")]
    AlreadyOver,
    #[error("Visits can be booked at most {MAX_DAYS_AHEAD} days ahead.")]
    TooFarAhead,
}

impl VisitError {
    fn status(&self) -> StatusCode {
        StatusCode::UNPROCESSABLE_ENTITY
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            VisitError::BadLength => ErrorCode::InvalidLength,
            VisitError::AlreadyOver => ErrorCode::VisitOver,
            VisitError::TooFarAhead => ErrorCode::VisitTooFarAhead,
        }
    }
}

json_response_error!(VisitError);

/// When a visit happens and when its invites work (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub starts_at: u64,
    pub length_minutes: u32,
    pub valid_from: u64,
    pub expires_at: u64,
}

/// Checks a request and works out the invites' window (pure).
pub fn schedule(
    request: &CreateVisitRequest,
    lifetimes: &Lifetimes,
    now: u64,
) -> Result<Schedule, VisitError> {
    let length_minutes = request.length_minutes.unwrap_or(DEFAULT_VISIT_MINUTES);
    if !(1..=MAX_VISIT_MINUTES).contains(&length_minutes) {
        return Err(VisitError::BadLength);
    }
    let starts_at = request.starts_at.unwrap_or(now);
    if starts_at > now + MAX_DAYS_AHEAD * 86_400 {
        return Err(VisitError::TooFarAhead);
    }
    let expires_at = starts_at + u64::from(length_minutes) * 60 + lifetimes.invite_grace;
    if expires_at <= now {
        return Err(VisitError::AlreadyOver);
    }
    Ok(Schedule {
        starts_at,
        length_minutes,
        valid_from: starts_at.saturating_sub(lifetimes.invite_early),
        expires_at,
    })
}

/// Visits one status request may ask about.
pub const MAX_STATUS_VISITS: usize = 50;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LiveError {
    #[error("Ask about at most {MAX_STATUS_VISITS} visits at once.")]
    TooMany,
    #[error("This visit belongs to another clinician.")]
    NotYourVisit,
    #[error("The video service did not answer; live status is unavailable for now.")]
    Unavailable,
    #[error("{0}")]
    InvalidNotice(&'static str),
    #[error("Enter the phone number in international format, starting with + and the country code, like +14155550123.")]
    InvalidPhone,
}

impl LiveError {
    fn status(&self) -> StatusCode {
        match self {
            LiveError::TooMany => StatusCode::UNPROCESSABLE_ENTITY,
            LiveError::NotYourVisit => StatusCode::FORBIDDEN,
            LiveError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            LiveError::InvalidNotice(_) | LiveError::InvalidPhone => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    }

    fn code(&self) -> ErrorCode {
        match self {
            LiveError::TooMany => ErrorCode::TooManyVisits,
            LiveError::NotYourVisit => ErrorCode::NotYourVisit,
            LiveError::Unavailable => ErrorCode::StatusUnavailable,
            LiveError::InvalidNotice(_) => ErrorCode::InvalidNotice,
            LiveError::InvalidPhone => ErrorCode::InvalidPhone,
        }
    }
}

json_response_error!(LiveError);

/// What the dashboard shows for a room, from who is in it (pure).
pub fn presence_of(members: &[(Role, u64)]) -> (Presence, Option<u64>) {
    let has = |role: Role| members.iter().any(|(r, _)| *r == role);
    let patient_since = members
        .iter()
        .filter(|(r, _)| *r == Role::Patient)
        .map(|(_, at)| *at)
        .min();
    if has(Role::Provider) {
        (Presence::InCall, None)
    } else if let Some(since) = patient_since {
        (Presence::PatientWaiting, Some(since))
    } else if has(Role::Guest) {
        (Presence::GuestWaiting, None)
    } else {
        (Presence::Empty, None)
    }
}

/// Checks that every id is the clinician's own before anything is revealed.
pub(crate) fn check_own(
    state: &AppState,
    session: &ClinicianSession,
    ids: &[String],
) -> Result<(), LiveError> {
    if ids.len() > MAX_STATUS_VISITS {
        return Err(LiveError::TooMany);
    }
    if ids
        .iter()
        .all(|id| state.visit_ids.is_owned_by(id, session.clinician_id()))
    {
        Ok(())
    } else {
        Err(LiveError::NotYourVisit)
    }
}

/// Twilio or shared rooms failed: the dashboard says "status
/// unavailable"; ops see why.
pub(crate) fn unavailable(err: impl std::fmt::Display) -> LiveError {
    tracing::warn!(error = %err, "video backend call failed");
    LiveError::Unavailable
}

/// A clinician acts on one of their own visits: checked, then audited.
pub(crate) fn act_on_own(
    state: &AppState,
    req: &HttpRequest,
    session: &ClinicianSession,
    visit_id: &str,
    event: &str,
) -> Result<(), LiveError> {
    check_own(state, session, &[visit_id.to_owned()])?;
    let client = client_ip(req, &state.trusted_proxies);
    crate::audit::acted(event, session.clinician_id(), visit_id, client);
    Ok(())
}

/// How long the dashboard waits for the patient's browser to confirm.
pub(crate) const NOTICE_WAIT: Duration = Duration::from_secs(5);

/// The notice in a request, or why it cannot be sent (pure).
pub fn late_notice(request: &RunningLateRequest) -> Result<LateNotice, LiveError> {
    if request.minutes.is_some_and(|m| !LATE_MINUTES.contains(&m)) {
        return Err(LiveError::InvalidNotice("Choose 5, 10 or 15 minutes."));
    }
    if request
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(LiveError::InvalidNotice(
            "Keep the message to 280 characters or fewer.",
        ));
    }
    LateNotice::new(request.minutes, request.note.as_deref()).ok_or(LiveError::InvalidNotice(
        "Choose how late you are, or write a short message.",
    ))
}

/// E.164: `+`, a country code not starting with 0, 8 to 15 digits in all.
pub fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn late(minutes: Option<u8>, note: Option<&str>) -> RunningLateRequest {
        RunningLateRequest {
            visit_id: "v".into(),
            minutes,
            note: note.map(str::to_owned),
            phone: None,
        }
    }

    #[test]
    fn notices_need_known_minutes_or_a_short_note() {
        assert_eq!(
            late_notice(&late(Some(10), None)).unwrap().minutes,
            Some(10)
        );
        assert_eq!(
            late_notice(&late(Some(7), None)).unwrap_err().code(),
            ErrorCode::InvalidNotice
        );
        assert!(late_notice(&late(None, Some(&"x".repeat(280)))).is_ok());
        assert!(late_notice(&late(None, Some(&"x".repeat(281)))).is_err());
        assert!(late_notice(&late(None, None)).is_err());
    }

    #[test]
    fn phone_numbers_must_be_e164() {
        assert!(is_e164("+14155550123"));
        assert!(is_e164("+447911123456"));
        for bad in [
            "14155550123",
            "+0123456789",
            "+1 415 555 0123",
            "+1234",
            "+1415555012345678",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
    }

    #[test]
    fn presence_follows_who_is_in_the_room() {
        assert_eq!(presence_of(&[]), (Presence::Empty, None));
        assert_eq!(
            presence_of(&[(Role::Guest, 5)]),
            (Presence::GuestWaiting, None)
        );
        assert_eq!(
            presence_of(&[(Role::Guest, 5), (Role::Patient, 9)]),
            (Presence::PatientWaiting, Some(9))
        );
        assert_eq!(
            presence_of(&[(Role::Patient, 9), (Role::Provider, 12)]),
            (Presence::InCall, None)
        );
    }

    const LIFETIMES: Lifetimes = Lifetimes {
        session_absolute: 43_200,
        session_idle: 1_800,
        invite_early: 1_800,
        invite_grace: 7_200,
    };
    const NOW: u64 = 1_800_000_000;

    fn request(starts_at: Option<u64>, length_minutes: Option<u32>) -> CreateVisitRequest {
        CreateVisitRequest {
            starts_at,
            length_minutes,
        }
    }

    #[test]
    fn invites_run_from_half_an_hour_before_to_two_hours_after() {
        let s = schedule(&request(Some(NOW + 3_600), Some(20)), &LIFETIMES, NOW).unwrap();
        assert_eq!(s.valid_from, NOW + 3_600 - 1_800);
        assert_eq!(s.expires_at, NOW + 3_600 + 20 * 60 + 7_200);
    }

    #[test]
    fn defaults_are_now_and_thirty_minutes() {
        let s = schedule(&request(None, None), &LIFETIMES, NOW).unwrap();
        assert_eq!((s.starts_at, s.length_minutes), (NOW, 30));
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        assert_eq!(
            schedule(&request(None, Some(0)), &LIFETIMES, NOW),
            Err(VisitError::BadLength)
        );
        assert_eq!(
            schedule(&request(None, Some(481)), &LIFETIMES, NOW),
            Err(VisitError::BadLength)
        );
        assert_eq!(
            schedule(&request(Some(NOW - 20_000), Some(30)), &LIFETIMES, NOW),
            Err(VisitError::AlreadyOver)
        );
        assert_eq!(
            schedule(&request(Some(NOW + 91 * 86_400), None), &LIFETIMES, NOW),
            Err(VisitError::TooFarAhead)
        );
    }
}
