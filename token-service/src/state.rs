//! The service's shared, read-only state, built once outside
//! `HttpServer::new` from validated settings.

use crate::accounts::{Accounts, DEMO_ID};
use crate::backend::Backend;
use crate::cluster::Cluster;
use crate::ids::{derive_key, VisitIds};
use crate::rate_limit;
use crate::rooms::RoomLimits;
use crate::settings::{Lifetimes, Settings, SettingsError};
use crate::tokens::{Signer, INVITE_AUDIENCE, ROOM_AUDIENCE, SESSION_AUDIENCE};
use api_types::VideoMode;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};
use std::net::IpAddr;
use std::sync::Arc;

/// Shared, read-only state, built once outside `HttpServer::new`.
#[derive(Debug)]
pub struct AppState {
    /// Which rooms visits use: the service's own, or Twilio's.
    pub backend: Backend,
    pub sessions: Signer,
    pub invites: Signer,
    /// Built-in room tokens, checked by the signalling endpoint.
    pub rooms: Signer,
    pub visit_ids: VisitIds,
    pub accounts: Arc<Accounts>,
    pub lifetimes: Lifetimes,
    pub trusted_proxies: Vec<IpAddr>,
    /// `None` when ops turned limits off (a gateway in front limits instead).
    pub limits: Option<rate_limit::RateLimits>,
    /// Places for password checks running at once: each argon2 check holds
    /// about 19 MiB, so a flood of sign-ins must wait its turn, not grow
    /// memory without bound.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// Visits ended for everyone: refused from then on.
    pub ended: crate::ended::EndedVisits,
    /// Interpreters and relatives at once in one visit: built-in rooms hold
    /// to it as sockets join, Twilio rooms as tokens are minted.
    pub guests_per_room: usize,
    /// Redis, when copies share rooms and ended visits (`REDIS_URL`).
    pub shared: Option<Arc<Cluster>>,
}

/// Password checks at once: twice the cores keeps them all busy.
fn password_check_places() -> usize {
    2 * std::thread::available_parallelism().map_or(1, usize::from)
}

/// The demo clinician made at start-up in built-in mode without accounts.
#[derive(Debug)]
pub struct DemoLogin {
    pub username: &'static str,
    pub password: String,
}

fn random_key() -> SecretSlice<u8> {
    let mut key = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    SecretSlice::from(key)
}

impl AppState {
    /// Runs inside the runtime: shared rooms connect to Redis here and
    /// start their background work.
    pub async fn build(settings: Settings) -> Result<(Self, Option<DemoLogin>), SettingsError> {
        let (shared, pushes) = match &settings.redis_url {
            Some(url) => {
                let (cluster, pushes) = Cluster::connect(url).await.map_err(|err| {
                    SettingsError::new("REDIS_URL", format!("Redis does not answer there: {err}"))
                })?;
                let cluster = Arc::new(cluster);
                if settings.video.mode() == VideoMode::Twilio {
                    // Only the ended-visit list is shared; the probe keeps
                    // `/healthz` honest.
                    cluster.keep_watch(Vec::new);
                }
                (Some(cluster), Some(pushes))
            }
            None => (None, None),
        };
        let (session_key, invite_key) = match (settings.session_key, settings.invite_key) {
            (Some(session), Some(invite)) => (session, invite),
            (session, invite) => {
                tracing::warn!(
                    "no SESSION_SIGNING_KEY/INVITE_SIGNING_KEY: using keys made at start-up; \
                     sessions and invites end when the service restarts"
                );
                (
                    session.unwrap_or_else(random_key),
                    invite.unwrap_or_else(random_key),
                )
            }
        };
        let (accounts, demo) = match &settings.clinicians_file {
            Some(path) => (Accounts::load(path)?, None),
            None => {
                let password = crate::ids::random_id();
                let accounts = Accounts::demo(&password);
                (
                    accounts,
                    Some(DemoLogin {
                        username: DEMO_ID,
                        password,
                    }),
                )
            }
        };
        let invite_key = invite_key.expose_secret();
        let limits = RoomLimits {
            total_sockets: settings.max_sockets,
            guests_per_room: settings.max_guests,
            ..RoomLimits::default()
        };
        let state = AppState {
            backend: Backend::new(
                settings.video,
                settings.ice,
                limits,
                shared.clone().zip(pushes),
            ),
            sessions: Signer::new(SESSION_AUDIENCE, session_key.expose_secret()),
            invites: Signer::new(INVITE_AUDIENCE, invite_key),
            rooms: Signer::new(ROOM_AUDIENCE, &derive_key(invite_key, ROOM_AUDIENCE)),
            visit_ids: VisitIds::new(derive_key(invite_key, "hearth-visit-id")),
            accounts: Arc::new(accounts),
            lifetimes: settings.lifetimes,
            trusted_proxies: settings.trusted_proxies,
            limits: settings.rate_limits.then(rate_limit::RateLimits::default),
            password_checks: Arc::new(tokio::sync::Semaphore::new(password_check_places())),
            ended: crate::ended::EndedVisits::new(shared.clone()),
            guests_per_room: settings.max_guests,
            shared,
        };
        Ok((state, demo))
    }

    pub fn video_mode(&self) -> VideoMode {
        self.backend.mode()
    }

    /// The SMS sender, when this clinic set one (Twilio mode only).
    pub fn sms_from(&self) -> Option<&str> {
        let (credentials, _) = self.backend.twilio()?;
        credentials.sms_from.as_deref()
    }
}
