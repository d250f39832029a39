//! The built-in rooms' signalling hub: membership, and relay of WebRTC
//! offers, answers and ICE candidates between members of one room, one
//! socket loop per member. The route that admits a socket is
//! `routes/rooms_ws.rs`.

use crate::rooms::{JoinError, Registry, RoomLimits, Seat};
use crate::state::AppState;
use crate::tokens::{Claims, RoomExtra};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use api_types::{close_code, ClientSignal, Participant, Role, ServerSignal};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Messages a socket may send in one second (SDP plus a burst of candidates).
pub const MESSAGES_PER_SECOND: u32 = 50;
const HEARTBEAT: Duration = Duration::from_secs(4);
/// A browser silent this long is gone; with the heartbeat it leaves the
/// roster well within 15 s.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages queued for one slow socket before it is dropped.
const OUTBOX: usize = 256;
/// A browser that takes longer than this to accept one frame is not
/// reading: its socket is closed, so it cannot hold a place.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

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
    registry: Mutex<Registry<Outbox>>,
    next_connection: AtomicU64,
    /// Dashboards waiting for a patient to confirm a notice, by room.
    notice_waiters: Mutex<HashMap<String, Vec<oneshot::Sender<()>>>>,
}

impl Signalling {
    pub fn new(limits: RoomLimits) -> Self {
        Self {
            registry: Mutex::new(Registry::new(limits)),
            next_connection: AtomicU64::new(1),
            notice_waiters: Mutex::default(),
        }
    }

    fn notice_waiters(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, Vec<oneshot::Sender<()>>>> {
        self.notice_waiters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Shows `text` to the patient waiting in `room`; true once their browser
    /// confirms within `wait`.
    pub async fn notify_patient(&self, room: &str, text: &str, wait: Duration) -> bool {
        let patients = self.registry().with_role(room, Role::Patient);
        if patients.is_empty() {
            return false;
        }
        let (seen, confirmed) = oneshot::channel();
        self.notice_waiters()
            .entry(room.to_owned())
            .or_default()
            .push(seen);
        for patient in &patients {
            patient.signal(ServerSignal::Notice {
                text: text.to_owned(),
            });
        }
        let delivered = matches!(tokio::time::timeout(wait, confirmed).await, Ok(Ok(())));
        if !delivered {
            if let Some(waiters) = self.notice_waiters().get_mut(room) {
                waiters.retain(|w| !w.is_closed());
            }
        }
        delivered
    }

    fn notice_seen(&self, room: &str) {
        for waiter in self.notice_waiters().remove(room).unwrap_or_default() {
            let _ = waiter.send(());
        }
    }

    /// Whether `seat` could join `room` now (checked before the upgrade).
    pub fn admits(&self, room: &str, seat: &Seat) -> Result<(), JoinError> {
        self.registry().admits(room, seat)
    }

    /// A number for a new socket, so a replaced one's leaving cannot
    /// remove its successor.
    pub fn next_connection(&self) -> u64 {
        self.next_connection.fetch_add(1, Ordering::Relaxed)
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry<Outbox>> {
        self.registry
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Who is in `room` now, with arrival times (for the clinician's dashboard).
    pub fn presence(&self, room: &str) -> Vec<(Role, u64)> {
        self.registry().presence(room)
    }

    /// Why `seat` could not join `room` now, if so. A patient's link kept
    /// out while the patient is there on another device is told to the
    /// clinicians in the room.
    pub fn refusal(&self, room: &str, seat: &Seat) -> Option<JoinError> {
        let refused = self.registry().admits(room, seat).err();
        if refused == Some(JoinError::OpenElsewhere) {
            self.tell_clinicians_kept_out(room);
        }
        refused
    }

    fn tell_clinicians_kept_out(&self, room: &str) {
        for clinician in self.registry().with_role(room, Role::Provider) {
            clinician.signal(ServerSignal::Notice {
                text: KEPT_OUT.to_owned(),
            });
        }
    }

    /// Ends `room` for everyone: each browser is told (4003) and disconnected.
    pub fn end(&self, room: &str) {
        for member in self.registry().end(room) {
            member.close(close_code::ROOM_ENDED, "the clinician ended the visit");
        }
    }
}

/// What a clinician is told when the patient's link is tried elsewhere.
const KEPT_OUT: &str = "Someone opened the patient's visit link on another device and was kept out. If your patient did not do this, end the visit and send a new link.";

/// Counts messages in one-second windows.
#[derive(Debug, Clone, Copy)]
pub struct MessageBudget {
    window: Instant,
    used: u32,
}

impl MessageBudget {
    pub fn new(now: Instant) -> Self {
        Self {
            window: now,
            used: 0,
        }
    }

    /// False once more than [`MESSAGES_PER_SECOND`] arrive within a second.
    pub fn spend(&mut self, now: Instant) -> bool {
        if now.duration_since(self.window) >= Duration::from_secs(1) {
            *self = Self::new(now);
        }
        self.used += 1;
        self.used <= MESSAGES_PER_SECOND
    }
}

/// One socket's member of a room, from its verified room token.
pub(crate) struct Member {
    pub room: String,
    pub identity: String,
    pub role: Role,
    pub device: Option<String>,
    pub connection: u64,
    /// Unix seconds when the room token runs out: the socket closes then.
    pub expires_at: u64,
}

/// Serves one upgraded socket until it closes: joins the room, relays,
/// keeps the heartbeat, and leaves.
pub(crate) async fn run(
    state: std::sync::Arc<AppState>,
    member: Member,
    mut session: actix_ws::Session,
    mut stream: actix_ws::AggregatedMessageStream,
) {
    let Some(signalling) = state.backend.built_in() else {
        return;
    };
    let (outbox, mut inbox) = mailbox();
    let seat = Seat {
        identity: &member.identity,
        role: member.role,
        device: member.device.as_deref(),
    };
    let joined = signalling
        .registry()
        .join(&member.room, &seat, member.connection, outbox.clone());
    let joined = match joined {
        Ok(joined) => joined,
        Err(err) => {
            let code = if err == JoinError::OpenElsewhere {
                signalling.tell_clinicians_kept_out(&member.room);
                close_code::OPEN_ELSEWHERE
            } else {
                close_code::POLICY
            };
            let _ = tokio::time::timeout(
                SEND_TIMEOUT,
                session.close(Some(close(code, &err.to_string()))),
            )
            .await;
            return;
        }
    };
    if let Some(replaced) = joined.replaced {
        replaced.close(close_code::REPLACED, "joined from another tab or device");
    }
    let me = Participant {
        identity: member.identity.clone(),
        role: member.role,
    };
    for other in &joined.others {
        other.signal(ServerSignal::Joined(me.clone()));
    }
    let welcome = ServerSignal::Welcome {
        identity: member.identity.clone(),
        role: member.role,
        roster: joined.roster,
    };
    let ended = serve(
        &state,
        &member,
        &mut session,
        &mut stream,
        &outbox,
        &mut inbox,
        welcome,
    )
    .await;
    let others = signalling
        .registry()
        .leave(&member.room, &member.identity, member.connection);
    for other in &others {
        other.signal(ServerSignal::Left {
            identity: member.identity.clone(),
        });
    }
    let _ = tokio::time::timeout(
        SEND_TIMEOUT,
        session.close(ended.map(|(code, why)| close(code, why))),
    )
    .await;
}

fn close(code: u16, description: &str) -> CloseReason {
    CloseReason {
        code: CloseCode::Other(code),
        description: Some(description.to_owned()),
    }
}

/// The socket's loop; returns how to close it (`None`: the browser closed).
async fn serve(
    state: &AppState,
    member: &Member,
    session: &mut actix_ws::Session,
    stream: &mut actix_ws::AggregatedMessageStream,
    outbox: &Outbox,
    inbox: &mut Inbox,
    welcome: ServerSignal,
) -> Option<(u16, &'static str)> {
    let not_reading = Some((close_code::POLICY, "not reading messages"));
    // Every write is bounded in time: a browser that stops reading must not
    // stall this loop, or its heartbeat and close notices never run.
    macro_rules! send_within {
        ($send:expr) => {
            match tokio::time::timeout(SEND_TIMEOUT, $send).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return None,
                Err(_) => return not_reading,
            }
        };
    }
    let signalling = state.backend.built_in()?;
    let text = |message: &ServerSignal| serde_json::to_string(message).expect("signals serialise");
    send_within!(session.text(text(&welcome)));
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    // An open socket outlives nothing its token would not: checked again
    // at the token's end, not only at the upgrade.
    let expiry = tokio::time::sleep(until(member.expires_at));
    tokio::pin!(expiry);
    let mut last_heard = Instant::now();
    let mut budget = MessageBudget::new(last_heard);
    loop {
        tokio::select! {
            incoming = stream.next() => {
                last_heard = Instant::now();
                // Every frame counts, pings and binary ones too.
                if !budget.spend(last_heard) {
                    return Some((close_code::POLICY, "too many messages"));
                }
                match incoming? {
                    Ok(AggregatedMessage::Text(body)) => {
                        match serde_json::from_str::<ClientSignal>(&body) {
                            Ok(ClientSignal::Signal { to, payload }) => {
                                let target = signalling.registry().route(&member.room, &to);
                                let relayed = ServerSignal::Signal { from: member.identity.clone(), payload };
                                match target {
                                    Some(target) => target.signal(relayed),
                                    None => outbox.signal(refusal("unknown_peer", "That participant is not in this visit.")),
                                }
                            }
                            Ok(ClientSignal::NoticeSeen) if member.role == Role::Patient => signalling.notice_seen(&member.room),
                            Ok(ClientSignal::Renew { token }) => match renewed_until(state, member, &token) {
                                Some(expires_at) => expiry.as_mut().reset(tokio::time::Instant::now() + until(expires_at)),
                                None => outbox.signal(refusal("renewal_refused", "That room token is not a valid renewal for this connection.")),
                            },
                            Ok(ClientSignal::NoticeSeen) | Err(_) => outbox.signal(refusal("invalid_message", "That message is not a signal.")),
                        }
                    }
                    Ok(AggregatedMessage::Ping(bytes)) => send_within!(session.pong(&bytes)),
                    Ok(AggregatedMessage::Close(_)) => return None,
                    Ok(_) => {}
                    Err(_) => return Some((close_code::POLICY, "message too large or malformed")),
                }
            }
            closing = inbox.closing.recv() => return closing,
            () = &mut expiry => return Some((close_code::EXPIRED, "the room token has expired")),
            outgoing = inbox.signals.recv() => send_within!(session.text(text(&outgoing?))),
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > IDLE_TIMEOUT {
                    return Some((close_code::IDLE, "no answer from the browser"));
                }
                send_within!(session.ping(b""));
            }
        }
    }
}

/// How long from now until `unix_seconds`.
fn until(unix_seconds: u64) -> Duration {
    Duration::from_secs(unix_seconds.saturating_sub(crate::tokens::now()))
}

/// The end of a renewal token, if it is valid and for this very member.
fn renewed_until(state: &AppState, member: &Member, token: &str) -> Option<u64> {
    let claims: Claims<RoomExtra> = state.rooms.verify(token).ok()?;
    let same = claims.registered.sub == member.identity
        && claims.extra.room == member.room
        && claims.extra.role == member.role
        && claims.extra.device == member.device;
    same.then_some(claims.registered.exp)
}

fn refusal(code: &str, message: &str) -> ServerSignal {
    ServerSignal::Error {
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_allows_a_burst_per_second() {
        let start = Instant::now();
        let mut budget = MessageBudget::new(start);
        for _ in 0..MESSAGES_PER_SECOND {
            assert!(budget.spend(start));
        }
        assert!(!budget.spend(start + Duration::from_millis(500)));
        assert!(budget.spend(start + Duration::from_millis(1_001)));
    }
}
