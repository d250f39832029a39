//! What the call offers beside media, checked where people meet it: chat in
//! the other browser (and in no server), the clinician's visit clock, and
//! the call's layout on a phone, measured on the screen.

use e2e::browser::{Browser, TestResult};
use e2e::chat::{chat_reaches, no_server_carried, record_what_servers_receive};
use e2e::dist_dir;
use e2e::far_end::{fake_screen, remote_of, screen_reaches, sees};
use e2e::flows::{
    clinician_creates_named_visit, clinician_starts_visit, fits_a_phone, join,
    no_serious_accessibility_problems, IN_CALL, PATIENT_WAITING, SHORT,
};
use e2e::servers::spawn_service;

/// On a phone the other person fills the width with the self-view over its
/// top corner clear of the picture's own buttons, and the controls are a
/// bar at the bottom of the screen with targets of at least 44 px that
/// nothing covers.
async fn laid_out_for_a_phone(b: &Browser) -> TestResult {
    let found = b
        .eval(
            "const box = css => document.querySelector(css).getBoundingClientRect();
             const remote = box('.remote video'), me = box('.self-view'), bar = box('.controls');
             const buttons = [...document.querySelectorAll('.controls button')]
               .map(b => b.getBoundingClientRect());
             return {
               remoteFillsWidth: remote.width >= window.innerWidth * 0.9,
               selfViewOverRemote: me.top >= remote.top && me.bottom <= remote.bottom
                 && me.left >= remote.left && me.right <= remote.right,
               barAtBottom: Math.abs(bar.bottom - window.innerHeight) <= 1,
               barClear: me.bottom <= bar.top,
               buttonsClear: [...document.querySelectorAll('.remote .view-buttons button')]
                 .map(b => b.getBoundingClientRect())
                 .every(r => r.right <= me.left || r.top >= me.bottom),
               smallestTarget: Math.min(...buttons.map(r => Math.min(r.width, r.height))),
             };",
        )
        .await?;
    let holds = |key: &str| found[key].as_bool() == Some(true);
    let layout_ok = [
        "remoteFillsWidth",
        "selfViewOverRemote",
        "barAtBottom",
        "barClear",
    ]
    .iter()
    .all(|key| holds(key));
    if layout_ok && found["smallestTarget"].as_f64() >= Some(44.0) {
        Ok(())
    } else {
        Err(format!("the call on a phone: {found}"))
    }
}

#[tokio::test]
async fn chat_reaches_the_other_browser_and_no_server_and_the_call_fits_a_phone() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers_in_call(&service, async |clinician, patient| {
        let sentinel = format!("sentinel-{}-chat", std::process::id());
        chat_reaches(
            clinician,
            patient,
            &format!("{sentinel} Can you hear me?"),
            "Clinician",
        )
        .await?;
        chat_reaches(
            patient,
            clinician,
            &format!("{sentinel} Yes, clearly."),
            "Patient",
        )
        .await?;

        clinician
            .wait_until(
                "/^Visit time 0:0[1-9]$/.test(document.querySelector('.call-clock')?.textContent)",
                SHORT,
            )
            .await?;
        // Each sees the other's connection measured, full on loopback, and
        // no warning about their own.
        for (b, other) in [(clinician, "patient"), (patient, "provider")] {
            let label = format!("figure.remote[data-role={other}] .bars");
            b.wait_until(
                &format!("/^Connection: [45] of 5 bars$/.test(document.querySelector('{label}')?.getAttribute('aria-label'))"),
                SHORT,
            )
            .await?;
            let weak = b.eval("return document.querySelector('.banner.weak')").await?;
            if !weak.is_null() {
                return Err("a loopback call was called weak".into());
            }
        }
        laid_out_for_a_phone(patient).await?;
        // The clinician's picture fills the phone's screen, and comes back.
        patient
            .click("figure.remote[data-role=provider] button.full-screen")
            .await?;
        patient
            .wait_until(
                "document.fullscreenElement?.matches('figure.remote[data-role=provider]')",
                SHORT,
            )
            .await?;
        patient
            .eval_async("await document.exitFullscreen();", Vec::new())
            .await?;
        fits_a_phone(patient, "call with the chat open").await?;
        no_serious_accessibility_problems(patient, "call with the chat open").await?;
        patient.screenshot("phone-call-with-chat").await;

        no_server_carried(&[clinician, patient], &sentinel).await?;

        // The visit clock keeps its start over the clinician's reload.
        let clock = "document.querySelector('.call-clock')?.textContent";
        let past_three = format!("/^Visit time 0:(0[3-9]|[1-5][0-9])$/.test({clock})");
        clinician.wait_until(&past_three, SHORT).await?;
        clinician.client.refresh().await.map_err(|e| e.to_string())?;
        clinician.wait_until(IN_CALL, SHORT).await?;
        let after = clinician.eval(&format!("return {clock}")).await?;
        if !clinician.eval(&format!("return {past_three}")).await?.as_bool().unwrap_or(false) {
            return Err(format!("the clock restarted with the reload: {after}"));
        }
        patient.wait_until(IN_CALL, SHORT).await?;

        // Leaving forgets the chat.
        patient.click("button.leave").await?;
        patient
            .wait_until("document.querySelector('[data-view=ended]')", SHORT)
            .await?;
        let page = patient.eval("return document.body.textContent").await?;
        if page.to_string().contains(&sentinel) {
            return Err(format!("the chat outlived the visit: {page}"));
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_shared_screen_reaches_the_others_large_and_stops_with_the_browsers_own_button() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers_in_call(&service, async |clinician, patient| {
        clinician.click("button.share-screen").await?;
        let shown = screen_reaches(patient, "provider").await?;
        let camera = sees(patient, &remote_of("provider")).await?;
        println!("figure: the clinician's screen at the patient: luminance {shown:.0}; their camera beside it {camera:.0}");
        patient
            .wait_for_text("figure.screen figcaption", "is sharing their screen")
            .await?;
        fits_a_phone(patient, "call with a shared screen").await?;
        no_serious_accessibility_problems(patient, "call with a shared screen").await?;
        patient.screenshot("phone-call-with-shared-screen").await;
        // The browser's own "Stop sharing" ends it for everyone.
        clinician.eval("hearthStopSharing()").await?;
        patient
            .wait_until("!document.querySelector('figure.screen')", SHORT)
            .await?;
        sees(patient, &remote_of("provider")).await?;

        // The patient shares too (the clinic allows it by default), and
        // stops with Hearth's own button.
        patient.click("button.share-screen").await?;
        screen_reaches(clinician, "patient").await?;
        patient.click("button.share-screen").await?;
        clinician
            .wait_until("!document.querySelector('figure.screen')", SHORT)
            .await?;
        let live = patient
            .eval("return window.hearthScreen.readyState")
            .await?;
        if live != "ended" {
            return Err(format!("the patient's screen capture is still {live}"));
        }
        sees(clinician, &remote_of("patient")).await?;

        // A clinician who reloads while sharing comes back without it: no
        // frozen screen is left at the patient's.
        clinician.click("button.share-screen").await?;
        screen_reaches(patient, "provider").await?;
        clinician.client.refresh().await.map_err(|e| e.to_string())?;
        clinician.wait_until(IN_CALL, SHORT).await?;
        patient.wait_until(IN_CALL, SHORT).await?;
        sees(patient, &remote_of("provider")).await?;
        let stale = patient.eval("return document.querySelector('figure.screen')").await?;
        if stale.is_null() {
            Ok(())
        } else {
            Err("the clinician's screen outlived their reload".into())
        }
    })
    .await;
}

/// The patient's name on the clinician's list.
const LISTED_NAME: &str = "Ana Listed";

/// A clinician (desktop) and a patient on a 360×740 phone, both in the call
/// on built-in video, each recording what servers receive.
async fn with_browsers_in_call(
    service: &e2e::servers::Service,
    test: impl AsyncFnOnce(&Browser, &Browser) -> TestResult,
) {
    e2e::browser::with_browsers("in_call", 2, async |browsers: &[Browser]| {
        let (clinician, patient) = (&browsers[0], &browsers[1]);
        for b in browsers {
            record_what_servers_receive(b).await?;
            fake_screen(b).await?;
        }
        patient
            .client
            .set_window_size(360, 740)
            .await
            .map_err(|e| format!("resize: {e}"))?;
        let (patient_link, _) =
            clinician_creates_named_visit(clinician, service, Some(LISTED_NAME)).await?;
        join(patient, &patient_link).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        clinician_starts_visit(clinician).await?;
        for b in browsers {
            b.wait_until(IN_CALL, SHORT).await?;
        }
        test(clinician, patient).await
    })
    .await;
}
