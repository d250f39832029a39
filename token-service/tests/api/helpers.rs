use std::path::PathBuf;
use token_service::settings::Settings;
use token_service::startup::Application;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
}

/// Starts the real application on a free port with settings built from `vars`.
pub fn spawn_app_with(vars: &[(&str, &str)], static_dir: Option<PathBuf>) -> TestApp {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut settings =
        Settings::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
            .expect("test settings are valid");
    settings.port = 0;
    settings.static_dir = static_dir;
    let app = Application::build(settings).expect("the app binds a free port");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
    }
}

pub fn spawn_app() -> TestApp {
    spawn_app_with(&[], None)
}

/// Asserts the documented error shape and returns its code.
pub async fn error_code(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.expect("error bodies are JSON");
    assert!(body["error"]["message"].is_string(), "no message in {body}");
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {body}"))
        .to_owned()
}
