//! Built-in video end to end: real Chromium per person, fake camera and
//! microphone, real WebRTC on loopback, the release SPA and the real service.

use e2e::browser::{with_browsers, Browser, TestResult};
use e2e::dist_dir;
use e2e::flows::{
    clinician_creates_visit, clinician_starts_visit, join, playing, press_join,
    sees_and_hears_remote, IN_CALL, PATIENT_WAITING, SHORT,
};
use e2e::servers::{spawn_service, spawn_service_on, spawn_service_with, Service};
use std::time::{Duration, Instant};

/// A visit under way: the patient waited, then the clinician joined.
async fn patient_and_clinician_in_call(
    clinician: &Browser,
    patient: &Browser,
    service: &Service,
) -> TestResult {
    let (patient_link, _) = clinician_creates_visit(clinician, service).await?;
    join(patient, &patient_link).await?;
    patient.wait_until(PATIENT_WAITING, SHORT).await?;
    clinician_starts_visit(clinician).await?;
    patient.wait_until(IN_CALL, SHORT).await
}

#[tokio::test]
async fn a_visit_from_waiting_room_to_call_and_back() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers("visit_flow", 3, async |browsers: &[Browser]| {
        let (clinician, patient, other_device) = (&browsers[0], &browsers[1], &browsers[2]);
        let (patient_link, _) = clinician_creates_visit(clinician, &service).await?;

        // 1. The patient joins alone: waiting room, own self-view playing.
        join(patient, &patient_link).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        patient.wait_until(&playing("video.self-view"), SHORT).await?;
        patient.wait_for_text("[data-view=waiting] h1", "Your clinician will be with you shortly").await?;

        // 2. The clinician joins: the waiting room gives way to the call.
        clinician_starts_visit(clinician).await?;
        let clicked = Instant::now();
        patient.wait_until(IN_CALL, SHORT).await?;
        let to_call = clicked.elapsed();
        sees_and_hears_remote(patient).await?;
        sees_and_hears_remote(clinician).await?;
        println!("figure: clinician Join click to patient's waiting room gone: {} ms", to_call.as_millis());

        // 3. The clinician leaves: back to waiting, told they stepped out; then returns.
        clinician.click("button.leave").await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        patient.wait_for_text(".stepped-out", "stepped out").await?;
        // Leaving is not a dead end: the clinician rejoins from the end screen.
        clinician.wait_for_text("[data-view=ended] a.back", "Back to your visits").await?;
        clinician.click("[data-view=ended] button.rejoin").await?;
        press_join(clinician).await?;
        patient.wait_until(IN_CALL, SHORT).await?;
        sees_and_hears_remote(patient).await?;

        // 5. The patient reloads mid-call: straight back into the call.
        patient.client.refresh().await.map_err(|e| e.to_string())?;
        patient.wait_until(IN_CALL, SHORT).await?;
        sees_and_hears_remote(patient).await?;

        // 9. The patient's link on another device is kept out, the clinician
        // is told, and the patient's call goes on.
        other_device.open_fresh(&patient_link).await?;
        other_device.wait_for_text("[role=alert].problem", "open on another device").await?;
        clinician.wait_for_text("[data-view=call] .notice", "another device").await?;
        sees_and_hears_remote(clinician).await?;

        // 10. The same invite in a second tab of the patient's own browser
        // takes over, and the first tab says so.
        let c = &patient.client;
        let first_tab = c.window().await.map_err(|e| e.to_string())?;
        let new_tab = c.new_window(true).await.map_err(|e| e.to_string())?.handle;
        c.switch_to_window(new_tab).await.map_err(|e| e.to_string())?;
        join(patient, &patient_link).await?;
        patient.wait_until(IN_CALL, SHORT).await?;
        let second_tab = c.window().await.map_err(|e| e.to_string())?;
        c.switch_to_window(first_tab).await.map_err(|e| e.to_string())?;
        patient.wait_for_text("[data-view=ended]", "another tab").await?;
        c.switch_to_window(second_tab).await.map_err(|e| e.to_string())?;
        sees_and_hears_remote(patient).await?;

        // 8. Leave: every local track ends (the camera light goes off).
        patient
            .eval("window.hearthTracks = document.querySelector('video.self-view').srcObject.getTracks(); return null")
            .await?;
        patient.click("button.leave").await?;
        patient.wait_until("document.querySelector('[data-view=ended]')", SHORT).await?;
        patient
            .wait_until("window.hearthTracks.length === 2 && window.hearthTracks.every(t => t.readyState === 'ended')", SHORT)
            .await?;

        // A patient who left may come back while the link is valid.
        patient.click("[data-view=ended] button.rejoin").await?;
        press_join(patient).await?;
        patient.wait_until(IN_CALL, SHORT).await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_call_outlasts_the_clinicians_idle_window_and_first_room_token() {
    // Sessions idle out after 61 s, so the app refreshes the session every
    // 5 s, and the clinician's room token (capped at the idle end) must be
    // renewed in the call before it runs out.
    const IDLE: u64 = 61;
    let service = spawn_service_with(Some(dist_dir()), &[("SESSION_IDLE_SECONDS", "61")]).await;
    with_browsers("long_call", 2, async |browsers: &[Browser]| {
        let (clinician, patient) = (&browsers[0], &browsers[1]);
        patient_and_clinician_in_call(clinician, patient, &service).await?;
        let in_call = Instant::now();
        // The patient's side counts every moment the clinician was gone.
        patient
            .eval("window.clinicianGone = 0; setInterval(() => { if (!document.querySelector('[data-view=call]')) window.clinicianGone++ }, 100); return null")
            .await?;
        tokio::time::sleep(Duration::from_secs(IDLE + 5)).await;
        let gone = patient.eval("return window.clinicianGone").await?;
        if gone != 0 {
            return Err(format!("the patient lost the clinician for {gone} × 100 ms"));
        }
        sees_and_hears_remote(patient).await?;
        sees_and_hears_remote(clinician).await?;
        println!(
            "figure: call still whole {} s in, past the first room token's {IDLE} s",
            in_call.elapsed().as_secs()
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_crashed_clinician_browser_sends_the_patient_back_to_waiting() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers("clinician_crash", 2, async |browsers: &[Browser]| {
        let (clinician, patient) = (&browsers[0], &browsers[1]);
        patient_and_clinician_in_call(clinician, patient, &service).await?;

        // 4. Killed without leaving: the patient is back in the waiting room within 20 s.
        clinician.kill_chromium();
        let killed = Instant::now();
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        let crash_to_waiting = killed.elapsed();

        // Navigating away from the visit turns the camera off too.
        patient
            .eval("window.hearthTracks = document.querySelector('video.self-view').srcObject.getTracks(); location.hash = '#/'; return null")
            .await?;
        patient
            .wait_until("window.hearthTracks.length === 2 && window.hearthTracks.every(t => t.readyState === 'ended')", SHORT)
            .await?;
        println!(
            "figure: crashed clinician to patient's waiting room: {} ms",
            crash_to_waiting.as_millis()
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_guest_does_not_end_the_wait_and_all_three_meet_the_clinician() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers("guest_first", 3, async |browsers: &[Browser]| {
        let (clinician, patient, guest) = (&browsers[0], &browsers[1], &browsers[2]);
        let (patient_link, guest_link) = clinician_creates_visit(clinician, &service).await?;
        join(patient, &patient_link).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;

        // 6. A guest joins first: the patient still waits, and is told.
        guest.open_fresh(&guest_link).await?;
        guest.fill("#display-name", "Ana, interpreter").await?;
        press_join(guest).await?;
        guest.wait_until(PATIENT_WAITING, SHORT).await?;
        patient.wait_for_text(".guests", "interpreter or relative has joined").await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;

        clinician_starts_visit(clinician).await?;
        for (who, person) in [("patient", patient), ("guest", guest), ("clinician", clinician)] {
            person.wait_until(IN_CALL, SHORT).await.map_err(|e| format!("{who}: {e}"))?;
            let both = "[...document.querySelectorAll('video.remote-video')].filter(v => v.videoWidth > 0).length === 2";
            if let Err(err) = person.wait_until(both, SHORT).await {
                let seen = person
                    .eval("return [...document.querySelectorAll('figure.remote')].map(f => f.dataset.role + ':' + f.querySelector('video').videoWidth)")
                    .await?;
                return Err(format!("{who} sees {seen}: {err}"));
            }
        }
        // Names travel browser to browser, never through the service.
        clinician.wait_for_text("figure[data-role=guest] figcaption", "Ana, interpreter (Guest)").await?;
        patient.wait_for_text("figure[data-role=provider] figcaption", "Demo Clinician").await?;
        guest.wait_for_text("figure[data-role=patient] figcaption", "Patient").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_service_restart_mid_call_recovers_by_itself() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers("service_restart", 2, async |browsers: &[Browser]| {
        let (clinician, patient) = (&browsers[0], &browsers[1]);
        patient_and_clinician_in_call(clinician, patient, &service).await?;

        // 7. The service goes away and comes back on the same port.
        service.stop().await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let _restarted = spawn_service_on(service.port, Some(dist_dir())).await;
        for person in [patient, clinician] {
            person.wait_until(IN_CALL, Duration::from_secs(30)).await?;
            person
                .wait_until(
                    "!document.querySelector('.banner')",
                    Duration::from_secs(30),
                )
                .await?;
            sees_and_hears_remote(person).await?;
        }
        Ok(())
    })
    .await;
}
