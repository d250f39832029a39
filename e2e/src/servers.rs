//! The servers a browser test talks to, each on a free loopback port.

use actix_files::Files;
use actix_web::{web, App, HttpServer};
use std::path::{Path, PathBuf};
use token_service::{settings::Settings, startup::Application};
use twilio_emulator::Emulator;

/// A plain static file server: files as they are, 404 otherwise, no rewrite
/// rules. What a clinic's static host does, so the SPA must work on it.
pub fn serve_static(dir: &Path) -> String {
    let dir = dir.to_path_buf();
    serve(move |app| {
        app.service(Files::new("/", &dir).index_file("index.html"));
    })
}

/// A one-worker server on a free loopback port, set up by `configure`;
/// returns its base URL.
fn serve(configure: impl Fn(&mut web::ServiceConfig) + Clone + Send + 'static) -> String {
    let server = HttpServer::new(move || App::new().configure(configure.clone()))
        .workers(1)
        .bind(("127.0.0.1", 0))
        .expect("bind a free port");
    let url = format!("http://127.0.0.1:{}", server.addrs()[0].port());
    tokio::spawn(server.run());
    url
}

pub struct Service {
    pub url: String,
    pub port: u16,
    /// The demo clinician's password (built-in mode makes one at start-up).
    pub demo_password: String,
    /// `None` for a front door to copies run elsewhere (nginx in front of
    /// several processes), which this handle cannot stop.
    handle: Option<actix_web::dev::ServerHandle>,
}

/// Fixed keys, so sessions and invites outlive a restart of the service.
const SESSION_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const INVITE_KEY: &str = "HxoZGBcWFRQTEhEQDw4NDAsKCQgHBgUEAwIBAAAAAAA";

/// The real token service with built-in video and its demo clinician,
/// serving `static_dir` if given, on `port` (0: any free port).
pub async fn spawn_service_on(port: u16, static_dir: Option<PathBuf>) -> Service {
    start(port, static_dir, |_| None, None).await
}

/// As [`spawn_service_on`] on any free port, with some settings of its own
/// (`vars`: environment variable names and values).
pub async fn spawn_service_with(
    static_dir: Option<PathBuf>,
    vars: &'static [(&str, &str)],
) -> Service {
    let var = |name: &str| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    };
    start(0, static_dir, var, None).await
}

/// The password of the clinician `spawn_twilio_service` writes an account for.
const TWILIO_MODE_PASSWORD: &str = "stand-in-clinic-password";
/// Made-up Twilio credentials of the right shape.
const API_KEY_SID: &str = "SKbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const API_KEY_SECRET: &str = "stand-in-api-key-secret";

/// The real token service in Twilio mode, with made-up credentials of the
/// right shape: tokens are minted locally and its REST calls go to a Twilio
/// emulator, so nothing reaches Twilio. For the stand-in SDK, which never
/// joins the emulator's rooms. Its clinician signs in as `demo` with
/// `Service::demo_password`.
pub async fn spawn_twilio_service(static_dir: Option<PathBuf>) -> Service {
    twilio_service(static_dir, start_emulator().rest_url).await
}

fn start_emulator() -> Emulator {
    Emulator::start(twilio_emulator::Config {
        api_key_sid: API_KEY_SID.to_owned(),
        api_key_secret: API_KEY_SECRET.to_owned(),
        max_participants: 10,
        // Twilio waits 30 s; the tests need only see the same sequence.
        reconnect_window: std::time::Duration::from_secs(5),
    })
}

/// The real token service in Twilio mode on the Twilio emulator: its REST
/// calls go to the emulator, and the release SPA (a copy of `dist/` with
/// the real SDK) is told to signal there, so browsers meet in its rooms.
pub async fn spawn_twilio_service_on_emulator(label: &str) -> (Service, Emulator) {
    let emulator = start_emulator();
    let dist = copy_of_dist(label);
    edit_config(&dist, |settings| {
        settings["test_twilio_signalling_url"] = emulator.signalling_url.clone().into();
    });
    let service = twilio_service(Some(dist), emulator.rest_url.clone()).await;
    (service, emulator)
}

async fn twilio_service(static_dir: Option<PathBuf>, rest: String) -> Service {
    let port = crate::free_port();
    let accounts = std::env::temp_dir().join(format!("hearth-clinicians-{port}.toml"));
    let hash = token_service::accounts::hash_password(TWILIO_MODE_PASSWORD);
    std::fs::write(
        &accounts,
        format!("[[clinician]]\nid = \"demo\"\ndisplay_name = \"Dr Stand-in\"\npassword_hash = \"{hash}\"\n"),
    )
    .expect("write the clinicians file");
    let origin = format!("http://127.0.0.1:{port}");
    let twilio = move |name: &str| match name {
        "TWILIO_ACCOUNT_SID" => Some(format!("AC{}", "a".repeat(32))),
        "TWILIO_API_KEY" => Some(API_KEY_SID.to_owned()),
        "TWILIO_API_SECRET" => Some(API_KEY_SECRET.to_owned()),
        "ALLOWED_ORIGINS" => Some(origin.clone()),
        "CLINICIANS_FILE" => Some(accounts.display().to_string()),
        "TWILIO_VIDEO_API_URL" => Some(rest.clone()),
        _ => None,
    };
    start(port, static_dir, twilio, Some(TWILIO_MODE_PASSWORD)).await
}

async fn start(
    port: u16,
    static_dir: Option<PathBuf>,
    extra: impl Fn(&str) -> Option<String>,
    password: Option<&str>,
) -> Service {
    log_to_artifacts();
    let mut settings = Settings::from_lookup(|name| match name {
        "SESSION_SIGNING_KEY" => Some(SESSION_KEY.to_owned()),
        "INVITE_SIGNING_KEY" => Some(INVITE_KEY.to_owned()),
        _ => extra(name),
    })
    .expect("test settings are valid");
    settings.port = port;
    settings.static_dir = static_dir;
    let app = Application::build(settings)
        .await
        .expect("the service binds its port");
    let port = app.port();
    let demo_password = password
        .map(str::to_owned)
        .or_else(|| app.demo_login().map(|demo| demo.password.clone()))
        .expect("a clinician account to sign in with");
    let server = app.into_server();
    let handle = server.handle();
    tokio::spawn(server);
    Service {
        url: format!("http://127.0.0.1:{port}"),
        port,
        demo_password,
        handle: Some(handle),
    }
}

/// The service's logs (debug level) go to `target/e2e-artifacts/service.log`,
/// beside the browsers' screenshots and console logs.
fn log_to_artifacts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let dir = crate::artifacts_dir();
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(file) = std::fs::File::create(dir.join("service.log")) {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("info,token_service=debug")
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .try_init();
        }
    });
}

pub async fn spawn_service(static_dir: Option<PathBuf>) -> Service {
    spawn_service_on(0, static_dir).await
}

impl Service {
    /// Names a service that runs elsewhere, reached at `port` on loopback.
    pub fn elsewhere(port: u16, demo_password: &str) -> Self {
        Service {
            url: format!("http://127.0.0.1:{port}"),
            port,
            demo_password: demo_password.to_owned(),
            handle: None,
        }
    }

    /// Stops the service at once, as a crash or redeploy would.
    pub async fn stop(&self) {
        if let Some(handle) = &self.handle {
            handle.stop(false).await;
        }
    }
}

/// A copy of `dist/` whose Twilio SDK is the test stand-in
/// (`e2e/standin/twilio-video.js`), so a Twilio visit can be driven offline.
pub fn dist_with_stand_in_sdk(label: &str) -> PathBuf {
    let dist = copy_of_dist(label);
    std::fs::copy(
        crate::repo_root().join("e2e/standin/twilio-video.js"),
        dist.join("twilio-video.min.js"),
    )
    .expect("copy the stand-in SDK");
    dist
}

/// A copy of `dist/` that a test may change (for example its `config.json`).
pub fn copy_of_dist(label: &str) -> PathBuf {
    let target = std::env::temp_dir().join(format!("hearth-dist-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&target);
    copy_folder(&crate::dist_dir(), &target);
    target
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a temp dir");
    for entry in std::fs::read_dir(from).expect("read dist") {
        let entry = entry.expect("read dist entry");
        let (source, copy) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().expect("file type").is_dir() {
            copy_folder(&source, &copy);
        } else {
            std::fs::copy(&source, &copy).expect("copy dist file");
        }
    }
}

/// Changes a copy of `dist/`'s `config.json`.
pub fn edit_config(dist: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let config = dist.join("config.json");
    let mut settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&config).expect("dist has a config.json"))
            .expect("dist's config.json is JSON");
    edit(&mut settings);
    std::fs::write(&config, settings.to_string()).expect("write config.json");
}
