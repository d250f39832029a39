//! Built-in video: the service's signalling socket plus a mesh of
//! `RTCPeerConnection`s, one per remote participant. Whoever joins calls
//! everyone already there, and they answer; the "perfect negotiation"
//! pattern settles any collision that still happens (renegotiation,
//! simultaneous rejoins), so nothing deadlocks.

mod peer;
mod plan;
mod quality;
mod socket;

use super::{IntakeAnswer, Notice, PeerMessage, RoomEvent};
use crate::media::{self, Kind, Switches};
use crate::services::json;
use crate::visit::machine::Input;
use api_types::{ClientSignal, Role, ServerSignal, TokenResponse};
use peer::{Peer, RtcConfiguration};
use socket::clear_socket_handlers;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MediaStream, RtcDataChannel, RtcRtpSender, WebSocket};
use yew::Callback;

type Handler = Closure<dyn FnMut(JsValue)>;

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
    /// The screen we share, sent on every connection beside `local`.
    screen: Option<MediaStream>,
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
                screen: None,
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
        room.watch_quality();
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

    /// Sends `screen` on every connection, now and to whoever connects
    /// later.
    pub fn share_screen(&self, screen: &MediaStream) {
        let mut inner = self.inner.borrow_mut();
        for peer in inner.peers.values_mut() {
            peer.add_screen(screen);
        }
        inner.screen = Some(media::handle(screen));
    }

    /// Stops sending the screen and tells everyone at once, so nobody is
    /// left looking at its last frame.
    pub fn stop_screen(&self) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.screen = None;
            for peer in inner.peers.values_mut() {
                peer.remove_screen();
            }
        }
        self.send_to_everyone(&PeerMessage::ScreenEnded);
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
                .flat_map(|peer| {
                    peer.pc
                        .get_senders()
                        .iter()
                        .map(JsCast::unchecked_into::<RtcRtpSender>)
                        .filter(|sender| !peer.screen_senders.contains(sender))
                        .collect::<Vec<_>>()
                })
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
                self.drop_peer(&participant.identity);
                self.meet(&participant.identity);
            }
            ServerSignal::Left { identity } => self.forget(&identity),
            ServerSignal::Signal { from, payload } => self.on_peer_signal(&from, payload),
            ServerSignal::Error { code, .. } => {
                web_sys::console::warn_1(&format!("signalling refused a message: {code}").into());
            }
            ServerSignal::KeptOut => self.emit(RoomEvent::Notice(Notice::KeptOut)),
            ServerSignal::Notice(late) => {
                self.emit(RoomEvent::Notice(Notice::late(late)));
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
        self.drop_peer(identity);
        let known = self.inner.borrow_mut().known.remove(identity);
        if known {
            self.input(Input::RemoteLeft(identity.to_owned()));
        }
    }

    /// Closes the connection to `identity`. A screen it carried goes with
    /// it: a sharer whose page died never said `ScreenEnded`.
    fn drop_peer(&self, identity: &str) {
        let dropped = self.inner.borrow_mut().peers.remove(identity);
        if dropped.is_some() {
            self.emit(RoomEvent::RemoteScreen {
                identity: identity.to_owned(),
                stream: None,
            });
        }
    }

    /// Keeps the answers and sends them to every clinician connected now;
    /// clinicians who connect later get them when their channel opens.
    pub fn share_intake(&self, answers: Vec<IntakeAnswer>) {
        self.inner.borrow_mut().intake = json::to_string(&PeerMessage::Intake { answers });
        for (to, channel) in self.open_channels() {
            self.send_intake_to(&to, &channel);
        }
    }

    /// Sends `message` to everyone connected now.
    pub fn send_to_everyone(&self, message: &PeerMessage) {
        if let Some(text) = json::to_string(message) {
            for (_, channel) in self.open_channels() {
                let _ = channel.send_with_str(&text);
            }
        }
    }

    /// Each connected peer's data channel that is open, by identity.
    fn open_channels(&self) -> Vec<(String, RtcDataChannel)> {
        self.inner
            .borrow()
            .peers
            .iter()
            .filter(|(_, peer)| peer.channel.ready_state() == web_sys::RtcDataChannelState::Open)
            .map(|(id, peer)| (id.clone(), peer.channel.clone()))
            .collect()
    }

    /// Intake answers go to clinicians only.
    fn send_intake_to(&self, to: &str, channel: &RtcDataChannel) {
        let intake = self.inner.borrow().intake.clone();
        if let (Some(text), Some(Role::Provider)) = (intake, Role::from_identity(to)) {
            let _ = channel.send_with_str(&text);
        }
    }
}
