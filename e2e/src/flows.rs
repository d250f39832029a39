//! Steps many browser tests share: what a clinician or patient does, and
//! what the page shows.

use crate::browser::{Browser, TestResult};
use crate::servers::Service;
use std::time::Duration;

pub const PATIENT_WAITING: &str = "document.querySelector('[data-view=waiting]')";
pub const IN_CALL: &str = "document.querySelector('[data-view=call]')";
pub const SHORT: Duration = Duration::from_secs(20);

/// True when the `<video>` matching `css` shows live frames.
pub fn playing(css: &str) -> String {
    format!("(v => v && v.videoWidth > 0 && v.readyState >= 2 && !v.paused)(document.querySelector('{css}'))")
}

/// Its `currentTime` moves on, so frames really arrive.
async fn advancing(b: &Browser, css: &str) -> TestResult {
    let now = b
        .eval(&format!(
            "return document.querySelector('{css}').currentTime"
        ))
        .await?;
    let then = now.as_f64().unwrap_or_default();
    b.wait_until(
        &format!("document.querySelector('{css}').currentTime > {then} + 0.3"),
        SHORT,
    )
    .await
}

/// The remote video plays, with an audio track beside it.
pub async fn sees_and_hears_remote(b: &Browser) -> TestResult {
    b.wait_until(&playing("video.remote-video"), SHORT).await?;
    advancing(b, "video.remote-video").await?;
    b.wait_until(
        "document.querySelector('video.remote-video').srcObject.getAudioTracks().length > 0",
        SHORT,
    )
    .await
}

/// The clinician signs in, creates a visit and returns (patient link, guest link).
pub async fn clinician_creates_visit(
    b: &Browser,
    service: &Service,
) -> TestResult<(String, String)> {
    clinician_creates_named_visit(b, service, None).await
}

/// As [`clinician_creates_visit`], with the patient's name on the list
/// when `patient` is given.
pub async fn clinician_creates_named_visit(
    b: &Browser,
    service: &Service,
    patient: Option<&str>,
) -> TestResult<(String, String)> {
    b.open_fresh(&format!("{}/#/provider", service.url)).await?;
    b.fill("#username", "demo").await?;
    b.fill("#password", &service.demo_password).await?;
    b.click("button[type=submit]").await?;
    b.wait_for_text("h1", "Your visits").await?;
    if let Some(name) = patient {
        b.fill("#patient-name", name).await?;
    }
    b.click("form button[type=submit]").await?;
    b.wait_for_text(".visit h2", patient.unwrap_or("Visit"))
        .await?;
    open_manage(b).await?;
    let links = b
        .eval("return [...document.querySelectorAll('.visit input.link')].map(i => i.value)")
        .await?;
    let link = |i: usize| links[i].as_str().map(str::to_owned).ok_or("no visit links");
    Ok((link(0)?, link(1)?))
}

/// Opens the first visit's "Share & manage" on the clinician's queue (its
/// links, Running late, End visit, Forget), if it is closed.
pub async fn open_manage(b: &Browser) -> TestResult {
    b.click(".queue .visit:first-child button.manage[aria-expanded=false]")
        .await?;
    b.wait_until("document.querySelector('.manage-panel')", SHORT)
        .await
}

/// Presses Join on the pre-join check once the camera preview is ready.
pub async fn press_join(b: &Browser) -> TestResult {
    b.wait_until(
        "document.querySelector('[data-view=prejoin] button.join:not([disabled])')",
        SHORT,
    )
    .await?;
    b.click("[data-view=prejoin] button.join").await
}

/// Opens a visit link and joins.
pub async fn join(b: &Browser, link: &str) -> TestResult {
    b.open_fresh(link).await?;
    press_join(b).await
}

/// The clinician's "Start visit" from their list, then Join.
pub async fn clinician_starts_visit(b: &Browser) -> TestResult {
    b.click("a.start").await?;
    press_join(b).await
}

/// Runs axe-core (npm, injected into the page) and fails on any serious or
/// critical violation, naming each with the elements it found.
pub async fn no_serious_accessibility_problems(b: &Browser, screen: &str) -> TestResult {
    let axe = crate::repo_root().join("node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&axe)
        .map_err(|err| format!("{}: {err} (npm ci installs it)", axe.display()))?;
    b.run_tool_script(&source).await?;
    let found = b
        .eval_async(
            "const result = await axe.run(document);
             return result.violations
               .filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);",
            Vec::new(),
        )
        .await?;
    match found.as_array() {
        Some(list) if list.is_empty() => Ok(()),
        _ => Err(format!("axe-core on the {screen} screen: {found}")),
    }
}

/// Nothing is wider than a 360 px phone screen.
pub async fn fits_a_phone(b: &Browser, screen: &str) -> TestResult {
    let widths = b
        .eval("return [document.documentElement.scrollWidth, window.innerWidth]")
        .await?;
    match (widths[0].as_u64(), widths[1].as_u64()) {
        (Some(content), Some(window)) if content <= window => Ok(()),
        _ => Err(format!(
            "the {screen} screen scrolls sideways at phone width: {widths}"
        )),
    }
}
