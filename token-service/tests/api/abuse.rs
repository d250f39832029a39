//! The service as an attacker meets it: each test replays one way of
//! getting around a limit or a rule, and must be refused.

use crate::helpers::{spawn_app, TestApp, CLINICIAN_ONE};
use serde_json::{json, Value};

/// Sends `count` requests to `path` spellings in turn; returns the statuses.
async fn statuses(
    app: &TestApp,
    paths: &[&str],
    count: usize,
    body: &Value,
    bearer: Option<&str>,
) -> Vec<u16> {
    let mut seen = Vec::with_capacity(count);
    for i in 0..count {
        let response = app.post(paths[i % paths.len()], body, bearer).await;
        seen.push(response.status().as_u16());
    }
    seen
}

#[tokio::test]
async fn percent_encoded_paths_count_against_the_same_limits() {
    let app = spawn_app();
    let session = app.sign_in(CLINICIAN_ONE).await.token;

    // Sign-in: a burst of 5 a minute, whatever the spelling (one used above).
    let wrong = json!({"username": "c-one", "password": "guess"});
    let sign_in = [
        "/api/%73ession",
        "/%61pi/session",
        "/api/sessio%6E",
        "/api/session",
    ];
    let seen = statuses(&app, &sign_in, 8, &wrong, None).await;
    assert_eq!(seen[..4], [401; 4], "{seen:?}");
    assert!(seen[4..].iter().all(|&s| s == 429), "sign-in: {seen:?}");

    // Tokens: a burst of 30.
    let bad = json!({"invite": "not-a-token"});
    let token = ["/api/toke%6E", "/%61pi/token", "/api/token"];
    let seen = statuses(&app, &token, 33, &bad, None).await;
    assert!(seen[..30].iter().all(|&s| s != 429), "{seen:?}");
    assert!(seen[30..].iter().all(|&s| s == 429), "token: {seen:?}");

    // Visits: a burst of 20.
    let visit = json!({"length_minutes": 20});
    let visits = ["/api/visit%73", "/%61pi/visits", "/api/visits"];
    let seen = statuses(&app, &visits, 23, &visit, Some(&session)).await;
    assert!(seen[..20].iter().all(|&s| s == 200), "{seen:?}");
    assert!(seen[20..].iter().all(|&s| s == 429), "visits: {seen:?}");
}
