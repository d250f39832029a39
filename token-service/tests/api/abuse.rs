//! The service as an attacker meets it: each test replays one way of
//! getting around a limit or a rule, and must be refused.

use crate::helpers::{assert_error, minted};
use crate::helpers::{spawn_app, spawn_app_with, TestApp, CLINICIAN_ONE, INVITE_KEY, SESSION_KEY};
use crate::signalling::{closed_with, connect, guest_token, next, refused, visit};
use api_types::{close_code, ServerSignal};
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use token_service::tokens::{INVITE_AUDIENCE, ROOM_AUDIENCE, SESSION_AUDIENCE};
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
    let app = spawn_app().await;
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
        .visit_status(&session, &[&created.visit_id])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["visits"][0]["presence"], "empty", "{status}");
}

#[tokio::test]
async fn a_guest_link_cannot_fill_the_room() {
    let app = spawn_app().await;
    let visit = visit(&app).await;
    // Six tokens from one guest link while the room is empty...
    let mut tokens = Vec::new();
    for _ in 0..6 {
        tokens.push(guest_token(&app, &visit.guest_invite).await.token);
    }
    let mut sockets = Vec::new();
    for token in &tokens[..3] {
        let mut socket = connect(&app, token).await;
        // In the room once welcomed (the seat is taken after the upgrade).
        assert!(matches!(
            next(&mut socket).await,
            ServerSignal::Welcome { .. }
        ));
        sockets.push(socket);
    }
    // ...but only three get in; the rest are turned away at the socket,
    // and new tokens are refused at once.
    for token in &tokens[3..] {
        assert_eq!(refused(&app, token).await, (409, "guests_full".to_owned()));
    }
    let more = app.token_for_invite(&visit.guest_invite).await;
    assert_error(more, 409, "guests_full").await;
    // ...and the patient and the clinician still get in.
    sockets.push(connect(&app, &visit.patient.token).await);
    sockets.push(connect(&app, &visit.clinician.token).await);
    for socket in &mut sockets[3..] {
        assert!(matches!(next(socket).await, ServerSignal::Welcome { .. }));
    }
}

#[tokio::test]
async fn a_copied_patient_link_cannot_push_the_patient_out() {
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    let created = app.create_visit(&session).await;
    let mint = |device| app.token_for_device(&created.patient_invite, device);
    // A token the link holder minted before the patient arrived.
    let early = minted(mint(Some("copied-link")).await).await;
    let phone = minted(mint(Some("patients-phone")).await).await;
    let mut patient = connect(&app, &phone.token).await;
    next(&mut patient).await;
    let clinician_token = minted(app.token_for_visit(&session, &created.visit_id).await).await;
    let mut clinician = connect(&app, &clinician_token.token).await;
    next(&mut clinician).await;
    next(&mut patient).await;

    // Three rounds, as in the report: every one is kept out, and the
    // clinician is told each time.
    for _ in 0..3 {
        for device in [Some("copied-link"), None, Some("")] {
            assert_error(mint(device).await, 409, "patient_elsewhere").await;
            assert!(matches!(next(&mut clinician).await, ServerSignal::KeptOut),);
        }
        let mut intruder = connect(&app, &early.token).await;
        assert_eq!(closed_with(&mut intruder).await, close_code::OPEN_ELSEWHERE);
        assert!(matches!(next(&mut clinician).await, ServerSignal::KeptOut));
    }
    patient
        .send(Message::Ping(b"still here".to_vec().into()))
        .await
        .unwrap();
    let pong = tokio::time::timeout(Duration::from_secs(2), async {
        // The service's own heartbeat pings may come first.
        while let Some(Ok(message)) = patient.next().await {
            if matches!(message, Message::Pong(_)) {
                return true;
            }
        }
        false
    });
    assert!(
        matches!(pong.await, Ok(true)),
        "the patient is still connected"
    );

    // The patient's own device may take its place over (another tab)...
    let tab = minted(mint(Some("patients-phone")).await).await;
    let mut second_tab = connect(&app, &tab.token).await;
    assert!(matches!(
        next(&mut second_tab).await,
        ServerSignal::Welcome { .. }
    ));
    assert_eq!(closed_with(&mut patient).await, close_code::REPLACED);
    // ...and once the patient has left, the link works on any device.
    second_tab.close(None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let laptop = minted(mint(Some("patients-laptop")).await).await;
    let mut laptop_socket = connect(&app, &laptop.token).await;
    assert!(matches!(
        next(&mut laptop_socket).await,
        ServerSignal::Welcome { .. }
    ));
}

#[tokio::test]
async fn bodies_must_be_json_and_errors_never_repeat_what_was_sent() {
    let app = spawn_app().await;
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

/// A well-formed claim set for `audience`, valid now, with `extra`.
fn claims(audience: &str, subject: &str, extra: Value) -> Value {
    let now = token_service::tokens::now();
    let mut claims = json!({
        "iss": token_service::tokens::ISSUER, "aud": audience, "sub": subject,
        "iat": now, "nbf": now, "exp": now + 600, "jti": "matrix",
    });
    claims
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    claims
}

fn signed(claims: &Value, key: &[u8], algorithm: jsonwebtoken::Algorithm) -> String {
    let header = jsonwebtoken::Header::new(algorithm);
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_secret(key),
    )
    .unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Twenty ways to get a token of one kind wrong; `good` is the right
/// claim set and `key` the right key, so every token below is refused for
/// exactly one reason.
fn bad_tokens(good: &Value, key: &[u8], other_key: &[u8]) -> Vec<(&'static str, String)> {
    use jsonwebtoken::Algorithm::{HS256, HS512};
    let now = token_service::tokens::now();
    let with = |field: &str, value: Value| {
        let mut claims = good.clone();
        claims[field] = value;
        claims
    };
    let without = |field: &str| {
        let mut claims = good.clone();
        claims.as_object_mut().unwrap().remove(field);
        claims
    };
    let valid = signed(good, key, HS256);
    let (head, rest) = valid.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let other_payload = b64(with("sub", json!("someone-else")).to_string().as_bytes());
    let unsigned = |alg: &str| {
        format!(
            "{}.{payload}.",
            b64(json!({"alg": alg, "typ": "JWT"}).to_string().as_bytes())
        )
    };
    vec![
        ("another key", signed(good, &[7; 32], HS256)),
        ("another kind's key", signed(good, other_key, HS256)),
        (
            "another audience",
            signed(&with("aud", json!("hearth-elsewhere")), key, HS256),
        ),
        (
            "another issuer",
            signed(&with("iss", json!("not-hearth")), key, HS256),
        ),
        (
            "expired",
            signed(&with("exp", json!(now - 100)), key, HS256),
        ),
        (
            "not yet valid",
            signed(&with("nbf", json!(now + 3_600)), key, HS256),
        ),
        ("no expiry", signed(&without("exp"), key, HS256)),
        ("no subject", signed(&without("sub"), key, HS256)),
        (
            "expiry as text",
            signed(&with("exp", json!("tomorrow")), key, HS256),
        ),
        ("alg none", unsigned("none")),
        ("alg None", unsigned("None")),
        ("HS512 with the right key", signed(good, key, HS512)),
        (
            "RS256 header, HMAC signature",
            format!(
                "{}.{payload}.{signature}",
                b64(br#"{"alg":"RS256","typ":"JWT"}"#)
            ),
        ),
        (
            "tampered payload",
            format!("{head}.{other_payload}.{signature}"),
        ),
        ("truncated", valid[..valid.len() - 3].to_owned()),
        ("signature dropped", format!("{head}.{payload}")),
        ("an extra segment", format!("{valid}.x")),
        (
            "payload not JSON",
            format!("{head}.{}.{signature}", b64(b"not json")),
        ),
        ("empty", String::new()),
        ("10 KB", "A".repeat(10 * 1024)),
    ]
}

#[tokio::test]
async fn sixty_forged_expired_or_wrong_kind_tokens_are_refused() {
    let app = spawn_app_with(&[("RATE_LIMITS", "off")], None).await;
    let decode = |key: &str| {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(key.trim_end_matches('='))
            .unwrap()
    };
    let (session_key, invite_key) = (decode(SESSION_KEY), decode(INVITE_KEY));
    let room_key = token_service::ids::derive_key(&invite_key, ROOM_AUDIENCE);
    let visit = visit(&app).await;
    let mut refused_count = 0;
    // Controls: each right claim set, rightly signed, gets in, so every
    // refusal below is for its one defect.
    let good = |claims: &Value, key: &[u8]| signed(claims, key, jsonwebtoken::Algorithm::HS256);

    let session = claims(
        SESSION_AUDIENCE,
        CLINICIAN_ONE.0,
        json!({"max_exp": token_service::tokens::now() + 600}),
    );
    let control = app
        .post(
            "/api/visits",
            &json!({}),
            Some(&good(&session, &session_key)),
        )
        .await;
    assert_eq!(control.status(), 200);
    for (what, token) in bad_tokens(&session, &session_key, &invite_key) {
        let response = app.post("/api/visits", &json!({}), Some(&token)).await;
        assert_eq!(response.status(), 401, "session, {what}");
        refused_count += 1;
    }
    let invite = claims(
        INVITE_AUDIENCE,
        "visit-of-the-matrix",
        json!({"role": "patient"}),
    );
    let control = json!({"invite": good(&invite, &invite_key)});
    assert_eq!(app.post("/api/token", &control, None).await.status(), 200);
    for (what, token) in bad_tokens(&invite, &invite_key, &session_key) {
        let response = app.token_for_invite(&token).await;
        assert!(
            response.status().is_client_error(),
            "invite, {what}: {}",
            response.status()
        );
        refused_count += 1;
    }
    let room = claims(
        ROOM_AUDIENCE,
        &visit.patient.identity,
        json!({"room": visit.patient.room, "role": "patient"}),
    );
    connect(&app, &good(&room, &room_key)).await;
    for (what, token) in bad_tokens(&room, &room_key, &invite_key) {
        let (status, _) = refused(&app, &token).await;
        assert!((400..500).contains(&status), "room token, {what}: {status}");
        refused_count += 1;
    }
    println!("figure: {refused_count} of {refused_count} bad tokens refused (sessions, invites, room tokens)");
    assert!(refused_count >= 60);
}

/// A room token like `minted` (no device tag) that ends `seconds` from now:
/// the service's own clamp never mints one this short.
fn room_token_ending_in(minted: &api_types::TokenResponse, seconds: u64) -> String {
    let invite_key = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(INVITE_KEY.trim_end_matches('='))
        .unwrap();
    let room_key = token_service::ids::derive_key(&invite_key, ROOM_AUDIENCE);
    let mut short = claims(
        ROOM_AUDIENCE,
        &minted.identity,
        json!({"room": minted.room, "role": minted.role}),
    );
    short["exp"] = json!(token_service::tokens::now() + seconds);
    signed(&short, &room_key, jsonwebtoken::Algorithm::HS256)
}

#[tokio::test]
async fn an_open_socket_closes_when_its_room_token_runs_out() {
    let app = spawn_app().await;
    let visit = visit(&app).await;
    let mut socket = connect(&app, &room_token_ending_in(&visit.patient, 2)).await;
    next(&mut socket).await;
    let opened = Instant::now();
    assert_eq!(closed_with(&mut socket).await, close_code::EXPIRED);
    assert!(
        opened.elapsed() < Duration::from_secs(5),
        "closed after {:?}",
        opened.elapsed()
    );
}

#[tokio::test]
async fn a_clinician_room_token_ends_with_the_session_and_the_call_renews_it() {
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let created = app.create_visit(&session.token).await;
    let clinician: api_types::TokenResponse = app
        .token_for_visit(&session.token, &created.visit_id)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        clinician.expires_at <= session.expires_at,
        "room token until {}, session idles out at {}",
        clinician.expires_at,
        session.expires_at
    );
    let patient: api_types::TokenResponse = app
        .token_for_invite(&created.patient_invite)
        .await
        .json()
        .await
        .unwrap();

    let mut socket = connect(&app, &room_token_ending_in(&clinician, 3)).await;
    next(&mut socket).await;
    let renew = |token: &str| Message::text(json!({"type": "renew", "token": token}).to_string());

    // Someone else's token, or a forged one, renews nothing...
    for token in [patient.token.as_str(), "forged"] {
        socket.send(renew(token)).await.unwrap();
        assert!(matches!(
            next(&mut socket).await,
            ServerSignal::Error { code, .. } if code == "renewal_refused"
        ));
    }
    // ...the clinician's own fresh token keeps the call open past the old end.
    socket.send(renew(&clinician.token)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let probe = json!({"type": "signal", "to": "nobody", "payload": {}}).to_string();
    socket.send(Message::text(probe)).await.unwrap();
    assert!(matches!(
        next(&mut socket).await,
        ServerSignal::Error { code, .. } if code == "unknown_peer"
    ));
}

#[tokio::test]
async fn only_the_patients_own_confirmation_makes_a_late_notice_delivered() {
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    let created = app.create_visit(&session).await;
    let patient_token = minted(app.token_for_invite(&created.patient_invite).await).await;
    let guest = guest_token(&app, &created.guest_invite).await;
    let mut patient = connect(&app, &patient_token.token).await;
    next(&mut patient).await;
    let mut guest = connect(&app, &guest.token).await;
    next(&mut guest).await;
    next(&mut patient).await;
    let late = json!({"visit_id": created.visit_id, "minutes": 10, "note": " Sorry "});
    let seen = Message::text(json!({"type": "notice_seen"}).to_string());

    // The guest claims to have seen it; the patient stays silent.
    let (answer, ()) = tokio::join!(
        app.post("/api/visits/running-late", &late, Some(&session)),
        async {
            let notice = next(&mut patient).await;
            let expected = api_types::LateNotice::new(Some(10), Some("Sorry")).unwrap();
            assert_eq!(
                notice,
                ServerSignal::Notice(expected),
                "minutes and note, not words"
            );
            guest.send(seen.clone()).await.unwrap();
            assert!(
                matches!(next(&mut guest).await, ServerSignal::Error { code, .. } if code == "invalid_message"),
                "the guest's claim is refused, and the guest never got the notice"
            );
        }
    );
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["delivered"], false, "{body}");

    // The patient's own confirmation counts.
    let (answer, ()) = tokio::join!(
        app.post("/api/visits/running-late", &late, Some(&session)),
        async {
            assert!(matches!(next(&mut patient).await, ServerSignal::Notice(_)));
            patient.send(seen.clone()).await.unwrap();
        }
    );
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["delivered"], true, "{body}");
}
