//! Who is in a Twilio room, and what they say to each other: participants
//! by SID with identity presence, their tracks, and the data-track messages
//! (hellos with names, intake answers, notices).

use super::TwilioRoom;
use crate::bindings::{Participant, Track};
use crate::services::json;
use crate::video::{peer_event, IntakeAnswer, PeerMessage, RoomEvent};
use crate::visit::machine::Input;
use api_types::Role;
use web_sys::MediaStream;

impl TwilioRoom {
    pub(super) fn on_track(&self, track: Track, participant: &Participant, subscribed: bool) {
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
        if track.name().as_deref() == Some(super::media_tracks::SCREEN) {
            let stream = subscribed.then(|| {
                let stream = MediaStream::new().expect("MediaStream is a constructor");
                stream.add_track(&media);
                stream
            });
            let identity = participant.identity();
            return self.emit(RoomEvent::RemoteScreen { identity, stream });
        }
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
    pub(super) fn on_message(&self, from_sid: &str, text: String) {
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
    pub(super) fn arrived(&self, participant: &Participant) {
        let who = participant.identity();
        let new = {
            let mut inner = self.inner.borrow_mut();
            let new = !inner.present(&who);
            inner.participants.insert(participant.sid(), who.clone());
            inner.newest.insert(who.clone(), participant.sid());
            new
        };
        self.listen(participant, super::QUALITY_CHANGED, Some(participant.sid()));
        if new {
            self.input(Input::RemoteJoined(who));
        }
    }
    /// A connection left; the identity has gone only if no other SID of
    /// theirs is here.
    pub(super) fn departed(&self, participant: &Participant) {
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
    pub(super) fn send_intake(&self) {
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
    pub(super) fn send_hello(&self) {
        let (name, extra) = {
            let inner = self.inner.borrow();
            (inner.display_name.clone(), inner.on_arrival.clone())
        };
        self.send(&PeerMessage::Hello { name });
        for message in &extra {
            self.send(message);
        }
    }
    /// Sends `message` on our data track, which everyone here receives.
    pub fn send(&self, message: &PeerMessage) {
        if let (Some(data), Some(text)) = (&self.inner.borrow().data, json::to_string(message)) {
            data.send(&text);
        }
    }
    /// Says `message` now and to everyone whose data track arrives later.
    pub fn say_to_all(&self, message: PeerMessage) {
        self.send(&message);
        self.inner.borrow_mut().on_arrival.push(message);
    }
}
