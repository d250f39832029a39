//! The servers a browser test talks to, each on a free loopback port.

use actix_files::Files;
use actix_web::{App, HttpServer};
use std::path::{Path, PathBuf};
use token_service::{settings::Settings, startup::Application};

/// A plain static file server: files as they are, 404 otherwise, no rewrite
/// rules. What a clinic's static host does, so the SPA must work on it.
pub fn serve_static(dir: &Path) -> String {
    let dir = dir.to_path_buf();
    let server =
        HttpServer::new(move || App::new().service(Files::new("/", &dir).index_file("index.html")))
            .workers(1)
            .bind(("127.0.0.1", 0))
            .expect("bind a free port");
    let url = format!("http://127.0.0.1:{}", server.addrs()[0].port());
    tokio::spawn(server.run());
    url
}

pub struct Service {
    pub url: String,
    /// The demo clinician's password (built-in mode makes one at start-up).
    pub demo_password: String,
}

/// The real token service with built-in video and its demo clinician,
/// optionally serving `static_dir`.
pub fn spawn_service(static_dir: Option<PathBuf>) -> Service {
    let mut settings = Settings::from_lookup(|_| None).expect("default settings are valid");
    settings.port = 0;
    settings.static_dir = static_dir;
    let app = Application::build(settings).expect("the service binds a free port");
    let url = format!("http://127.0.0.1:{}", app.port());
    let demo_password = app
        .demo_login()
        .expect("built-in mode makes a demo clinician")
        .password
        .clone();
    tokio::spawn(app.run_until_stopped());
    Service { url, demo_password }
}

/// A copy of `dist/` that a test may change (for example its `config.json`).
pub fn copy_of_dist(label: &str) -> PathBuf {
    let target = std::env::temp_dir().join(format!("hearth-dist-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&target);
    std::fs::create_dir_all(&target).expect("create a temp dir");
    for entry in std::fs::read_dir(crate::dist_dir()).expect("read dist") {
        let entry = entry.expect("read dist entry");
        if entry.file_type().expect("file type").is_file() {
            std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy dist file");
        }
    }
    target
}
