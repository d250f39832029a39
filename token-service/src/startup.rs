//! Wires the HTTP server: middleware, and `configure`, the single route
//! table shared by `main` and the tests, so the tests exercise what ships.

use crate::error::{self, catch_panics, json_config};
use crate::page_policy::NOTHING_POLICY;
use crate::rate_limit::{self, Bucket};
use crate::routes::{
    healthz, rooms_ws, session, session_refresh, token, visits, visits_end, visits_running_late,
    visits_status,
};
use crate::settings::{Settings, SettingsError};
use crate::site::{self, Site};
use crate::state::{AppState, DemoLogin};
use actix_cors::Cors;
use actix_web::http::header;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{dev::Server, web, App, HttpServer};
use api_types::VideoMode;
use std::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

pub struct Application {
    port: u16,
    demo: Option<DemoLogin>,
    server: Server,
}

impl Application {
    /// Validates what is left of the settings, binds the listener (port 0
    /// picks a free port) and logs where to find us.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
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
        let (state, demo) = AppState::build(settings).await?;
        let state = web::Data::new(state);
        let twilio = state.video_mode() == VideoMode::Twilio;
        let site = static_dir.map(|dir| Site::new(dir, twilio));
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
                .configure(|cfg| configure(cfg, state.clone(), site.clone()))
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

pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<AppState>, site: Option<Site>) {
    cfg.app_data(state)
        .app_data(json_config())
        .service(resource("/healthz").route(web::get().to(healthz::health)));
    cfg.service(
        web::scope("/api")
            .wrap(from_fn(catch_panics))
            .wrap(from_fn(error::require_json))
            .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store")))
            .service(limited(Bucket::SignIn, "/session").route(web::post().to(session::sign_in)))
            .service(resource("/session/refresh").route(web::post().to(session_refresh::refresh)))
            .service(limited(Bucket::Visits, "/visits").route(web::post().to(visits::create_visit)))
            .service(resource("/visits/status").route(web::post().to(visits_status::status)))
            .service(resource("/visits/end").route(web::post().to(visits_end::end)))
            .service(
                resource("/visits/running-late")
                    .route(web::post().to(visits_running_late::running_late)),
            )
            .service(limited(Bucket::Token, "/token").route(web::post().to(token::mint)))
            .service(resource("/rooms/ws").route(web::get().to(rooms_ws::connect)))
            .default_service(web::to(error::not_found)),
    );
    match site {
        Some(site) => {
            cfg.service(
                web::scope("")
                    .app_data(web::Data::new(site))
                    .default_service(web::to(site::serve)),
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
