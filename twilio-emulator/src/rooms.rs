//! Peer-to-Peer rooms as Twilio's room signalling (RSP v2) presents them to
//! the SDK: participants with SIDs and growing revisions, published and
//! subscribed tracks, and one peer connection per pair of participants.
//!
//! The browsers exchange media directly. For each pair the newcomer is asked
//! to `create-offer` on a shared id; every description and ICE update one
//! side sends on that id is passed to the other side unchanged, revisions
//! included, which is what `peerconnection.js` expects of the server. The
//! offer each client makes before it knows who is in the room (on a random
//! id) is closed: a Peer-to-Peer room has no server end to answer it.

use crate::access::{Refusal, DUPLICATE_IDENTITY, ROOM_FULL};
use serde_json::{json, Value};
use std::collections::HashMap;
use tokio::sync::mpsc::UnboundedSender;

/// What a participant's socket is told to do.
#[derive(Debug)]
pub enum Out {
    /// One RSP message, sent inside a TCMP `msg`.
    Msg(Value),
    /// The emulator is done with this connection (after its last message).
    Close,
    /// The connection breaks, as a network drop would; the participant
    /// may take its place back with `sync`.
    Drop,
}

pub type Outbox = UnboundedSender<Out>;

#[derive(Debug, Clone)]
struct Track {
    /// The client's id for it (its track sender's id).
    id: String,
    sid: String,
    kind: String,
    name: String,
    enabled: bool,
    priority: String,
}

#[derive(Debug)]
struct Member {
    sid: String,
    identity: String,
    /// Grows on every change others are told about.
    revision: u64,
    /// `connected`, or `reconnecting` once its connection dropped without
    /// a goodbye.
    state: &'static str,
    /// What the SDK names in `sync` to take this place back.
    session: String,
    /// Counts the connections this participant has had, so a lost one's
    /// timer does not end a place that was taken back since.
    connection: u64,
    /// The last `participant.revision` the client sent.
    client_revision: u64,
    tracks: Vec<Track>,
    published_revision: u64,
    subscribed_revision: u64,
    connected_at: u64,
    outbox: Outbox,
}

impl Member {
    fn send(&self, message: Value) {
        let _ = self.outbox.send(Out::Msg(message));
    }

    /// As everyone else sees this participant.
    fn state(&self) -> Value {
        let state = self.state;
        let tracks: Vec<Value> = self
            .tracks
            .iter()
            .map(|t| json!({"sid": t.sid, "name": t.name, "kind": t.kind, "enabled": t.enabled, "priority": t.priority}))
            .collect();
        json!({"sid": self.sid, "identity": self.identity, "revision": self.revision, "state": state, "tracks": tracks})
    }

    fn published(&mut self) -> Value {
        self.published_revision += 1;
        let tracks: Vec<Value> = self
            .tracks
            .iter()
            .map(|t| json!({"id": t.id, "sid": t.sid, "state": "ready"}))
            .collect();
        json!({"revision": self.published_revision, "tracks": tracks})
    }
}

/// The peer connection two participants share.
#[derive(Debug)]
struct Pair {
    id: String,
    members: [String; 2],
}

impl Pair {
    fn other(&self, sid: &str) -> Option<&str> {
        match &self.members {
            [a, b] if a == sid => Some(b),
            [a, b] if b == sid => Some(a),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Room {
    pub sid: String,
    pub name: String,
    pub created_at: u64,
    members: Vec<Member>,
    pairs: Vec<Pair>,
}

/// One participant, as the REST API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Present {
    pub sid: String,
    pub identity: String,
    pub connected_at: u64,
    /// `connected` or `reconnecting`.
    pub status: &'static str,
}

impl Room {
    pub fn present(&self) -> Vec<Present> {
        self.members
            .iter()
            .map(|m| Present {
                sid: m.sid.clone(),
                identity: m.identity.clone(),
                connected_at: m.connected_at,
                status: m.state,
            })
            .collect()
    }

    fn member(&self, sid: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.sid == sid)
    }

    fn member_mut(&mut self, sid: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.sid == sid)
    }

    /// What `sid` receives: every track of everyone else.
    fn subscribed(&mut self, sid: &str) -> Value {
        let tracks: Vec<Value> = self
            .members
            .iter()
            .filter(|m| m.sid != sid)
            .flat_map(|m| m.tracks.iter())
            .map(|t| json!({"sid": t.sid, "id": t.id}))
            .collect();
        let Some(member) = self.member_mut(sid) else {
            return Value::Null;
        };
        member.subscribed_revision += 1;
        json!({"revision": member.subscribed_revision, "tracks": tracks})
    }

    /// Tells everyone but `about` how `about` now stands.
    fn announce(&mut self, about: &Value, except: &str) {
        let others: Vec<String> = self
            .members
            .iter()
            .filter(|m| m.sid != except)
            .map(|m| m.sid.clone())
            .collect();
        for sid in others {
            let subscribed = self.subscribed(&sid);
            if let Some(member) = self.member(&sid) {
                member.send(update(
                    json!({"participants": [about], "subscribed": subscribed}),
                ));
            }
        }
    }

    /// Takes `sid` out and tells the others: its state is `disconnected`,
    /// and the peer connections shared with it close.
    fn remove(&mut self, sid: &str) -> Option<Member> {
        let index = self.members.iter().position(|m| m.sid == sid)?;
        let mut gone = self.members.remove(index);
        gone.revision += 1;
        gone.state = "disconnected";
        let closing: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter_map(|p| p.other(sid).map(|other| (other.to_owned(), p.id.clone())))
            .collect();
        self.pairs.retain(|p| p.other(sid).is_none());
        for (other, id) in closing {
            if let Some(member) = self.member(&other) {
                member.send(update(json!({"peer_connections": [{"id": id, "description": {"type": "close", "revision": 0}}]})));
            }
        }
        let state = gone.state();
        self.announce(&state, sid);
        Some(gone)
    }
}

fn update(mut fields: Value) -> Value {
    fields["type"] = "update".into();
    fields["version"] = 2.into();
    fields
}

/// Every room the emulator has, by name; completed rooms are forgotten, so
/// a later connect to the same name makes a new room, as Twilio's ad-hoc
/// rooms do.
#[derive(Debug)]
pub struct Rooms {
    by_name: HashMap<String, Room>,
    completed: Vec<String>,
    next_id: u64,
    pub max_participants: usize,
}

/// Where a connected participant is, on which of its connections.
#[derive(Debug, Clone)]
pub struct Seat {
    pub room: String,
    pub sid: String,
    pub connection: u64,
}

impl Rooms {
    pub fn new(max_participants: usize) -> Self {
        Self {
            by_name: HashMap::new(),
            completed: Vec::new(),
            next_id: 0,
            max_participants,
        }
    }

    /// The tracks a client's `participant` state lists; a track already
    /// `known` keeps its SID, a new one gets one.
    fn tracks_of(&mut self, client: &Value, known: &[Track]) -> Vec<Track> {
        let mut tracks = Vec::new();
        for track in client["tracks"].as_array().into_iter().flatten() {
            let id = track["id"].as_str().unwrap_or_default();
            let sid = match known.iter().find(|t| t.id == id) {
                Some(known) => known.sid.clone(),
                None => self.sid("MT"),
            };
            tracks.push(track_of(track, sid));
        }
        tracks
    }

    /// A Twilio-shaped SID: two letters and 32 hex digits.
    fn sid(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:032x}", self.next_id)
    }

    pub fn in_progress(&self) -> impl Iterator<Item = &Room> {
        self.by_name.values()
    }

    pub fn by_sid(&self, sid: &str) -> Option<&Room> {
        self.by_name.values().find(|r| r.sid == sid)
    }

    pub fn was_completed(&self, sid: &str) -> bool {
        self.completed.iter().any(|s| s == sid)
    }

    /// `identity` joins room `name` with the `connect` message's
    /// `participant` and `peer_connections`; it is sent `connected`.
    pub fn connect(
        &mut self,
        name: &str,
        identity: &str,
        connect: &Value,
        now: u64,
        outbox: Outbox,
    ) -> Result<Seat, Refusal> {
        if !self.by_name.contains_key(name) {
            let sid = self.sid("RM");
            self.by_name.insert(
                name.to_owned(),
                Room {
                    sid,
                    name: name.to_owned(),
                    created_at: now,
                    members: Vec::new(),
                    pairs: Vec::new(),
                },
            );
        }
        // The same identity elsewhere is disconnected first (53205).
        let older = self.by_name[name]
            .members
            .iter()
            .find(|m| m.identity == identity)
            .map(|m| m.sid.clone());
        if let Some(older) = older {
            let room = self.by_name.get_mut(name).expect("room made above");
            if let Some(gone) = room.remove(&older) {
                let _ = gone.outbox.send(Out::Msg(error(&DUPLICATE_IDENTITY)));
                let _ = gone.outbox.send(Out::Close);
            }
        }
        if self.by_name[name].members.len() >= self.max_participants {
            return Err(ROOM_FULL);
        }
        let sid = self.sid("PA");
        let session = self.sid("SE");
        let client = &connect["participant"];
        let tracks = self.tracks_of(client, &[]);
        let pair_ids: Vec<String> = (0..self.by_name[name].members.len())
            .map(|_| self.sid("PC"))
            .collect();
        let room = self.by_name.get_mut(name).expect("room made above");
        let mut member = Member {
            sid: sid.clone(),
            identity: identity.to_owned(),
            revision: 1,
            state: "connected",
            session: session.clone(),
            connection: 0,
            client_revision: client["revision"].as_u64().unwrap_or(0),
            tracks,
            published_revision: 0,
            subscribed_revision: 0,
            connected_at: now,
            outbox,
        };
        let mut peer_connections: Vec<Value> = connect["peer_connections"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|pc| pc["id"].as_str())
            .map(|id| json!({"id": id, "description": {"type": "close", "revision": 0}}))
            .collect();
        for (other, id) in room.members.iter().zip(pair_ids) {
            peer_connections
                .push(json!({"id": id, "description": {"type": "create-offer", "revision": 1}}));
            room.pairs.push(Pair {
                id,
                members: [sid.clone(), other.sid.clone()],
            });
        }
        let others: Vec<Value> = room.members.iter().map(Member::state).collect();
        let published = member.published();
        let state = member.state();
        room.members.push(member);
        let subscribed = room.subscribed(&sid);
        let connected = json!({
            "type": "connected",
            "version": 2,
            "session": session,
            "sid": room.sid,
            "name": room.name,
            "options": {"session_timeout": 30},
            "participant": {"sid": sid, "identity": identity},
            "participants": others,
            "peer_connections": peer_connections,
            "published": published,
            "subscribed": subscribed,
        });
        room.member(&sid).expect("just added").send(connected);
        room.announce(&state, &sid);
        Ok(Seat {
            room: name.to_owned(),
            sid,
            connection: 0,
        })
    }

    /// An `update` from the participant at `seat`: its tracks changed,
    /// and/or it has descriptions or ICE for its peer connections.
    pub fn update(&mut self, seat: &Seat, message: &Value) {
        let Some(room) = self.by_name.get_mut(&seat.room) else {
            return;
        };
        for pc in message["peer_connections"].as_array().into_iter().flatten() {
            let id = pc["id"].as_str().unwrap_or_default();
            let Some(pair) = room.pairs.iter().find(|p| p.id == id) else {
                continue;
            };
            let Some(other) = pair.other(&seat.sid).map(str::to_owned) else {
                continue;
            };
            if pc["description"]["type"] == "close" {
                room.pairs.retain(|p| p.id != id);
            }
            if let Some(member) = room.member(&other) {
                member.send(update(json!({"peer_connections": [pc]})));
            }
        }
        let client = &message["participant"];
        let revision = client["revision"].as_u64().unwrap_or(0);
        let Some(member) = room.member(&seat.sid) else {
            return;
        };
        if revision <= member.client_revision {
            return;
        }
        let old = member.tracks.clone();
        let tracks = self.tracks_of(client, &old);
        let room = self.by_name.get_mut(&seat.room).expect("looked up above");
        let member = room.member_mut(&seat.sid).expect("looked up above");
        let set_changed =
            tracks.len() != old.len() || tracks.iter().zip(&old).any(|(a, b)| a.id != b.id);
        member.client_revision = revision;
        member.tracks = tracks;
        member.revision += 1;
        if set_changed {
            let published = member.published();
            member.send(update(json!({"published": published})));
        }
        let state = member.state();
        room.announce(&state, &seat.sid);
    }

    /// The connection at `seat` dropped without a goodbye (a crash, a lost
    /// network): like Twilio, the participant shows as `reconnecting` until
    /// [`Rooms::leave`] after the reconnection window.
    pub fn connection_lost(&mut self, seat: &Seat) {
        let Some(room) = self.by_name.get_mut(&seat.room) else {
            return;
        };
        let Some(member) = room.member_mut(&seat.sid) else {
            return;
        };
        member.state = "reconnecting";
        member.revision += 1;
        let state = member.state();
        room.announce(&state, &seat.sid);
    }

    /// The participant at `seat` left, or its connection ended.
    pub fn leave(&mut self, seat: &Seat) {
        if let Some(room) = self.by_name.get_mut(&seat.room) {
            room.remove(&seat.sid);
        }
    }

    /// The reconnection window of `seat`'s lost connection ran out: it
    /// leaves, unless it took its place back on a newer connection.
    pub fn reconnection_expired(&mut self, seat: &Seat) {
        let still_lost = self
            .by_name
            .get(&seat.room)
            .and_then(|room| room.member(&seat.sid))
            .is_some_and(|m| m.connection == seat.connection && m.state == "reconnecting");
        if still_lost {
            self.leave(seat);
        }
    }

    /// A `sync` on a new connection: the participant whose `session` it
    /// names takes its place back and is sent `synced`, the room as it is
    /// now. Its peer connections are all listed, so the SDK keeps them.
    pub fn resume(&mut self, session: &str, outbox: Outbox) -> Option<Seat> {
        let room = self
            .by_name
            .values_mut()
            .find(|room| room.members.iter().any(|m| m.session == session))?;
        let member = room.members.iter_mut().find(|m| m.session == session)?;
        member.outbox = outbox;
        member.connection += 1;
        member.state = "connected";
        member.revision += 1;
        let (sid, identity, connection) = (
            member.sid.clone(),
            member.identity.clone(),
            member.connection,
        );
        let published = member.published();
        let state = member.state();
        let others: Vec<Value> = room
            .members
            .iter()
            .filter(|m| m.sid != sid)
            .map(Member::state)
            .collect();
        let peer_connections: Vec<Value> = room
            .pairs
            .iter()
            .filter(|p| p.other(&sid).is_some())
            .map(|p| json!({"id": p.id}))
            .collect();
        let subscribed = room.subscribed(&sid);
        let synced = json!({
            "type": "synced", "version": 2, "session": session,
            "participant": {"sid": sid, "identity": identity},
            "participants": others, "peer_connections": peer_connections,
            "published": published, "subscribed": subscribed,
        });
        room.member(&sid)?.send(synced);
        room.announce(&state, &sid);
        Some(Seat {
            room: room.name.clone(),
            sid,
            connection,
        })
    }

    /// Ends the signalling connection of `identity` without a goodbye, as
    /// a network drop would (tests: a reconnect the SDK must make).
    pub fn drop_connection(&mut self, identity: &str) -> bool {
        let member = self
            .by_name
            .values()
            .flat_map(|room| room.members.iter())
            .find(|m| m.identity == identity);
        member.is_some_and(|m| m.outbox.send(Out::Drop).is_ok())
    }

    /// Ends the room (the REST API's `Status=completed`): everyone in it
    /// is told it completed (53118 in the SDK).
    pub fn complete(&mut self, sid: &str) -> bool {
        let Some(name) = self.by_sid(sid).map(|r| r.name.clone()) else {
            return false;
        };
        let room = self.by_name.remove(&name).expect("found by sid");
        for member in room.members {
            member.send(json!({"type": "disconnected", "version": 2, "status": "completed"}));
            let _ = member.outbox.send(Out::Close);
        }
        self.completed.push(room.sid);
        true
    }
}

fn track_of(track: &Value, sid: String) -> Track {
    let text = |key: &str| track[key].as_str().unwrap_or_default().to_owned();
    Track {
        id: text("id"),
        sid,
        kind: text("kind"),
        name: text("name"),
        enabled: track["enabled"].as_bool().unwrap_or(true),
        priority: track["priority"].as_str().unwrap_or("standard").to_owned(),
    }
}

pub fn error(refusal: &Refusal) -> Value {
    json!({"type": "error", "version": 2, "code": refusal.code, "message": refusal.message})
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

    fn connect_message(track_ids: &[&str]) -> Value {
        let tracks: Vec<Value> = track_ids
            .iter()
            .map(|id| json!({"id": id, "kind": "audio", "name": id, "enabled": true, "priority": "standard"}))
            .collect();
        json!({"participant": {"revision": 1, "tracks": tracks}, "peer_connections": [{"id": "first"}]})
    }

    fn join(rooms: &mut Rooms, identity: &str, tracks: &[&str]) -> (Seat, UnboundedReceiver<Out>) {
        let (tx, rx) = unbounded_channel();
        let seat = rooms
            .connect("r", identity, &connect_message(tracks), 0, tx)
            .unwrap();
        (seat, rx)
    }

    fn messages(rx: &mut UnboundedReceiver<Out>) -> Vec<Value> {
        std::iter::from_fn(|| rx.try_recv().ok())
            .filter_map(|out| match out {
                Out::Msg(m) => Some(m),
                Out::Close | Out::Drop => None,
            })
            .collect()
    }

    #[test]
    fn a_newcomer_offers_to_each_member_and_descriptions_pass_between_them() {
        let mut rooms = Rooms::new(10);
        let (a, mut a_rx) = join(&mut rooms, "patient.p", &["a1"]);
        let connected = messages(&mut a_rx).remove(0);
        assert_eq!(connected["type"], "connected");
        assert_eq!(
            connected["peer_connections"][0]["description"]["type"],
            "close"
        );
        assert_eq!(connected["published"]["tracks"][0]["state"], "ready");

        let (b, mut b_rx) = join(&mut rooms, "provider.d", &["b1"]);
        let connected = messages(&mut b_rx).remove(0);
        let offer_on = &connected["peer_connections"][1];
        assert_eq!(offer_on["description"]["type"], "create-offer");
        assert_eq!(connected["participants"][0]["identity"], "patient.p");
        assert_eq!(connected["subscribed"]["tracks"][0]["id"], "a1");
        let told = messages(&mut a_rx);
        assert_eq!(told[0]["participants"][0]["identity"], "provider.d");
        assert_eq!(told[0]["subscribed"]["tracks"][0]["id"], "b1");

        let id = offer_on["id"].as_str().unwrap();
        let offer =
            json!({"id": id, "description": {"type": "offer", "sdp": "v=0", "revision": 1}});
        rooms.update(&b, &json!({"peer_connections": [offer.clone()]}));
        assert_eq!(messages(&mut a_rx)[0]["peer_connections"][0], offer);

        // Mute: the track's `enabled` reaches the other side with a higher revision.
        let muted = json!({"participant": {"revision": 2, "tracks": [{"id": "a1", "kind": "audio", "name": "a1", "enabled": false}]}});
        rooms.update(&a, &muted);
        let told = messages(&mut b_rx);
        assert_eq!(told[0]["participants"][0]["tracks"][0]["enabled"], false);
        assert_eq!(told[0]["participants"][0]["revision"], 2);
        rooms.update(&a, &muted);
        assert!(
            messages(&mut b_rx).is_empty(),
            "an old revision changes nothing"
        );

        rooms.leave(&b);
        let told = messages(&mut a_rx);
        assert_eq!(
            told[0]["peer_connections"][0]["description"]["type"],
            "close"
        );
        assert_eq!(told[1]["participants"][0]["state"], "disconnected");
    }

    #[test]
    fn the_same_identity_pushes_out_the_older_and_a_full_room_refuses() {
        let mut rooms = Rooms::new(2);
        let (_, mut first) = join(&mut rooms, "patient.p", &[]);
        let _second = join(&mut rooms, "patient.p", &[]);
        let told: Vec<Out> = std::iter::from_fn(|| first.try_recv().ok()).collect();
        assert!(
            matches!(&told[1], Out::Msg(m) if m["code"] == 53205),
            "{told:?}"
        );
        assert!(matches!(told[2], Out::Close));
        let _clinician = join(&mut rooms, "provider.d", &[]);
        let (tx, _rx) = unbounded_channel();
        let refused = rooms.connect("r", "guest.g", &connect_message(&[]), 0, tx);
        assert_eq!(refused.unwrap_err().code, 53105);
    }

    #[test]
    fn a_lost_connection_is_reconnecting_until_sync_takes_the_place_back() {
        let mut rooms = Rooms::new(10);
        let (a, mut a_rx) = join(&mut rooms, "patient.p", &["a1"]);
        let session = messages(&mut a_rx)[0]["session"]
            .as_str()
            .unwrap()
            .to_owned();
        let (_b, mut b_rx) = join(&mut rooms, "provider.d", &["b1"]);
        let pair = messages(&mut b_rx)[0]["peer_connections"][1]["id"].clone();
        messages(&mut a_rx);

        rooms.connection_lost(&a);
        assert_eq!(
            messages(&mut b_rx)[0]["participants"][0]["state"],
            "reconnecting"
        );
        let (tx, mut resumed_rx) = unbounded_channel();
        let resumed = rooms
            .resume(&session, tx)
            .expect("the session is still here");
        let synced = messages(&mut resumed_rx).remove(0);
        assert_eq!(synced["type"], "synced");
        assert_eq!(synced["peer_connections"], json!([{"id": pair}]));
        assert_eq!(synced["participants"][0]["identity"], "provider.d");
        assert_eq!(
            messages(&mut b_rx)[0]["participants"][0]["state"],
            "connected"
        );

        // The old connection's window runs out: the place taken back stays.
        rooms.reconnection_expired(&a);
        assert_eq!(rooms.by_name["r"].members.len(), 2);
        rooms.connection_lost(&resumed);
        rooms.reconnection_expired(&resumed);
        assert_eq!(rooms.by_name["r"].members.len(), 1);
        assert!(rooms.resume(&session, unbounded_channel().0).is_none());
    }

    #[test]
    fn completing_a_room_tells_everyone_and_forgets_it() {
        let mut rooms = Rooms::new(10);
        let (seat, mut rx) = join(&mut rooms, "patient.p", &[]);
        let sid = rooms.by_name[&seat.room].sid.clone();
        assert!(rooms.complete(&sid));
        let told = messages(&mut rx);
        assert_eq!(told.last().unwrap()["status"], "completed");
        assert!(rooms.was_completed(&sid) && rooms.by_sid(&sid).is_none());
    }
}
