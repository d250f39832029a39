//! A test tool: Twilio Video on loopback, for the unmodified `twilio-video`
//! SDK (through its `wsServer` option) and for the token service's REST
//! calls (through `TWILIO_VIDEO_API_URL`). Twilio's servers cannot be
//! reached from the test machines; this lets Hearth's Twilio path run the
//! real SDK against rooms that follow Twilio's rules, with real media
//! flowing browser to browser as in a Peer-to-Peer room.
//!
//! The protocol was read from the SDK's own source (docs/twilio.md, "Room
//! signalling, as the SDK speaks it"). It never ships in the service.

pub mod access;
pub mod participant;
mod rest;
pub mod rooms;
mod signalling;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use rooms::Rooms;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The account the emulator stands for.
#[derive(Debug, Clone)]
pub struct Config {
    pub api_key_sid: String,
    /// Signs access tokens and authenticates REST calls, as at Twilio.
    pub api_key_secret: String,
    /// The most participants a room takes (Twilio's Peer-to-Peer rooms: 10).
    pub max_participants: usize,
    /// How long a participant whose connection dropped stays `reconnecting`
    /// before it is disconnected (Twilio: the 30 s session timeout).
    pub reconnect_window: std::time::Duration,
}

#[derive(Clone)]
pub(crate) struct Shared {
    config: Arc<Config>,
    rooms: Arc<Mutex<Rooms>>,
    /// Seconds the emulator's clock runs ahead of this machine's.
    ahead: Arc<AtomicU64>,
    /// Until when reconnects (`sync`) are turned away.
    refuse_reconnects_until: Arc<Mutex<Option<Instant>>>,
}

impl Shared {
    fn rooms(&self) -> MutexGuard<'_, Rooms> {
        self.rooms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn refusing_reconnects(&self) -> bool {
        let until = self
            .refuse_reconnects_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        until.is_some_and(|until| Instant::now() < until)
    }

    fn now(&self) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        now + self.ahead.load(Ordering::Relaxed)
    }
}

/// A running emulator.
pub struct Emulator {
    /// For `TWILIO_VIDEO_API_URL`.
    pub rest_url: String,
    /// For the SDK's `wsServer` option.
    pub signalling_url: String,
    shared: Shared,
}

impl Emulator {
    /// Serves on a free loopback port from the current Tokio runtime.
    pub fn start(config: Config) -> Self {
        let shared = Shared {
            rooms: Arc::new(Mutex::new(Rooms::new(config.max_participants))),
            config: Arc::new(config),
            ahead: Arc::new(AtomicU64::new(0)),
            refuse_reconnects_until: Arc::default(),
        };
        let state = web::Data::new(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/signaling", web::get().to(socket))
                .configure(rest::configure)
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind a free loopback port");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self {
            rest_url: format!("http://127.0.0.1:{port}"),
            signalling_url: format!("ws://127.0.0.1:{port}/signaling"),
            shared,
        }
    }

    /// Moves the emulator's clock `seconds` ahead, so tokens minted now
    /// arrive expired.
    pub fn run_clock_ahead(&self, seconds: u64) {
        self.shared.ahead.store(seconds, Ordering::Relaxed);
    }

    /// Breaks `identity`'s signalling connection as a network drop would,
    /// and turns its reconnects away for `outage`: the SDK shows the room
    /// reconnecting, then takes its place back with `sync`. False if no one
    /// has that identity.
    pub fn drop_signalling(&self, identity: &str, outage: Duration) -> bool {
        *self
            .shared
            .refuse_reconnects_until
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Instant::now() + outage);
        self.shared.rooms().drop_connection(identity)
    }

    /// The rooms in progress, by name.
    pub fn room_names(&self) -> Vec<String> {
        self.shared
            .rooms()
            .in_progress()
            .map(|room| room.name.clone())
            .collect()
    }

    /// The first participant whose identity starts with `prefix`
    /// (`"patient."`): (its room's name, its identity).
    pub fn participant(&self, prefix: &str) -> Option<(String, String)> {
        self.shared.rooms().in_progress().find_map(|room| {
            room.present()
                .into_iter()
                .find(|p| p.identity.starts_with(prefix))
                .map(|p| (room.name.clone(), p.identity))
        })
    }
}

async fn socket(
    request: HttpRequest,
    body: web::Payload,
    shared: web::Data<Shared>,
) -> actix_web::Result<HttpResponse> {
    let (response, session, stream) = actix_ws::handle(&request, body)?;
    actix_web::rt::spawn(signalling::run(shared.get_ref().clone(), session, stream));
    Ok(response)
}
