//! Visits a clinician ended for everyone. "End visit" is final: from then
//! on no token is minted for the visit and no room token reconnects, until
//! its invites would have expired anyway. Kept in this copy's memory: a
//! restart forgets, and another copy does not know (see the README).

use std::collections::HashMap;
use std::sync::Mutex;

/// How long an ended visit is remembered: past the latest any invite can
/// expire (booked up to 90 days ahead, 8 hours long, plus the grace).
pub const REMEMBER_FOR: u64 = (api_types::MAX_DAYS_AHEAD + 1) * 86_400;

#[derive(Debug, Default)]
pub struct EndedVisits {
    /// Room name -> Unix seconds until which it stays ended.
    rooms: Mutex<HashMap<String, u64>>,
}

impl EndedVisits {
    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records that `room` ended at `now`; forgets entries past their time.
    pub fn end(&self, room: &str, now: u64) {
        let mut rooms = self.rooms();
        rooms.retain(|_, until| *until > now);
        rooms.insert(room.to_owned(), now + REMEMBER_FOR);
    }

    pub fn is_ended(&self, room: &str, now: u64) -> bool {
        self.rooms().get(room).is_some_and(|until| *until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_visit_stays_ended_until_its_invites_are_long_gone() {
        let ended = EndedVisits::default();
        assert!(!ended.is_ended("v1", 100));
        ended.end("v1", 100);
        assert!(ended.is_ended("v1", 100 + REMEMBER_FOR - 1));
        assert!(!ended.is_ended("v1", 100 + REMEMBER_FOR));
        assert!(!ended.is_ended("v2", 100), "only the visit that ended");
        ended.end("v2", 100 + REMEMBER_FOR);
        assert_eq!(ended.rooms().len(), 1, "old entries are forgotten");
    }
}
