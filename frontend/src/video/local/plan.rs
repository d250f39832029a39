//! What the built-in room does when its socket closes: end the visit (and
//! why), or try again after how long. Pure, so every case is tested natively.

use crate::visit::machine::EndReason;
use api_types::close_code;
use std::time::Duration;

/// How long to keep trying to reach the service before giving up.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(60);

/// The visit is over for this browser when the service closed the socket
/// with one of these codes; any other close is a drop to recover from.
pub fn after_close(code: u16) -> Option<EndReason> {
    match code {
        close_code::REPLACED => Some(EndReason::JoinedElsewhere),
        close_code::OPEN_ELSEWHERE => Some(EndReason::OpenElsewhere),
        close_code::ROOM_ENDED => Some(EndReason::ClinicianEnded),
        close_code::EXPIRED => Some(EndReason::TokenExpired),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    After(Duration),
    End(EndReason),
}

/// The `attempt`th try (from 1) after the socket dropped at `dropped_at_ms`:
/// backoff from 1 s doubling to 4 s, until the token runs out or a
/// minute has passed.
pub fn next_try(attempt: u32, now_ms: f64, dropped_at_ms: f64, token_expires_at: u64) -> Retry {
    if now_ms / 1000.0 >= token_expires_at as f64 {
        Retry::End(EndReason::TokenExpired)
    } else if now_ms - dropped_at_ms > GIVE_UP_AFTER.as_millis() as f64 {
        Retry::End(EndReason::ConnectionLost)
    } else {
        Retry::After(Duration::from_millis(500u64 << attempt.min(3)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_s_own_closes_end_the_visit_and_others_are_drops() {
        assert_eq!(
            after_close(close_code::REPLACED),
            Some(EndReason::JoinedElsewhere)
        );
        assert_eq!(
            after_close(close_code::OPEN_ELSEWHERE),
            Some(EndReason::OpenElsewhere)
        );
        assert_eq!(
            after_close(close_code::ROOM_ENDED),
            Some(EndReason::ClinicianEnded)
        );
        assert_eq!(
            after_close(close_code::EXPIRED),
            Some(EndReason::TokenExpired)
        );
        for drop in [1000, 1001, 1006, close_code::IDLE, close_code::POLICY] {
            assert_eq!(after_close(drop), None, "{drop}");
        }
    }

    #[test]
    fn retries_back_off_to_four_seconds_then_give_up() {
        let ms = |n: u64| Duration::from_millis(n);
        let delays: Vec<Retry> = (1..=5).map(|n| next_try(n, 1_000.0, 0.0, 100)).collect();
        assert_eq!(
            delays,
            [ms(1_000), ms(2_000), ms(4_000), ms(4_000), ms(4_000)].map(Retry::After)
        );
        assert_eq!(
            next_try(9, 61_000.0, 0.0, 100),
            Retry::End(EndReason::ConnectionLost)
        );
        assert_eq!(
            next_try(1, 100_000.0, 99_000.0, 100),
            Retry::End(EndReason::TokenExpired)
        );
    }
}
