//! Two copies of the service behind nginx (plain round-robin), sharing
//! rooms through Redis: a visit works with the patient and the clinician
//! on different copies, keeps its media while Redis is away, and comes
//! back by itself when the patient's copy dies.

use e2e::browser::{with_browsers, Browser, TestResult};
use e2e::copies::Copies;
use e2e::far_end::{hears, remote_of, sees};
use e2e::flows::{
    clinician_creates_visit, clinician_starts_visit, join, open_manage, sees_and_hears_remote,
    IN_CALL, PATIENT_WAITING, SHORT,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The patient reloads until the copies hold the patient's and the
/// clinician's sockets apart. Round-robin decides where each lands, and a
/// reload makes the same number of requests each time, so one request of
/// our own through nginx moves the patient's socket to the next copy.
async fn on_different_copies(copies: &Copies, patient: &Browser) -> TestResult<(usize, usize)> {
    for _ in 0..6 {
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let (Some(p), Some(c)) = (copies.holder_of("patient"), copies.holder_of("provider"))
            {
                if p != c {
                    return Ok((p, c));
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        reqwest::get(format!("{}/healthz", copies.front.url))
            .await
            .map_err(|e| e.to_string())?;
        patient.client.refresh().await.map_err(|e| e.to_string())?;
        patient.wait_until(IN_CALL, SHORT).await?;
    }
    Err("the patient and the clinician never landed on different copies".into())
}

/// POSTs `body` to one copy directly, bypassing nginx; the JSON reply.
async fn post_to(port: u16, path: &str, body: Value, bearer: Option<&str>) -> TestResult<Value> {
    let mut request = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api{path}"))
        .json(&body);
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    response.json().await.map_err(|e| e.to_string())
}

/// `POST /api/visits/status` at one copy directly: the visit's presence.
async fn status_at(port: u16, password: &str, visit_id: &str) -> TestResult<String> {
    let sign_in = json!({"username": "demo", "password": password});
    let session = post_to(port, "/session", sign_in, None).await?;
    let token = session["token"].as_str().ok_or("no session token")?;
    let asked = json!({"visit_ids": [visit_id]});
    let status = post_to(port, "/visits/status", asked, Some(token)).await?;
    Ok(status["visits"][0]["presence"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

async fn every_copy_says(copies: &Copies, status: &str) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(10);
    for index in 0..copies.copies.len() {
        while copies.health(index).await.map(|h| h.status) != Some(status.to_owned()) {
            if Instant::now() > deadline {
                return Err(format!("copy {index} never said {status}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(())
}

/// Marks the stream `video_css` plays now, so a later one can be told apart.
async fn mark_stream(b: &Browser, video_css: &str) -> TestResult {
    b.eval(&format!(
        "document.querySelector('{video_css}').srcObject.hearthBefore = true"
    ))
    .await
    .map(drop)
}

#[tokio::test]
async fn a_visit_across_two_copies_survives_losing_redis_and_the_patients_copy() {
    let mut copies = Copies::start(2).await;
    with_browsers("several_copies", 2, async |browsers: &[Browser]| {
        let (clinician, patient) = (&browsers[0], &browsers[1]);
        let (patient_link, _) = clinician_creates_visit(clinician, &copies.front).await?;
        join(patient, &patient_link).await?;
        patient.wait_until(PATIENT_WAITING, SHORT).await?;
        clinician_starts_visit(clinician).await?;
        patient.wait_until(IN_CALL, SHORT).await?;

        // 1. On different copies, they see and hear each other.
        let (patients_copy, clinicians_copy) = on_different_copies(&copies, patient).await?;
        println!("patient on copy {patients_copy}, clinician on copy {clinicians_copy}");
        sees_and_hears_remote(patient).await?;
        sees_and_hears_remote(clinician).await?;
        let loud = hears(clinician, &remote_of("patient")).await?;
        let bright = sees(patient, &remote_of("provider")).await?;
        println!("figure: across copies, the clinician hears the patient at RMS {loud:.3}; the patient sees the clinician at brightness {bright:.1}");

        // 2. The dashboard's status is right whichever copy answers.
        let hash = clinician.eval("return location.hash").await?;
        let visit_id = hash.as_str().and_then(|h| h.rsplit('/').next()).ok_or("no visit id")?;
        for copy in &copies.copies {
            let presence = status_at(copy.port, &copies.front.demo_password, visit_id).await?;
            if presence != "in_call" {
                return Err(format!("copy on {} says {presence}", copy.port));
            }
        }

        // 3. Redis goes away: the call keeps its media, the copies say degraded.
        copies.redis.stop();
        every_copy_says(&copies, "degraded").await?;
        sees_and_hears_remote(clinician).await?;
        hears(patient, &remote_of("provider")).await?;
        copies.redis.resume();
        every_copy_says(&copies, "ok").await?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while copies.holder_of("patient") != Some(patients_copy) {
            if Instant::now() > deadline {
                return Err("the patient was not put back into the restarted Redis".into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }

        // 4. The patient's copy dies: the patient comes back through the
        // other one, and the clinician receives the patient anew.
        let patient_video = remote_of("patient");
        mark_stream(clinician, &patient_video).await?;
        copies.kill(patients_copy);
        let killed = Instant::now();
        clinician
            .wait_until(
                &format!(
                    "(v => v && v.srcObject && !v.srcObject.hearthBefore && v.videoWidth > 0 && !v.paused)(document.querySelector('{patient_video}'))"
                ),
                Duration::from_secs(5),
            )
            .await
            .map_err(|e| format!("the clinician did not receive the patient anew within 5 s: {e}"))?;
        println!(
            "figure: patient's copy killed to the clinician receiving the patient again: {} ms",
            killed.elapsed().as_millis()
        );
        sees_and_hears_remote(clinician).await?;
        hears(clinician, &patient_video).await?;
        sees_and_hears_remote(patient).await?;
        if copies.holder_of("patient") != Some(clinicians_copy) {
            return Err("the patient's socket is not on the surviving copy".into());
        }

        // 5. "End visit for everyone" ends it for the patient too.
        clinician.goto(&format!("{}/#/provider/visits", copies.front.url)).await?;
        open_manage(clinician).await?;
        clinician.click("button.end").await?;
        patient
            .wait_for_text("[data-view=ended]", "Your clinician ended the visit")
            .await?;
        Ok(())
    })
    .await;
}
