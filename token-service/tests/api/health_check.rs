use crate::helpers::{spawn_app, spawn_twilio_app};
use api_types::{HealthResponse, VideoMode};

#[tokio::test]
async fn healthz_reports_status_version_and_local_mode() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let body: HealthResponse = response.json().await.unwrap();
    assert_eq!(body.status, "ok");
    assert_eq!(body.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(body.video_mode, VideoMode::Local);
}

#[tokio::test]
async fn healthz_reports_twilio_mode_when_credentials_are_set() {
    let app = spawn_twilio_app().await;
    let body: HealthResponse = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body.video_mode, VideoMode::Twilio);
}
