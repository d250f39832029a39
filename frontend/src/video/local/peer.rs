//! One `RTCPeerConnection` per remote participant, negotiated with the
//! "perfect negotiation" pattern over the signalling socket, with a data
//! channel for names, intake answers and notices.

use super::{Handler, LocalRoom};
use crate::bindings;
use crate::media;
use crate::services::json;
use crate::video::quality::Sample;
use crate::video::{peer_event, PeerMessage, RoomEvent};
use crate::visit::machine::Input;
use api_types::{ClientSignal, IceServer};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MediaStream, MessageEvent, RtcDataChannel, RtcDataChannelInit, RtcPeerConnection,
    RtcPeerConnectionIceEvent, RtcPeerConnectionState, RtcRtpSender, RtcSignalingState,
    RtcTrackEvent,
};

/// `RTCConfiguration`, as the browser wants it.
#[derive(serde::Serialize)]
pub(super) struct RtcConfiguration<'a> {
    #[serde(rename = "iceServers")]
    pub ice_servers: &'a [IceServer],
}

pub(super) struct Peer {
    pub pc: RtcPeerConnection,
    /// Negotiated (id 0) on both sides, for names and visit messages.
    pub channel: RtcDataChannel,
    /// What sends our shared screen on this connection, while we share.
    pub screen_senders: Vec<RtcRtpSender>,
    /// The connection's last statistics, for its quality.
    pub last_sample: Option<Sample>,
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

impl Peer {
    /// Adds the screen's tracks; the connection renegotiates by itself
    /// (`negotiationneeded`).
    pub fn add_screen(&mut self, screen: &MediaStream) {
        for track in screen.get_tracks().iter() {
            let sender = self.pc.add_track_0(&track.unchecked_into(), screen);
            self.screen_senders.push(sender);
        }
    }

    pub fn remove_screen(&mut self) {
        for sender in self.screen_senders.drain(..) {
            self.pc.remove_track(&sender);
        }
    }
}

impl LocalRoom {
    pub(super) fn send(&self, to: &str, key: &str, value: &JsValue) {
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

    pub(super) fn ensure_peer(&self, identity: &str) {
        if self.inner.borrow().peers.contains_key(identity) {
            return;
        }
        let (me, local, screen, configuration, display_name) = {
            let inner = self.inner.borrow();
            (
                inner.me.clone(),
                media::handle(&inner.local),
                inner.screen.as_ref().map(media::handle),
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

        // The first stream a connection receives is the camera and
        // microphone (their tracks come first in every offer); any other
        // is a shared screen.
        let on_track = {
            let (room, from) = (self.clone(), identity.to_owned());
            let camera = RefCell::new(None::<String>);
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let streams = event.unchecked_into::<RtcTrackEvent>().streams();
                let Ok(stream) = streams.get(0).dyn_into::<MediaStream>() else {
                    return;
                };
                let camera_id = camera
                    .borrow_mut()
                    .get_or_insert_with(|| stream.id())
                    .clone();
                let identity = from.clone();
                room.emit(if stream.id() == camera_id {
                    RoomEvent::RemoteStream { identity, stream }
                } else {
                    RoomEvent::RemoteScreen {
                        identity,
                        stream: Some(stream),
                    }
                });
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

        let mut peer = Peer {
            polite: me.as_str() < identity,
            channel,
            screen_senders: Vec::new(),
            last_sample: None,
            pc,
            making_offer,
            ignore_offer: Rc::new(Cell::new(false)),
            _handlers: handlers,
        };
        if let Some(screen) = &screen {
            peer.add_screen(screen);
        }
        self.inner
            .borrow_mut()
            .peers
            .insert(identity.to_owned(), peer);
    }

    /// Perfect negotiation: the impolite side ignores a colliding offer; the
    /// polite side rolls back and answers it.
    pub(super) fn on_peer_signal(&self, from: &str, payload: serde_json::Value) {
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
