//! The built-in rooms' signalling hub: membership, and relay of WebRTC
//! offers, answers and ICE candidates between members of one room, one
//! socket loop per member. The route that admits a socket is
//! `routes/rooms_ws.rs`. With `REDIS_URL` the rooms are shared by every
//! copy (`cluster/`): this copy's own sockets stay here, and what happens
//! in a room reaches them as a [`Delivery`], from whichever copy it began on.

mod socket;

pub(crate) use socket::{run, Member};
pub use socket::{MessageBudget, MAX_MESSAGE_BYTES, MESSAGES_PER_SECOND};

use crate::cluster::{Cluster, Delivery, LocalMember, MemberRecord};
use crate::rooms::{JoinError, Registry, RoomLimits, Seat};
use api_types::{close_code, LateNotice, Participant, Role, ServerSignal};
use redis::PushInfo;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Messages queued for one slow socket before it is dropped.
const OUTBOX: usize = 256;

/// How a socket's loop is reached from elsewhere: signals go through a
/// bounded queue; a close notice has a lane of its own, so a full queue
/// can never drop it.
#[derive(Debug, Clone)]
struct Outbox {
    signals: mpsc::Sender<ServerSignal>,
    closing: mpsc::Sender<(u16, &'static str)>,
}

impl Outbox {
    /// Queues a signal; a queue that is full belongs to a socket that is
    /// not reading, which is closed instead.
    fn signal(&self, message: ServerSignal) {
        if self.signals.try_send(message).is_err() {
            self.close(close_code::POLICY, "not reading messages");
        }
    }

    /// Asks the socket to close; the first reason given wins.
    fn close(&self, code: u16, why: &'static str) {
        let _ = self.closing.try_send((code, why));
    }
}

/// The receiving ends of an [`Outbox`], owned by its socket's loop.
struct Inbox {
    signals: mpsc::Receiver<ServerSignal>,
    closing: mpsc::Receiver<(u16, &'static str)>,
}

fn mailbox() -> (Outbox, Inbox) {
    let (signals, signals_in) = mpsc::channel(OUTBOX);
    let (closing, closing_in) = mpsc::channel(1);
    (
        Outbox { signals, closing },
        Inbox {
            signals: signals_in,
            closing: closing_in,
        },
    )
}

#[derive(Debug)]
pub struct Signalling {
    local: Arc<Local>,
    next_connection: AtomicU64,
    limits: RoomLimits,
    /// Set when copies share rooms through Redis.
    shared: Option<Arc<Cluster>>,
}

/// The sockets this copy holds, and the dashboards waiting on a notice.
#[derive(Debug)]
struct Local {
    registry: Mutex<Registry<Outbox>>,
    /// Dashboards waiting for a patient to confirm a notice, by room.
    notice_waiters: Mutex<HashMap<String, Vec<oneshot::Sender<()>>>>,
}

impl Local {
    fn registry(&self) -> MutexGuard<'_, Registry<Outbox>> {
        self.registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn notice_waiters(&self) -> MutexGuard<'_, HashMap<String, Vec<oneshot::Sender<()>>>> {
        self.notice_waiters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Acts on `delivery` for the sockets held here; `copy` is this copy's
    /// name, so only its own replaced connection is closed.
    fn deliver(&self, copy: &str, room: &str, delivery: Delivery) {
        let mut registry = self.registry();
        let (members, signal) = match delivery {
            Delivery::To { identity, signal } => (
                registry.route(room, &identity).into_iter().collect(),
                signal,
            ),
            Delivery::AllBut { identity, signal } => (registry.all_but(room, &identity), signal),
            Delivery::Role { role, signal } => (registry.with_role(room, role), signal),
            Delivery::Replaced {
                identity,
                copy: holder,
                connection,
            } => {
                let held = connection.parse().ok().filter(|_| holder == copy);
                if let Some(member) = held.and_then(|n| registry.connection(room, &identity, n)) {
                    member.close(close_code::REPLACED, REPLACED_WHY);
                }
                return;
            }
            Delivery::End => {
                for member in registry.end(room) {
                    member.close(close_code::ROOM_ENDED, "the clinician ended the visit");
                }
                return;
            }
            Delivery::NoticeSeen => {
                for waiter in self.notice_waiters().remove(room).unwrap_or_default() {
                    let _ = waiter.send(());
                }
                return;
            }
        };
        drop(registry);
        for member in members {
            member.signal(signal.clone());
        }
    }

    /// The members held here, as shared presence records them.
    fn members(&self, copy: &str) -> Vec<LocalMember> {
        self.registry()
            .members()
            .into_iter()
            .map(|held| LocalMember {
                room: held.room.to_owned(),
                identity: held.identity.to_owned(),
                record: MemberRecord {
                    role: held.role,
                    device: held.device.map(str::to_owned),
                    copy: copy.to_owned(),
                    connection: held.connection.to_string(),
                    joined_at: held.joined_at,
                },
            })
            .collect()
    }
}

const REPLACED_WHY: &str = "joined from another tab or device";

impl Signalling {
    /// Rooms in this copy's memory, or shared through `shared` with the
    /// copy's deliveries arriving on `pushes`. Shared rooms start their
    /// background work here, so this runs inside the runtime.
    pub fn new(
        limits: RoomLimits,
        shared: Option<(Arc<Cluster>, mpsc::UnboundedReceiver<PushInfo>)>,
    ) -> Self {
        let local = Arc::new(Local {
            registry: Mutex::new(Registry::new(limits)),
            notice_waiters: Mutex::default(),
        });
        let shared = shared.map(|(cluster, pushes)| {
            let copy = cluster.copy().to_owned();
            let delivering = Arc::clone(&local);
            Cluster::deliver_each(pushes, move |room, delivery| {
                delivering.deliver(&copy, room, delivery);
            });
            let copy = cluster.copy().to_owned();
            let held = Arc::clone(&local);
            cluster.keep_watch(move || held.members(&copy));
            cluster
        });
        Self {
            local,
            next_connection: AtomicU64::new(1),
            limits,
            shared,
        }
    }

    /// The room's places, then its guests' places.
    fn places(&self) -> (usize, usize) {
        (
            self.limits.participants_per_room,
            self.limits.guests_per_room,
        )
    }

    /// Hands `delivery` to whichever copies hold the room's members.
    async fn send(&self, room: &str, delivery: Delivery) {
        match &self.shared {
            Some(cluster) => {
                if let Err(err) = cluster.publish(room, &delivery).await {
                    tracing::warn!(error = %err, "publishing to a room failed");
                }
            }
            None => self.local.deliver("", room, delivery),
        }
    }

    /// Shows `notice` to the patient waiting in `room`; true once their
    /// browser confirms within `wait`.
    pub async fn notify_patient(&self, room: &str, notice: &LateNotice, wait: Duration) -> bool {
        let waiting = self
            .presence(room)
            .await
            .is_ok_and(|members| members.iter().any(|(role, _)| *role == Role::Patient));
        if !waiting {
            return false;
        }
        // The confirmation may come through another copy: follow the room.
        if let Some(cluster) = &self.shared {
            if cluster.hold(room).await.is_err() {
                return false;
            }
        }
        let (seen, confirmed) = oneshot::channel();
        self.local
            .notice_waiters()
            .entry(room.to_owned())
            .or_default()
            .push(seen);
        let signal = ServerSignal::Notice(notice.clone());
        let role = Role::Patient;
        self.send(room, Delivery::Role { role, signal }).await;
        let delivered = matches!(tokio::time::timeout(wait, confirmed).await, Ok(Ok(())));
        if !delivered {
            if let Some(waiters) = self.local.notice_waiters().get_mut(room) {
                waiters.retain(|w| !w.is_closed());
            }
        }
        if let Some(cluster) = &self.shared {
            cluster.release(room).await;
        }
        delivered
    }

    /// Whether `seat` could join `room` now (checked before the upgrade):
    /// this copy's sockets, then the shared room.
    pub async fn admits(&self, room: &str, seat: &Seat<'_>) -> Result<(), JoinError> {
        self.local.registry().admits(room, seat)?;
        match &self.shared {
            Some(cluster) => cluster.admits(room, seat, self.places()).await,
            None => Ok(()),
        }
    }

    /// A number for a new socket, so a replaced one's leaving cannot
    /// remove its successor.
    pub fn next_connection(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    /// Who is in `room` now, with arrival times (for the clinician's dashboard).
    pub async fn presence(&self, room: &str) -> redis::RedisResult<Vec<(Role, u64)>> {
        match &self.shared {
            Some(cluster) => cluster.presence(room).await,
            None => Ok(self.local.registry().presence(room)),
        }
    }

    /// Why `seat` could not join `room` now, if so. A patient's link kept
    /// out while the patient is there on another device is told to the
    /// clinicians in the room.
    pub async fn refusal(&self, room: &str, seat: &Seat<'_>) -> Option<JoinError> {
        let refused = self.admits(room, seat).await.err();
        if refused == Some(JoinError::OpenElsewhere) {
            self.tell_clinicians_kept_out(room).await;
        }
        refused
    }

    async fn tell_clinicians_kept_out(&self, room: &str) {
        let (role, signal) = (Role::Provider, ServerSignal::KeptOut);
        self.send(room, Delivery::Role { role, signal }).await;
    }

    /// Ends `room` for everyone: each browser is told (4003) and disconnected.
    pub async fn end(&self, room: &str) -> redis::RedisResult<()> {
        match &self.shared {
            Some(cluster) => cluster.end(room).await,
            None => {
                self.local.deliver("", room, Delivery::End);
                Ok(())
            }
        }
    }

    /// Seats `member`, reached through `outbox`: replaces its older tab and
    /// tells the others. Returns who was already there.
    async fn join(&self, member: &Member, outbox: Outbox) -> Result<Vec<Participant>, JoinError> {
        let (room, identity) = (member.room.as_str(), member.identity.as_str());
        let seat = member.seat();
        let me = Participant {
            identity: identity.to_owned(),
            role: member.role,
        };
        let Some(cluster) = &self.shared else {
            let joined = self
                .local
                .registry()
                .join(room, &seat, member.connection, outbox)?;
            if let Some(replaced) = joined.replaced {
                replaced.close(close_code::REPLACED, REPLACED_WHY);
            }
            for other in &joined.others {
                other.signal(ServerSignal::Joined(me.clone()));
            }
            return Ok(joined.roster);
        };
        cluster.hold(room).await?;
        let places = self.places();
        let joined = match cluster.join(room, &seat, member.connection, places).await {
            Ok(joined) => joined,
            Err(err) => {
                cluster.release(room).await;
                return Err(err);
            }
        };
        let here = self
            .local
            .registry()
            .join(room, &seat, member.connection, outbox);
        let here = match here {
            Ok(here) => here,
            Err(err) => {
                cluster.leave(room, identity, member.connection).await;
                cluster.release(room).await;
                return Err(err);
            }
        };
        match (here.replaced, joined.replaced) {
            (Some(replaced), _) => replaced.close(close_code::REPLACED, REPLACED_WHY),
            (None, Some(old)) if old.copy != cluster.copy() => {
                let (copy, connection) = (old.copy, old.connection);
                let identity = identity.to_owned();
                let replaced = Delivery::Replaced {
                    identity,
                    copy,
                    connection,
                };
                self.send(room, replaced).await;
            }
            _ => {}
        }
        let identity = identity.to_owned();
        let signal = ServerSignal::Joined(me);
        self.send(room, Delivery::AllBut { identity, signal }).await;
        Ok(joined.roster)
    }

    /// Gives up `member`'s place, if it still holds it, and tells the others.
    async fn leave(&self, member: &Member) {
        let (room, identity) = (member.room.as_str(), member.identity.as_str());
        let others = self
            .local
            .registry()
            .leave(room, identity, member.connection);
        let left = ServerSignal::Left {
            identity: identity.to_owned(),
        };
        let Some(cluster) = &self.shared else {
            for other in &others {
                other.signal(left.clone());
            }
            return;
        };
        if cluster.leave(room, identity, member.connection).await {
            let identity = identity.to_owned();
            let signal = left;
            self.send(room, Delivery::AllBut { identity, signal }).await;
        }
        cluster.release(room).await;
    }

    /// Sends `payload` from `member` to `to` in the same room; false if
    /// `to` is not there, an error if shared rooms cannot be reached.
    async fn relay(
        &self,
        member: &Member,
        to: String,
        payload: serde_json::Value,
    ) -> redis::RedisResult<bool> {
        let signal = ServerSignal::Signal {
            from: member.identity.clone(),
            payload,
        };
        match &self.shared {
            Some(cluster) => {
                let delivery = Delivery::To {
                    identity: to.clone(),
                    signal,
                };
                cluster.relay(&member.room, &to, &delivery).await
            }
            None => {
                let target = self.local.registry().route(&member.room, &to);
                Ok(target.map(|target| target.signal(signal)).is_some())
            }
        }
    }

    /// A patient confirmed a notice: the dashboards waiting on it hear so.
    async fn notice_seen(&self, room: &str) {
        self.send(room, Delivery::NoticeSeen).await;
    }
}
