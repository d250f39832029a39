use api_types::{CreateVisitResponse, SessionResponse, TokenResponse};
use serde_json::{json, Value};
use std::path::PathBuf;
use token_service::accounts::hash_password;
use token_service::settings::Settings;
use token_service::startup::{Application, StartupError};

/// Fixed keys, so tests can forge tokens the way an attacker would try to.
pub const SESSION_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
pub const INVITE_KEY: &str = "HxoZGBcWFRQTEhEQDw4NDAsKCQgHBgUEAwIBAAAAAAA";
pub const ALLOWED_ORIGIN: &str = "https://clinic.example";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub demo_password: Option<String>,
}

/// The two clinicians in every test's accounts file: (id, password).
pub const CLINICIAN_ONE: (&str, &str) = ("c-one", "first clinician's password");
pub const CLINICIAN_TWO: (&str, &str) = ("c-two", "second clinician's password");

fn accounts_file() -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "hearth-test-clinicians-{}.toml",
        std::process::id()
    ));
    if !path.exists() {
        let entry = |(id, password): (&str, &str)| {
            format!(
                "[[clinician]]\nid = \"{id}\"\ndisplay_name = \"Clinician {id}\"\npassword_hash = \"{}\"\n",
                hash_password(password)
            )
        };
        let text = entry(CLINICIAN_ONE) + &entry(CLINICIAN_TWO);
        let partial = path
            .with_extension(format!("{:?}", std::thread::current().id()).replace(['(', ')'], ""));
        std::fs::write(&partial, text).unwrap();
        std::fs::rename(partial, &path).unwrap();
    }
    path
}

/// Builds the real application on a free port. `vars` add to or replace the
/// defaults: built-in video, fixed keys, two clinicians, one allowed origin.
pub async fn build_app(
    vars: &[(&str, &str)],
    static_dir: Option<PathBuf>,
) -> Result<Application, StartupError> {
    let accounts = accounts_file();
    let mut all: Vec<(String, String)> = [
        ("SESSION_SIGNING_KEY", SESSION_KEY),
        ("INVITE_SIGNING_KEY", INVITE_KEY),
        ("ALLOWED_ORIGINS", ALLOWED_ORIGIN),
        ("CLINICIANS_FILE", accounts.to_str().unwrap()),
    ]
    .iter()
    .chain(vars)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    all.reverse(); // later entries win
    let mut settings =
        Settings::from_lookup(|name| all.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .expect("test settings are valid");
    settings.port = 0;
    settings.static_dir = static_dir;
    Application::build(settings).await
}

/// Starts the real application built by [`build_app`].
pub async fn spawn_app_with(vars: &[(&str, &str)], static_dir: Option<PathBuf>) -> TestApp {
    let app = build_app(vars, static_dir).await.expect("the app starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let demo_password = app.demo_login().map(|demo| demo.password.clone());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        demo_password,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[], None).await
}

pub async fn spawn_twilio_app() -> TestApp {
    spawn_app_with(
        &[
            ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
            ("TWILIO_API_KEY", "SK0123456789abcdef0123456789abcdef"),
            ("TWILIO_API_SECRET", "secret"),
            // Nothing listens here: presence checks fail at once, not after a timeout.
            ("TWILIO_VIDEO_API_URL", "http://127.0.0.1:9"),
        ],
        None,
    )
    .await
}

impl TestApp {
    pub async fn post(&self, path: &str, body: &Value, bearer: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .json(body);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("the service answers")
    }

    pub async fn sign_in(&self, (username, password): (&str, &str)) -> SessionResponse {
        let response = self
            .post(
                "/api/session",
                &json!({"username": username, "password": password}),
                None,
            )
            .await;
        assert_eq!(response.status(), 200, "sign-in as {username}");
        response.json().await.unwrap()
    }

    /// `POST /api/token` with an invite alone.
    pub async fn token_for_invite(&self, invite: &str) -> reqwest::Response {
        self.post("/api/token", &json!({ "invite": invite }), None)
            .await
    }

    /// `POST /api/token` with a patient invite from one browser: its device
    /// secret, or none (`None`: an older SPA that sends no `device`).
    pub async fn token_for_device(&self, invite: &str, device: Option<&str>) -> reqwest::Response {
        self.post(
            "/api/token",
            &json!({ "invite": invite, "device": device }),
            None,
        )
        .await
    }

    /// `POST /api/token` for a clinician: their session and a visit id.
    pub async fn token_for_visit(&self, session: &str, visit_id: &str) -> reqwest::Response {
        self.post(
            "/api/token",
            &json!({ "visit_id": visit_id }),
            Some(session),
        )
        .await
    }

    /// `POST /api/visits/status`.
    pub async fn visit_status(&self, session: &str, visit_ids: &[&str]) -> reqwest::Response {
        self.post(
            "/api/visits/status",
            &json!({ "visit_ids": visit_ids }),
            Some(session),
        )
        .await
    }

    /// `POST /api/visits/end`.
    pub async fn end_visit(&self, session: &str, visit_id: &str) -> reqwest::Response {
        self.post(
            "/api/visits/end",
            &json!({ "visit_id": visit_id }),
            Some(session),
        )
        .await
    }

    pub async fn create_visit(&self, session: &str) -> CreateVisitResponse {
        let response = self
            .post("/api/visits", &json!({"length_minutes": 20}), Some(session))
            .await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

/// Asserts the documented error shape and returns its code.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("error bodies are JSON");
    assert!(body["error"]["message"].is_string(), "no message in {body}");
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {body}"));
    // The SPA matches on api_types::ErrorCode: every code sent must be one.
    assert!(
        api_types::ErrorCode::parse(code).is_some(),
        "{code} is not in api_types::ErrorCode"
    );
    code.to_owned()
}

/// Asserts the status and the error code together.
/// The token a `POST /api/token` minted; fails the test unless it is a 200.
pub async fn minted(response: reqwest::Response) -> TokenResponse {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status, "expected {status} {code}");
    assert_eq!(error_code(response).await, code);
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}
