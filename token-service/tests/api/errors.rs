//! Every failure answers in the one JSON format with the right status.

use crate::helpers::{assert_error, spawn_app};
use serde_json::json;

#[tokio::test]
async fn body_problems_get_400_413_415_and_422() {
    let app = spawn_app().await;
    let url = format!("{}/api/session", app.address);
    let send = |body: String, content_type: &'static str| {
        app.client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert_error(
        send("{\"username\": ".into(), "application/json")
            .await
            .unwrap(),
        400,
        "malformed_json",
    )
    .await;
    let huge = json!({"username": "x".repeat(20_000), "password": "y"}).to_string();
    assert_error(
        send(huge, "application/json").await.unwrap(),
        413,
        "body_too_large",
    )
    .await;
    assert_error(
        send("username=x".into(), "application/x-www-form-urlencoded")
            .await
            .unwrap(),
        415,
        "unsupported_media_type",
    )
    .await;
    let extra = json!({"username": "x", "password": "y", "admin": true}).to_string();
    assert_error(
        send(extra, "application/json").await.unwrap(),
        422,
        "invalid_body",
    )
    .await;
    let wrong_type = json!({"username": 5, "password": "y"}).to_string();
    assert_error(
        send(wrong_type, "application/json").await.unwrap(),
        422,
        "invalid_body",
    )
    .await;
}

/// The one place 404 and 405 are tested: inside and outside `/api`.
#[tokio::test]
async fn unknown_routes_and_methods_get_404_and_405() {
    let app = spawn_app().await;
    for path in ["/api/nothing", "/no/such/page"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_error(response, 404, "not_found").await;
    }
    let get_token = app.client.get(format!("{}/api/token", app.address));
    let post_healthz = app.client.post(format!("{}/healthz", app.address));
    for request in [get_token, post_healthz] {
        assert_error(request.send().await.unwrap(), 405, "method_not_allowed").await;
    }
}

#[tokio::test]
async fn too_many_sign_ins_get_429_with_retry_after() {
    let app = spawn_app().await;
    let body = json!({"username": "x", "password": "y"});
    let attempt = || app.post("/api/session", &body, None);
    for _ in 0..5 {
        assert_eq!(attempt().await.status(), 401);
    }
    let response = attempt().await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    assert_error(response, 429, "rate_limited").await;
}

#[tokio::test]
async fn forwarded_for_counts_only_from_trusted_proxies() {
    let app = crate::helpers::spawn_app_with(&[("TRUSTED_PROXIES", "127.0.0.1")], None).await;
    let attempt = |client: &'static str| {
        app.client
            .post(format!("{}/api/session", app.address))
            .header("x-forwarded-for", client)
            .json(&json!({"username": "x", "password": "y"}))
            .send()
    };
    for _ in 0..5 {
        attempt("203.0.113.1").await.unwrap();
    }
    assert_eq!(attempt("203.0.113.1").await.unwrap().status(), 429);
    assert_eq!(
        attempt("203.0.113.2").await.unwrap().status(),
        401,
        "another client behind the proxy"
    );
}
