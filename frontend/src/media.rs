//! The camera and microphone: asking for them, and saying plainly what went
//! wrong when the browser refuses.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamConstraints};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaError {
    PermissionDenied,
    NoDevice,
    InUse,
    Unsupported,
    Other,
}

impl MediaError {
    /// From a `DOMException` name (pure, so the mapping is tested natively).
    pub fn from_name(name: &str) -> Self {
        match name {
            "NotAllowedError" | "SecurityError" | "PermissionDeniedError" => {
                MediaError::PermissionDenied
            }
            "NotFoundError" | "OverconstrainedError" | "DevicesNotFoundError" => {
                MediaError::NoDevice
            }
            "NotReadableError" | "TrackStartError" | "AbortError" => MediaError::InUse,
            _ => MediaError::Other,
        }
    }

    /// The catalogue key of what to tell the person.
    pub fn message(self) -> &'static str {
        match self {
            MediaError::PermissionDenied => "media.blocked",
            MediaError::NoDevice => "media.none",
            MediaError::InUse => "media.in_use",
            MediaError::Unsupported => "errors.unsupported_browser",
            MediaError::Other => "media.failed",
        }
    }
}

/// Which camera and microphone to use; `None` lets the browser choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceChoice {
    pub camera: Option<String>,
    pub microphone: Option<String>,
    /// False once the person joined with audio only: a later change of
    /// microphone must not turn a camera on.
    pub with_camera: bool,
}

impl Default for DeviceChoice {
    fn default() -> Self {
        Self {
            camera: None,
            microphone: None,
            with_camera: true,
        }
    }
}

/// One camera, microphone or speaker, as the pre-join check lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub label: String,
}

/// The devices of each kind, named once permission is granted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Devices {
    pub cameras: Vec<Device>,
    pub microphones: Vec<Device>,
    pub speakers: Vec<Device>,
}

fn media_devices() -> Result<web_sys::MediaDevices, MediaError> {
    web_sys::window()
        .ok_or(MediaError::Unsupported)?
        .navigator()
        .media_devices()
        .map_err(|_| MediaError::Unsupported)
}

/// `true`, or `{deviceId: {exact: id}}` for a chosen device.
fn device_constraint(device: &Option<String>) -> wasm_bindgen::JsValue {
    match device {
        None => true.into(),
        Some(id) => {
            let exact = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&exact, &"exact".into(), &id.into());
            let constraint = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&constraint, &"deviceId".into(), &exact);
            constraint.into()
        }
    }
}

/// Lists cameras, microphones and speakers.
pub async fn devices() -> Devices {
    let Ok(promise) =
        media_devices().and_then(|d| d.enumerate_devices().map_err(|_| MediaError::Unsupported))
    else {
        return Devices::default();
    };
    let mut found = Devices::default();
    let Ok(list) = JsFuture::from(promise).await else {
        return found;
    };
    for info in js_sys::Array::from(&list).iter() {
        let info: web_sys::MediaDeviceInfo = info.unchecked_into();
        let list = match info.kind() {
            web_sys::MediaDeviceKind::Videoinput => &mut found.cameras,
            web_sys::MediaDeviceKind::Audioinput => &mut found.microphones,
            web_sys::MediaDeviceKind::Audiooutput => &mut found.speakers,
            _ => continue,
        };
        list.push(Device {
            id: info.device_id(),
            label: info.label(),
        });
    }
    found
}

/// Asks for the chosen microphone and camera. With no camera at all, falls
/// back to the microphone alone.
pub async fn local_stream(choice: &DeviceChoice) -> Result<MediaStream, MediaError> {
    if !choice.with_camera {
        return request(&choice.microphone, None).await;
    }
    match request(&choice.microphone, Some(&choice.camera)).await {
        Err(MediaError::NoDevice) => request(&choice.microphone, None).await,
        outcome => outcome,
    }
}

async fn request(
    microphone: &Option<String>,
    camera: Option<&Option<String>>,
) -> Result<MediaStream, MediaError> {
    let devices = media_devices()?;
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&device_constraint(microphone));
    constraints.set_video(&camera.map_or(false.into(), device_constraint));
    let promise = devices
        .get_user_media_with_constraints(&constraints)
        .map_err(|_| MediaError::Unsupported)?;
    match JsFuture::from(promise).await {
        Ok(stream) => Ok(stream.unchecked_into()),
        Err(err) => Err(err
            .dyn_ref::<web_sys::DomException>()
            .map_or(MediaError::Other, |e| MediaError::from_name(&e.name()))),
    }
}

/// A screen, window or tab the person picks in the browser's own dialog;
/// `None` if they cancel or the browser cannot share.
pub async fn screen() -> Option<MediaStream> {
    let promise = media_devices().ok()?.get_display_media().ok()?;
    JsFuture::from(promise)
        .await
        .ok()
        .map(JsCast::unchecked_into)
}

/// Another handle on the same stream and tracks. (`stream.clone()` would be
/// the browser's `MediaStream.clone()`, which makes new tracks that Mute and
/// Camera off never reach; `clippy.toml` forbids it.)
pub fn handle(stream: &MediaStream) -> MediaStream {
    Clone::clone(stream)
}

/// Stops every track, so the camera light goes off.
pub fn stop(stream: &MediaStream) {
    for track in stream.get_tracks().iter() {
        track.unchecked_into::<web_sys::MediaStreamTrack>().stop();
    }
}

/// A camera or a microphone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Audio,
    Video,
}

impl Kind {
    /// As `MediaStreamTrack.kind` and the Twilio SDK name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Audio => "audio",
            Kind::Video => "video",
        }
    }
}

/// Whether the person has their microphone and camera switched on: kept by
/// the room, so a new capture (a device change) starts the way they chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switches {
    pub audio: bool,
    pub video: bool,
}

impl Default for Switches {
    fn default() -> Self {
        Self {
            audio: true,
            video: true,
        }
    }
}

impl Switches {
    pub fn get(self, kind: Kind) -> bool {
        match kind {
            Kind::Audio => self.audio,
            Kind::Video => self.video,
        }
    }

    pub fn set(&mut self, kind: Kind, on: bool) {
        match kind {
            Kind::Audio => self.audio = on,
            Kind::Video => self.video = on,
        }
    }
}

/// The stream's tracks of `kind`.
pub fn tracks(stream: &MediaStream, kind: Kind) -> Vec<web_sys::MediaStreamTrack> {
    let tracks = match kind {
        Kind::Audio => stream.get_audio_tracks(),
        Kind::Video => stream.get_video_tracks(),
    };
    tracks.iter().map(|t| t.unchecked_into()).collect()
}

/// Turns the stream's `kind` tracks on or off without renegotiating: a
/// disabled track sends silence or black frames. For built-in rooms only;
/// Twilio's published copies change only through the SDK.
pub fn set_enabled(stream: &MediaStream, kind: Kind, enabled: bool) {
    for track in tracks(stream, kind) {
        track.set_enabled(enabled);
    }
}

/// Sets every track of the stream as `switches` say.
pub fn apply(stream: &MediaStream, switches: Switches) {
    for kind in [Kind::Audio, Kind::Video] {
        set_enabled(stream, kind, switches.get(kind));
    }
}

/// Audio-only: stops and removes the camera's tracks.
pub fn drop_video(stream: &MediaStream) {
    for track in stream.get_video_tracks().iter() {
        let track: web_sys::MediaStreamTrack = track.unchecked_into();
        track.stop();
        stream.remove_track(&track);
    }
}

/// Plays `element` on the chosen speaker, where the browser allows it.
pub fn set_speaker(element: &web_sys::HtmlMediaElement, speaker: &str) {
    crate::bindings::set_sink_id(element, speaker);
}

/// The microphone's loudness, for the level meter.
pub struct LevelMeter {
    context: web_sys::AudioContext,
    analyser: web_sys::AnalyserNode,
    samples: Vec<u8>,
}

impl LevelMeter {
    pub fn new(stream: &MediaStream) -> Option<Self> {
        if stream.get_audio_tracks().length() == 0 {
            return None;
        }
        let context = web_sys::AudioContext::new().ok()?;
        let source = context.create_media_stream_source(stream).ok()?;
        let analyser = context.create_analyser().ok()?;
        source.connect_with_audio_node(&analyser).ok()?;
        let samples = vec![0; analyser.fft_size() as usize];
        Some(Self {
            context,
            analyser,
            samples,
        })
    }

    /// From 0 (silence) to 100 (loud speech or more).
    pub fn level(&mut self) -> u8 {
        // A page without a click yet may start audio suspended.
        let _ = self.context.resume();
        self.analyser.get_byte_time_domain_data(&mut self.samples);
        loudness(&self.samples)
    }
}

impl Drop for LevelMeter {
    fn drop(&mut self) {
        let _ = self.context.close();
    }
}

/// Scales the RMS of 8-bit samples (128 = silence) to 0..=100, so that
/// speech fills the meter.
pub fn loudness(samples: &[u8]) -> u8 {
    if samples.is_empty() {
        return 0;
    }
    let power: f64 = samples
        .iter()
        .map(|&s| (f64::from(s) - 128.0) / 128.0)
        .map(|x| x * x)
        .sum::<f64>()
        / samples.len() as f64;
    (power.sqrt() * 400.0).min(100.0) as u8
}

/// Plays a short tone on `speaker` (or the default): the sound check, and
/// the clinician's arrival alert.
pub fn play_tone(speaker: Option<&str>) -> Option<()> {
    let context = web_sys::AudioContext::new().ok()?;
    let tone = context.create_oscillator().ok()?;
    tone.frequency().set_value(523.25);
    let out = context.create_media_stream_destination().ok()?;
    tone.connect_with_audio_node(&out).ok()?;
    let player = web_sys::HtmlAudioElement::new().ok()?;
    player.set_src_object(Some(&out.stream()));
    if let Some(id) = speaker {
        set_speaker(&player, id);
    }
    let _ = player.play();
    let now = context.current_time();
    tone.start().ok()?;
    tone.stop_with_when(now + 0.6).ok()?;
    let closed = context.clone();
    let done = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = closed.close();
    });
    tone.set_onended(Some(done.unchecked_ref()));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::MediaError;

    #[test]
    fn browser_refusals_map_to_plain_advice() {
        assert_eq!(
            MediaError::from_name("NotAllowedError"),
            MediaError::PermissionDenied
        );
        assert_eq!(MediaError::from_name("NotFoundError"), MediaError::NoDevice);
        assert_eq!(MediaError::from_name("NotReadableError"), MediaError::InUse);
        assert_eq!(MediaError::from_name("Weird"), MediaError::Other);
        let t = crate::i18n::Locale::english();
        assert!(t
            .t(MediaError::PermissionDenied.message())
            .contains("Allow"));
    }

    #[test]
    fn loudness_is_zero_for_silence_and_capped_at_one() {
        use super::loudness;
        assert_eq!(loudness(&[]), 0);
        assert_eq!(loudness(&[128; 64]), 0);
        assert_eq!(loudness(&[0, 255].repeat(32)), 100);
        let quiet = loudness(&[120, 136].repeat(32));
        assert!(quiet > 10 && quiet < 50, "{quiet}");
    }
}
