//! The clinician's queue: which visit comes first and how its state reads.
//! Pure, so the order and the words are tested natively.

use crate::i18n::Locale;
use crate::services::storage::SavedVisit;
use api_types::{Presence, VisitStatus};
use std::collections::BTreeMap;

/// A visit's state on the queue, in the order rows are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowState {
    /// The patient is in the waiting room, since the given Unix second.
    PatientWaiting(Since),
    GuestWaiting,
    InCall,
    NoOneYet,
    Checking,
    Unavailable,
    Ended,
}

/// When a patient arrived, as the service reports it; unknown sorts last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Since(pub Option<u64>);

/// Each visit still remembered by the service's answers, by id; `None`
/// before the first answer, `Err` while the service cannot say.
pub type Live<'a> = Option<&'a Result<BTreeMap<String, VisitStatus>, ()>>;

impl RowState {
    pub fn of(visit: &SavedVisit, live: Live<'_>) -> RowState {
        if visit.ended {
            return RowState::Ended;
        }
        match live.map(|live| live.as_ref().map(|m| m.get(&visit.visit.visit_id))) {
            None | Some(Ok(None)) => RowState::Checking,
            Some(Err(())) => RowState::Unavailable,
            Some(Ok(Some(status))) => match status.presence {
                Presence::Empty => RowState::NoOneYet,
                Presence::GuestWaiting => RowState::GuestWaiting,
                Presence::InCall => RowState::InCall,
                Presence::PatientWaiting => RowState::PatientWaiting(Since(status.patient_since)),
            },
        }
    }

    /// The state chip's words at `now`.
    pub fn words(self, t: &Locale, now: u64) -> String {
        let key = match self {
            RowState::PatientWaiting(Since(since)) => {
                let minutes = since.map_or(0, |since| now.saturating_sub(since) / 60);
                return t.count("clinic.row.patient_waiting", minutes);
            }
            RowState::GuestWaiting => "clinic.row.guest_waiting",
            RowState::InCall => "clinic.row.in_call",
            RowState::NoOneYet => "clinic.row.nobody",
            RowState::Checking => "clinic.row.checking",
            RowState::Unavailable => "clinic.row.unavailable",
            RowState::Ended => "clinic.row.ended",
        };
        t.t(key).to_owned()
    }

    /// A class for the chip's colour.
    pub fn class(self) -> &'static str {
        match self {
            RowState::PatientWaiting(_) => "chip waiting",
            RowState::GuestWaiting | RowState::InCall => "chip active",
            RowState::Ended => "chip ended",
            _ => "chip",
        }
    }

    /// The row's main action: back into a call the clinician stepped out
    /// of, or the start of one.
    pub fn action(self) -> Option<&'static str> {
        match self {
            RowState::Ended => None,
            RowState::InCall => Some("clinic.row.rejoin"),
            _ => Some("clinic.row.start"),
        }
    }
}

/// The visits in queue order: waiting patients first, longest wait first,
/// then guests waiting, calls, and the rest in the list's own order
/// (newest first), ended visits last.
pub fn in_order<'a>(visits: &'a [SavedVisit], live: Live<'_>) -> Vec<(&'a SavedVisit, RowState)> {
    let mut rows: Vec<_> = visits
        .iter()
        .map(|visit| (visit, RowState::of(visit, live)))
        .collect();
    rows.sort_by_key(|(_, state)| *state);
    rows
}

/// Where `j` (step 1) or `k` (step -1) moves among `len` rows from the
/// focused one (`None`: none focused, so the first or the last).
pub fn step(focused: Option<usize>, len: usize, step: isize) -> Option<usize> {
    let last = len.checked_sub(1)?;
    Some(match focused {
        None if step > 0 => 0,
        None => last,
        Some(at) => at.saturating_add_signed(step).min(last),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::storage::saved_visit;

    fn saved(id: &str, ended: bool) -> SavedVisit {
        SavedVisit {
            ended,
            ..saved_visit(id, 0)
        }
    }

    fn status(id: &str, presence: Presence, since: Option<u64>) -> (String, VisitStatus) {
        let status = VisitStatus {
            visit_id: id.into(),
            presence,
            patient_since: since,
        };
        (id.into(), status)
    }

    #[test]
    fn waiting_patients_come_first_longest_wait_first_and_ended_visits_last() {
        let visits: Vec<_> = ["ended", "empty", "call", "late", "early", "guest"]
            .into_iter()
            .map(|id| saved(id, id == "ended"))
            .collect();
        let live = Ok(BTreeMap::from([
            status("empty", Presence::Empty, None),
            status("call", Presence::InCall, None),
            status("late", Presence::PatientWaiting, Some(900)),
            status("early", Presence::PatientWaiting, Some(100)),
            status("guest", Presence::GuestWaiting, None),
        ]));
        let order: Vec<_> = in_order(&visits, Some(&live))
            .into_iter()
            .map(|(v, _)| v.visit.visit_id.as_str())
            .collect();
        assert_eq!(order, ["early", "late", "guest", "call", "empty", "ended"]);
    }

    #[test]
    fn the_chip_counts_the_wait_from_the_arrival_the_service_reports() {
        let waiting = RowState::PatientWaiting(Since(Some(1_000)));
        let t = Locale::clinic_english();
        assert_eq!(waiting.words(&t, 1_000 + 245), "Patient waiting · 4 min");
        assert_eq!(waiting.action().map(|key| t.t(key)), Some("Start"));
        assert_eq!(
            RowState::InCall.action().map(|key| t.t(key)),
            Some("Rejoin")
        );
        assert_eq!(RowState::Ended.action(), None);
        let visit = saved("v", false);
        assert_eq!(RowState::of(&visit, None), RowState::Checking);
        assert_eq!(RowState::of(&visit, Some(&Err(()))), RowState::Unavailable);
        assert_eq!(RowState::of(&saved("v", true), None), RowState::Ended);
    }

    #[test]
    fn j_and_k_move_within_the_rows() {
        assert_eq!(step(None, 3, 1), Some(0));
        assert_eq!(step(None, 3, -1), Some(2));
        assert_eq!(step(Some(1), 3, 1), Some(2));
        assert_eq!(step(Some(2), 3, 1), Some(2));
        assert_eq!(step(Some(0), 3, -1), Some(0));
        assert_eq!(step(None, 0, 1), None);
    }
}
