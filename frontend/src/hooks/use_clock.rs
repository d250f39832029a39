//! The time now, for pages that show a running time.

use crate::services::{now_seconds, timers::every};
use std::time::Duration;
use yew::prelude::*;

/// Seconds since the Unix epoch, re-read every second while the component
/// shows.
#[hook]
pub fn use_now_seconds() -> u64 {
    let now = use_state(now_seconds);
    {
        let now = now.clone();
        use_effect_with((), move |_| {
            every(Duration::from_secs(1), move |_| {
                now.set(now_seconds());
                std::future::ready(())
            })
        });
    }
    *now
}
