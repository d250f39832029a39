//! What copies write to Redis and publish to each other: pure types, so
//! their shapes are tested without a server. Nothing here holds a name, a
//! token or a message body at rest; a relayed signal only passes through.

use api_types::{Participant, Role, ServerSignal};
use serde::{Deserialize, Serialize};

/// One member of a room, as stored in the room's hash under its identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRecord {
    pub role: Role,
    /// The patient's device tag: only the same device may take the place over.
    pub device: Option<String>,
    /// The copy that holds the socket, and the socket's number there.
    pub copy: String,
    pub connection: String,
    /// Unix seconds, for how long someone has waited.
    pub joined_at: u64,
}

impl MemberRecord {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("records serialise")
    }
}

/// What a copy publishes on a room's channel; every copy holding a member
/// of the room acts on it for its own sockets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// To one member.
    To {
        identity: String,
        signal: ServerSignal,
    },
    /// To everyone in the room but one.
    AllBut {
        identity: String,
        signal: ServerSignal,
    },
    /// To every member with this role.
    Role { role: Role, signal: ServerSignal },
    /// The connection `copy`/`connection` was taken over by another tab.
    Replaced {
        identity: String,
        copy: String,
        connection: String,
    },
    /// The clinician ended the visit: everyone is disconnected.
    End,
    /// The patient's browser confirmed a notice.
    NoticeSeen,
}

impl Delivery {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("deliveries serialise")
    }
}

/// Redis names for one room; every script takes all three as its keys.
pub struct RoomKeys {
    /// Sorted set: identity, scored by when its presence runs out.
    pub live: String,
    /// Hash: identity to [`MemberRecord`].
    pub who: String,
    /// The pub/sub channel of the room's deliveries.
    pub channel: String,
}

const CHANNEL_PREFIX: &str = "hearth:room:";

impl RoomKeys {
    pub fn new(room: &str) -> Self {
        Self {
            live: format!("{CHANNEL_PREFIX}{room}:live"),
            who: format!("{CHANNEL_PREFIX}{room}:who"),
            channel: format!("{CHANNEL_PREFIX}{room}"),
        }
    }

    /// `script` on this room: KEYS are live, who, channel, in that order.
    pub fn run<'a>(&self, script: &'a redis::Script) -> redis::ScriptInvocation<'a> {
        let mut invocation = script.prepare_invoke();
        invocation.key(&self.live).key(&self.who).key(&self.channel);
        invocation
    }
}

/// The room a channel belongs to.
pub fn room_of_channel(channel: &str) -> Option<&str> {
    channel.strip_prefix(CHANNEL_PREFIX)
}

/// The key that marks a visit as ended.
pub fn ended_key(room: &str) -> String {
    format!("hearth:ended:{room}")
}

/// Pairs of identity and record (a flattened hash), the unreadable ones skipped.
pub fn members(fields: &[String]) -> Vec<(String, MemberRecord)> {
    fields
        .chunks_exact(2)
        .filter_map(|pair| Some((pair[0].clone(), serde_json::from_str(&pair[1]).ok()?)))
        .collect()
}

/// A joining member's roster: everyone in `members` but `except`.
pub fn roster(members: &[(String, MemberRecord)], except: &str) -> Vec<Participant> {
    let present = members
        .iter()
        .map(|(id, record)| (id.as_str(), record.role));
    crate::rooms::roster(present, except)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(role: Role, copy: &str) -> MemberRecord {
        MemberRecord {
            role,
            device: None,
            copy: copy.into(),
            connection: "1".into(),
            joined_at: 5,
        }
    }

    #[test]
    fn records_read_back_and_the_roster_leaves_out_the_newcomer() {
        let fields = vec![
            "provider.c".to_owned(),
            record(Role::Provider, "b").to_json(),
            "patient.p".to_owned(),
            record(Role::Patient, "a").to_json(),
            "guest.g".to_owned(),
            "not a record".to_owned(),
        ];
        let members = members(&fields);
        assert_eq!(members.len(), 2, "the unreadable one is skipped");
        assert_eq!(members[1].1, record(Role::Patient, "a"));
        let roster = roster(&members, "guest.g");
        let ids: Vec<&str> = roster.iter().map(|p| p.identity.as_str()).collect();
        assert_eq!(ids, ["patient.p", "provider.c"]);
    }

    #[test]
    fn a_channel_names_its_room_and_keys_hold_only_the_room_name() {
        let keys = RoomKeys::new("v-abc");
        assert_eq!(room_of_channel(&keys.channel), Some("v-abc"));
        assert_eq!(room_of_channel("other:v-abc"), None);
        for key in [&keys.live, &keys.who, &ended_key("v-abc")] {
            assert!(key.starts_with("hearth:") && key.contains("v-abc"));
        }
        let delivery = Delivery::Role {
            role: Role::Patient,
            signal: ServerSignal::KeptOut,
        };
        let json = delivery.to_json();
        assert_eq!(serde_json::from_str::<Delivery>(&json).unwrap(), delivery);
    }
}
