pub mod api;
pub mod http;
pub mod json;
pub mod script;
pub mod storage;

/// Unix seconds, from the browser's clock.
pub fn now_seconds() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

/// Runs `task` a minute before `expires_at` (at least 5 s from now), unless
/// the returned canceller runs first: an effect's cleanup, so a page that
/// has moved on renews nothing.
pub fn before_expiry(
    expires_at: u64,
    task: impl std::future::Future<Output = ()> + 'static,
) -> impl FnOnce() {
    let cancelled = std::rc::Rc::new(std::cell::Cell::new(false));
    let guard = cancelled.clone();
    yew::platform::spawn_local(async move {
        let wait = expires_at.saturating_sub(now_seconds() + 60).max(5);
        yew::platform::time::sleep(std::time::Duration::from_secs(wait)).await;
        if !guard.get() {
            task.await;
        }
    });
    move || cancelled.set(true)
}
