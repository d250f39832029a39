//! The built-in rooms' signalling hub: membership, and relay of WebRTC
//! offers, answers and ICE candidates between members of one room, one
//! socket loop per member. The route that admits a socket is
//! `routes/rooms_ws.rs`.

mod socket;

pub(crate) use socket::{run, Member};
pub use socket::{MessageBudget, MAX_MESSAGE_BYTES, MESSAGES_PER_SECOND};

use crate::rooms::{JoinError, Registry, RoomLimits, Seat};
use api_types::{close_code, LateNotice, Role, ServerSignal};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
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

    /// Shows `notice` to the patient waiting in `room`; true once their
    /// browser confirms within `wait`.
    pub async fn notify_patient(&self, room: &str, notice: &LateNotice, wait: Duration) -> bool {
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
            patient.signal(ServerSignal::Notice(notice.clone()));
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
            clinician.signal(ServerSignal::KeptOut);
        }
    }

    /// Ends `room` for everyone: each browser is told (4003) and disconnected.
    pub fn end(&self, room: &str) {
        for member in self.registry().end(room) {
            member.close(close_code::ROOM_ENDED, "the clinician ended the visit");
        }
    }
}
