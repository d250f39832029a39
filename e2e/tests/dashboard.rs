//! The clinician's dashboard, built-in video, with the clinician, patient
//! and guest each in their own browser.

use e2e::browser::{with_browsers, Browser, TestResult};
use e2e::dist_dir;
use e2e::flows::{
    clinician_creates_visit, clinician_starts_visit, fits_a_phone, join,
    no_serious_accessibility_problems, open_manage, press_join, IN_CALL, PATIENT_WAITING, SHORT,
};
use e2e::servers::{spawn_service, spawn_service_with};
use fantoccini::key::Key;

/// Stand-ins for what a test cannot observe from outside the page: each
/// tone started (the arrival sound) and each desktop notification shown.
const RECORD_ALERTS: &str = "
    window.tones = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) { window.tones += 1; return start.apply(this, args); };
    window.notes = [];
    window.Notification = class {
        constructor(title, options) { window.notes.push(title); }
        static get permission() { return window.notesAllowed ? 'granted' : 'default'; }
        static requestPermission() { window.notesAllowed = true; return Promise.resolve('granted'); }
    };";

/// Shows the page as on a screen of `size` (width, height in CSS pixels;
/// under 600 wide, a phone), or with `None` back in the browser's window.
async fn screen_size(b: &Browser, size: Option<(u32, u32)>) -> TestResult {
    let result = match size {
        Some((width, height)) => {
            b.devtools(
                "Emulation.setDeviceMetricsOverride",
                serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
            )
            .await
        }
        None => {
            b.devtools("Emulation.clearDeviceMetricsOverride", serde_json::json!({}))
                .await
        }
    };
    result.map_err(|e| format!("screen size {size:?}: {e}"))
}

async fn status_is(b: &Browser, words: &str) -> TestResult {
    b.wait_for_text(".visit .status", words).await.map(drop)
}

#[tokio::test]
async fn the_queue_follows_the_patient_and_alerts_the_clinician() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers("dashboard_queue", 3, async |browsers: &[Browser]| {
        let (clinician, patient, guest) = (&browsers[0], &browsers[1], &browsers[2]);
        let (patient_link, guest_link) = clinician_creates_visit(clinician, &service).await?;
        status_is(clinician, "No one here yet").await?;
        // The queue with a visit's links open, on a 360 px phone.
        screen_size(clinician, Some((360, 740))).await?;
        fits_a_phone(clinician, "dashboard with Share & manage open").await?;
        no_serious_accessibility_problems(clinician, "dashboard with Share & manage open").await?;
        screen_size(clinician, None).await?;
        // Both links as QR codes, drawn in the page by the lazily loaded encoder.
        clinician
            .wait_until(
                "[...document.querySelectorAll('svg.qr path')].filter(p => p.getAttribute('d').length > 1000).length === 2",
                SHORT,
            )
            .await?;
        clinician.eval(RECORD_ALERTS).await?;
        clinician.click("button.notify").await?;
        clinician
            .wait_until("!document.querySelector('button.notify')", SHORT)
            .await?;

        // The patient arrives: status, tone, title count, notification.
        join(patient, &patient_link).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        status_is(clinician, "Patient waiting").await?;
        clinician
            .wait_until(
                "window.tones === 1 && document.title.startsWith('(1) ') \
                 && window.notes.length === 1 && window.notes[0] === 'A patient is in the waiting room'",
                SHORT,
            )
            .await?;

        // "Running late" reaches the waiting room without ending the wait.
        clinician.click(".running-late summary").await?;
        clinician.fill(".note-text", "Thank you for waiting.").await?;
        clinician.click("button.send-late").await?;
        patient
            .wait_for_text(".notice", "running about 5 minutes late. Thank you for waiting.")
            .await?;
        clinician.wait_for_text(".late-result", "Delivered").await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;

        // They leave: no one is waiting and the count goes.
        patient.click("button.leave").await?;
        status_is(clinician, "No one here yet").await?;
        clinician
            .wait_until("!document.title.startsWith('(')", SHORT)
            .await?;

        // The list outlives a reload of the dashboard.
        clinician.open_fresh(&format!("{}/#/provider/visits", service.url)).await?;
        status_is(clinician, "No one here yet").await?;

        // Both come back; "End visit for everyone" ends it for both, plainly.
        join(patient, &patient_link).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        join(guest, &guest_link).await?;
        guest.wait_until(PATIENT_WAITING, SHORT).await?;
        status_is(clinician, "Patient waiting").await?;
        open_manage(clinician).await?;
        clinician.click("button.end").await?;
        for person in [patient, guest] {
            person
                .wait_for_text("[data-view=ended]", "Your clinician ended the visit")
                .await?;
            // The visit is over: nothing offers to rejoin it.
            let rejoin = person.eval("return document.querySelector('button.rejoin')").await?;
            assert!(rejoin.is_null(), "an ended visit offers Rejoin");
        }
        status_is(clinician, "Ended").await?;

        // Forget removes it for good; signing out clears the browser's list.
        clinician.click("button.forget").await?;
        clinician
            .wait_until("!document.querySelector('.visit')", SHORT)
            .await?;
        clinician.open_fresh(&format!("{}/#/provider/visits", service.url)).await?;
        clinician.wait_for_text("h1", "Your visits").await?;
        assert!(clinician.eval("return document.querySelector('.visit')").await?.is_null());
        let stored_lists = "return [...Object.keys(localStorage), ...Object.keys(sessionStorage)]
            .filter(k => k.startsWith('hearth.visits'))";

        // A session that ends by itself (here the service no longer accepts
        // it) takes the list of patients with it.
        clinician.fill("#patient-name", "Pat Sentinel").await?;
        clinician.click("form button[type=submit]").await?;
        clinician.wait_for_text(".visit h2", "Pat Sentinel").await?;
        clinician
            .eval("const s = JSON.parse(sessionStorage['hearth.session']); s.token += 'x';
                   sessionStorage['hearth.session'] = JSON.stringify(s);")
            .await?;
        clinician.client.refresh().await.map_err(|e| e.to_string())?;
        clinician.wait_for_text(".visit h2", "Pat Sentinel").await?;
        clinician.click("form button[type=submit]").await?;
        clinician.wait_for_text("h1", "Clinician sign-in").await?;
        let kept = clinician.eval(stored_lists).await?;
        assert_eq!(kept, serde_json::json!([]), "an ended session leaves {kept}");

        // Signing out does the same.
        clinician.fill("#username", "demo").await?;
        clinician.fill("#password", &service.demo_password).await?;
        clinician.click("button[type=submit]").await?;
        clinician.wait_for_text("h1", "Your visits").await?;
        assert!(clinician.eval("return document.querySelector('.visit')").await?.is_null());
        clinician.click("form button[type=submit]").await?;
        clinician.wait_until("document.querySelector('.visit')", SHORT).await?;
        clinician.click("button.sign-out").await?;
        clinician.wait_for_text("h1", "Clinician sign-in").await?;
        let kept = clinician.eval(stored_lists).await?;
        assert_eq!(kept, serde_json::json!([]), "sign-out leaves {kept}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn intake_answers_go_from_the_waiting_room_to_the_clinicians_panel() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers("dashboard_intake", 2, async |browsers: &[Browser]| {
        let (clinician, patient) = (&browsers[0], &browsers[1]);
        let (patient_link, _) = clinician_creates_visit(clinician, &service).await?;
        join(patient, &patient_link).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;

        // Skipping hides the form and keeps the wait.
        patient.click("button.skip-intake").await?;
        patient
            .wait_until("!document.querySelector('form.intake')", SHORT)
            .await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;

        // After a reload the form is offered again; this time it is sent.
        patient.client.refresh().await.map_err(|e| e.to_string())?;
        patient
            .wait_until("document.querySelector('form.intake')", SHORT)
            .await?;
        patient
            .fill("#intake-reason", "A cough that will not go")
            .await?;
        patient.click("#intake-consent").await?;
        patient.click("button.send-intake").await?;
        patient
            .wait_for_text(".intake-sent", "Your clinician will see your answers")
            .await?;

        clinician_starts_visit(clinician).await?;
        let panel = clinician
            .wait_for_text(".intake-panel", "A cough that will not go")
            .await?;
        assert!(
            panel.contains("I agree to have this visit by video.") && panel.contains("Yes"),
            "{panel}"
        );
        assert!(
            !panel.contains("medications"),
            "unanswered questions are left out: {panel}"
        );
        Ok(())
    })
    .await;
}

/// Which row's main action has the keyboard focus (0 is the top), if any.
async fn focused_row(b: &Browser) -> TestResult<Option<u64>> {
    let at = b
        .eval("return [...document.querySelectorAll('.queue a.start')].indexOf(document.activeElement)")
        .await?;
    Ok(at.as_i64().and_then(|i| u64::try_from(i).ok()))
}

#[tokio::test]
async fn twenty_visits_fit_one_laptop_screen_waiting_first_and_the_keys_work() {
    let service = spawn_service_with(Some(dist_dir()), &[("RATE_LIMITS", "off")]).await;
    with_browsers("dashboard_twenty", 2, async |browsers: &[Browser]| {
        let (clinician, patient) = (&browsers[0], &browsers[1]);
        screen_size(clinician, Some((1280, 800))).await?;
        // The first visit, unnamed, ends up at the bottom of 20.
        let (patient_link, _) = clinician_creates_visit(clinician, &service).await?;
        clinician.click("button.manage[aria-expanded=true]").await?;
        for n in 2..=20 {
            clinician.eval("document.activeElement.blur()").await?;
            clinician.press_key('n').await?;
            let focused = clinician.eval("return document.activeElement.id").await?;
            assert_eq!(focused, "patient-name", "n moves to the new visit");
            clinician.fill("#patient-name", &format!("Patient {n:02}")).await?;
            clinician.click(".new-visit button[type=submit]").await?;
            clinician
                .wait_until(&format!("document.querySelectorAll('.queue .visit').length === {n}"), SHORT)
                .await?;
        }

        // The patient of the oldest visit arrives: their row goes to the top.
        join(patient, &patient_link).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        clinician
            .wait_for_text(".queue .visit:first-child .status", "Patient waiting · 0 min")
            .await?;
        let titles = clinician
            .eval("return [...document.querySelectorAll('.queue .visit h2')].map(h => h.textContent)")
            .await?;
        assert!(titles[0].as_str().unwrap_or_default().starts_with("Visit at "), "{titles}");
        assert_eq!(titles[1], "Patient 20", "the rest stay newest first: {titles}");

        // The header and all 20 rows fit the 800 px screen, unscrolled.
        let sizes = clinician
            .eval("const q = document.querySelector('.queue').getBoundingClientRect();
                   return [q.top, q.height, q.bottom, window.innerHeight, document.documentElement.scrollHeight]")
            .await?;
        println!(
            "figure: dashboard with 20 visits at 1280x800: header {} px, queue {} px, last row ends at {} px of {} px",
            sizes[0], sizes[1], sizes[2], sizes[3]
        );
        clinician.screenshot("dashboard-twenty-visits").await;
        if sizes[2].as_f64() > sizes[3].as_f64() {
            return Err(format!("20 visits do not fit one screen: {sizes}"));
        }
        no_serious_accessibility_problems(clinician, "queue of 20").await?;

        // j and k move between the rows; Enter starts the waiting visit.
        clinician.eval("document.activeElement.blur()").await?;
        clinician.press_key('j').await?;
        assert_eq!(focused_row(clinician).await?, Some(0));
        clinician.press_key('j').await?;
        clinician.press_key('j').await?;
        assert_eq!(focused_row(clinician).await?, Some(2));
        clinician.press_key('k').await?;
        assert_eq!(focused_row(clinician).await?, Some(1));
        clinician.press_key('k').await?;
        clinician.press_key(Key::Enter.into()).await?;
        press_join(clinician).await?;
        patient.wait_until(IN_CALL, SHORT).await
    })
    .await;
}
