//! Running times: how long someone has waited, and how long a visit's call
//! has lasted.

use crate::hooks::use_now_seconds;
use crate::messages::clock;
use crate::services::now_seconds;
use yew::prelude::*;

/// "Waiting for 2 min", counting from when it first shows.
#[component]
pub fn WaitTimer() -> Html {
    let started = use_state(now_seconds);
    let minutes = use_now_seconds().saturating_sub(*started) / 60;
    let text = if minutes == 0 {
        "You have been waiting less than a minute.".to_owned()
    } else {
        format!("You have been waiting {minutes} min.")
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
    let elapsed = use_now_seconds().saturating_sub(props.since);
    html! { <p class="call-clock" role="timer">{ "Visit time " }{ clock(elapsed) }</p> }
}
