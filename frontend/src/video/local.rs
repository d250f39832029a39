//! Built-in video: the service's signalling socket plus a mesh of
//! `RTCPeerConnection`s, one per remote participant. Whoever joins calls
//! everyone already there, and they answer; the "perfect negotiation"
//! pattern settles any collision that still happens (renegotiation,
//! simultaneous rejoins), so nothing deadlocks.

use super::{peer_event, IntakeAnswer, PeerMessage, RoomEvent};
use crate::bindings;
use crate::media::{self, Kind, Switches};
use crate::services::json;
use crate::visit::machine::{EndReason, Input};
use api_types::{
    close_code, ClientSignal, IceServer, Role, ServerSignal, TokenResponse, SIGNALLING_PROTOCOL,
};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CloseEvent, MediaStream, MessageEvent, RtcDataChannel, RtcDataChannelInit, RtcPeerConnection,
    RtcPeerConnectionIceEvent, RtcPeerConnectionState, RtcRtpSender, RtcSignalingState,
    RtcTrackEvent, WebSocket,
};
use yew::Callback;

/// How long to keep trying to reach the service before giving up.
const GIVE_UP_AFTER: Duration = Duration::from_secs(60);

type Handler = Closure<dyn FnMut(JsValue)>;

/// `RTCConfiguration`, as the browser wants it.
#[derive(serde::Serialize)]
struct RtcConfiguration<'a> {
    #[serde(rename = "iceServers")]
    ice_servers: &'a [IceServer],
}

struct Peer {
    pc: RtcPeerConnection,
    /// Negotiated (id 0) on both sides, for names and visit messages.
    channel: RtcDataChannel,
    polite: bool,
    making_offer: Rc<Cell<bool>>,
    ignore_offer: Rc<Cell<bool>>,
    _handlers: Vec<Handler>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.pc.set_onnegotiationneeded(None);
        self.pc.set_onicecandidate(None);
        self.pc.set_ontrack(None);
        self.pc.set_onconnectionstatechange(None);
        self.channel.set_onopen(None);
        self.channel.set_onmessage(None);
        self.pc.close();
    }
}

struct Inner {
    url: String,
    token: String,
    /// Unix seconds; past it, reconnecting cannot succeed.
    token_expires_at: u64,
    me: String,
    /// The name shown to the others, sent over each peer's data channel.
    display_name: String,
    /// The patient's intake answers, ready to send to clinicians.
    intake: Option<String>,
    /// `RTCConfiguration`: the ICE servers from the token response.
    configuration: JsValue,
    /// The capture every peer connection sends: the self-view's stream.
    local: MediaStream,
    switches: Switches,
    emit: Callback<RoomEvent>,
    socket: Option<(WebSocket, Vec<Handler>)>,
    peers: HashMap<String, Peer>,
    /// Remote identities the machine has been told about.
    known: BTreeSet<String>,
    connected_once: bool,
    leaving: bool,
    /// When the socket dropped, while reconnecting (ms since the epoch).
    dropped_at: Option<f64>,
    attempt: u32,
}

/// A joined built-in room. Dropping it does not leave; call [`LocalRoom::leave`].
#[derive(Clone)]
pub struct LocalRoom {
    inner: Rc<RefCell<Inner>>,
}

impl PartialEq for LocalRoom {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl LocalRoom {
    /// Joins the room `token` admits to, through the signalling socket at `url`.
    pub fn connect(
        url: String,
        token: &TokenResponse,
        display_name: String,
        local: MediaStream,
        emit: Callback<RoomEvent>,
    ) -> Self {
        let configuration = json::to_js(&RtcConfiguration {
            ice_servers: &token.ice_servers,
        });
        let room = LocalRoom {
            inner: Rc::new(RefCell::new(Inner {
                url,
                token: token.token.clone(),
                token_expires_at: token.expires_at,
                me: token.identity.clone(),
                display_name,
                intake: None,
                configuration: configuration.unwrap_or_else(|| js_sys::Object::new().into()),
                local,
                switches: Switches::default(),
                emit,
                socket: None,
                peers: HashMap::new(),
                known: BTreeSet::new(),
                connected_once: false,
                leaving: false,
                dropped_at: None,
                attempt: 0,
            })),
        };
        room.open_socket();
        room
    }

    /// Leaves for good: closes the socket and every peer connection.
    pub fn leave(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.leaving = true;
        inner.peers.clear();
        if let Some((socket, _)) = inner.socket.take() {
            clear_socket_handlers(&socket);
            let _ = socket.close_with_code(1000);
        }
    }

    /// Mutes or unmutes, or turns the camera off or on, for everyone: the
    /// tracks switched are the ones every peer connection sends.
    pub fn set_enabled(&self, kind: Kind, on: bool) {
        let mut inner = self.inner.borrow_mut();
        inner.switches.set(kind, on);
        media::set_enabled(&inner.local, kind, on);
    }

    /// Sends `stream` (a new camera or microphone) instead, on every peer
    /// connection, without renegotiating; it starts muted or dark as the
    /// person chose.
    pub fn use_media(&self, stream: MediaStream) {
        let senders: Vec<RtcRtpSender> = {
            let mut inner = self.inner.borrow_mut();
            if inner.local == stream {
                return;
            }
            media::apply(&stream, inner.switches);
            inner.local = media::handle(&stream);
            inner
                .peers
                .values()
                .flat_map(|peer| peer.pc.get_senders().iter().collect::<Vec<_>>())
                .map(|sender| sender.unchecked_into())
                .collect()
        };
        for sender in senders {
            let Some(kind) = sender.track().map(|t| t.kind()) else {
                continue;
            };
            let kind = if kind == "audio" {
                Kind::Audio
            } else {
                Kind::Video
            };
            let Some(track) = media::tracks(&stream, kind).into_iter().next() else {
                continue;
            };
            let replaced = sender.replace_track(Some(&track));
            yew::platform::spawn_local(async move {
                if JsFuture::from(replaced).await.is_err() {
                    web_sys::console::warn_1(&"could not switch to the new device".into());
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

    /// Hands the service a fresh token for this connection, and keeps it
    /// for reconnecting.
    pub fn renew(&self, token: &TokenResponse) {
        {
            let mut inner = self.inner.borrow_mut();
            if token.identity != inner.me || token.expires_at <= inner.token_expires_at {
                return;
            }
            inner.token = token.token.clone();
            inner.token_expires_at = token.expires_at;
        }
        self.send_signal(&ClientSignal::Renew {
            token: token.token.clone(),
        });
    }

    fn open_socket(&self) {
        let (url, token) = {
            let inner = self.inner.borrow();
            (inner.url.clone(), inner.token.clone())
        };
        let protocols = js_sys::Array::of2(&SIGNALLING_PROTOCOL.into(), &token.into());
        let Ok(socket) = WebSocket::new_with_str_sequence(&url, &protocols) else {
            self.schedule_reconnect();
            return;
        };
        let on_message = {
            let room = self.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let text = event.unchecked_into::<MessageEvent>().data().as_string();
                if let Some(signal) = text.and_then(|t| json::from_str::<ServerSignal>(&t).ok()) {
                    room.on_signal(signal);
                }
            })
        };
        let on_close = {
            let room = self.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                room.on_close(event.unchecked_into::<CloseEvent>().code());
            })
        };
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.inner.borrow_mut().socket = Some((socket, vec![on_message, on_close]));
    }

    fn on_close(&self, code: u16) {
        web_sys::console::info_1(&format!("signalling socket closed with code {code}").into());
        let ending = match code {
            close_code::REPLACED => Some(EndReason::JoinedElsewhere),
            close_code::OPEN_ELSEWHERE => Some(EndReason::OpenElsewhere),
            close_code::ROOM_ENDED => Some(EndReason::ClinicianEnded),
            close_code::EXPIRED => Some(EndReason::TokenExpired),
            _ => None,
        };
        {
            let mut inner = self.inner.borrow_mut();
            if inner.leaving {
                return;
            }
            if let Some((socket, _)) = inner.socket.take() {
                clear_socket_handlers(&socket);
            }
            if ending.is_some() {
                inner.leaving = true;
                inner.peers.clear();
            }
        }
        match ending {
            Some(reason) => self.input(Input::LocalDisconnected(reason)),
            None => {
                let first_drop = self.inner.borrow().dropped_at.is_none();
                if first_drop {
                    self.inner.borrow_mut().dropped_at = Some(js_sys::Date::now());
                    self.input(Input::LocalReconnecting);
                }
                self.schedule_reconnect();
            }
        }
    }

    /// Tries again with backoff (0.5 s doubling to 4 s); peers keep their
    /// media flowing meanwhile.
    fn schedule_reconnect(&self) {
        let (attempt, dropped_at, expires_at) = {
            let mut inner = self.inner.borrow_mut();
            inner.attempt += 1;
            (
                inner.attempt,
                inner.dropped_at.unwrap_or_else(js_sys::Date::now),
                inner.token_expires_at,
            )
        };
        let now = js_sys::Date::now();
        let ending = if now / 1000.0 >= expires_at as f64 {
            Some(EndReason::TokenExpired)
        } else if now - dropped_at > GIVE_UP_AFTER.as_millis() as f64 {
            Some(EndReason::ConnectionLost)
        } else {
            None
        };
        if let Some(reason) = ending {
            self.leave();
            self.input(Input::LocalDisconnected(reason));
            return;
        }
        let delay = Duration::from_millis(500u64 << attempt.min(3));
        let room = self.clone();
        yew::platform::spawn_local(async move {
            yew::platform::time::sleep(delay).await;
            if !room.inner.borrow().leaving {
                room.open_socket();
            }
        });
    }

    fn on_signal(&self, signal: ServerSignal) {
        match signal {
            ServerSignal::Welcome { roster, .. } => {
                let (first, reconnected) = {
                    let mut inner = self.inner.borrow_mut();
                    let first = !inner.connected_once;
                    inner.connected_once = true;
                    inner.attempt = 0;
                    let reconnected = inner.dropped_at.take().is_some();
                    // Rebuild the mesh from the roster: the others rebuild theirs too.
                    inner.peers.clear();
                    (first, reconnected)
                };
                if first {
                    self.input(Input::LocalConnected);
                }
                if reconnected {
                    self.input(Input::LocalReconnected);
                }
                let here: BTreeSet<String> = roster.iter().map(|p| p.identity.clone()).collect();
                let gone: Vec<String> = self
                    .inner
                    .borrow()
                    .known
                    .difference(&here)
                    .cloned()
                    .collect();
                for identity in gone {
                    self.forget(&identity);
                }
                // The newcomer calls everyone already here; they answer.
                for participant in roster {
                    self.meet(&participant.identity);
                    self.ensure_peer(&participant.identity);
                }
            }
            ServerSignal::Joined(participant) => {
                // Any old connection to them is stale; their offer makes a new one.
                self.inner.borrow_mut().peers.remove(&participant.identity);
                self.meet(&participant.identity);
            }
            ServerSignal::Left { identity } => self.forget(&identity),
            ServerSignal::Signal { from, payload } => self.on_peer_signal(&from, payload),
            ServerSignal::Error { code, .. } => {
                web_sys::console::warn_1(&format!("signalling refused a message: {code}").into());
            }
            ServerSignal::Notice { text } => {
                self.emit(RoomEvent::Notice(text));
                // Only a patient's confirmation tells the clinician a notice
                // arrived; a clinician's notices need none.
                let patient = Role::from_identity(&self.inner.borrow().me) == Some(Role::Patient);
                if patient {
                    self.send_signal(&ClientSignal::NoticeSeen);
                }
            }
        }
    }

    /// A participant is here: tell the machine once.
    fn meet(&self, identity: &str) {
        let new = self.inner.borrow_mut().known.insert(identity.to_owned());
        if new {
            self.input(Input::RemoteJoined(identity.to_owned()));
        }
    }

    fn forget(&self, identity: &str) {
        let known = {
            let mut inner = self.inner.borrow_mut();
            inner.peers.remove(identity);
            inner.known.remove(identity)
        };
        if known {
            self.input(Input::RemoteLeft(identity.to_owned()));
        }
    }

    fn send(&self, to: &str, key: &str, value: &JsValue) {
        let payload = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&payload, &key.into(), value);
        // Through JSON, as the browser would send it: drops methods and
        // `undefined` fields of RTC objects.
        let plain = js_sys::JSON::stringify(&payload)
            .ok()
            .and_then(|s| js_sys::JSON::parse(&String::from(s)).ok());
        let Some(Ok(payload)) = plain.map(json::from_js) else {
            return;
        };
        self.send_signal(&ClientSignal::Signal {
            to: to.to_owned(),
            payload,
        });
    }

    /// Keeps the answers and sends them to every clinician connected now;
    /// clinicians who connect later get them when their channel opens.
    pub fn share_intake(&self, answers: Vec<IntakeAnswer>) {
        self.inner.borrow_mut().intake = json::to_string(&PeerMessage::Intake { answers });
        let peers: Vec<(String, RtcDataChannel)> = self
            .inner
            .borrow()
            .peers
            .iter()
            .map(|(id, peer)| (id.clone(), peer.channel.clone()))
            .collect();
        for (to, channel) in peers {
            if channel.ready_state() == web_sys::RtcDataChannelState::Open {
                self.send_intake_to(&to, &channel);
            }
        }
    }

    /// Intake answers go to clinicians only.
    fn send_intake_to(&self, to: &str, channel: &RtcDataChannel) {
        let intake = self.inner.borrow().intake.clone();
        if let (Some(text), Some(Role::Provider)) = (intake, Role::from_identity(to)) {
            let _ = channel.send_with_str(&text);
        }
    }

    fn send_signal(&self, message: &ClientSignal) {
        if let (Some((socket, _)), Some(text)) =
            (&self.inner.borrow().socket, json::to_string(message))
        {
            let _ = socket.send_with_str(&text);
        }
    }

    fn ensure_peer(&self, identity: &str) {
        if self.inner.borrow().peers.contains_key(identity) {
            return;
        }
        let (me, local, configuration, display_name) = {
            let inner = self.inner.borrow();
            (
                inner.me.clone(),
                media::handle(&inner.local),
                inner.configuration.clone(),
                inner.display_name.clone(),
            )
        };
        let Ok(pc) = RtcPeerConnection::new_with_configuration(configuration.unchecked_ref())
        else {
            return;
        };
        for track in local.get_tracks().iter() {
            pc.add_track_0(&track.unchecked_into(), &local);
        }
        let making_offer = Rc::new(Cell::new(false));
        let mut handlers = Vec::new();

        let on_negotiation_needed = {
            let (room, pc, making_offer, to) = (
                self.clone(),
                pc.clone(),
                making_offer.clone(),
                identity.to_owned(),
            );
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                let (room, pc, making_offer, to) =
                    (room.clone(), pc.clone(), making_offer.clone(), to.clone());
                yew::platform::spawn_local(async move {
                    making_offer.set(true);
                    if JsFuture::from(bindings::set_local_description_implicit(&pc))
                        .await
                        .is_ok()
                    {
                        if let Some(description) = pc.local_description() {
                            room.send(&to, "description", &description);
                        }
                    }
                    making_offer.set(false);
                });
            })
        };
        pc.set_onnegotiationneeded(Some(on_negotiation_needed.as_ref().unchecked_ref()));
        handlers.push(on_negotiation_needed);

        let on_ice_candidate = {
            let (room, to) = (self.clone(), identity.to_owned());
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                if let Some(candidate) = event
                    .unchecked_into::<RtcPeerConnectionIceEvent>()
                    .candidate()
                {
                    room.send(&to, "candidate", &candidate);
                }
            })
        };
        pc.set_onicecandidate(Some(on_ice_candidate.as_ref().unchecked_ref()));
        handlers.push(on_ice_candidate);

        let on_track = {
            let (room, from) = (self.clone(), identity.to_owned());
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let streams = event.unchecked_into::<RtcTrackEvent>().streams();
                if let Ok(stream) = streams.get(0).dyn_into::<MediaStream>() {
                    room.emit(RoomEvent::RemoteStream {
                        identity: from.clone(),
                        stream,
                    });
                }
            })
        };
        pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        handlers.push(on_track);

        let on_state = {
            let (room, pc, from) = (self.clone(), pc.clone(), identity.to_owned());
            Closure::<dyn FnMut(JsValue)>::new(move |_| match pc.connection_state() {
                RtcPeerConnectionState::Disconnected | RtcPeerConnectionState::Failed => {
                    room.input(Input::RemoteReconnecting(from.clone()))
                }
                RtcPeerConnectionState::Connected => {
                    room.input(Input::RemoteReconnected(from.clone()))
                }
                _ => {}
            })
        };
        pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        handlers.push(on_state);

        let init = RtcDataChannelInit::new();
        init.set_negotiated(true);
        init.set_id(0);
        let channel = pc.create_data_channel_with_data_channel_dict("hearth", &init);
        let on_open = {
            let (channel, room, to) = (channel.clone(), self.clone(), identity.to_owned());
            Closure::<dyn FnMut(JsValue)>::new(move |_| {
                let hello = PeerMessage::Hello {
                    name: display_name.clone(),
                };
                if let Some(text) = json::to_string(&hello) {
                    let _ = channel.send_with_str(&text);
                }
                room.send_intake_to(&to, &channel);
            })
        };
        channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        handlers.push(on_open);
        let on_message = {
            let (room, from) = (self.clone(), identity.to_owned());
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let text = event.unchecked_into::<MessageEvent>().data().as_string();
                let message = text.and_then(|t| json::from_str::<PeerMessage>(&t).ok());
                if let Some(event) = message.and_then(|m| peer_event(&from, m)) {
                    room.emit(event);
                }
            })
        };
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        handlers.push(on_message);

        let peer = Peer {
            polite: me.as_str() < identity,
            channel,
            pc,
            making_offer,
            ignore_offer: Rc::new(Cell::new(false)),
            _handlers: handlers,
        };
        self.inner
            .borrow_mut()
            .peers
            .insert(identity.to_owned(), peer);
    }

    /// Perfect negotiation: the impolite side ignores a colliding offer; the
    /// polite side rolls back and answers it.
    fn on_peer_signal(&self, from: &str, payload: serde_json::Value) {
        self.ensure_peer(from);
        let Some((pc, polite, making_offer, ignore_offer)) =
            self.inner.borrow().peers.get(from).map(|p| {
                (
                    p.pc.clone(),
                    p.polite,
                    p.making_offer.clone(),
                    p.ignore_offer.clone(),
                )
            })
        else {
            return;
        };
        let as_js = json::to_js::<serde_json::Value>;
        if let Some(description) = payload.get("description") {
            let is_offer = description["type"] == "offer";
            let collision = is_offer
                && (making_offer.get() || pc.signaling_state() != RtcSignalingState::Stable);
            ignore_offer.set(!polite && collision);
            let Some(description) = as_js(description) else {
                return;
            };
            if ignore_offer.get() {
                return;
            }
            let (room, to) = (self.clone(), from.to_owned());
            yew::platform::spawn_local(async move {
                if JsFuture::from(bindings::set_remote_description_object(&pc, &description))
                    .await
                    .is_err()
                {
                    return;
                }
                if is_offer
                    && JsFuture::from(bindings::set_local_description_implicit(&pc))
                        .await
                        .is_ok()
                {
                    if let Some(answer) = pc.local_description() {
                        room.send(&to, "description", &answer);
                    }
                }
            });
        } else if let Some(candidate) = payload.get("candidate").and_then(as_js) {
            let ignoring = ignore_offer.get();
            yew::platform::spawn_local(async move {
                let added =
                    JsFuture::from(bindings::add_ice_candidate_object(&pc, &candidate)).await;
                if added.is_err() && !ignoring {
                    web_sys::console::warn_1(&"could not add an ICE candidate".into());
                }
            });
        }
    }
}

fn clear_socket_handlers(socket: &WebSocket) {
    socket.set_onmessage(None);
    socket.set_onclose(None);
}
