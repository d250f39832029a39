//! Running times: how long someone has waited, and how long a visit's call
//! has lasted.

use crate::hooks::{use_locale, use_now_seconds};
use crate::messages::clock;
use crate::services::now_seconds;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct WaitTimerProps {
    /// When the wait began (Unix seconds), if known; otherwise it counts
    /// from when the timer first shows.
    pub since: Option<u64>,
}

/// "You have been waiting 2 minutes".
#[component]
pub fn WaitTimer(props: &WaitTimerProps) -> Html {
    let t = use_locale();
    let shown = use_state(now_seconds);
    let minutes = use_now_seconds().saturating_sub(props.since.unwrap_or(*shown)) / 60;
    let text = if minutes == 0 {
        t.t("waiting.for_under_a_minute").to_owned()
    } else {
        t.count("waiting.for_minutes", minutes)
    };
    html! { <p class="wait-timer">{ text }</p> }
}

#[derive(Properties, PartialEq)]
pub struct CallClockProps {
    /// When this person joined the call (Unix seconds).
    pub since: u64,
}

/// "Visit time 12:04" in the call's header, for the clinician.
#[component]
pub fn CallClock(props: &CallClockProps) -> Html {
    let t = use_locale();
    let elapsed = use_now_seconds().saturating_sub(props.since);
    html! { <p class="call-clock" role="timer">{ t.fill("call.clock", &[("time", &clock(elapsed))]) }</p> }
}
