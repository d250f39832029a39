//! Copies of the service sharing built-in rooms and the ended-visit list
//! through Redis, when `REDIS_URL` is set. Presence lives in Redis with an
//! expiry that each copy refreshes for its own sockets, so a crashed
//! copy's members vanish within [`PRESENCE_LIFETIME`], and the next join or
//! dashboard poll of their room tells the others they left. Admission runs as
//! one atomic script, so room limits hold across copies. Each room's
//! deliveries go through its own pub/sub channel, which a copy follows
//! while it holds a member of the room or waits on one.

mod records;
mod scripts;

pub use records::{Delivery, MemberRecord};

use crate::rooms::{JoinError, Seat};
use api_types::{Participant, Role};
use records::{ended_key, members, room_of_channel, roster, RoomKeys};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{IntoConnectionInfo, ProtocolVersion, PushInfo, PushKind, RedisResult, Value};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a member stays present without its copy refreshing it.
pub const PRESENCE_LIFETIME: Duration = Duration::from_secs(15);
/// How often a copy refreshes its own members' presence.
const REFRESH_EVERY: Duration = Duration::from_secs(4);
/// How often a copy checks that Redis answers, which also reconnects.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// A room's keys outlive their last refresh by this much, then vanish.
const ROOM_KEY_LIFETIME: Duration = Duration::from_secs(30);

/// One member of this copy, as the refresh re-asserts it.
pub struct LocalMember {
    pub room: String,
    pub identity: String,
    pub record: MemberRecord,
}

/// What joining through Redis found: who was there, and whose place this
/// connection took over (another tab of the same device), if anyone's.
pub struct SharedJoin {
    pub roster: Vec<Participant>,
    pub replaced: Option<MemberRecord>,
}

pub struct Cluster {
    connection: ConnectionManager,
    /// This copy's name in member records: opaque, made at start-up.
    copy: String,
    healthy: AtomicBool,
    /// Why this copy follows each room's channel: its members and waiters.
    interest: tokio::sync::Mutex<HashMap<String, usize>>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").field("copy", &self.copy).finish()
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn presence_until() -> u64 {
    now_ms() + PRESENCE_LIFETIME.as_millis() as u64
}

fn seat_record(seat: &Seat, copy: &str, connection: u64) -> MemberRecord {
    MemberRecord {
        role: seat.role,
        device: seat.device.map(str::to_owned),
        copy: copy.to_owned(),
        connection: connection.to_string(),
        joined_at: crate::tokens::now(),
    }
}

/// A failed Redis call during a join: the newcomer is told to try again.
fn unavailable(err: redis::RedisError) -> JoinError {
    tracing::warn!(error = %err, "Redis call for a join failed");
    JoinError::Unavailable
}

impl Cluster {
    /// Connects and checks that Redis answers. The receiver yields what
    /// the room channels deliver; see [`Cluster::deliver_each`].
    pub async fn connect(
        url: &SecretString,
    ) -> RedisResult<(Self, mpsc::UnboundedReceiver<PushInfo>)> {
        let info = url.expose_secret().into_connection_info()?;
        let settings = info.redis_settings().clone();
        // RESP3 carries pub/sub on the command connection, and lets the
        // client resubscribe by itself after a reconnect.
        let info = info.set_redis_settings(settings.set_protocol(ProtocolVersion::RESP3));
        let client = redis::Client::open(info)?;
        let (pushes, received) = mpsc::unbounded_channel();
        let config = ConnectionManagerConfig::new()
            .set_push_sender(pushes)
            .set_automatic_resubscription()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1);
        let mut connection = client.get_connection_manager_with_config(config).await?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await?;
        let cluster = Self {
            connection,
            copy: crate::ids::random_id(),
            healthy: AtomicBool::new(true),
            interest: tokio::sync::Mutex::default(),
        };
        Ok((cluster, received))
    }

    /// This copy's opaque name, also shown by `/healthz`.
    pub fn copy(&self) -> &str {
        &self.copy
    }

    /// Whether Redis answered the last probe.
    pub fn healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    /// Probes Redis every second and refreshes this copy's members every
    /// few; after an outage the members are put back at once, since a
    /// restarted Redis holds none of them.
    pub fn keep_watch(self: &Arc<Self>, members: impl Fn() -> Vec<LocalMember> + Send + 'static) {
        let cluster = Arc::clone(self);
        tokio::spawn(async move {
            let mut probe = tokio::time::interval(PROBE_EVERY);
            let mut since_refresh = Duration::ZERO;
            loop {
                probe.tick().await;
                since_refresh += PROBE_EVERY;
                let answered = redis::cmd("PING")
                    .query_async::<String>(&mut cluster.connection())
                    .await
                    .is_ok();
                let was = cluster.healthy.swap(answered, Ordering::Relaxed);
                match (was, answered) {
                    (true, false) => tracing::warn!("Redis is unreachable: new joins wait"),
                    (false, true) => tracing::info!("Redis answers again"),
                    _ => {}
                }
                if answered && (!was || since_refresh >= REFRESH_EVERY) {
                    since_refresh = Duration::ZERO;
                    cluster.refresh(members()).await;
                }
            }
        });
    }

    async fn refresh(&self, members: Vec<LocalMember>) {
        let mut connection = self.connection();
        let until = presence_until();
        for member in members {
            let keys = RoomKeys::new(&member.room);
            let refreshed = keys
                .run(&scripts::REFRESH)
                .arg(&member.identity)
                .arg(member.record.to_json())
                .arg(until)
                .arg(ROOM_KEY_LIFETIME.as_millis() as u64)
                .arg(&member.record.copy)
                .arg(&member.record.connection)
                .invoke_async::<i64>(&mut connection)
                .await;
            if let Err(err) = refreshed {
                tracing::warn!(error = %err, "refreshing presence in Redis failed");
                return;
            }
        }
    }

    /// Hands each delivery on a room channel to `deliver`, with its room.
    pub fn deliver_each(
        mut pushes: mpsc::UnboundedReceiver<PushInfo>,
        deliver: impl Fn(&str, Delivery) + Send + 'static,
    ) {
        tokio::spawn(async move {
            while let Some(push) = pushes.recv().await {
                if push.kind != PushKind::Message {
                    continue;
                }
                let [Value::BulkString(channel), Value::BulkString(body)] = &push.data[..] else {
                    continue;
                };
                let channel = String::from_utf8_lossy(channel);
                let delivery = serde_json::from_slice::<Delivery>(body);
                if let (Some(room), Ok(delivery)) = (room_of_channel(&channel), delivery) {
                    deliver(room, delivery);
                }
            }
        });
    }

    /// Follows `room`'s channel until as many [`Cluster::release`]s.
    /// Serialised, so a follow and an unfollow of one room cannot cross.
    pub async fn hold(&self, room: &str) -> Result<(), JoinError> {
        let mut interest = self.interest.lock().await;
        let count = interest.entry(room.to_owned()).or_default();
        if *count == 0 {
            self.connection()
                .subscribe(RoomKeys::new(room).channel)
                .await
                .map_err(unavailable)?;
        }
        *count += 1;
        Ok(())
    }

    pub async fn release(&self, room: &str) {
        let mut interest = self.interest.lock().await;
        let Some(count) = interest.get_mut(room) else {
            return;
        };
        *count -= 1;
        if *count == 0 {
            interest.remove(room);
            if let Err(err) = self
                .connection()
                .unsubscribe(RoomKeys::new(room).channel)
                .await
            {
                tracing::warn!(error = %err, "leaving a room channel failed");
            }
        }
    }

    async fn admission(
        &self,
        room: &str,
        seat: &Seat<'_>,
        record: &MemberRecord,
        places: (usize, usize),
        mode: &str,
    ) -> Result<Vec<String>, JoinError> {
        if !self.healthy() {
            return Err(JoinError::Unavailable);
        }
        let keys = RoomKeys::new(room);
        let answer: Vec<String> = keys
            .run(&scripts::JOIN)
            .arg(now_ms())
            .arg(presence_until())
            .arg(seat.identity)
            .arg(record.to_json())
            .arg(places.0)
            .arg(places.1)
            .arg(ROOM_KEY_LIFETIME.as_millis() as u64)
            .arg(mode)
            .invoke_async(&mut self.connection())
            .await
            .map_err(unavailable)?;
        match answer.first().map(String::as_str) {
            Some("open_elsewhere") => Err(JoinError::OpenElsewhere),
            Some("guests_full") => Err(JoinError::GuestsFull),
            Some("room_full") => Err(JoinError::RoomFull),
            _ => Ok(answer),
        }
    }

    /// Whether `seat` could join `room` now, across every copy.
    /// `places`: the room's places, then its guests' places.
    pub async fn admits(
        &self,
        room: &str,
        seat: &Seat<'_>,
        places: (usize, usize),
    ) -> Result<(), JoinError> {
        let record = seat_record(seat, &self.copy, 0);
        self.admission(room, seat, &record, places, "check")
            .await
            .map(drop)
    }

    /// Takes `seat`'s place in `room` for this copy's `connection`.
    pub async fn join(
        &self,
        room: &str,
        seat: &Seat<'_>,
        connection: u64,
        places: (usize, usize),
    ) -> Result<SharedJoin, JoinError> {
        let record = seat_record(seat, &self.copy, connection);
        let answer = self.admission(room, seat, &record, places, "join").await?;
        let replaced = answer.get(1).and_then(|old| serde_json::from_str(old).ok());
        let present = members(answer.get(2..).unwrap_or_default());
        Ok(SharedJoin {
            roster: roster(&present, seat.identity),
            replaced,
        })
    }

    /// Gives up `identity`'s place if this copy's `connection` still holds
    /// it; true if so, and the others are to be told.
    pub async fn leave(&self, room: &str, identity: &str, connection: u64) -> bool {
        let keys = RoomKeys::new(room);
        let left = keys
            .run(&scripts::LEAVE)
            .arg(identity)
            .arg(&self.copy)
            .arg(connection.to_string())
            .invoke_async::<i64>(&mut self.connection())
            .await;
        left.inspect_err(|err| tracing::warn!(error = %err, "leaving a room in Redis failed"))
            .is_ok_and(|removed| removed == 1)
    }

    /// Who is in `room` across every copy (role, arrival in Unix seconds).
    pub async fn presence(&self, room: &str) -> RedisResult<Vec<(Role, u64)>> {
        let keys = RoomKeys::new(room);
        let fields: Vec<String> = keys
            .run(&scripts::PRESENCE)
            .arg(now_ms())
            .invoke_async(&mut self.connection())
            .await?;
        Ok(members(&fields)
            .into_iter()
            .map(|(_, record)| (record.role, record.joined_at))
            .collect())
    }

    /// Publishes `delivery` to every copy following `room`.
    pub async fn publish(&self, room: &str, delivery: &Delivery) -> RedisResult<()> {
        redis::cmd("PUBLISH")
            .arg(RoomKeys::new(room).channel)
            .arg(delivery.to_json())
            .query_async::<i64>(&mut self.connection())
            .await
            .map(drop)
    }

    /// Sends `delivery` on only if `to` is in `room` now; false if not.
    pub async fn relay(&self, room: &str, to: &str, delivery: &Delivery) -> RedisResult<bool> {
        let keys = RoomKeys::new(room);
        let sent: i64 = keys
            .run(&scripts::RELAY)
            .arg(now_ms())
            .arg(to)
            .arg(delivery.to_json())
            .invoke_async(&mut self.connection())
            .await?;
        Ok(sent == 1)
    }

    /// Empties `room` and tells every copy to disconnect its members, in
    /// one script. (Not a MULTI: a reply to it would swallow this copy's own
    /// copy of the message.)
    pub async fn end(&self, room: &str) -> RedisResult<()> {
        let keys = RoomKeys::new(room);
        keys.run(&scripts::END)
            .arg(Delivery::End.to_json())
            .invoke_async::<i64>(&mut self.connection())
            .await
            .map(drop)
    }

    /// Marks `room` ended for every copy, for `remember_for` seconds.
    pub async fn mark_ended(&self, room: &str, remember_for: u64) -> RedisResult<()> {
        redis::cmd("SET")
            .arg(ended_key(room))
            .arg(1)
            .arg("EX")
            .arg(remember_for)
            .query_async::<()>(&mut self.connection())
            .await
    }

    pub async fn is_ended(&self, room: &str) -> RedisResult<bool> {
        redis::cmd("EXISTS")
            .arg(ended_key(room))
            .query_async::<bool>(&mut self.connection())
            .await
    }
}
