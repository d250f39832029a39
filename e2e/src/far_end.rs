//! What the other person really receives, measured in their browser: the
//! audio energy of a remote stream and the brightness of a remote picture.
//! Controls are proved here, at the far end, never by a flag or a label.
//!
//! Also what the near end must never do: play its own microphone, or keep a
//! camera or microphone capture running that the call does not use.

use crate::browser::{Browser, TestResult};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Each browser's fake microphone beeps a quarter second in every half
/// (`browser::fake_microphone`); a window of more than a second hears it
/// whatever the jitter.
const LISTEN_FOR: Duration = Duration::from_millis(1500);
/// Audio RMS (of -1..1 samples) below which the far end hears silence.
/// The fake beeps measure 0.1 to 0.7; a disabled track arrives as digital
/// silence, 0.
pub const SILENT_BELOW: f64 = 0.002;
/// Mean luminance (0..255) below which the far end sees black. The fake
/// camera's picture measures far above it; a disabled track sends black.
pub const BLACK_BELOW: f64 = 20.0;
/// How long a control may take to reach the far end.
pub const REACHES_WITHIN: Duration = Duration::from_secs(1);

/// The loudest moment (RMS over ~46 ms) of the audio that `video_css`
/// plays, over [`LISTEN_FOR`]; 0 when it has no audio track.
pub async fn loudness(b: &Browser, video_css: &str) -> TestResult<f64> {
    let peak = b
        .eval_async(
            "const video = document.querySelector(args[0]);
             const stream = video && video.srcObject;
             if (!stream || stream.getAudioTracks().length === 0) return 0;
             window.hearthMeters = window.hearthMeters || new Map();
             const key = stream.getAudioTracks().map(t => t.id).join();
             let meter = window.hearthMeters.get(key);
             if (!meter) {
               const context = new AudioContext();
               await context.resume();
               const analyser = context.createAnalyser();
               analyser.fftSize = 2048;
               context.createMediaStreamSource(stream).connect(analyser);
               meter = { analyser, samples: new Float32Array(2048) };
               window.hearthMeters.set(key, meter);
             }
             let peak = 0;
             const end = performance.now() + args[1];
             while (performance.now() < end) {
               meter.analyser.getFloatTimeDomainData(meter.samples);
               let power = 0;
               for (const x of meter.samples) power += x * x;
               peak = Math.max(peak, Math.sqrt(power / meter.samples.length));
               await new Promise(resolve => setTimeout(resolve, 20));
             }
             return peak;",
            vec![json!(video_css), json!(LISTEN_FOR.as_millis() as u64)],
        )
        .await?;
    Ok(peak.as_f64().unwrap_or_default())
}

/// The brightest of a few frames of `video_css`, as mean luminance
/// (0..255); 0 when no frame arrives at all.
pub async fn brightness(b: &Browser, video_css: &str) -> TestResult<f64> {
    let value = b
        .eval_async(
            "const video = document.querySelector(args[0]);
             const canvas = document.createElement('canvas');
             canvas.width = 64; canvas.height = 48;
             const context = canvas.getContext('2d', { willReadFrequently: true });
             let brightest = 0;
             for (let frame = 0; frame < 5; frame++) {
               if (video && video.videoWidth > 0) {
                 context.drawImage(video, 0, 0, 64, 48);
                 const pixels = context.getImageData(0, 0, 64, 48).data;
                 let sum = 0;
                 for (let i = 0; i < pixels.length; i += 4) {
                   sum += 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
                 }
                 brightest = Math.max(brightest, sum / (pixels.length / 4));
               }
               await new Promise(resolve => setTimeout(resolve, 100));
             }
             return brightest;",
            vec![json!(video_css)],
        )
        .await?;
    Ok(value.as_f64().unwrap_or_default())
}

/// Measures until `ok` holds, for up to 15 s; returns that measurement,
/// or the last one with `what` on failure.
async fn settles<F, Fut>(what: &str, ok: impl Fn(f64) -> bool, measure: F) -> TestResult<f64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = TestResult<f64>>,
{
    let started = Instant::now();
    let mut last = f64::NAN;
    while started.elapsed() < Duration::from_secs(15) {
        last = measure().await?;
        if ok(last) {
            return Ok(last);
        }
    }
    Err(format!("{what}: still {last:.3} after 15 s"))
}

/// The far end hears `video_css`'s sender; returns how loud.
pub async fn hears(b: &Browser, video_css: &str) -> TestResult<f64> {
    settles(
        &format!("no sound from {video_css}"),
        |v| v >= SILENT_BELOW,
        || loudness(b, video_css),
    )
    .await
}

/// The far end sees a picture (not black) from `video_css`'s sender;
/// returns how bright.
pub async fn sees(b: &Browser, video_css: &str) -> TestResult<f64> {
    settles(
        &format!("no picture in {video_css}"),
        |v| v >= BLACK_BELOW,
        || brightness(b, video_css),
    )
    .await
}

/// After a control was pressed at `pressed`: from [`REACHES_WITHIN`] later
/// on, a whole listening window is silent. Returns its loudest moment.
pub async fn silent_since(b: &Browser, video_css: &str, pressed: Instant) -> TestResult<f64> {
    low_since(pressed, SILENT_BELOW, loudness(b, video_css), |level| {
        format!("{video_css} still sounds (RMS {level:.3}) after Mute")
    })
    .await
}

/// After a control was pressed at `pressed`: from [`REACHES_WITHIN`] later
/// on, the picture is black or frameless. Returns its brightest frame.
pub async fn black_since(b: &Browser, video_css: &str, pressed: Instant) -> TestResult<f64> {
    low_since(pressed, BLACK_BELOW, brightness(b, video_css), |level| {
        format!("{video_css} still shows a picture (luminance {level:.0}) after Camera off")
    })
    .await
}

/// Waits until [`REACHES_WITHIN`] after `pressed`, then takes `measure`,
/// which must be below `below`.
async fn low_since(
    pressed: Instant,
    below: f64,
    measure: impl std::future::Future<Output = TestResult<f64>>,
    complaint: impl Fn(f64) -> String,
) -> TestResult<f64> {
    tokio::time::sleep(REACHES_WITHIN.saturating_sub(pressed.elapsed())).await;
    let level = measure.await?;
    if level < below {
        Ok(level)
    } else {
        Err(format!(
            "{}, {} ms after the press",
            complaint(level),
            pressed.elapsed().as_millis()
        ))
    }
}

/// Records, in every page the browser opens from now on, each camera and
/// microphone track the page captures (`hearthCaptured`) and each track
/// clone (`hearthClones`: the Twilio SDK publishes clones), so a test can
/// ask what is still live. Call before opening the page.
pub async fn record_local_media(b: &Browser) -> TestResult {
    b.on_every_page(
        "window.hearthCaptured = [];
         const getUserMedia = MediaDevices.prototype.getUserMedia;
         MediaDevices.prototype.getUserMedia = async function (...args) {
           const stream = await getUserMedia.apply(this, args);
           window.hearthCaptured.push(...stream.getTracks());
           return stream;
         };
         window.hearthClones = [];
         const clone = MediaStreamTrack.prototype.clone;
         MediaStreamTrack.prototype.clone = function () {
           const copy = clone.call(this);
           window.hearthClones.push(copy);
           return copy;
         };",
    )
    .await
}

/// No element plays a live local microphone track with its `muted`
/// property false (the attribute means nothing after parsing), and every
/// live capture is one the self-view shows, so no second camera or
/// microphone stream is left running. Needs [`record_local_media`].
pub async fn local_media_is_honest(b: &Browser, screen: &str) -> TestResult {
    let found: Value = b
        .eval(
            "const live = window.hearthCaptured.filter(t => t.readyState === 'live');
             const echoes = [...document.querySelectorAll('audio, video')]
               .filter(e => !e.muted && e.srcObject
                 && e.srcObject.getAudioTracks().some(t => live.includes(t)))
               .map(e => e.className || e.tagName);
             const selfView = document.querySelector('video.self-view');
             const shown = selfView && selfView.srcObject ? selfView.srcObject.getTracks() : [];
             const stray = live.filter(t => !shown.includes(t)).map(t => t.kind + ':' + t.label);
             return { echoes, stray };",
        )
        .await?;
    let (echoes, stray) = (&found["echoes"], &found["stray"]);
    if echoes.as_array().is_some_and(Vec::is_empty) && stray.as_array().is_some_and(Vec::is_empty) {
        Ok(())
    } else {
        Err(format!(
            "on the {screen} screen: own microphone played by {echoes}; live captures not in the self-view: {stray}"
        ))
    }
}

/// Every track clone the page made (the Twilio SDK's published copies) has
/// ended, so the camera light can go off. Needs [`record_local_media`].
pub async fn no_clone_left_live(b: &Browser) -> TestResult {
    b.wait_until(
        "window.hearthClones.every(t => t.readyState === 'ended')",
        crate::flows::SHORT,
    )
    .await
    .map_err(|err| format!("a cloned camera or microphone track is still live: {err}"))
}

/// The call's Mute and Camera buttons.
pub const MUTE: &str = ".controls button:nth-child(1)";
pub const CAMERA: &str = ".controls button:nth-child(2)";

/// The picture and sound of whoever has `role`, as the page shows them.
pub fn remote_of(role: &str) -> String {
    format!("figure.remote[data-role={role}] video")
}

/// `sender` mutes and unmutes, turns the camera off and on; `receiver`
/// measures each through `video`, and the figures are printed.
pub async fn controls_reach(
    sender: &Browser,
    receiver: &Browser,
    video: &str,
    who: &str,
) -> TestResult {
    let context = |e: String| format!("{who}: {e}");
    let loud = hears(receiver, video).await.map_err(context)?;
    let bright = sees(receiver, video).await.map_err(context)?;

    sender.click(MUTE).await?;
    let muted = silent_since(receiver, video, Instant::now())
        .await
        .map_err(context)?;
    sender.click(MUTE).await?;
    let unmuted = hears(receiver, video).await.map_err(context)?;

    sender.click(CAMERA).await?;
    let dark = black_since(receiver, video, Instant::now())
        .await
        .map_err(context)?;
    sender.click(CAMERA).await?;
    let lit = sees(receiver, video).await.map_err(context)?;
    println!(
        "figure: {who} at the far end: audio RMS {loud:.3} -> Mute {muted:.4} -> Unmute {unmuted:.3}; \
         luminance {bright:.0} -> Camera off {dark:.1} -> on {lit:.0}"
    );
    Ok(())
}

/// Gives every page the browser opens from now on a screen to share in
/// place of the browser's picker, which headless Chromium cannot show: a
/// white canvas (mean luminance about 250, where the fake camera's is about
/// 95), repainted so frames keep coming. `hearthStopSharing()` does what
/// the browser's own "Stop sharing" does: the track ends and says so.
pub async fn fake_screen(b: &Browser) -> TestResult {
    b.on_every_page(
        "navigator.mediaDevices.getDisplayMedia = async () => {
           const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 360 });
           const paint = canvas.getContext('2d');
           const frame = () => { paint.fillStyle = '#fff'; paint.fillRect(0, 0, 640, 360); };
           frame();
           setInterval(frame, 100);
           const stream = canvas.captureStream(10);
           window.hearthScreen = stream.getVideoTracks()[0];
           return stream;
         };
         window.hearthStopSharing = () => {
           window.hearthScreen.stop();
           window.hearthScreen.dispatchEvent(new Event('ended'));
         };",
    )
    .await
}

/// Brighter than any camera picture here: the fake screen.
pub const SCREEN_ABOVE: f64 = 200.0;

/// `to` shows `from`'s shared screen large, and it is the screen's picture
/// (not the camera's); returns its brightness.
pub async fn screen_reaches(to: &Browser, role: &str) -> TestResult<f64> {
    let video = format!("figure.screen[data-role={role}] video");
    settles(
        &format!("no shared screen in {video}"),
        |v| v >= SCREEN_ABOVE,
        || brightness(to, &video),
    )
    .await
}
