//! Visits a clinician ended for everyone. "End visit" is final: from then
//! on no token is minted for the visit and no room token reconnects, until
//! its invites would have expired anyway. Kept in this copy's memory, or
//! in Redis when copies share it (`REDIS_URL`).

use crate::cluster::Cluster;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long an ended visit is remembered: past the latest any invite can
/// expire (booked up to 90 days ahead, 8 hours long, plus the grace).
pub const REMEMBER_FOR: u64 = (api_types::MAX_DAYS_AHEAD + 1) * 86_400;

#[derive(Debug, Default)]
pub struct EndedVisits {
    /// Room name -> Unix seconds until which it stays ended.
    rooms: Mutex<HashMap<String, u64>>,
    shared: Option<Arc<Cluster>>,
}

impl EndedVisits {
    pub fn new(shared: Option<Arc<Cluster>>) -> Self {
        Self {
            rooms: Mutex::default(),
            shared,
        }
    }

    /// Records that `room` ended at `now`, for every copy.
    pub async fn end(&self, room: &str, now: u64) -> redis::RedisResult<()> {
        match &self.shared {
            Some(cluster) => cluster.mark_ended(room, REMEMBER_FOR).await,
            None => {
                self.end_here(room, now);
                Ok(())
            }
        }
    }

    /// Whether `room` ended; an error when the shared list cannot be read.
    pub async fn is_ended(&self, room: &str, now: u64) -> redis::RedisResult<bool> {
        match &self.shared {
            Some(cluster) => cluster.is_ended(room).await,
            None => Ok(self.ended_here(room, now)),
        }
    }

    fn rooms(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records that `room` ended at `now`; forgets entries past their time.
    fn end_here(&self, room: &str, now: u64) {
        let mut rooms = self.rooms();
        rooms.retain(|_, until| *until > now);
        rooms.insert(room.to_owned(), now + REMEMBER_FOR);
    }

    fn ended_here(&self, room: &str, now: u64) -> bool {
        self.rooms().get(room).is_some_and(|until| *until > now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_visit_stays_ended_until_its_invites_are_long_gone() {
        let ended = EndedVisits::default();
        assert!(!ended.ended_here("v1", 100));
        ended.end_here("v1", 100);
        assert!(ended.ended_here("v1", 100 + REMEMBER_FOR - 1));
        assert!(!ended.ended_here("v1", 100 + REMEMBER_FOR));
        assert!(!ended.ended_here("v2", 100), "only the visit that ended");
        ended.end_here("v2", 100 + REMEMBER_FOR);
        assert_eq!(ended.rooms().len(), 1, "old entries are forgotten");
    }
}
