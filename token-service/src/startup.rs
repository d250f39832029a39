//! Builds the state and the HTTP server. `configure` is the single route
//! table, shared by `main` and the tests, so the tests exercise what ships.

use crate::accounts::{Accounts, DEMO_ID};
use crate::auth::{INVITE_AUDIENCE, ROOM_AUDIENCE, SESSION_AUDIENCE};
use crate::error::{self, catch_panics, json_config};
use crate::ids::{derive_key, VisitIds};
use crate::page_policy::NOTHING_POLICY;
use crate::rate_limit::{self, Bucket};
use crate::rooms::RoomLimits;
use crate::settings::{Lifetimes, Settings, SettingsError, VideoSettings};
use crate::signalling::{self, Signalling};
use crate::tokens::Signer;
use crate::twilio_rest::TwilioRest;
use crate::{health::health, sessions, video_tokens, visits};
use actix_cors::Cors;
use actix_files::Files;
use actix_web::http::header;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{dev::Server, web, App, HttpServer};
use api_types::VideoMode;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};
use std::net::{IpAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

/// Shared, read-only state, built once outside `HttpServer::new`.
#[derive(Debug)]
pub struct AppState {
    pub video: VideoSettings,
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
    /// Built-in rooms; `None` in Twilio mode.
    pub signalling: Option<Signalling>,
    /// Twilio's REST API, for presence and ending rooms; `None` in built-in mode.
    pub twilio_rest: Option<crate::twilio_rest::TwilioRest>,
    pub ice: crate::settings::IceSettings,
    /// Places for password checks running at once: each argon2 check holds
    /// about 19 MiB, so a flood of sign-ins must wait its turn, not grow
    /// memory without bound.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// Visits ended for everyone: refused from then on.
    pub ended: crate::ended::EndedVisits,
    /// Interpreters and relatives at once in one visit: built-in rooms hold
    /// to it as sockets join, Twilio rooms as tokens are minted.
    pub guests_per_room: usize,
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

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

fn random_key() -> SecretSlice<u8> {
    let mut key = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    SecretSlice::from(key)
}

impl AppState {
    pub fn build(settings: Settings) -> Result<(Self, Option<DemoLogin>), SettingsError> {
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
        let local = settings.video.mode() == VideoMode::Local;
        let twilio_rest = match &settings.video {
            VideoSettings::Twilio(credentials) => Some(TwilioRest::new(credentials)),
            VideoSettings::Local => None,
        };
        let state = AppState {
            video: settings.video,
            sessions: Signer::new(SESSION_AUDIENCE, session_key.expose_secret()),
            invites: Signer::new(INVITE_AUDIENCE, invite_key),
            rooms: Signer::new(ROOM_AUDIENCE, &derive_key(invite_key, ROOM_AUDIENCE)),
            visit_ids: VisitIds::new(derive_key(invite_key, "hearth-visit-id")),
            accounts: Arc::new(accounts),
            lifetimes: settings.lifetimes,
            trusted_proxies: settings.trusted_proxies,
            limits: settings.rate_limits.then(rate_limit::RateLimits::default),
            signalling: local.then(|| {
                Signalling::new(RoomLimits {
                    total_sockets: settings.max_sockets,
                    guests_per_room: settings.max_guests,
                    ..RoomLimits::default()
                })
            }),
            ice: settings.ice,
            twilio_rest,
            password_checks: Arc::new(tokio::sync::Semaphore::new(password_check_places())),
            ended: crate::ended::EndedVisits::default(),
            guests_per_room: settings.max_guests,
        };
        Ok((state, demo))
    }

    pub fn video_mode(&self) -> VideoMode {
        self.video.mode()
    }

    /// The SMS sender, when this clinic set one (Twilio mode only).
    pub fn sms_from(&self) -> Option<&str> {
        match &self.video {
            VideoSettings::Twilio(twilio) => twilio.sms_from.as_deref(),
            VideoSettings::Local => None,
        }
    }
}

pub struct Application {
    port: u16,
    demo: Option<DemoLogin>,
    server: Server,
}

impl Application {
    /// Validates what is left of the settings, binds the listener (port 0
    /// picks a free port) and logs where to find us.
    pub fn build(settings: Settings) -> Result<Self, StartupError> {
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))?;
        let port = listener.local_addr()?.port();
        let host = settings.host.clone();
        let static_dir = settings.static_dir.clone();
        let origins = settings.allowed_origins.clone();
        let tls = settings
            .tls
            .as_ref()
            .map(crate::tls::server_config)
            .transpose()?;
        let (state, demo) = AppState::build(settings)?;
        let state = web::Data::new(state);
        tracing::info!(
            host = %host,
            port,
            video_mode = state.video_mode().as_str(),
            https = tls.is_some(),
            "token service listening"
        );
        let server = HttpServer::new(move || {
            App::new()
                .wrap(cors(&origins))
                .wrap(
                    DefaultHeaders::new()
                        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                        .add((header::REFERRER_POLICY, "no-referrer"))
                        // Nothing but a page may load anything, and nothing
                        // of ours may be framed (clickjacking a Join or End
                        // visit button). Pages set their own policy.
                        .add((header::CONTENT_SECURITY_POLICY, NOTHING_POLICY))
                        .add((header::X_FRAME_OPTIONS, "DENY")),
                )
                .configure(|cfg| configure(cfg, state.clone(), static_dir.clone()))
        })
        .shutdown_timeout(10);
        let server = match tls {
            Some(config) => server.listen_rustls_0_23(listener, config)?,
            None => server.listen(listener)?,
        }
        .run();
        Ok(Self { port, demo, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The demo sign-in, when the service made one.
    pub fn demo_login(&self) -> Option<&DemoLogin> {
        self.demo.as_ref()
    }

    /// Runs until SIGINT or SIGTERM, then drains open requests before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// The server future, for callers that stop it through its handle.
    pub fn into_server(self) -> Server {
        self.server
    }
}

/// Exact-origin CORS for the clinic's SPA hosts; `Vary: Origin` is on by default.
fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(600)
}

pub fn configure(
    cfg: &mut web::ServiceConfig,
    state: web::Data<AppState>,
    static_dir: Option<PathBuf>,
) {
    let twilio = state.video_mode() == VideoMode::Twilio;
    cfg.app_data(state)
        .app_data(json_config())
        .service(resource("/healthz").route(web::get().to(health)));
    cfg.service(
        web::scope("/api")
            .wrap(from_fn(catch_panics))
            .wrap(from_fn(error::require_json))
            .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
            .service(limited(Bucket::SignIn, "/session").route(web::post().to(sessions::sign_in)))
            .service(resource("/session/refresh").route(web::post().to(sessions::refresh)))
            .service(limited(Bucket::Visits, "/visits").route(web::post().to(visits::create_visit)))
            .service(resource("/visits/status").route(web::post().to(visits::status)))
            .service(resource("/visits/end").route(web::post().to(visits::end)))
            .service(resource("/visits/running-late").route(web::post().to(visits::running_late)))
            .service(limited(Bucket::Token, "/token").route(web::post().to(video_tokens::mint)))
            .service(resource("/rooms/ws").route(web::get().to(signalling::connect)))
            .default_service(web::to(error::not_found)),
    );
    match static_dir {
        Some(dir) => {
            let policy = crate::page_policy::for_dir(&dir, twilio);
            cfg.service(
                web::scope("")
                    .wrap(DefaultHeaders::new().add((header::CONTENT_SECURITY_POLICY, policy)))
                    .service(
                        Files::new("/", dir)
                            .index_file("index.html")
                            .default_handler(web::to(error::not_found)),
                    ),
            );
        }
        None => {
            cfg.default_service(web::to(error::not_found));
        }
    }
}

/// A resource that answers methods it has no route for with the JSON 405.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(error::method_not_allowed))
}

/// A resource whose requests count against `bucket`. The limit belongs to
/// the matched route, so no spelling of its path (`/api/%73ession`) escapes.
fn limited(
    bucket: Bucket,
    path: &str,
) -> actix_web::Resource<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    resource(path).wrap(from_fn(move |req, next| {
        rate_limit::limit(bucket, req, next)
    }))
}
