//! One member's socket loop: join, relay, heartbeat, renewals, and leave.
//! Every write is bounded in time, and every frame counts against the
//! message budget.

use super::{mailbox, Inbox, Outbox};
use crate::rooms::{JoinError, Seat};
use crate::state::AppState;
use crate::tokens::{Claims, RoomExtra};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason};
use api_types::{close_code, ClientSignal, Role, ServerSignal};
use futures_util::StreamExt;
use std::time::{Duration, Instant};

pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Messages a socket may send in one second (SDP plus a burst of candidates).
pub const MESSAGES_PER_SECOND: u32 = 50;
const HEARTBEAT: Duration = Duration::from_secs(4);
/// A browser silent this long is gone; with the heartbeat it leaves the
/// roster well within 15 s.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// A browser that takes longer than this to accept one frame is not
/// reading: its socket is closed, so it cannot hold a place.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);
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

impl Member {
    pub fn seat(&self) -> Seat<'_> {
        Seat {
            identity: &self.identity,
            role: self.role,
            device: self.device.as_deref(),
        }
    }
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
    let roster = match signalling.join(&member, outbox.clone()).await {
        Ok(roster) => roster,
        Err(err) => {
            let code = if err == JoinError::OpenElsewhere {
                signalling.tell_clinicians_kept_out(&member.room).await;
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
    let welcome = ServerSignal::Welcome {
        identity: member.identity.clone(),
        role: member.role,
        roster,
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
    signalling.leave(&member).await;
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
                            Ok(ClientSignal::Signal { to, payload }) => match signalling.relay(member, to, payload).await {
                                Ok(true) => {}
                                Ok(false) => outbox.signal(refusal("unknown_peer", "That participant is not in this visit.")),
                                Err(_) => outbox.signal(refusal("unavailable", "That message could not be passed on just now.")),
                            },
                            Ok(ClientSignal::NoticeSeen) if member.role == Role::Patient => signalling.notice_seen(&member.room).await,
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
