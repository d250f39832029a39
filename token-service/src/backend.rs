//! The video backend this copy of the service runs: its own rooms, or
//! Twilio's. One type, so "neither" cannot happen; it mirrors the SPA's
//! `VideoRoom`. Handlers ask it who is in a room, to end a room, to carry a
//! notice, whether a newcomer may enter, and for the newcomer's token.

use crate::cluster::Cluster;
use crate::rooms::{JoinError, RoomLimits, Seat};
use crate::settings::{IceSettings, TwilioCredentials, VideoSettings};
use crate::signalling::Signalling;
use crate::tokens::{Claims, RoomExtra, Signer};
use crate::twilio_rest::{Members, RestError, TwilioRest};
use api_types::LateNotice;
use api_types::{IceServer, Role, VideoMode};
use redis::PushInfo;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Why a backend could not say who is in a room or end it.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Twilio(#[from] RestError),
    #[error("shared rooms: {0}")]
    Shared(#[from] redis::RedisError),
}

pub enum Backend {
    /// Rooms run here: WebSocket signalling, peer-to-peer media.
    BuiltIn { rooms: Signalling, ice: IceSettings },
    /// Rooms run at Twilio; its REST API says who is in them.
    Twilio {
        credentials: TwilioCredentials,
        rest: Box<TwilioRest>,
    },
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.mode().as_str())
    }
}

/// A token for one seat in one room, with what its browser needs.
pub struct Minted {
    pub token: String,
    /// The token's id, for the audit trail.
    pub token_id: String,
    pub ice_servers: Vec<IceServer>,
}

/// How a notice reached, or will reach, the waiting patient.
pub struct Notified {
    /// The patient's browser confirmed it (built-in rooms).
    pub delivered: bool,
    /// The dashboard should carry it into the room itself (Twilio, and only
    /// while a patient waits: joining an empty room would create it).
    pub deliver_from_dashboard: bool,
}

impl Backend {
    /// `shared`: Redis and this copy's deliveries, when copies share rooms.
    pub fn new(
        video: VideoSettings,
        ice: IceSettings,
        limits: RoomLimits,
        shared: Option<(Arc<Cluster>, mpsc::UnboundedReceiver<PushInfo>)>,
    ) -> Self {
        match video {
            VideoSettings::Local => Backend::BuiltIn {
                rooms: Signalling::new(limits, shared),
                ice,
            },
            VideoSettings::Twilio(credentials) => Backend::Twilio {
                rest: Box::new(TwilioRest::new(&credentials)),
                credentials,
            },
        }
    }

    pub fn mode(&self) -> VideoMode {
        match self {
            Backend::BuiltIn { .. } => VideoMode::Local,
            Backend::Twilio { .. } => VideoMode::Twilio,
        }
    }

    /// The built-in rooms, for their signalling socket.
    pub fn built_in(&self) -> Option<&Signalling> {
        match self {
            Backend::BuiltIn { rooms, .. } => Some(rooms),
            Backend::Twilio { .. } => None,
        }
    }

    /// Twilio's REST API, for text messages; `None` in built-in mode.
    pub fn twilio(&self) -> Option<(&TwilioCredentials, &TwilioRest)> {
        match self {
            Backend::BuiltIn { .. } => None,
            Backend::Twilio { credentials, rest } => Some((credentials, rest)),
        }
    }

    /// A patient's identity, from the invite's (`patient.<invite>`) and the
    /// device's tag. Built-in rooms keep one identity per invite, so another
    /// tab takes the place over and the room keeps other devices out. Twilio
    /// replaces any same identity itself (53205), so each device gets its
    /// own and [`Backend::refusal`] checks who is in the room.
    pub fn patient_identity(&self, patient: String, device_tag: &str) -> String {
        match self {
            Backend::BuiltIn { .. } => patient,
            Backend::Twilio { .. } => format!("{patient}.{device_tag}"),
        }
    }

    /// When a clinician's room token ends, given their session's idle and
    /// absolute ends. Built-in: the idle end; the call renews the token over
    /// its socket while the clinician's app keeps the session alive. Twilio:
    /// the SDK re-presents its first token on every reconnect (20104 once
    /// expired) and takes no new one, so it must last the visit.
    pub fn clinician_token_end(&self, idle_end: u64, absolute_end: u64) -> u64 {
        match self {
            Backend::BuiltIn { .. } => idle_end,
            Backend::Twilio { .. } => absolute_end,
        }
    }

    /// Who is in each named room, in order.
    pub async fn presence(&self, rooms: &[String]) -> Result<Vec<Members>, BackendError> {
        match self {
            Backend::BuiltIn {
                rooms: built_in, ..
            } => {
                let mut members = Vec::with_capacity(rooms.len());
                for room in rooms {
                    members.push(built_in.presence(room).await?);
                }
                Ok(members)
            }
            Backend::Twilio { rest, .. } => Ok(rest.presence(rooms).await?),
        }
    }

    /// Ends the room for everyone in it, who are told why.
    pub async fn end(&self, room: &str) -> Result<(), BackendError> {
        match self {
            Backend::BuiltIn { rooms, .. } => Ok(rooms.end(room).await?),
            Backend::Twilio { rest, .. } => Ok(rest.end(room).await?),
        }
    }

    /// Shows `notice` to the patient waiting in `room`.
    pub async fn notify(&self, room: &str, notice: &LateNotice, wait: Duration) -> Notified {
        match self {
            Backend::BuiltIn { rooms, .. } => Notified {
                delivered: rooms.notify_patient(room, notice, wait).await,
                deliver_from_dashboard: false,
            },
            Backend::Twilio { rest, .. } => Notified {
                delivered: false,
                deliver_from_dashboard: rest.patient_waiting(room).await.unwrap_or_else(|err| {
                    tracing::warn!(error = %err, "Twilio presence for a notice failed");
                    false
                }),
            },
        }
    }

    /// Why `seat` may not enter `room` now, if so: a patient's link on
    /// another device while the patient is there (a copied link must not
    /// push the patient out), or one guest too many. Built-in rooms check
    /// again as the socket joins.
    pub async fn refusal(&self, room: &str, seat: &Seat<'_>, guests: usize) -> Option<JoinError> {
        if seat.role == Role::Provider {
            return None;
        }
        match self {
            Backend::BuiltIn { rooms, .. } => rooms.refusal(room, seat).await,
            Backend::Twilio { rest, .. } => match rest.identities_in(room).await {
                Ok(present) => twilio_refusal(seat, &present, guests),
                Err(err) => {
                    // Twilio's own rules still hold; only these checks are skipped.
                    tracing::warn!(error = %err, "Twilio presence for a token failed");
                    None
                }
            },
        }
    }

    /// A token for `seat` in `room`, valid from `now` for `ttl` seconds.
    pub fn mint(&self, rooms: &Signer, seat: &Seat<'_>, room: &str, now: u64, ttl: u64) -> Minted {
        match self {
            Backend::Twilio { credentials, .. } => Minted {
                token: crate::twilio::access_token(credentials, seat.identity, room, now, ttl),
                token_id: format!("{}-{now}", credentials.api_key),
                ice_servers: Vec::new(),
            },
            Backend::BuiltIn { ice, .. } => {
                let registered = rooms.registered(seat.identity, now, now, now + ttl);
                let token_id = registered.jti.clone();
                let extra = RoomExtra {
                    room: room.to_owned(),
                    role: seat.role,
                    device: seat.device.map(str::to_owned),
                };
                Minted {
                    token: rooms.sign(&Claims { registered, extra }),
                    token_id,
                    ice_servers: crate::ice::ice_servers(ice, seat.identity, now + ttl),
                }
            }
        }
    }
}

/// The rules of [`Backend::refusal`] for a Twilio room, from who is in it
/// now. Each patient device is its own identity there (`patient.<invite>.<tag>`).
fn twilio_refusal(
    seat: &Seat<'_>,
    present: &[String],
    guests_per_room: usize,
) -> Option<JoinError> {
    match seat.role {
        Role::Patient => {
            let (patient, _) = seat.identity.rsplit_once('.')?;
            present
                .iter()
                .any(|other| {
                    other != seat.identity
                        && other
                            .strip_prefix(patient)
                            .is_some_and(|tag| tag.starts_with('.'))
                })
                .then_some(JoinError::OpenElsewhere)
        }
        Role::Guest => {
            let guests = present
                .iter()
                .filter(|other| Role::from_identity(other) == Some(Role::Guest))
                .count();
            (guests >= guests_per_room).then_some(JoinError::GuestsFull)
        }
        Role::Provider => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rooms::seat;

    fn present(identities: &[&str]) -> Vec<String> {
        identities.iter().map(|&i| i.to_owned()).collect()
    }

    #[test]
    fn a_twilio_room_keeps_the_patients_place_and_caps_guests() {
        let here = present(&["patient.inv.phone", "provider.c", "guest.a", "guest.b"]);
        assert_eq!(
            twilio_refusal(&seat("patient.inv.phone"), &here, 3),
            None,
            "its own tab"
        );
        assert_eq!(
            twilio_refusal(&seat("patient.inv.laptop"), &here, 3),
            Some(JoinError::OpenElsewhere)
        );
        let other_visit = present(&["patient.invoice.phone", "patient.in.phone"]);
        assert_eq!(
            twilio_refusal(&seat("patient.inv.laptop"), &other_visit, 3),
            None
        );

        assert_eq!(twilio_refusal(&seat("guest.c"), &here, 3), None);
        assert_eq!(
            twilio_refusal(&seat("guest.c"), &here, 2),
            Some(JoinError::GuestsFull)
        );
        assert_eq!(twilio_refusal(&seat("provider.d"), &here, 0), None);
    }
}
