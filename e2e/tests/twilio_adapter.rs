//! The Twilio path where the emulator cannot go: the stand-in
//! `Twilio.Video` (e2e/standin/twilio-video.js), served in place of the SDK
//! file, plays what Twilio does only under failure (a refused publication,
//! a track that cannot be received, 20104 and 53001 mid-call, an
//! unsupported browser) and checks what it records of our calls. The whole
//! visit with the real SDK is in `twilio_sdk.rs`; one test here loads the
//! real SDK as shipped and sees it reach for Twilio.

use e2e::browser::{with_browser, Browser, TestResult};
use e2e::dist_dir;
use e2e::far_end::{no_clone_left_live, record_local_media, CAMERA};
use e2e::flows::{
    clinician_creates_visit, fits_a_phone, no_serious_accessibility_problems, playing, IN_CALL,
    PATIENT_WAITING, SHORT,
};
use e2e::servers::{dist_with_stand_in_sdk, spawn_twilio_service, Service};

const CLINICIAN: &str = "provider.demo";
const ENDED: &str = "document.querySelector('[data-view=ended]')";
const JOIN_READY: &str =
    "document.querySelector('[data-view=prejoin] button.join:not([disabled])')";

/// The clinician creates a visit; the same browser then opens the patient
/// link (the stand-in plays everyone else).
async fn patient_link(b: &Browser, service: &Service) -> TestResult<String> {
    let (patient, _) = clinician_creates_visit(b, service).await?;
    Ok(patient)
}

/// Opens the link and reaches the waiting room (a reload may rejoin by itself).
async fn enter_waiting_room(b: &Browser, link: &str) -> TestResult {
    b.open_fresh(link).await?;
    b.wait_until(&format!("{JOIN_READY} || {PATIENT_WAITING}"), SHORT)
        .await?;
    if b.eval(&format!("return !!({JOIN_READY})")).await? == true {
        b.click("[data-view=prejoin] button.join").await?;
    }
    b.wait_until(PATIENT_WAITING, SHORT).await
}

/// The stand-in's room has no listener of ours left, and every camera and
/// microphone track the page captured, and every copy of one, has ended.
/// Needs `record_local_media` before the page opened.
async fn everything_released(b: &Browser) -> TestResult {
    b.wait_until(
        "standIn.listenerCount() === 0
            && window.hearthCaptured.length > 0
            && window.hearthCaptured.every(t => t.readyState === 'ended')",
        SHORT,
    )
    .await?;
    no_clone_left_live(b).await
}

/// What the SDK publishes for our `kind` track is enabled (or not), and the
/// SDK said so with its own event.
async fn published_enabled(b: &Browser, kind: &str, enabled: bool) -> TestResult {
    let event = if enabled { "enabled" } else { "disabled" };
    b.wait_until(
        &format!(
            "standIn.published('{kind}').enabled === {enabled}
                && standIn.trackEvents[standIn.trackEvents.length - 1] === '{kind}:{event}'"
        ),
        SHORT,
    )
    .await
    .map_err(|e| format!("the published {kind} track: {e}"))
}

/// What `identity` received from us, parsed, includes a message for which
/// `test` (a JS expression of `m`) holds.
fn received(identity: &str, test: &str) -> String {
    format!("standIn.received('{identity}').some(m => {test})")
}

#[tokio::test]
async fn a_double_click_connects_once_with_every_track_and_leaving_releases_them() {
    let service = spawn_twilio_service(Some(dist_with_stand_in_sdk("visit"))).await;
    with_browser("twilio_visit", async |b| {
        record_local_media(b).await?;
        let link = patient_link(b, &service).await?;
        b.open_fresh(&link).await?;
        b.wait_until(JOIN_READY, SHORT).await?;
        b.wait_until("window.standIn && standIn.connects.length === 0", SHORT)
            .await?;

        // A double click connects once, with camera, microphone and data track.
        b.fill("#display-name", "Pat Example").await?;
        b.eval("const join = document.querySelector('button.join'); join.click(); join.click();")
            .await?;
        b.wait_until(PATIENT_WAITING, SHORT).await?;
        let connect = b.eval("return standIn.connects").await?;
        assert_eq!(connect.as_array().map(Vec::len), Some(1), "{connect}");
        assert_eq!(
            connect[0]["kinds"],
            serde_json::json!(["audio", "video", "data"])
        );
        let room = connect[0]["name"].as_str().unwrap_or_default();
        assert!(
            !room.is_empty() && !room.contains("Pat"),
            "room name {room}"
        );

        // The clinician joins (played by the stand-in).
        b.eval(&format!("standIn.join('{CLINICIAN}', 'Dr Stand-in')"))
            .await?;
        b.wait_until(IN_CALL, SHORT).await?;
        b.wait_until(&playing("[data-role=provider] video"), SHORT)
            .await?;

        b.eval(&format!("standIn.leave('{CLINICIAN}')")).await?;
        b.wait_until(PATIENT_WAITING, SHORT).await?;
        b.click("button.leave").await?;
        b.wait_until(ENDED, SHORT).await?;
        everything_released(b).await
    })
    .await;
}

#[tokio::test]
async fn a_clinician_reloading_keeps_the_call_and_every_hello_arrives() {
    let service = spawn_twilio_service(Some(dist_with_stand_in_sdk("rejoin"))).await;
    with_browser("twilio_rejoin", async |b| {
        let link = patient_link(b, &service).await?;
        b.open_fresh(&link).await?;
        b.wait_until(JOIN_READY, SHORT).await?;

        // The clinician is already in the room; our microphone is refused.
        b.eval(&format!(
            "standIn.present = [{{ identity: '{CLINICIAN}', name: 'Dr Stand-in' }}];
             standIn.failNextPublication = 'audio';"
        ))
        .await?;
        b.fill("#display-name", "Pat Example").await?;
        b.click("button.join").await?;
        b.wait_until(IN_CALL, SHORT).await?;
        b.wait_for_text("[data-role=provider] figcaption", "Dr Stand-in")
            .await?;
        b.wait_until(&playing("[data-role=provider] video"), SHORT)
            .await?;
        b.wait_for_text(".media-failed", "could not be sent")
            .await?;
        let hello = received(CLINICIAN, "m.hello?.name === 'Pat Example'");
        b.wait_until(&hello, SHORT).await?;

        // The clinician reloads: a new connection with the same identity,
        // arriving before or after the old one leaves. Each new connection
        // says hello before it has subscribed to us, so ours must follow.
        for order in ["connect-first", "disconnect-first"] {
            b.eval(&format!(
                "standIn.rejoin('{CLINICIAN}', 'Dr Stand-in', '{order}')"
            ))
            .await?;
            b.wait_until(IN_CALL, SHORT)
                .await
                .map_err(|e| format!("{order}: {e}"))?;
            b.wait_until(&playing("[data-role=provider] video"), SHORT)
                .await?;
            b.wait_until(&hello, SHORT)
                .await
                .map_err(|e| format!("{order}: our name never reached the new connection: {e}"))?;
            let stepped_out = b
                .eval("return document.querySelector('.stepped-out')")
                .await?;
            assert!(
                stepped_out.is_null(),
                "{order}: told the clinician stepped out"
            );
        }

        // A camera that cannot be received is said plainly.
        b.eval("standIn.join('guest.g1', 'Ana', { failing: ['video'] })")
            .await?;
        b.wait_for_text(".media-failed", "couldn't receive").await?;
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn leaving_or_being_dropped_releases_everything_and_says_why() {
    let service = spawn_twilio_service(Some(dist_with_stand_in_sdk("endings"))).await;
    with_browser("twilio_endings", async |b| {
        record_local_media(b).await?;
        let link = patient_link(b, &service).await?;

        enter_waiting_room(b, &link).await?;
        b.click("button.leave").await?;
        b.wait_for_text("[data-view=ended]", "You left the visit")
            .await?;
        assert_eq!(b.eval("return standIn.disconnects").await?, 1);
        everything_released(b).await?;

        for (code, words) in [(20104, "link has expired"), (53001, "lost the connection")] {
            enter_waiting_room(b, &link).await?;
            b.eval(&format!("standIn.drop({code})")).await?;
            b.wait_for_text("[data-view=ended]", words)
                .await
                .map_err(|e| format!("code {code}: {e}"))?;
            everything_released(b).await?;
        }
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_failed_connect_explains_and_join_works_again() {
    let service = spawn_twilio_service(Some(dist_with_stand_in_sdk("connect-fails"))).await;
    with_browser("twilio_connect_fails", async |b| {
        record_local_media(b).await?;
        let link = patient_link(b, &service).await?;
        b.open_fresh(&link).await?;
        b.wait_until(JOIN_READY, SHORT).await?;
        b.eval("standIn.failNextConnect = 53000").await?;
        b.click("button.join").await?;
        b.wait_for_text(".join-error", "can't reach the video service").await?;
        b.wait_until(JOIN_READY, SHORT).await?;
        // The copies the SDK made to publish are stopped; the preview goes on.
        no_clone_left_live(b).await?;
        b.wait_until("window.hearthCaptured.every(t => t.readyState === 'live')", SHORT)
            .await?;

        // Trying again works; this time audio-only: no camera track is sent.
        b.click("#audio-only").await?;
        b.click("button.join").await?;
        b.wait_until(PATIENT_WAITING, SHORT).await?;
        assert!(b.eval("return document.querySelector('.join-error')").await?.is_null());
        let kinds = b.eval("return standIn.connects[1].kinds").await?;
        assert_eq!(kinds, serde_json::json!(["audio", "data"]));
        assert!(b.eval("return document.querySelector('video.self-view').srcObject.getVideoTracks().length").await? == 0);
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn screens_are_accessible_and_fit_a_phone() {
    let service = spawn_twilio_service(Some(dist_with_stand_in_sdk("accessibility"))).await;
    with_browser("twilio_accessibility", async |b| {
        let link = patient_link(b, &service).await?;
        b.client
            .set_window_size(360, 740)
            .await
            .map_err(|e| format!("resize: {e}"))?;
        b.open_fresh(&link).await?;
        b.wait_until(JOIN_READY, SHORT).await?;
        b.wait_until("document.querySelector('#mic-level').value > 0", SHORT)
            .await
            .map_err(|e| format!("the microphone meter never moved: {e}"))?;
        let choices = b
            .eval("return ['camera', 'microphone'].map(id => document.querySelectorAll(`#${id} option`).length)")
            .await?;
        assert!(choices[0].as_u64() >= Some(1) && choices[1].as_u64() >= Some(1), "{choices}");
        no_serious_accessibility_problems(b, "pre-join").await?;
        fits_a_phone(b, "pre-join").await?;

        b.click("#camera-off").await?;
        b.click("button.join").await?;
        b.wait_until(PATIENT_WAITING, SHORT).await?;
        b.wait_until("standIn.published('video').enabled === false", SHORT)
            .await?;
        no_serious_accessibility_problems(b, "waiting room").await?;
        fits_a_phone(b, "waiting room").await?;

        b.eval(&format!("standIn.join('{CLINICIAN}', 'Dr Stand-in')")).await?;
        b.wait_until(IN_CALL, SHORT).await?;
        // Twilio's Network Quality levels: bars on the clinician's picture,
        // and our own weak connection said in words.
        b.eval(&format!("standIn.networkQuality('{CLINICIAN}', 3)"))
            .await?;
        b.wait_until(
            "document.querySelector('figure.remote[data-role=provider] .bars')?.getAttribute('aria-label') === 'Connection: 3 of 5 bars'",
            SHORT,
        )
        .await?;
        b.eval("standIn.networkQuality(null, 1)").await?;
        b.wait_for_text(".banner.weak", "Your connection is weak")
            .await?;
        no_serious_accessibility_problems(b, "call").await?;
        fits_a_phone(b, "call").await?;

        // Every control has a name and is reached by keyboard.
        let names = b
            .eval("return [...document.querySelectorAll('.controls button')].map(b => b.textContent + '|' + b.tabIndex)")
            .await?;
        for expected in ["Mute|0", "Camera on|0", "Leave|0"] {
            assert!(names.to_string().contains(expected), "{names}");
        }

        // One press of Camera on after a camera-off join: the camera is sent.
        b.click(CAMERA).await?;
        published_enabled(b, "video", true).await
    })
    .await;
}

#[tokio::test]
async fn the_real_sdk_loads_from_our_host_and_a_failed_connect_is_explained() {
    let service = spawn_twilio_service(Some(dist_dir())).await;
    with_browser("twilio_real_sdk", async |b| {
        record_local_media(b).await?;
        // Every WebSocket the page opens, by address.
        b.on_every_page(
            "const Real = window.WebSocket; window.hearthSockets = [];
             window.WebSocket = class extends Real {
               constructor(url, protocols) { super(url, protocols); window.hearthSockets.push(String(url)); }
             };",
        )
        .await?;
        let link = patient_link(b, &service).await?;
        b.open_fresh(&link).await?;
        b.wait_until(JOIN_READY, SHORT).await?;
        let sdk = b
            .eval(
                "return [Twilio.Video.version, Twilio.Video.isSupported,
                   performance.getEntriesByType('resource').map(r => r.name).filter(n => n.includes('twilio-video'))]",
            )
            .await?;
        assert_eq!(sdk[0], "2.36.0", "{sdk}");
        assert_eq!(sdk[1], true, "{sdk}");
        let loaded_from = sdk[2][0].as_str().unwrap_or_default();
        assert!(loaded_from.starts_with(&service.url), "SDK from {loaded_from}");

        // No route to Twilio here: the SDK fails with 53000, which we explain.
        b.click("button.join").await?;
        b.wait_for_text(".join-error", "can't reach the video service").await?;
        b.wait_until(JOIN_READY, SHORT).await?;
        // Built as shipped, the SDK signals to Twilio and nowhere else: the
        // tests' emulator address is never set outside the tests.
        let sockets = b.eval("return window.hearthSockets").await?;
        let signalling: Vec<&str> = sockets
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|url| url.as_str())
            .filter(|url| url.contains("/signaling"))
            .collect();
        assert!(
            !signalling.is_empty()
                && signalling.iter().all(|url| *url == "wss://global.vss.twilio.com/signaling"),
            "{sockets}"
        );
        let shipped = std::fs::read_to_string(dist_dir().join("config.json")).expect("config.json");
        assert!(!shipped.contains("test_twilio_signalling_url"), "{shipped}");
        let copies = b.eval("return window.hearthClones.length").await?;
        println!("figure: the real SDK copied {copies} tracks before its connect failed");
        no_clone_left_live(b).await?;
        b.fill("#display-name", "Still usable").await?;
        assert_eq!(b.value_of("#display-name").await?, "Still usable");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_browser_the_sdk_does_not_support_is_told_so_before_joining() {
    let dist = dist_with_stand_in_sdk("unsupported");
    let sdk = dist.join("twilio-video.min.js");
    let mut script = std::fs::read_to_string(&sdk).expect("the stand-in SDK");
    script.push_str("\nTwilio.Video.isSupported = false;\n");
    std::fs::write(&sdk, script).expect("write the SDK file");
    let service = spawn_twilio_service(Some(dist)).await;
    with_browser("twilio_unsupported", async |b| {
        let link = patient_link(b, &service).await?;
        b.open_fresh(&link).await?;
        b.wait_for_text(
            "[data-view=prejoin] [role=alert]",
            "This browser can't make video calls",
        )
        .await?;
        b.wait_until("document.querySelector('button.join').disabled", SHORT)
            .await
    })
    .await;
}
