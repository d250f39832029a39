//! Work that repeats or waits inside an effect, stopped by the effect's
//! cleanup: the one way the pages poll, meter and renew.

use super::now_seconds;
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

/// Whether the effect that started some work has been cleaned up.
#[derive(Clone, Default)]
pub struct Stopped(Rc<Cell<bool>>);

impl Stopped {
    pub fn get(&self) -> bool {
        self.0.get()
    }

    /// The effect's cleanup: stops the work.
    pub fn canceller(&self) -> impl FnOnce() {
        let flag = self.0.clone();
        move || flag.set(true)
    }
}

/// Runs `step` at once and then every `period`, until the returned
/// canceller runs. A step that was waiting when it ran can ask `Stopped`
/// before acting on what it waited for.
pub fn every<Fut>(period: Duration, mut step: impl FnMut(Stopped) -> Fut + 'static) -> impl FnOnce()
where
    Fut: Future<Output = ()> + 'static,
{
    let stopped = Stopped::default();
    let running = stopped.clone();
    yew::platform::spawn_local(async move {
        while !running.get() {
            step(running.clone()).await;
            yew::platform::time::sleep(period).await;
        }
    });
    stopped.canceller()
}

/// Runs `task` a minute before `expires_at` (at least 5 s from now), unless
/// the returned canceller runs first: an effect's cleanup, so a page that
/// has moved on renews nothing.
pub fn before_expiry(expires_at: u64, task: impl Future<Output = ()> + 'static) -> impl FnOnce() {
    let stopped = Stopped::default();
    let waiting = stopped.clone();
    yew::platform::spawn_local(async move {
        let wait = expires_at.saturating_sub(now_seconds() + 60).max(5);
        yew::platform::time::sleep(Duration::from_secs(wait)).await;
        if !waiting.get() {
            task.await;
        }
    });
    stopped.canceller()
}
