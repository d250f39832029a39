//! Every hand-written JS binding, in one place. Only safe wrappers elsewhere
//! (`media`, `video`) call these; components never do.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `RTCPeerConnection`, for the calls web-sys has no form of.
    #[wasm_bindgen(extends = web_sys::RtcPeerConnection, js_name = RTCPeerConnection)]
    type PeerConnection;

    /// With no argument the browser makes the right offer or answer itself,
    /// as perfect negotiation needs.
    #[wasm_bindgen(method, js_name = setLocalDescription)]
    fn set_local_description(this: &PeerConnection) -> js_sys::Promise;

    #[wasm_bindgen(method, js_name = setRemoteDescription)]
    fn set_remote_description(this: &PeerConnection, description: &JsValue) -> js_sys::Promise;

    #[wasm_bindgen(method, js_name = addIceCandidate)]
    fn add_ice_candidate(this: &PeerConnection, candidate: &JsValue) -> js_sys::Promise;
}

/// `pc.setLocalDescription()`.
pub fn set_local_description_implicit(pc: &web_sys::RtcPeerConnection) -> js_sys::Promise {
    pc.unchecked_ref::<PeerConnection>().set_local_description()
}

/// `pc.setRemoteDescription(obj)` with the `{type, sdp}` object a peer sent.
pub fn set_remote_description_object(
    pc: &web_sys::RtcPeerConnection,
    description: &JsValue,
) -> js_sys::Promise {
    pc.unchecked_ref::<PeerConnection>()
        .set_remote_description(description)
}

/// `pc.addIceCandidate(obj)` with the candidate object a peer sent.
pub fn add_ice_candidate_object(
    pc: &web_sys::RtcPeerConnection,
    candidate: &JsValue,
) -> js_sys::Promise {
    pc.unchecked_ref::<PeerConnection>()
        .add_ice_candidate(candidate)
}

// The `twilio-video` SDK (`Twilio.Video`), as far as Hearth uses it. Only
// `video::twilio` calls these.
#[wasm_bindgen]
extern "C" {
    /// The `Twilio.Video` namespace object the SDK script sets.
    pub type TwilioVideo;

    #[wasm_bindgen(method, getter, js_name = isSupported)]
    pub fn is_supported(this: &TwilioVideo) -> bool;

    /// `connect(token, options)`: a Promise of a [`Room`].
    #[wasm_bindgen(method, catch)]
    pub fn connect(
        this: &TwilioVideo,
        token: &str,
        options: &JsValue,
    ) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, getter, js_name = LocalDataTrack)]
    pub fn local_data_track_class(this: &TwilioVideo) -> js_sys::Function;

    /// `new LocalAudioTrack(mediaStreamTrack)`: the SDK's handle on our
    /// microphone, through which alone mute reaches what is published.
    #[wasm_bindgen(method, getter, js_name = LocalAudioTrack)]
    pub fn local_audio_track_class(this: &TwilioVideo) -> js_sys::Function;

    #[wasm_bindgen(method, getter, js_name = LocalVideoTrack)]
    pub fn local_video_track_class(this: &TwilioVideo) -> js_sys::Function;

    /// Rooms, participants and tracks are all Node-style event emitters.
    #[derive(Clone)]
    pub type Emitter;

    #[wasm_bindgen(method)]
    pub fn on(this: &Emitter, event: &str, listener: &js_sys::Function);

    #[wasm_bindgen(method, js_name = removeListener)]
    pub fn remove_listener(this: &Emitter, event: &str, listener: &js_sys::Function);

    #[wasm_bindgen(extends = Emitter)]
    #[derive(Clone)]
    pub type Room;

    #[wasm_bindgen(method)]
    pub fn disconnect(this: &Room);

    /// Remote participants by SID.
    #[wasm_bindgen(method, getter)]
    pub fn participants(this: &Room) -> js_sys::Map;

    #[wasm_bindgen(method, getter, js_name = localParticipant)]
    pub fn local_participant(this: &Room) -> Participant;

    #[wasm_bindgen(extends = Emitter)]
    #[derive(Clone)]
    pub type Participant;

    #[wasm_bindgen(method, getter)]
    pub fn identity(this: &Participant) -> String;

    /// Unique per connection: a reload rejoins with the same identity and a
    /// new SID.
    #[wasm_bindgen(method, getter)]
    pub fn sid(this: &Participant) -> String;

    /// `localParticipant.publishTrack(localTrack)`: a Promise.
    #[wasm_bindgen(method, catch, js_name = publishTrack)]
    pub fn publish_track(this: &Participant, track: &Track) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = unpublishTrack)]
    pub fn unpublish_track(this: &Participant, track: &Track) -> Result<JsValue, JsValue>;

    /// Track publications by SID.
    #[wasm_bindgen(method, getter)]
    pub fn tracks(this: &Participant) -> js_sys::Map;

    pub type Publication;

    #[wasm_bindgen(method, getter)]
    pub fn track(this: &Publication) -> Option<Track>;

    #[wasm_bindgen(extends = Emitter)]
    #[derive(Clone)]
    pub type Track;

    /// `audio`, `video` or `data`.
    #[wasm_bindgen(method, getter)]
    pub fn kind(this: &Track) -> String;

    /// The name given when the track was made (a screen is `screen`).
    #[wasm_bindgen(method, getter)]
    pub fn name(this: &Track) -> Option<String>;

    #[wasm_bindgen(method, getter, js_name = mediaStreamTrack)]
    pub fn media_stream_track(this: &Track) -> Option<web_sys::MediaStreamTrack>;

    /// Local audio and video tracks: sends or pauses without unpublishing.
    #[wasm_bindgen(method)]
    pub fn enable(this: &Track, enabled: bool);

    #[wasm_bindgen(method)]
    pub fn stop(this: &Track);

    /// Local data tracks.
    #[wasm_bindgen(method)]
    pub fn send(this: &Track, data: &str);

    /// What the SDK rejects with or passes to `disconnected`.
    pub type TwilioError;

    #[wasm_bindgen(method, getter)]
    pub fn code(this: &TwilioError) -> Option<u32>;
}

/// The copies of a local track that the SDK made to publish it
/// (`track._trackSender._clones`, each with a `.track`: twilio-video
/// 2.36.0, `lib/media/track/sender.js`). The SDK stops them when a room
/// disconnects but not when connecting fails, so Hearth stops them then.
pub fn published_copies(track: &Track) -> Vec<web_sys::MediaStreamTrack> {
    let clones = js_sys::Reflect::get(track, &"_trackSender".into())
        .and_then(|sender| js_sys::Reflect::get(&sender, &"_clones".into()));
    let Ok(clones) = clones else {
        return Vec::new();
    };
    js_sys::Array::from(&clones)
        .iter()
        .filter_map(|clone| js_sys::Reflect::get(&clone, &"track".into()).ok())
        .filter_map(|track| track.dyn_into().ok())
        .collect()
}

/// `window.Twilio.Video`, once the SDK script has run.
pub fn twilio_video() -> Option<TwilioVideo> {
    let twilio = js_sys::Reflect::get(&js_sys::global(), &"Twilio".into()).ok()?;
    let video = js_sys::Reflect::get(&twilio, &"Video".into()).ok()?;
    (!video.is_undefined() && !video.is_null()).then(|| video.unchecked_into())
}

/// `setSinkId`, which web-sys offers only behind its unstable flag.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(extends = web_sys::HtmlMediaElement)]
    type SinkMediaElement;

    #[wasm_bindgen(method, catch, js_name = setSinkId)]
    fn set_sink_id(this: &SinkMediaElement, sink_id: &str) -> Result<js_sys::Promise, JsValue>;
}

/// Picture-in-picture, which web-sys offers only behind a feature of its own.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(extends = web_sys::Element)]
    type PipVideo;

    #[wasm_bindgen(method, catch, js_name = requestPictureInPicture)]
    fn request_picture_in_picture(this: &PipVideo) -> Result<js_sys::Promise, JsValue>;
}

/// Whether the page may float a video in its own window.
pub fn picture_in_picture_enabled() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| js_sys::Reflect::get(&d, &"pictureInPictureEnabled".into()).ok())
        .is_some_and(|enabled| enabled.is_truthy())
}

/// Floats `video` in a picture-in-picture window.
pub fn picture_in_picture(video: &web_sys::Element) {
    let _ = video
        .unchecked_ref::<PipVideo>()
        .request_picture_in_picture();
}

/// Plays `element` on the speaker `sink_id`, where the browser allows choosing.
pub fn set_sink_id(element: &web_sys::HtmlMediaElement, sink_id: &str) -> Option<js_sys::Promise> {
    let has_it = js_sys::Reflect::has(element, &"setSinkId".into()).unwrap_or(false);
    if !has_it {
        return None;
    }
    element
        .unchecked_ref::<SinkMediaElement>()
        .set_sink_id(sink_id)
        .ok()
}

// `qrcode-generator` (npm, Kazuhiko Arase), loaded on the dashboard only.
#[wasm_bindgen]
extern "C" {
    pub type QrCode;

    /// `qrcode(0, "M")`: the smallest version that fits, medium correction.
    #[wasm_bindgen(catch, js_name = qrcode)]
    pub fn new_qr_code(type_number: u32, level: &str) -> Result<QrCode, JsValue>;

    #[wasm_bindgen(method, js_name = addData)]
    pub fn add_data(this: &QrCode, data: &str);

    #[wasm_bindgen(method, catch)]
    pub fn make(this: &QrCode) -> Result<(), JsValue>;

    #[wasm_bindgen(method, js_name = getModuleCount)]
    pub fn module_count(this: &QrCode) -> u32;

    #[wasm_bindgen(method, js_name = isDark)]
    pub fn is_dark(this: &QrCode, row: u32, column: u32) -> bool;
}

/// The browser's `Intl`, for plurals, times and language names in the
/// person's language.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Intl)]
    type PluralRules;

    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(language: &str) -> Result<PluralRules, JsValue>;

    #[wasm_bindgen(method)]
    fn select(this: &PluralRules, count: f64) -> String;

    #[wasm_bindgen(js_namespace = Intl)]
    type DisplayNames;

    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(language: &str, options: &JsValue) -> Result<DisplayNames, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn of(this: &DisplayNames, code: &str) -> Result<Option<String>, JsValue>;

    #[wasm_bindgen(js_namespace = Intl)]
    type DateTimeFormat;

    #[wasm_bindgen(constructor, js_namespace = Intl, catch)]
    fn new(language: &str, options: &JsValue) -> Result<DateTimeFormat, JsValue>;

    #[wasm_bindgen(method)]
    fn format(this: &DateTimeFormat, unix_millis: f64) -> String;
}

/// `Intl.PluralRules(language).select`, if the browser knows the language.
pub fn plural_rule(language: &str) -> Option<impl Fn(f64) -> String> {
    let rules = PluralRules::new(language).ok()?;
    Some(move |count| rules.select(count))
}

/// A language's name in that language, as `Intl.DisplayNames` writes it,
/// with a capital as that language writes one (`es` → "Español"). The
/// browser capitalises: Rust's case tables would weigh on the first paint.
pub fn own_language_name(code: &str) -> Option<String> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"type".into(), &"language".into()).ok()?;
    let name = DisplayNames::new(code, &options).ok()?.of(code).ok()??;
    let mut chars = name.chars();
    let first = js_sys::JsString::from(chars.next()?.to_string()).to_locale_upper_case(Some(code));
    Some(String::from(first) + chars.as_str())
}

/// The time of day of `unix_seconds` in the browser's time zone, as
/// `language` writes it ("14:30", "2:30 PM").
pub fn time_of_day(language: &str, unix_seconds: u64) -> Option<String> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
    let format = DateTimeFormat::new(language, &options).ok()?;
    Some(format.format(unix_seconds as f64 * 1000.0))
}
