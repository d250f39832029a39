//! Twilio Video: the SDK (served from our own host, loaded the first time a
//! Twilio visit opens) driven through `bindings`. Its Promises become
//! futures, its events become [`RoomEvent`]s, its error codes [`JoinError`].

mod media_tracks;
mod notice;
mod people;

pub use notice::deliver_notice;

use media_tracks::wrap_media;

use super::join_error::JoinError;
use super::{MediaFailure, PeerMessage, RoomEvent};
use crate::bindings::{self, Emitter, Participant, Publication, Room, Track, TwilioVideo};
use crate::media::{self, Switches};
use crate::services::script;
use crate::visit::machine::Input;
use api_types::Role;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
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

/// A participant's `networkQualityLevelChanged`: (level, stats).
const QUALITY_CHANGED: &str = "networkQualityLevelChanged";

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
    /// Our shared screen's track, while we share.
    screen: Option<Track>,
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
    /// (`LocalConnected`, or [`RoomEvent::JoinFailed`]). `emulator` (tests
    /// only) replaces Twilio's signalling address.
    pub fn connect(
        token: &api_types::TokenResponse,
        emulator: Option<String>,
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
                screen: None,
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
            match this.join(&token, &name, emulator).await {
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

    async fn join(
        &self,
        token: &str,
        name: &str,
        emulator: Option<String>,
    ) -> Result<Room, JoinError> {
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
            // Levels for everyone here, from Twilio's Network Quality API.
            (
                "networkQuality",
                object(&[("local", 1.into()), ("remote", 1.into())]).into(),
            ),
        ]);
        if let Some(emulator) = emulator {
            let _ = js_sys::Reflect::set(&options, &"wsServer".into(), &emulator.into());
        }
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
        self.listen(&room.local_participant(), QUALITY_CHANGED, None);
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
            QUALITY_CHANGED => self.on_quality(sender, &a),
            _ => {}
        }
    }

    /// A participant's network quality level: ours when `sender` is empty,
    /// else theirs by SID. The SDK's levels are already 0 to 5 bars.
    fn on_quality(&self, sender: &str, level: &JsValue) {
        let Some(bars) = level.as_f64().map(|level| level.clamp(0.0, 5.0) as u8) else {
            return;
        };
        let identity = match sender {
            "" => None,
            sid => match self.inner.borrow().identity_of(sid) {
                Some(identity) => Some(identity),
                None => return,
            },
        };
        self.emit(RoomEvent::Quality { identity, bars });
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
        self.stop_screen();
        self.stop_media();
    }

    fn emit(&self, event: RoomEvent) {
        let emit = self.inner.borrow().emit.clone();
        emit.emit(event);
    }

    fn input(&self, input: Input) {
        self.emit(RoomEvent::Input(input));
    }
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
