//! Built-in rooms: who is in which room. Pure bookkeeping, generic over how
//! a member is reached, so the rules are tested without sockets.

use api_types::{Participant, Role};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoomLimits {
    pub participants_per_room: usize,
    /// Interpreters and relatives at once. At most two fewer than the
    /// room's places, so the patient's and the clinician's are always free.
    pub guests_per_room: usize,
    pub total_sockets: usize,
}

/// Places in a built-in room.
pub const PARTICIPANTS_PER_ROOM: usize = 6;

impl Default for RoomLimits {
    fn default() -> Self {
        Self {
            participants_per_room: PARTICIPANTS_PER_ROOM,
            guests_per_room: 3,
            total_sockets: 5_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    #[error("This visit already has the most participants it allows.")]
    RoomFull,
    #[error("This visit already has as many interpreters and relatives as it allows.")]
    GuestsFull,
    #[error("The video service is at capacity. Please try again shortly.")]
    ServiceFull,
    #[error("This visit is open on another device. Please close it there first.")]
    OpenElsewhere,
    /// Copies share rooms through Redis, and Redis does not answer.
    #[error("Video visits are briefly unavailable. Please try again in a moment.")]
    Unavailable,
}

/// Who asks for a place: the identity, its role, and for a patient the tag
/// of the device that holds the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat<'a> {
    pub identity: &'a str,
    pub role: Role,
    pub device: Option<&'a str>,
}

/// Tests name seats by identity alone (`patient.1`), without a device.
#[cfg(test)]
pub fn seat(identity: &str) -> Seat<'_> {
    Seat {
        identity,
        role: Role::from_identity(identity).expect("a role prefix"),
        device: None,
    }
}

#[derive(Debug)]
struct Member<S> {
    role: Role,
    device: Option<String>,
    connection: u64,
    /// Unix seconds, for how long someone has waited.
    joined_at: u64,
    sink: S,
}

/// What joining changed: who was already there, who to tell, and the older
/// connection of the same identity, which must be told why and closed.
#[derive(Debug)]
pub struct Joined<S> {
    pub roster: Vec<Participant>,
    pub others: Vec<S>,
    pub replaced: Option<S>,
}

/// A member as [`Registry::members`] lists it.
pub struct Held<'a> {
    pub room: &'a str,
    pub identity: &'a str,
    pub role: Role,
    pub device: Option<&'a str>,
    pub connection: u64,
    pub joined_at: u64,
}

#[derive(Debug)]
pub struct Registry<S> {
    limits: RoomLimits,
    rooms: HashMap<String, HashMap<String, Member<S>>>,
    sockets: usize,
}

impl<S: Clone> Registry<S> {
    pub fn new(limits: RoomLimits) -> Self {
        Self {
            limits,
            rooms: HashMap::new(),
            sockets: 0,
        }
    }

    /// Whether `seat` could join now. A member already present is replaced
    /// only from the same device (another tab): a copied patient link on
    /// another device must not push the patient out.
    pub fn admits(&self, room: &str, seat: &Seat) -> Result<(), JoinError> {
        let members = self.rooms.get(room);
        if let Some(present) = members.and_then(|m| m.get(seat.identity)) {
            return if present.device.as_deref() == seat.device {
                Ok(())
            } else {
                Err(JoinError::OpenElsewhere)
            };
        }
        if self.sockets >= self.limits.total_sockets {
            return Err(JoinError::ServiceFull);
        }
        let guests = members.map_or(0, |m| m.values().filter(|m| m.role == Role::Guest).count());
        if seat.role == Role::Guest && guests >= self.limits.guests_per_room {
            return Err(JoinError::GuestsFull);
        }
        if members.map_or(0, HashMap::len) >= self.limits.participants_per_room {
            return Err(JoinError::RoomFull);
        }
        Ok(())
    }

    pub fn join(
        &mut self,
        room: &str,
        seat: &Seat,
        connection: u64,
        sink: S,
    ) -> Result<Joined<S>, JoinError> {
        self.admits(room, seat)?;
        let identity = seat.identity;
        let members = self.rooms.entry(room.to_owned()).or_default();
        let replaced = members
            .insert(
                identity.to_owned(),
                Member {
                    role: seat.role,
                    device: seat.device.map(str::to_owned),
                    connection,
                    joined_at: crate::tokens::now(),
                    sink,
                },
            )
            .map(|old| old.sink);
        if replaced.is_none() {
            self.sockets += 1;
        }
        let others = members
            .iter()
            .filter(|(id, _)| id.as_str() != identity)
            .map(|(_, m)| m.sink.clone())
            .collect();
        Ok(Joined {
            roster: roster(
                members.iter().map(|(id, m)| (id.as_str(), m.role)),
                identity,
            ),
            others,
            replaced,
        })
    }

    /// Removes `identity` if `connection` still holds it (a replaced
    /// connection leaving must not remove its successor); returns who to tell.
    pub fn leave(&mut self, room: &str, identity: &str, connection: u64) -> Vec<S> {
        let Some(members) = self.rooms.get_mut(room) else {
            return Vec::new();
        };
        if members
            .get(identity)
            .is_none_or(|m| m.connection != connection)
        {
            return Vec::new();
        }
        members.remove(identity);
        self.sockets -= 1;
        let others = members.values().map(|m| m.sink.clone()).collect();
        if members.is_empty() {
            self.rooms.remove(room);
        }
        others
    }

    /// Who is in `room` (role, arrival in Unix seconds), for the dashboard.
    pub fn presence(&self, room: &str) -> Vec<(Role, u64)> {
        self.rooms
            .get(room)
            .map(|m| m.values().map(|m| (m.role, m.joined_at)).collect())
            .unwrap_or_default()
    }

    /// The members of `room` with `role`, to send them a notice.
    pub fn with_role(&self, room: &str, role: Role) -> Vec<S> {
        self.rooms
            .get(room)
            .map(|m| {
                m.values()
                    .filter(|m| m.role == role)
                    .map(|m| m.sink.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Everyone in `room` but `except`.
    pub fn all_but(&self, room: &str, except: &str) -> Vec<S> {
        self.rooms
            .get(room)
            .map(|m| {
                m.iter()
                    .filter(|(id, _)| id.as_str() != except)
                    .map(|(_, m)| m.sink.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `identity`'s socket in `room` if it is still `connection`.
    pub fn connection(&self, room: &str, identity: &str, connection: u64) -> Option<S> {
        let member = self.rooms.get(room)?.get(identity)?;
        (member.connection == connection).then(|| member.sink.clone())
    }

    /// Every member held here, for refreshing shared presence.
    pub fn members(&self) -> Vec<Held<'_>> {
        self.rooms
            .iter()
            .flat_map(|(room, members)| {
                members.iter().map(move |(identity, m)| Held {
                    room,
                    identity,
                    role: m.role,
                    device: m.device.as_deref(),
                    connection: m.connection,
                    joined_at: m.joined_at,
                })
            })
            .collect()
    }

    /// Empties `room`; returns every member, to be told and disconnected.
    pub fn end(&mut self, room: &str) -> Vec<S> {
        let members = self.rooms.remove(room).unwrap_or_default();
        self.sockets -= members.len();
        members.into_values().map(|m| m.sink).collect()
    }

    /// The member `to` in the same room, if any: relaying never crosses rooms.
    pub fn route(&self, room: &str, to: &str) -> Option<S> {
        self.rooms.get(room)?.get(to).map(|m| m.sink.clone())
    }
}

/// Everyone in a room but `except`, sorted by identity: what a joining
/// member is told, whether the room is held here or shared through Redis.
pub fn roster<'a>(
    members: impl IntoIterator<Item = (&'a str, Role)>,
    except: &str,
) -> Vec<Participant> {
    let mut roster: Vec<Participant> = members
        .into_iter()
        .filter(|(identity, _)| *identity != except)
        .map(|(identity, role)| Participant {
            identity: identity.to_owned(),
            role,
        })
        .collect();
    roster.sort_by(|a, b| a.identity.cmp(&b.identity));
    roster
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry<&'static str> {
        Registry::new(RoomLimits {
            participants_per_room: 4,
            guests_per_room: 2,
            total_sockets: 5,
        })
    }

    #[test]
    fn newcomers_get_the_roster_and_others_are_told() {
        let mut r = registry();
        let first = r.join("a", &seat("patient.1"), 1, "p").unwrap();
        assert!(first.roster.is_empty() && first.others.is_empty());
        let second = r.join("a", &seat("provider.c"), 2, "c").unwrap();
        assert_eq!(
            second.roster,
            vec![Participant {
                identity: "patient.1".into(),
                role: Role::Patient
            }]
        );
        assert_eq!(second.others, vec!["p"]);
        assert_eq!(r.sockets, 2);
    }

    #[test]
    fn relaying_stays_inside_the_room() {
        let mut r = registry();
        r.join("a", &seat("patient.1"), 1, "p").unwrap();
        r.join("b", &seat("patient.2"), 2, "q").unwrap();
        assert_eq!(r.route("a", "patient.1"), Some("p"));
        assert_eq!(r.route("a", "patient.2"), None);
    }

    #[test]
    fn the_same_identity_replaces_the_older_connection() {
        let mut r = registry();
        r.join("a", &seat("patient.1"), 1, "old").unwrap();
        let again = r.join("a", &seat("patient.1"), 2, "new").unwrap();
        assert_eq!(again.replaced, Some("old"));
        assert_eq!(r.sockets, 1);
        // The old connection's own leave must not remove the new one.
        assert!(r.leave("a", "patient.1", 1).is_empty());
        assert_eq!(r.route("a", "patient.1"), Some("new"));
        r.leave("a", "patient.1", 2);
        assert_eq!(r.sockets, 0);
        assert!(r.presence("a").is_empty());
    }

    #[test]
    fn only_the_same_device_replaces_a_patient() {
        let mut r = registry();
        let on = |device| Seat {
            device: Some(device),
            ..seat("patient.1")
        };
        r.join("a", &on("phone"), 1, "phone").unwrap();
        assert_eq!(
            r.join("a", &on("laptop"), 2, "laptop").unwrap_err(),
            JoinError::OpenElsewhere
        );
        assert_eq!(
            r.admits("a", &seat("patient.1")),
            Err(JoinError::OpenElsewhere),
            "no device at all is another device"
        );
        assert_eq!(r.route("a", "patient.1"), Some("phone"));
        let tab = r.join("a", &on("phone"), 3, "phone-tab").unwrap();
        assert_eq!(tab.replaced, Some("phone"));
        r.leave("a", "patient.1", 3);
        assert!(
            r.join("a", &on("laptop"), 4, "laptop").is_ok(),
            "once the patient has left, the link works anywhere"
        );
    }

    #[test]
    fn guests_are_capped_and_the_patient_and_clinician_always_fit() {
        let mut r = registry();
        for (i, id) in ["guest.1", "guest.2"].into_iter().enumerate() {
            r.join("a", &seat(id), i as u64, "s").unwrap();
        }
        assert_eq!(
            r.join("a", &seat("guest.3"), 9, "s").unwrap_err(),
            JoinError::GuestsFull
        );
        assert!(
            r.admits("a", &seat("guest.1")).is_ok(),
            "a member may always come back"
        );
        r.join("a", &seat("patient.p"), 3, "p").unwrap();
        r.join("a", &seat("provider.c"), 4, "c").unwrap();
        assert_eq!(r.admits("a", &seat("provider.d")), Err(JoinError::RoomFull));
        r.join("b", &seat("patient.q"), 10, "s").unwrap();
        assert_eq!(
            r.admits("c", &seat("patient.r")),
            Err(JoinError::ServiceFull)
        );
    }

    #[test]
    fn ending_a_room_removes_everyone_and_frees_their_sockets() {
        let mut r = registry();
        r.join("a", &seat("patient.1"), 1, "p").unwrap();
        r.join("a", &seat("provider.c"), 2, "c").unwrap();
        assert_eq!(r.presence("a").len(), 2);
        let mut ended = r.end("a");
        ended.sort_unstable();
        assert_eq!(ended, vec!["c", "p"]);
        assert_eq!(r.sockets, 0);
        assert!(r.presence("a").is_empty());
        assert!(
            r.leave("a", "patient.1", 1).is_empty(),
            "their own leave is then a no-op"
        );
    }

    #[test]
    fn leaving_tells_the_rest() {
        let mut r = registry();
        r.join("a", &seat("patient.1"), 1, "p").unwrap();
        r.join("a", &seat("provider.c"), 2, "c").unwrap();
        assert_eq!(r.leave("a", "provider.c", 2), vec!["p"]);
        let roles: Vec<Role> = r.presence("a").into_iter().map(|(role, _)| role).collect();
        assert_eq!(roles, [Role::Patient]);
    }
}
