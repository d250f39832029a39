//! Mute, Camera off and the self-view, proved where it matters: in the
//! other person's browser (built-in video, real WebRTC on loopback). The
//! receiver measures the audio energy and the picture's brightness of what
//! it gets; nothing here reads a flag, an attribute or a button label.

use e2e::browser::{with_browsers, Browser};
use e2e::chat::{chat_reaches, holds_text};
use e2e::dist_dir;
use e2e::far_end::{
    black_since, controls_reach, hears, local_media_is_honest, record_local_media, remote_of, sees,
    CAMERA,
};
use e2e::flows::{
    clinician_creates_visit, clinician_starts_visit, press_join, IN_CALL, PATIENT_WAITING, SHORT,
};
use e2e::servers::spawn_service;
use std::time::Instant;

#[tokio::test]
async fn mute_and_camera_off_reach_everyone_in_the_call() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers("honest_controls", 3, async |browsers: &[Browser]| {
        let (clinician, patient, guest) = (&browsers[0], &browsers[1], &browsers[2]);
        for b in browsers {
            record_local_media(b).await?;
        }
        let (patient_link, guest_link) = clinician_creates_visit(clinician, &service).await?;

        patient.open_fresh(&patient_link).await?;
        patient
            .wait_until(
                "document.querySelector('video.self-view')?.srcObject",
                SHORT,
            )
            .await?;
        local_media_is_honest(patient, "pre-join").await?;
        press_join(patient).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        local_media_is_honest(patient, "waiting room").await?;

        guest.open_fresh(&guest_link).await?;
        press_join(guest).await?;
        guest.wait_until(PATIENT_WAITING, SHORT).await?;

        clinician_starts_visit(clinician).await?;
        for b in browsers {
            b.wait_until(IN_CALL, SHORT).await?;
        }
        controls_reach(patient, clinician, &remote_of("patient"), "patient").await?;
        controls_reach(guest, clinician, &remote_of("guest"), "guest").await?;
        controls_reach(clinician, patient, &remote_of("provider"), "clinician").await?;
        for (who, b) in [
            ("clinician", clinician),
            ("patient", patient),
            ("guest", guest),
        ] {
            local_media_is_honest(b, &format!("{who}'s call")).await?;
        }

        // Chat reaches everyone in the call, the guest too; a guest who
        // leaves and comes back sees only what is said after.
        let before = format!("sentinel-{}-guest-chat", std::process::id());
        chat_reaches(clinician, guest, &before, "Clinician").await?;
        patient
            .wait_until(&holds_text(".chat", &before), SHORT)
            .await?;
        guest.click("button.leave").await?;
        guest.click("[data-view=ended] button.rejoin").await?;
        press_join(guest).await?;
        guest.wait_until(IN_CALL, SHORT).await?;
        chat_reaches(clinician, guest, "And welcome back.", "Clinician").await?;
        if guest
            .eval(&format!("return {}", holds_text(".chat", &before)))
            .await?
            == true
        {
            return Err("a guest back in the call sees what was said before".into());
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_camera_off_join_and_a_device_change_mid_call_stay_honest() {
    let service = spawn_service(Some(dist_dir())).await;
    with_browsers("honest_devices", 2, async |browsers: &[Browser]| {
        let (clinician, patient) = (&browsers[0], &browsers[1]);
        record_local_media(patient).await?;
        let (patient_link, _) = clinician_creates_visit(clinician, &service).await?;

        // Camera off at the check: the clinician hears the patient, sees black.
        patient.open_fresh(&patient_link).await?;
        patient
            .wait_until("document.querySelector('#camera-off')", SHORT)
            .await?;
        patient.click("#camera-off").await?;
        press_join(patient).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        clinician_starts_visit(clinician).await?;
        clinician.wait_until(IN_CALL, SHORT).await?;
        let video = remote_of("patient");
        hears(clinician, &video).await?;
        black_since(clinician, &video, Instant::now()).await?;

        // Camera on, once: the clinician sees the patient.
        patient.click(CAMERA).await?;
        sees(clinician, &video).await?;

        // Another microphone and camera, chosen mid-call: the new ones are
        // sent, Mute and Camera off act on them, the old ones are stopped.
        patient.click("[data-view=call] details.setup summary").await?;
        for list in ["microphone", "camera"] {
            let changed = patient
                .eval(&format!(
                    "const select = document.querySelector('[data-view=call] #{list}');
                     const other = [...select.options].find(o => !o.selected);
                     if (!other) return false;
                     select.value = other.value;
                     select.dispatchEvent(new Event('change', {{ bubbles: true }}));
                     return true;"
                ))
                .await?;
            if changed != true {
                return Err(format!("the browser offers only one {list}"));
            }
            patient
                .wait_until(
                    &format!(
                        "document.querySelector('video.self-view').srcObject.getTracks()
                           .some(t => t.kind === '{}' && t.getSettings().deviceId === document.querySelector('[data-view=call] #{list}').value)",
                        if list == "camera" { "video" } else { "audio" }
                    ),
                    SHORT,
                )
                .await?;
        }
        local_media_is_honest(patient, "call after a device change").await?;
        hears(clinician, &video).await?;
        sees(clinician, &video).await?;
        controls_reach(patient, clinician, &video, "patient after a device change").await
    })
    .await;
}
