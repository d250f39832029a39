//! Twilio Video: the SDK (served from our own host, loaded the first time a
//! Twilio visit opens) driven through `bindings`. Its Promises become
//! futures, its events become [`RoomEvent`]s, its error codes [`JoinError`].

use super::join_error::JoinError;
use super::{peer_event, IntakeAnswer, MediaFailure, PeerMessage, RoomEvent};
use crate::bindings::{self, Emitter, Participant, Publication, Room, Track, TwilioVideo};
use crate::media::{self, Kind, Switches};
use crate::services::{json, script};
use crate::visit::machine::Input;
use api_types::Role;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, MediaStreamTrack};
use yew::Callback;

/// The SDK file Trunk copies into `dist/`, next to the page.
const SDK_URL: &str = "twilio-video.min.js";

/// Loads the SDK script once; later calls reuse it.
pub async fn load_sdk() -> Result<TwilioVideo, JoinError> {
    if bindings::twilio_video().is_none() {
        script::load(SDK_URL)
            .await
            .map_err(|()| JoinError::SdkMissing)?;
    }
    bindings::twilio_video().ok_or(JoinError::SdkMissing)
}

/// `error.code` of whatever the SDK rejected with or passed to an event.
fn error_of(value: &JsValue) -> JoinError {
    let code = value
        .dyn_ref::<js_sys::Object>()
        .and_then(|_| value.unchecked_ref::<bindings::TwilioError>().code());
    JoinError::from_code(code)
}

type Listener = Closure<dyn FnMut(JsValue, JsValue, JsValue)>;

/// The room events Hearth follows (`docs/twilio.md` lists their arguments).
const ROOM_EVENTS: [&str; 10] = [
    "participantConnected",
    "participantDisconnected",
    "participantReconnecting",
    "participantReconnected",
    "reconnecting",
    "reconnected",
    "disconnected",
    "trackSubscribed",
    "trackUnsubscribed",
    "trackSubscriptionFailed",
];

struct Inner {
    emit: Callback<RoomEvent>,
    display_name: String,
    room: Option<Room>,
    /// The capture we send, and whether the person switched each part on.
    local: MediaStream,
    switches: Switches,
    /// The SDK's handles on our camera and microphone. Mute goes through
    /// them alone: the SDK publishes copies that only they reach.
    media: Vec<Track>,
    /// Our data track, for names and visit messages.
    data: Option<Track>,
    /// Every listener we added, so leaving removes each one.
    listeners: Vec<(Emitter, &'static str, Listener)>,
    /// Remote participants by SID (the SDK's key), with their identity. A
    /// reload rejoins with the same identity and a new SID, and the two
    /// SIDs' connect and disconnect may come in either order.
    participants: HashMap<String, String>,
    /// Each identity's newest SID: only its tracks are shown.
    newest: HashMap<String, String>,
    /// Remote camera and microphone tracks by participant SID.
    remote_media: HashMap<String, Vec<MediaStreamTrack>>,
    /// SIDs whose hello we have answered.
    greeted: BTreeSet<String>,
    /// Said after our hello to everyone whose data track arrives.
    on_arrival: Vec<PeerMessage>,
    /// The patient's intake answers, said only while no guest is here.
    intake: Option<PeerMessage>,
    /// Clinicians' SIDs that said hello, so they receive our data track.
    clinicians: BTreeSet<String>,
    leaving: bool,
}

impl Inner {
    /// Whether any connection of `identity` is here.
    fn present(&self, identity: &str) -> bool {
        self.newest.contains_key(identity)
    }

    fn identity_of(&self, sid: &str) -> Option<String> {
        self.participants.get(sid).cloned()
    }

    fn guests_present(&self) -> bool {
        self.participants
            .values()
            .any(|who| Role::from_identity(who) == Some(Role::Guest))
    }
}

/// A Twilio room, joined or joining. Dropping it does not leave; call
/// [`TwilioRoom::leave`].
#[derive(Clone)]
pub struct TwilioRoom {
    inner: Rc<RefCell<Inner>>,
}

impl TwilioRoom {
    /// Starts connecting with `local`'s tracks; the outcome arrives as events
    /// (`LocalConnected`, or [`RoomEvent::JoinFailed`]).
    pub fn connect(
        token: &api_types::TokenResponse,
        display_name: String,
        local: MediaStream,
        emit: Callback<RoomEvent>,
    ) -> Self {
        let room = TwilioRoom {
            inner: Rc::new(RefCell::new(Inner {
                emit,
                display_name,
                room: None,
                local,
                switches: Switches::default(),
                media: Vec::new(),
                data: None,
                listeners: Vec::new(),
                participants: HashMap::new(),
                newest: HashMap::new(),
                remote_media: HashMap::new(),
                greeted: BTreeSet::new(),
                on_arrival: Vec::new(),
                intake: None,
                clinicians: BTreeSet::new(),
                leaving: false,
            })),
        };
        let (this, token, name) = (room.clone(), token.token.clone(), token.room.clone());
        yew::platform::spawn_local(async move {
            match this.join(&token, &name).await {
                Ok(joined) => this.on_connected(joined),
                Err(err) => {
                    // The SDK copied our tracks to publish them; nothing
                    // else will ever stop those copies.
                    this.stop_published_copies();
                    if !this.inner.borrow().leaving {
                        this.emit(RoomEvent::JoinFailed(err));
                    }
                }
            }
        });
        room
    }

    async fn join(&self, token: &str, name: &str) -> Result<Room, JoinError> {
        let video = load_sdk().await?;
        if !video.is_supported() {
            return Err(JoinError::Unsupported);
        }
        let data = js_sys::Reflect::construct(
            &video.local_data_track_class(),
            &js_sys::Array::of1(&object(&[("name", "hearth".into())])),
        )
        .map_err(|e| error_of(&e))?;
        let (local, switches) = {
            let inner = self.inner.borrow();
            (media::handle(&inner.local), inner.switches)
        };
        let media = wrap_media(&video, &local, switches)?;
        let tracks: js_sys::Array = media.iter().collect();
        tracks.push(&data);
        let options = object(&[
            ("name", name.into()),
            ("tracks", tracks.into()),
            ("dominantSpeaker", false.into()),
        ]);
        {
            let mut inner = self.inner.borrow_mut();
            inner.data = Some(data.unchecked_into());
            inner.media = media;
        }
        let promise = video.connect(token, &options).map_err(|e| error_of(&e))?;
        let room = JsFuture::from(promise).await.map_err(|e| error_of(&e))?;
        Ok(room.unchecked_into())
    }

    fn on_connected(&self, room: Room) {
        if self.inner.borrow().leaving {
            room.disconnect();
            self.stop_media();
            return;
        }
        self.inner.borrow_mut().room = Some(room.clone());
        for event in ROOM_EVENTS {
            self.listen(&room, event, None);
        }
        self.listen(&room.local_participant(), "trackPublicationFailed", None);
        self.input(Input::LocalConnected);
        // Those already here, and the tracks of theirs we already have.
        room.participants().for_each(&mut |participant, _| {
            let participant: Participant = participant.unchecked_into();
            self.arrived(&participant);
            participant.tracks().for_each(&mut |publication, _| {
                if let Some(track) = publication.unchecked_into::<Publication>().track() {
                    self.on_track(track, &participant, true);
                }
            });
        });
    }

    /// Listens to `event` on `target`, remembering the listener for removal.
    /// `sender` is the SID whose data track it is, which its `message` does
    /// not say.
    fn listen(&self, target: &Emitter, event: &'static str, sender: Option<String>) {
        let this = self.clone();
        let listener: Listener = Closure::new(move |a, b, c| {
            this.on_event(event, sender.as_deref().unwrap_or_default(), a, b, c)
        });
        target.on(event, listener.as_ref().unchecked_ref());
        self.inner
            .borrow_mut()
            .listeners
            .push((target.clone(), event, listener));
    }

    /// One handler for every event, so there is one closure type to bind.
    fn on_event(&self, event: &str, sender: &str, a: JsValue, b: JsValue, c: JsValue) {
        match event {
            "participantConnected" => self.arrived(a.unchecked_ref()),
            "participantDisconnected" => self.departed(a.unchecked_ref()),
            "participantReconnecting" => {
                self.input(Input::RemoteReconnecting(identity(&a)));
            }
            "participantReconnected" => self.input(Input::RemoteReconnected(identity(&a))),
            "reconnecting" => self.input(Input::LocalReconnecting),
            "reconnected" => self.input(Input::LocalReconnected),
            "disconnected" => self.on_disconnected(&b),
            "trackSubscribed" => self.on_track(a.unchecked_into(), c.unchecked_ref(), true),
            "trackUnsubscribed" => self.on_track(a.unchecked_into(), c.unchecked_ref(), false),
            "trackSubscriptionFailed" => self.emit(RoomEvent::MediaFailed(MediaFailure::Receiving)),
            "trackPublicationFailed" => self.emit(RoomEvent::MediaFailed(MediaFailure::Sending)),
            "message" => self.on_message(sender, a.as_string().unwrap_or_default()),
            _ => {}
        }
    }

    fn on_track(&self, track: Track, participant: &Participant, subscribed: bool) {
        let sid = participant.sid();
        if track.kind() == "data" {
            if subscribed {
                self.listen(&track, "message", Some(sid));
                // Anything said before they subscribed to ours was dropped:
                // say hello on every (re)subscription.
                self.send_hello();
            }
            return;
        }
        let Some(media) = track.media_stream_track() else {
            return;
        };
        let stream = {
            let mut inner = self.inner.borrow_mut();
            let tracks = inner.remote_media.entry(sid.clone()).or_default();
            tracks.retain(|t| t.id() != media.id());
            if subscribed {
                tracks.push(media);
            }
            let stream = MediaStream::new().expect("MediaStream is a constructor");
            for t in tracks.iter() {
                stream.add_track(t);
            }
            stream
        };
        // A participant's old connection must not replace what their new
        // one shows.
        let identity = participant.identity();
        if self.inner.borrow().newest.get(&identity) == Some(&sid) {
            self.emit(RoomEvent::RemoteStream { identity, stream });
        }
    }

    fn on_message(&self, from_sid: &str, text: String) {
        let Ok(message) = json::from_str::<PeerMessage>(&text) else {
            return;
        };
        let Some(from) = self.inner.borrow().identity_of(from_sid) else {
            return;
        };
        if matches!(message, PeerMessage::Hello { .. }) {
            // Answer a connection's first hello: it may have subscribed to
            // us after our last one.
            if self.inner.borrow_mut().greeted.insert(from_sid.to_owned()) {
                self.send_hello();
            }
            // A clinician's hello means they receive our data track.
            if Role::from_identity(&from) == Some(Role::Provider)
                && self
                    .inner
                    .borrow_mut()
                    .clinicians
                    .insert(from_sid.to_owned())
            {
                self.send_intake();
            }
        }
        if let Some(event) = peer_event(&from, message) {
            if matches!(event, RoomEvent::Notice(_)) {
                self.send(&PeerMessage::NoticeSeen);
            }
            self.emit(event);
        }
    }

    /// A connection arrived; the machine hears of the identity only if it
    /// was not here already (a reload's new SID may come first).
    fn arrived(&self, participant: &Participant) {
        let who = participant.identity();
        let new = {
            let mut inner = self.inner.borrow_mut();
            let new = !inner.present(&who);
            inner.participants.insert(participant.sid(), who.clone());
            inner.newest.insert(who.clone(), participant.sid());
            new
        };
        if new {
            self.input(Input::RemoteJoined(who));
        }
    }

    /// A connection left; the identity has gone only if no other SID of
    /// theirs is here.
    fn departed(&self, participant: &Participant) {
        let (sid, who) = (participant.sid(), participant.identity());
        let gone = {
            let mut inner = self.inner.borrow_mut();
            inner.participants.remove(&sid);
            inner.remote_media.remove(&sid);
            inner.greeted.remove(&sid);
            inner.clinicians.remove(&sid);
            if inner.newest.get(&who) == Some(&sid) {
                inner.newest.remove(&who);
                let other = inner
                    .participants
                    .iter()
                    .find(|(_, identity)| **identity == who)
                    .map(|(other, _)| other.clone());
                if let Some(other) = other {
                    inner.newest.insert(who.clone(), other);
                }
            }
            !inner.present(&who)
        };
        if gone {
            self.input(Input::RemoteLeft(who));
        }
        self.send_intake();
    }

    /// Keeps the intake answers and says them to the clinicians here, now
    /// and whenever one arrives, but never while a guest could read them:
    /// everyone in a Twilio room receives every data track.
    pub fn share_intake(&self, answers: Vec<IntakeAnswer>) {
        self.inner.borrow_mut().intake = Some(PeerMessage::Intake { answers });
        self.send_intake();
    }

    fn send_intake(&self) {
        let ready = {
            let inner = self.inner.borrow();
            let private = !inner.guests_present() && !inner.clinicians.is_empty();
            inner.intake.clone().filter(|_| private)
        };
        if let Some(intake) = ready {
            self.send(&intake);
        }
    }

    /// Our name, then anything to say to every newcomer.
    fn send_hello(&self) {
        let (name, extra) = {
            let inner = self.inner.borrow();
            (inner.display_name.clone(), inner.on_arrival.clone())
        };
        self.send(&PeerMessage::Hello { name });
        for message in &extra {
            self.send(message);
        }
    }

    fn send(&self, message: &PeerMessage) {
        if let (Some(data), Some(text)) = (&self.inner.borrow().data, json::to_string(message)) {
            data.send(&text);
        }
    }

    /// Says `message` now and to everyone whose data track arrives later.
    pub fn say_to_all(&self, message: PeerMessage) {
        self.send(&message);
        self.inner.borrow_mut().on_arrival.push(message);
    }

    fn on_disconnected(&self, error: &JsValue) {
        let leaving = std::mem::replace(&mut self.inner.borrow_mut().leaving, true);
        self.release();
        if !leaving {
            let reason = if error.is_undefined() || error.is_null() {
                crate::visit::machine::EndReason::ConnectionLost
            } else {
                error_of(error).end_reason()
            };
            self.input(Input::LocalDisconnected(reason));
        }
    }

    /// Leaves for good: disconnects, removes every listener, stops our tracks.
    pub fn leave(&self) {
        self.inner.borrow_mut().leaving = true;
        let room = self.inner.borrow().room.clone();
        if let Some(room) = room {
            room.disconnect();
        }
        self.release();
    }

    fn release(&self) {
        let listeners = {
            let mut inner = self.inner.borrow_mut();
            inner.remote_media.clear();
            inner.room = None;
            std::mem::take(&mut inner.listeners)
        };
        for (target, event, listener) in &listeners {
            target.remove_listener(event, listener.as_ref().unchecked_ref());
        }
        self.stop_media();
    }

    /// Stops our camera and microphone and every copy the SDK made of them
    /// (the SDK does not stop tracks it was given).
    fn stop_media(&self) {
        self.stop_published_copies();
        for track in &self.inner.borrow().media {
            track.stop();
        }
    }

    fn stop_published_copies(&self) {
        for track in &self.inner.borrow().media {
            for copy in bindings::published_copies(track) {
                copy.stop();
            }
        }
    }

    /// Mutes or unmutes, or turns the camera off or on, through the SDK, so
    /// the copy it publishes changes too.
    pub fn set_enabled(&self, kind: Kind, on: bool) {
        let mut inner = self.inner.borrow_mut();
        inner.switches.set(kind, on);
        for track in inner.media.iter().filter(|t| t.kind() == kind.as_str()) {
            track.enable(on);
        }
        // Before the SDK has them, the tracks themselves carry the choice.
        if inner.media.is_empty() {
            media::set_enabled(&inner.local, kind, on);
        }
    }

    /// Publishes `stream` (a new camera or microphone) in place of the
    /// current one, starting muted or dark as the person chose.
    pub fn use_media(&self, stream: MediaStream) {
        let (room, old, switches) = {
            let inner = self.inner.borrow();
            if inner.local == stream {
                return;
            }
            (inner.room.clone(), inner.media.clone(), inner.switches)
        };
        let (Some(room), Some(video)) = (room, bindings::twilio_video()) else {
            return;
        };
        let Ok(fresh) = wrap_media(&video, &stream, switches) else {
            self.emit(RoomEvent::MediaFailed(MediaFailure::Sending));
            return;
        };
        let me = room.local_participant();
        for track in &old {
            let _ = me.unpublish_track(track);
            for copy in bindings::published_copies(track) {
                copy.stop();
            }
        }
        {
            let mut inner = self.inner.borrow_mut();
            inner.local = stream;
            inner.media = fresh.clone();
        }
        for track in fresh {
            let Ok(published) = me.publish_track(&track) else {
                continue;
            };
            let this = self.clone();
            yew::platform::spawn_local(async move {
                if JsFuture::from(published).await.is_err() {
                    this.emit(RoomEvent::MediaFailed(MediaFailure::Sending));
                }
            });
        }
    }

    fn emit(&self, event: RoomEvent) {
        let emit = self.inner.borrow().emit.clone();
        emit.emit(event);
    }

    fn input(&self, input: Input) {
        self.emit(RoomEvent::Input(input));
    }
}

/// The SDK's `LocalAudioTrack` / `LocalVideoTrack` for each of `stream`'s
/// tracks, each first set as `switches` say (the SDK copies that state
/// when it publishes).
fn wrap_media(
    video: &TwilioVideo,
    stream: &MediaStream,
    switches: Switches,
) -> Result<Vec<Track>, JoinError> {
    let mut wrapped = Vec::new();
    for kind in [Kind::Audio, Kind::Video] {
        let class = match kind {
            Kind::Audio => video.local_audio_track_class(),
            Kind::Video => video.local_video_track_class(),
        };
        for track in media::tracks(stream, kind) {
            track.set_enabled(switches.get(kind));
            let local = js_sys::Reflect::construct(&class, &js_sys::Array::of1(&track))
                .map_err(|e| error_of(&e))?;
            wrapped.push(local.unchecked_into());
        }
    }
    Ok(wrapped)
}

/// How long the notice participant waits for the patient's browser.
const NOTICE_WAIT: Duration = Duration::from_secs(10);

/// Joins as the data-only notice participant `token` admits, says `text`
/// to the waiting patient, and leaves once their browser confirms (true) or
/// after [`NOTICE_WAIT`] (false).
pub async fn deliver_notice(token: &api_types::TokenResponse, text: String) -> bool {
    let Ok(no_media) = MediaStream::new() else {
        return false;
    };
    let seen = Rc::new(std::cell::Cell::new(false));
    let on_event = {
        let seen = seen.clone();
        Callback::from(move |event| {
            if event == RoomEvent::NoticeSeen {
                seen.set(true);
            }
        })
    };
    let room = TwilioRoom::connect(token, "Clinic".to_owned(), no_media, on_event);
    room.say_to_all(PeerMessage::Notice { text });
    let step = Duration::from_millis(200);
    let mut waited = Duration::ZERO;
    while !seen.get() && waited < NOTICE_WAIT {
        yew::platform::time::sleep(step).await;
        waited += step;
    }
    room.leave();
    seen.get()
}

fn identity(participant: &JsValue) -> String {
    participant.unchecked_ref::<Participant>().identity()
}

fn object(fields: &[(&str, JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
    }
    object
}
