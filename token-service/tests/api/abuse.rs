//! The service as an attacker meets it: each test replays one way of
//! getting around a limit or a rule, and must be refused.

use crate::helpers::assert_error;
use crate::helpers::{spawn_app, TestApp, CLINICIAN_ONE};
use crate::signalling::{closed_with, connect, guest_token, next, refused, visit};
use api_types::{close_code, ServerSignal};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

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

#[tokio::test]
async fn a_browser_that_stops_reading_loses_its_place() {
    let app = spawn_app();
    let visit = visit(&app).await;
    let guest = guest_token(&app, &visit.guest_invite).await;
    let mut patient = connect(&app, &visit.patient.token).await;
    next(&mut patient).await;
    // The guest keeps pinging, so it never looks idle, but reads nothing.
    let (mut guest_out, _guest_in) = connect(&app, &guest.token).await.split();
    assert!(matches!(next(&mut patient).await, ServerSignal::Joined(_)));

    let started = Instant::now();
    let big = "x".repeat(60 * 1024);
    let relay =
        json!({"type": "signal", "to": guest.identity, "payload": {"sdp": big}}).to_string();
    let left = tokio::time::timeout(Duration::from_secs(45), async {
        loop {
            patient.send(Message::text(relay.clone())).await.unwrap();
            let _ = guest_out.send(Message::Ping(vec![].into())).await;
            match tokio::time::timeout(Duration::from_millis(40), patient.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    if let Ok(ServerSignal::Left { identity }) = serde_json::from_str(&text) {
                        return identity;
                    }
                }
                Ok(Some(Ok(_))) | Err(_) => {}
                other => panic!("the patient's socket ended: {other:?}"),
            }
        }
    })
    .await
    .expect("a guest that reads nothing lost its place within 45 s");
    assert_eq!(left, guest.identity);
    println!(
        "figure: a guest that stopped reading left the room after {} ms",
        started.elapsed().as_millis()
    );
}

#[tokio::test]
async fn every_frame_counts_against_the_message_limit() {
    let app = spawn_app();
    let visit = visit(&app).await;
    for frame in [
        Message::Ping(vec![].into()),
        Message::Binary(vec![0; 1024].into()),
    ] {
        let mut socket = connect(&app, &visit.patient.token).await;
        next(&mut socket).await;
        for _ in 0..120 {
            if socket.send(frame.clone()).await.is_err() {
                break;
            }
        }
        assert_eq!(
            closed_with(&mut socket).await,
            close_code::POLICY,
            "{frame:?}"
        );
    }
}

#[tokio::test]
async fn end_visit_is_final_for_tokens_invites_and_sockets() {
    let app = spawn_app();
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    let created = app.create_visit(&session).await;
    let mint = |body: Value, bearer: Option<String>| {
        let app = &app;
        async move { app.post("/api/token", &body, bearer.as_deref()).await }
    };
    let patient_token: api_types::TokenResponse =
        mint(json!({"invite": created.patient_invite}), None)
            .await
            .json()
            .await
            .unwrap();
    let mut patient = connect(&app, &patient_token.token).await;
    next(&mut patient).await;

    let end = json!({"visit_id": created.visit_id});
    assert_eq!(
        app.post("/api/visits/end", &end, Some(&session))
            .await
            .status(),
        204
    );
    assert_eq!(closed_with(&mut patient).await, close_code::ROOM_ENDED);

    // Replays: the same room token, both invites, the clinician's own way in.
    assert_eq!(
        refused(&app, &patient_token.token).await,
        (410, "visit_ended".to_owned())
    );
    for invite in [&created.patient_invite, &created.guest_invite] {
        assert_error(
            mint(json!({"invite": invite}), None).await,
            410,
            "visit_ended",
        )
        .await;
    }
    assert_error(
        mint(json!({"visit_id": created.visit_id}), Some(session.clone())).await,
        410,
        "visit_ended",
    )
    .await;
    let status: Value = app
        .post(
            "/api/visits/status",
            &json!({"visit_ids": [created.visit_id]}),
            Some(&session),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["visits"][0]["presence"], "empty", "{status}");
}

#[tokio::test]
async fn a_guest_link_cannot_fill_the_room() {
    let app = spawn_app();
    let visit = visit(&app).await;
    let mut sockets = Vec::new();
    for _ in 0..3 {
        let guest = guest_token(&app, &visit.guest_invite).await;
        sockets.push(connect(&app, &guest.token).await);
    }
    // Every further token from the same guest link is turned away...
    for _ in 0..3 {
        let guest = guest_token(&app, &visit.guest_invite).await;
        assert_eq!(
            refused(&app, &guest.token).await,
            (409, "guests_full".to_owned())
        );
    }
    // ...and the patient and the clinician still get in.
    sockets.push(connect(&app, &visit.patient.token).await);
    sockets.push(connect(&app, &visit.clinician.token).await);
    for socket in &mut sockets[3..] {
        assert!(matches!(next(socket).await, ServerSignal::Welcome { .. }));
    }
}

#[tokio::test]
async fn bodies_must_be_json_and_errors_never_repeat_what_was_sent() {
    let app = spawn_app();
    let url = format!("{}/api/session", app.address);
    let body = r#"{"username": "c-one", "password": "guess"}"#;
    for content_type in ["text/json", "application/evil+json", "text/plain"] {
        let response = app
            .client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_error(response, 415, "unsupported_media_type").await;
    }
    let sentinel = "SENTINEL-value-7c1e";
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    let response = app
        .post(
            "/api/visits",
            &json!({"length_minutes": sentinel}),
            Some(&session),
        )
        .await;
    assert_eq!(response.status(), 422);
    let text = response.text().await.unwrap();
    assert!(!text.contains(sentinel), "echoed: {text}");
    let response = app.post("/api/token", &json!({ sentinel: 1 }), None).await;
    let text = response.text().await.unwrap();
    assert!(
        text.contains("invalid_body") && !text.contains(sentinel),
        "echoed: {text}"
    );
}
