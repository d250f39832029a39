//! The Twilio path with the real SDK: the unmodified `twilio-video.min.js`
//! 2.36.0 from our `dist/`, in Chromium with fake camera and microphone,
//! connected through its `wsServer` option to the Twilio emulator
//! (`twilio-emulator/`), which also answers the token service's REST calls.
//! Media flows browser to browser, so every control is measured at the far
//! end, as in the built-in tests.

use e2e::browser::{with_browser, with_browsers, Browser};
use e2e::chat::{chat_reaches, no_server_carried, record_what_servers_receive};
use e2e::far_end::{controls_reach, fake_screen, record_local_media, remote_of, screen_reaches};
use e2e::flows::{
    clinician_creates_visit, clinician_starts_visit, join, open_manage, press_join,
    sees_and_hears_remote, IN_CALL, PATIENT_WAITING, SHORT,
};
use e2e::servers::spawn_twilio_service_on_emulator;
use std::time::{Duration, Instant};

const ENDED: &str = "document.querySelector('[data-view=ended]')";

/// Past the token service's Twilio presence cache, so the next read is fresh.
async fn presence_cache_expires() {
    tokio::time::sleep(token_service::twilio_rest::CACHE_FOR + Duration::from_millis(200)).await;
}

#[tokio::test]
async fn a_visit_on_the_real_sdk_from_waiting_room_to_call_and_back() {
    let (service, emulator) = spawn_twilio_service_on_emulator("sdk-visit").await;
    with_browsers("sdk_visit", 3, async |browsers: &[Browser]| {
        let (clinician, patient, guest) = (&browsers[0], &browsers[1], &browsers[2]);
        for b in browsers {
            record_what_servers_receive(b).await?;
            fake_screen(b).await?;
        }
        let (patient_link, guest_link) = clinician_creates_visit(clinician, &service).await?;

        // Nobody waits yet: "running late" neither joins nor creates the room.
        clinician.click(".running-late summary").await?;
        clinician.click("button.send-late").await?;
        clinician
            .wait_for_text(".late-result", "no patient is in the waiting room")
            .await?;
        assert!(
            emulator.room_names().is_empty(),
            "{:?}",
            emulator.room_names()
        );

        // The patient waits, in a room of the emulator, and answers the intake.
        patient.open_fresh(&patient_link).await?;
        patient
            .wait_until("document.querySelector('#display-name')", SHORT)
            .await?;
        patient.fill("#display-name", "Pat Example").await?;
        press_join(patient).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        let (room, _) = emulator
            .participant("patient.")
            .ok_or("the patient is in no emulated room")?;
        assert!(!room.contains("Pat"), "room name {room}");
        patient.fill("#intake-reason", "Knee pain").await?;
        patient.click("#intake-consent").await?;
        patient.click("button.send-intake").await?;
        patient
            .wait_for_text(".intake-sent", "Your clinician will see your answers")
            .await?;

        // Running late, through the dashboard's data-only participant.
        presence_cache_expires().await;
        clinician.click("button.send-late").await?;
        patient
            .wait_for_text(".notice", "running about 5 minutes late")
            .await?;
        clinician.wait_for_text(".late-result", "Delivered").await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;

        // A guest joins: the patient is told, and the wait goes on.
        join(guest, &guest_link).await?;
        guest.wait_until(PATIENT_WAITING, SHORT).await?;
        patient
            .wait_for_text(".guests", "interpreter or relative has joined")
            .await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;

        // The clinician joins: everyone is in the call, names arrive over
        // the data track, and the intake waits while a guest is here.
        clinician_starts_visit(clinician).await?;
        for b in browsers {
            b.wait_until(IN_CALL, SHORT).await?;
        }
        patient
            .wait_for_text("[data-role=provider] figcaption", "Dr Stand-in")
            .await?;
        clinician
            .wait_for_text("[data-role=patient] figcaption", "Pat Example")
            .await?;
        sees_and_hears_remote(patient).await?;
        sees_and_hears_remote(clinician).await?;
        let panel = clinician
            .eval("return document.querySelector('.intake-panel')?.textContent ?? ''")
            .await?;
        assert!(
            !panel.to_string().contains("Knee pain"),
            "a guest is here: {panel}"
        );
        guest.click("button.leave").await?;
        clinician
            .wait_for_text(".intake-panel", "Knee pain")
            .await?;

        // Mute and Camera, measured in the other browser, both ways.
        controls_reach(
            patient,
            clinician,
            &remote_of("patient"),
            "patient (Twilio SDK)",
        )
        .await?;
        controls_reach(
            clinician,
            patient,
            &remote_of("provider"),
            "clinician (Twilio SDK)",
        )
        .await?;

        // Chat over the data tracks: it shows in the other browser, and
        // neither the emulator (in Twilio's place) nor the service carried it.
        let sentinel = format!("sentinel-{}-sdk-chat", std::process::id());
        let question = format!("{sentinel} How is the knee today?");
        chat_reaches(clinician, patient, &question, "Clinician").await?;
        chat_reaches(
            patient,
            clinician,
            &format!("{sentinel} Better."),
            "Pat Example",
        )
        .await?;
        no_server_carried(&[clinician, patient], &sentinel).await?;

        // A shared screen: a second video track, named "screen", shown
        // large; the browser's own "Stop sharing" unpublishes it.
        clinician.click("button.share-screen").await?;
        let shown = screen_reaches(patient, "provider").await?;
        println!(
            "figure: the clinician's screen at the patient (Twilio SDK): luminance {shown:.0}"
        );
        clinician.eval("hearthStopSharing()").await?;
        patient
            .wait_until("!document.querySelector('figure.screen')", SHORT)
            .await?;
        sees_and_hears_remote(patient).await?;

        // The clinician steps out and comes back.
        clinician.click("button.leave").await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        patient.wait_for_text(".stepped-out", "stepped out").await?;
        clinician.click("[data-view=ended] button.rejoin").await?;
        press_join(clinician).await?;
        patient.wait_until(IN_CALL, SHORT).await?;
        sees_and_hears_remote(patient).await?;

        // The same invite in a second tab of the patient's browser: Twilio
        // disconnects the first connection (53205), which says so.
        let c = &patient.client;
        let first_tab = c.window().await.map_err(|e| e.to_string())?;
        let new_tab = c.new_window(true).await.map_err(|e| e.to_string())?.handle;
        c.switch_to_window(new_tab)
            .await
            .map_err(|e| e.to_string())?;
        join(patient, &patient_link).await?;
        patient.wait_until(IN_CALL, SHORT).await?;
        let second_tab = c.window().await.map_err(|e| e.to_string())?;
        c.switch_to_window(first_tab)
            .await
            .map_err(|e| e.to_string())?;
        patient
            .wait_for_text("[data-view=ended]", "another tab or device")
            .await?;
        c.switch_to_window(second_tab)
            .await
            .map_err(|e| e.to_string())?;
        sees_and_hears_remote(patient).await?;

        // "End visit for everyone" completes the room (53118).
        clinician
            .open_fresh(&format!("{}/#/provider/visits", service.url))
            .await?;
        open_manage(clinician).await?;
        clinician.click("button.end").await?;
        patient.wait_until(ENDED, SHORT).await?;
        let words = patient
            .eval("return document.querySelector('[data-view=ended]').textContent")
            .await?;
        let words = words.as_str().unwrap_or_default();
        assert!(
            words.contains("room for this visit has closed") || words.contains("ended the visit"),
            "{words}"
        );
        assert!(
            !emulator.room_names().contains(&room),
            "the room is still in progress"
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_lost_connection_reconnects_and_a_killed_tab_sends_the_patient_back_to_waiting() {
    let (service, emulator) = spawn_twilio_service_on_emulator("sdk-crash").await;
    with_browsers("sdk_crash", 2, async |browsers: &[Browser]| {
        let (clinician, patient) = (&browsers[0], &browsers[1]);
        let (patient_link, _) = clinician_creates_visit(clinician, &service).await?;
        join(patient, &patient_link).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        clinician_starts_visit(clinician).await?;
        patient.wait_until(IN_CALL, SHORT).await?;
        sees_and_hears_remote(patient).await?;

        // The patient's signalling connection drops for 3 s: the SDK says
        // the room is reconnecting, the clinician sees the patient
        // reconnecting, and after the SDK's sync both carry on.
        let (_, identity) = emulator
            .participant("patient.")
            .ok_or("the patient is in no emulated room")?;
        assert!(emulator.drop_signalling(&identity, Duration::from_secs(3)));
        patient
            .wait_for_text("[data-view=call] > .banner", "Reconnecting")
            .await?;
        clinician
            .wait_for_text("[data-role=patient] .banner", "Reconnecting")
            .await?;
        patient
            .wait_until(
                "!document.querySelector('[data-view=call] > .banner')",
                SHORT,
            )
            .await?;
        clinician
            .wait_until(
                "!document.querySelector('[data-role=patient] .banner')",
                SHORT,
            )
            .await?;
        patient.wait_until(IN_CALL, SHORT).await?;
        sees_and_hears_remote(patient).await?;
        sees_and_hears_remote(clinician).await?;

        // Twilio shows the clinician reconnecting first, then gone.
        clinician.kill_chromium();
        let killed = Instant::now();
        patient
            .wait_for_text("[data-role=provider] .banner", "Reconnecting")
            .await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        println!(
            "figure: real SDK, killed clinician tab to patient's waiting room: {} ms",
            killed.elapsed().as_millis()
        );
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn an_expired_token_is_refused_by_twilio_and_explained() {
    let (service, emulator) = spawn_twilio_service_on_emulator("sdk-expired").await;
    with_browser("sdk_expired", async |b| {
        record_local_media(b).await?;
        let (patient_link, _) = clinician_creates_visit(b, &service).await?;
        // Twilio's clock is two days on: every token arrives expired (20104).
        emulator.run_clock_ahead(2 * 86_400);
        join(b, &patient_link).await?;
        b.wait_for_text(".join-error", "Your visit link has expired")
            .await?;
        Ok(())
    })
    .await;
}
