//! How long someone has been in the waiting room.

use crate::services::timers::every;
use std::time::Duration;
use yew::prelude::*;

/// "Waiting for 2 min", counting from when it first shows.
#[component]
pub fn WaitTimer() -> Html {
    let seconds = use_state(|| 0u64);
    {
        let seconds = seconds.clone();
        use_effect_with((), move |_| {
            let started = crate::services::now_seconds();
            every(Duration::from_secs(1), move |_| {
                seconds.set(crate::services::now_seconds().saturating_sub(started));
                std::future::ready(())
            })
        });
    }
    let minutes = *seconds / 60;
    let text = if minutes == 0 {
        "You have been waiting less than a minute.".to_owned()
    } else {
        format!("You have been waiting {minutes} min.")
    };
    html! { <p class="wait-timer">{ text }</p> }
}
