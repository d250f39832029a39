//! Twilio Video: the SDK (served from our own host, loaded the first time a
//! Twilio visit opens) driven through `bindings`. Its Promises become
//! futures, its events become [`RoomEvent`]s, its error codes [`TwilioError`].

use super::twilio_error::TwilioError;
use super::{peer_event, IntakeAnswer, PeerMessage, RoomEvent};
use crate::bindings::{self, Emitter, Participant, Publication, Room, Track, TwilioVideo};
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
pub async fn load_sdk() -> Result<TwilioVideo, TwilioError> {
    if bindings::twilio_video().is_none() {
        script::load(SDK_URL)
            .await
            .map_err(|()| TwilioError::SdkMissing)?;
    }
    bindings::twilio_video().ok_or(TwilioError::SdkMissing)
}

/// `error.code` of whatever the SDK rejected with or passed to an event.
fn error_of(value: &JsValue) -> TwilioError {
    let code = value
        .dyn_ref::<js_sys::Object>()
        .and_then(|_| value.unchecked_ref::<bindings::TwilioError>().code());
    TwilioError::from_code(code)
}

type Listener = Closure<dyn FnMut(JsValue, JsValue, JsValue)>;

/// The room events Hearth follows (`twilio-facts.md` lists their arguments).
const ROOM_EVENTS: [&str; 9] = [
    "participantConnected",
    "participantDisconnected",
    "participantReconnecting",
    "participantReconnected",
    "reconnecting",
    "reconnected",
    "disconnected",
    "trackSubscribed",
    "trackUnsubscribed",
];

struct Inner {
    emit: Callback<RoomEvent>,
    display_name: String,
    room: Option<Room>,
    /// Our data track, for names and visit messages.
    data: Option<Track>,
    /// Every listener we added, so leaving removes each one.
    listeners: Vec<(Emitter, &'static str, Listener)>,
    /// Remote camera and microphone tracks by identity.
    remote_media: HashMap<String, Vec<MediaStreamTrack>>,
    /// Identities whose hello we have answered.
    greeted: BTreeSet<String>,
    /// Said after our hello to everyone whose data track arrives.
    on_arrival: Vec<PeerMessage>,
    /// The patient's intake answers, said only while no guest is here.
    intake: Option<PeerMessage>,
    /// Guests in the room now.
    guests: BTreeSet<String>,
    /// Clinicians who said hello, so they receive our data track.
    clinicians: BTreeSet<String>,
    leaving: bool,
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
                data: None,
                listeners: Vec::new(),
                remote_media: HashMap::new(),
                greeted: BTreeSet::new(),
                on_arrival: Vec::new(),
                intake: None,
                guests: BTreeSet::new(),
                clinicians: BTreeSet::new(),
                leaving: false,
            })),
        };
        let (this, token, name) = (room.clone(), token.token.clone(), token.room.clone());
        yew::platform::spawn_local(async move {
            match this.join(&token, &name, &local).await {
                Ok(joined) => this.on_connected(joined),
                Err(err) if !this.inner.borrow().leaving => {
                    this.emit(RoomEvent::JoinFailed(err));
                }
                Err(_) => {}
            }
        });
        room
    }

    async fn join(
        &self,
        token: &str,
        name: &str,
        local: &MediaStream,
    ) -> Result<Room, TwilioError> {
        let video = load_sdk().await?;
        if !video.is_supported() {
            return Err(TwilioError::Unsupported);
        }
        let data = js_sys::Reflect::construct(
            &video.local_data_track_class(),
            &js_sys::Array::of1(&object(&[("name", "hearth".into())])),
        )
        .map_err(|e| error_of(&e))?;
        let tracks = local.get_tracks();
        tracks.push(&data);
        let options = object(&[
            ("name", name.into()),
            ("tracks", tracks.into()),
            ("dominantSpeaker", false.into()),
        ]);
        self.inner.borrow_mut().data = Some(data.unchecked_into());
        let promise = video.connect(token, &options).map_err(|e| error_of(&e))?;
        let room = JsFuture::from(promise).await.map_err(|e| error_of(&e))?;
        Ok(room.unchecked_into())
    }

    fn on_connected(&self, room: Room) {
        if self.inner.borrow().leaving {
            room.disconnect();
            stop_local_tracks(&room);
            return;
        }
        self.inner.borrow_mut().room = Some(room.clone());
        for event in ROOM_EVENTS {
            self.listen(&room, event, None);
        }
        self.input(Input::LocalConnected);
        // Those already here, and the tracks of theirs we already have.
        room.participants().for_each(&mut |participant, _| {
            let participant: Participant = participant.unchecked_into();
            let who = participant.identity();
            self.arrived(who.clone());
            participant.tracks().for_each(&mut |publication, _| {
                if let Some(track) = publication.unchecked_into::<Publication>().track() {
                    self.on_track(track, &who, true);
                }
            });
        });
    }

    /// Listens to `event` on `target`, remembering the listener for removal.
    /// `sender` is whose data track it is, which its `message` does not say.
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
            "participantConnected" => self.arrived(identity(&a)),
            "participantDisconnected" => {
                let who = identity(&a);
                {
                    let mut inner = self.inner.borrow_mut();
                    inner.remote_media.remove(&who);
                    inner.guests.remove(&who);
                    inner.clinicians.remove(&who);
                }
                self.input(Input::RemoteLeft(who));
                self.send_intake();
            }
            "participantReconnecting" => self.input(Input::RemoteReconnecting(identity(&a))),
            "participantReconnected" => self.input(Input::RemoteReconnected(identity(&a))),
            "reconnecting" => self.input(Input::LocalReconnecting),
            "reconnected" => self.input(Input::LocalReconnected),
            "disconnected" => self.on_disconnected(&b),
            "trackSubscribed" => self.on_track(a.unchecked_into(), &identity(&c), true),
            "trackUnsubscribed" => self.on_track(a.unchecked_into(), &identity(&c), false),
            "message" => self.on_message(sender, a.as_string().unwrap_or_default()),
            _ => {}
        }
    }

    fn on_track(&self, track: Track, who: &str, subscribed: bool) {
        if track.kind() == "data" {
            if subscribed {
                self.listen(&track, "message", Some(who.to_owned()));
                self.send_hello();
            }
            return;
        }
        let Some(media) = track.media_stream_track() else {
            return;
        };
        let stream = {
            let mut inner = self.inner.borrow_mut();
            let tracks = inner.remote_media.entry(who.to_owned()).or_default();
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
        self.emit(RoomEvent::RemoteStream {
            identity: who.to_owned(),
            stream,
        });
    }

    fn on_message(&self, from: &str, text: String) {
        let Ok(message) = json::from_str::<PeerMessage>(&text) else {
            return;
        };
        if matches!(message, PeerMessage::Hello { .. }) {
            // Answer a first hello: they may have subscribed to us after our last one.
            if self.inner.borrow_mut().greeted.insert(from.to_owned()) {
                self.send_hello();
            }
            // A clinician's hello means they receive our data track.
            if Role::from_identity(from) == Some(Role::Provider)
                && self.inner.borrow_mut().clinicians.insert(from.to_owned())
            {
                self.send_intake();
            }
        }
        if let Some(event) = peer_event(from, message) {
            if matches!(event, RoomEvent::Notice(_)) {
                self.send(&PeerMessage::NoticeSeen);
            }
            self.emit(event);
        }
    }

    fn arrived(&self, who: String) {
        if Role::from_identity(&who) == Some(Role::Guest) {
            self.inner.borrow_mut().guests.insert(who.clone());
        }
        self.input(Input::RemoteJoined(who));
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
            let private = inner.guests.is_empty() && !inner.clinicians.is_empty();
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
        let (room, listeners) = {
            let mut inner = self.inner.borrow_mut();
            inner.remote_media.clear();
            (inner.room.take(), std::mem::take(&mut inner.listeners))
        };
        for (target, event, listener) in &listeners {
            target.remove_listener(event, listener.as_ref().unchecked_ref());
        }
        if let Some(room) = room {
            stop_local_tracks(&room);
        }
    }

    /// Mutes or unmutes our published `kind` ("audio" or "video") tracks.
    pub fn set_enabled(&self, kind: &str, enabled: bool) {
        if let Some(room) = &self.inner.borrow().room {
            for track in local_tracks(room) {
                if track.kind() == kind {
                    track.enable(enabled);
                }
            }
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

fn local_tracks(room: &Room) -> Vec<Track> {
    let mut tracks = Vec::new();
    room.local_participant()
        .tracks()
        .for_each(&mut |publication, _| {
            if let Some(track) = publication.unchecked_into::<Publication>().track() {
                tracks.push(track);
            }
        });
    tracks
}

/// The SDK does not stop tracks it was given: stop the camera and microphone.
fn stop_local_tracks(room: &Room) {
    for track in local_tracks(room) {
        if track.kind() != "data" {
            track.stop();
        }
    }
}

fn object(fields: &[(&str, JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
    }
    object
}
