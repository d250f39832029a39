use crate::helpers::{assert_error, spawn_app, ALLOWED_ORIGIN};
use reqwest::Method;

async fn preflight(app: &crate::helpers::TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, format!("{}/api/token", app.address))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type, authorization",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_succeeds() {
    let app = spawn_app().await;
    let response = preflight(&app, ALLOWED_ORIGIN).await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        ALLOWED_ORIGIN
    );
    let vary = response.headers()["vary"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(vary.contains("origin"), "vary: {vary}");
}

#[tokio::test]
async fn other_origins_get_no_allow_origin_header() {
    let app = spawn_app().await;
    for origin in [
        "https://evil.example",
        "https://clinic.example.evil.example",
        "http://clinic.example",
    ] {
        let response = preflight(&app, origin).await;
        assert!(
            response
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{origin} was allowed"
        );
        let response = app
            .client
            .get(format!("{}/healthz", app.address))
            .header("Origin", origin)
            .send()
            .await
            .unwrap();
        assert!(
            response
                .headers()
                .get("access-control-allow-origin")
                .is_none(),
            "{origin}"
        );
    }
}

#[tokio::test]
async fn cors_is_not_access_control() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/visits", app.address))
        .header("Origin", ALLOWED_ORIGIN)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        ALLOWED_ORIGIN
    );
    assert_error(response, 401, "unauthenticated").await;
}
