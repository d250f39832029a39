//! Builds the HTTP server. `configure` is the single route table, shared by
//! `main` and the tests, so the tests exercise exactly what ships.

use crate::{error, health::health, settings::Settings};
use actix_files::Files;
use actix_web::{dev::Server, middleware::DefaultHeaders, web, App, HttpServer};
use api_types::VideoMode;
use std::{net::TcpListener, path::PathBuf};

/// Shared, read-only state, built once outside `HttpServer::new`.
#[derive(Debug)]
pub struct AppState {
    pub video_mode: VideoMode,
}

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds the listener (port 0 picks a free port) and logs where to find us.
    pub fn build(settings: Settings) -> std::io::Result<Self> {
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState {
            video_mode: settings.video.mode(),
        });
        let static_dir = settings.static_dir.clone();
        tracing::info!(
            host = %settings.host,
            port,
            video_mode = state.video_mode.as_str(),
            "token service listening"
        );
        if static_dir.is_some() {
            tracing::info!("open http://{}:{port}/ in a browser", settings.host);
        }
        let server = HttpServer::new(move || {
            App::new()
                .wrap(
                    DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Referrer-Policy", "no-referrer")),
                )
                .configure(|cfg| configure(cfg, state.clone(), static_dir.clone()))
        })
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until SIGINT or SIGTERM, then drains open requests before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Consumes the application into its server future, for tests that need
    /// its handle to stop it.
    pub fn into_server(self) -> Server {
        self.server
    }
}

pub fn configure(
    cfg: &mut web::ServiceConfig,
    state: web::Data<AppState>,
    static_dir: Option<PathBuf>,
) {
    cfg.app_data(state).service(
        web::resource("/healthz")
            .route(web::get().to(health))
            .default_service(web::to(error::method_not_allowed)),
    );
    match static_dir {
        Some(dir) => {
            cfg.service(
                Files::new("/", dir)
                    .index_file("index.html")
                    .default_handler(web::to(error::not_found)),
            );
        }
        None => {
            cfg.default_service(web::to(error::not_found));
        }
    }
}
