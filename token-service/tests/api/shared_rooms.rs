//! Two copies of the service sharing built-in rooms through one Redis:
//! each test joins members through different copies and checks what the
//! other members receive.

use crate::helpers::{assert_error, build_app, minted, spawn_app_with, TestApp, CLINICIAN_ONE};
use crate::signalling::{closed_with, connect, next, visit, Socket};
use api_types::{
    close_code, ClientSignal, CreateVisitResponse, HealthResponse, Presence, ServerSignal,
    SessionResponse, TokenResponse, VisitStatusResponse,
};
use futures_util::{SinkExt, StreamExt};
use local_redis::LocalRedis;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

async fn two_copies(redis: &LocalRedis, vars: &[(&str, &str)]) -> (TestApp, TestApp) {
    let url = redis.url();
    let vars: Vec<(&str, &str)> = [("REDIS_URL", url.as_str())]
        .into_iter()
        .chain(vars.iter().copied())
        .collect();
    (
        spawn_app_with(&vars, None).await,
        spawn_app_with(&vars, None).await,
    )
}

async fn health(app: &TestApp) -> HealthResponse {
    let url = format!("{}/healthz", app.address);
    app.client
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits up to 10 s for `app`'s `/healthz` to say `status`.
async fn until_health(app: &TestApp, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while health(app).await.status != status {
        assert!(Instant::now() < deadline, "/healthz never said {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A clinician signed in at `clinic`, a new visit, and its patient's room
/// token from `patient_side`.
async fn visit_across(
    clinic: &TestApp,
    patient_side: &TestApp,
) -> (SessionResponse, CreateVisitResponse, TokenResponse) {
    let session = clinic.sign_in(CLINICIAN_ONE).await;
    let created = patient_side.create_visit(&session.token).await;
    let patient = minted(patient_side.token_for_invite(&created.patient_invite).await).await;
    (session, created, patient)
}

async fn send_signal(socket: &mut Socket, to: &str, payload: serde_json::Value) {
    let signal = ClientSignal::Signal {
        to: to.to_owned(),
        payload,
    };
    let text = serde_json::to_string(&signal).unwrap();
    socket.send(Message::text(text)).await.unwrap();
}

/// The roster in a welcome, as identities.
async fn welcomed(socket: &mut Socket) -> Vec<String> {
    match next(socket).await {
        ServerSignal::Welcome { roster, .. } => roster.into_iter().map(|p| p.identity).collect(),
        other => panic!("expected a welcome, got {other:?}"),
    }
}

/// Every key in Redis with its values, as one text.
fn everything_in(redis: &LocalRedis) -> String {
    const DUMP: &str = "local out = {}
        for _, key in ipairs(redis.call('KEYS', '*')) do
          out[#out + 1] = key
          local kind = redis.call('TYPE', key).ok
          local values = {}
          if kind == 'string' then values = {redis.call('GET', key)}
          elseif kind == 'hash' then values = redis.call('HGETALL', key)
          elseif kind == 'zset' then values = redis.call('ZRANGE', key, 0, -1) end
          for _, value in ipairs(values) do out[#out + 1] = value end
        end
        return out";
    let output = std::process::Command::new("redis-cli")
        .args(["-p", &redis.port().to_string(), "EVAL", DUMP, "0"])
        .output()
        .expect("redis-cli runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn presence(app: &TestApp, session: &str, visit_id: &str) -> Presence {
    let response = app.visit_status(session, &[visit_id]).await;
    assert_eq!(response.status(), 200);
    let status: VisitStatusResponse = response.json().await.unwrap();
    status.visits[0].presence
}

#[tokio::test]
async fn a_copy_refuses_to_start_when_redis_does_not_answer() {
    let closed = format!("redis://127.0.0.1:{}", crate::helpers::closed_port());
    let refused = build_app(&[("REDIS_URL", closed.as_str())], None).await;
    let message = refused.err().expect("no start without Redis").to_string();
    assert!(message.contains("REDIS_URL"), "{message}");
}

#[tokio::test]
async fn members_on_different_copies_meet_signal_and_are_ended_together() {
    let redis = LocalRedis::start();
    let (a, b) = two_copies(&redis, &[]).await;
    let (session, created, patient_token) = visit_across(&b, &a).await;
    let visit_id = created.visit_id;

    let mut patient = connect(&a, &patient_token.token).await;
    assert!(welcomed(&mut patient).await.is_empty());
    assert_eq!(
        presence(&b, &session.token, &visit_id).await,
        Presence::PatientWaiting
    );

    let clinician_token = minted(b.token_for_visit(&session.token, &visit_id).await).await;
    let mut clinician = connect(&b, &clinician_token.token).await;
    assert_eq!(
        welcomed(&mut clinician).await,
        [patient_token.identity.as_str()]
    );
    match next(&mut patient).await {
        ServerSignal::Joined(who) => assert_eq!(who.identity, clinician_token.identity),
        other => panic!("the patient was not told: {other:?}"),
    }
    for app in [&a, &b] {
        assert_eq!(
            presence(app, &session.token, &visit_id).await,
            Presence::InCall
        );
    }

    send_signal(
        &mut clinician,
        &patient_token.identity,
        json!({"sdp": "offer"}),
    )
    .await;
    match next(&mut patient).await {
        ServerSignal::Signal { from, payload } => {
            assert_eq!(from, clinician_token.identity);
            assert_eq!(payload, json!({"sdp": "offer"}));
        }
        other => panic!("the offer did not cross copies: {other:?}"),
    }
    // Nothing crosses into another visit, even one whose patient sits on
    // the other copy.
    let (_, _, other_patient) = visit_across(&a, &b).await;
    let mut other = connect(&b, &other_patient.token).await;
    welcomed(&mut other).await;
    for to in ["provider.nobody", other_patient.identity.as_str()] {
        send_signal(&mut patient, to, json!({"sdp": "stray"})).await;
        assert!(
            matches!(next(&mut patient).await, ServerSignal::Error { code, .. } if code == "unknown_peer"),
            "a signal to {to} was not refused"
        );
    }
    let stray = tokio::time::timeout(Duration::from_secs(1), other.next()).await;
    assert!(
        !matches!(&stray, Ok(Some(Ok(Message::Text(_))))),
        "the other visit's patient received {stray:?}"
    );

    let stored = everything_in(&redis);
    assert!(
        stored.contains(&patient_token.identity),
        "the dump reads Redis"
    );
    for private in [
        patient_token.token.as_str(),
        clinician_token.token.as_str(),
        session.token.as_str(),
        "offer",
    ] {
        assert!(!stored.contains(private), "Redis holds {private}");
    }

    assert_eq!(b.end_visit(&session.token, &visit_id).await.status(), 204);
    assert_eq!(closed_with(&mut patient).await, close_code::ROOM_ENDED);
    assert_eq!(closed_with(&mut clinician).await, close_code::ROOM_ENDED);
    let again = a
        .token_for_invite(&visit_id_invite(&a, &session.token).await)
        .await;
    assert_eq!(again.status(), 200, "another visit is untouched");
    assert_error(
        a.token_for_visit(&session.token, &visit_id).await,
        410,
        "visit_ended",
    )
    .await;
}

/// A fresh visit's patient invite, to show ending one visit leaves others.
async fn visit_id_invite(app: &TestApp, session: &str) -> String {
    app.create_visit(session).await.patient_invite
}

#[tokio::test]
async fn the_patients_place_and_the_room_limits_hold_across_copies() {
    let redis = LocalRedis::start();
    let (a, b) = two_copies(&redis, &[("MAX_GUESTS", "1")]).await;
    let session = a.sign_in(CLINICIAN_ONE).await;
    let created = a.create_visit(&session.token).await;
    let phone = minted(
        a.token_for_device(&created.patient_invite, Some("phone-secret"))
            .await,
    )
    .await;
    let mut on_a = connect(&a, &phone.token).await;
    welcomed(&mut on_a).await;

    assert_error(
        b.token_for_device(&created.patient_invite, Some("laptop-secret"))
            .await,
        409,
        "patient_elsewhere",
    )
    .await;
    let tab = minted(
        b.token_for_device(&created.patient_invite, Some("phone-secret"))
            .await,
    )
    .await;
    let mut on_b = connect(&b, &tab.token).await;
    welcomed(&mut on_b).await;
    assert_eq!(
        closed_with(&mut on_a).await,
        close_code::REPLACED,
        "the older tab, on the other copy, is told and closed"
    );

    let guest = crate::signalling::guest_token(&a, &created.guest_invite).await;
    let mut first_guest = connect(&a, &guest.token).await;
    welcomed(&mut first_guest).await;
    assert_error(
        b.token_for_invite(&created.guest_invite).await,
        409,
        "guests_full",
    )
    .await;
}

#[tokio::test]
async fn a_lost_redis_keeps_open_sockets_refuses_joins_and_recovers() {
    let mut redis = LocalRedis::start();
    let (a, b) = two_copies(&redis, &[]).await;
    let room = visit(&a).await;
    let mut patient = connect(&a, &room.patient.token).await;
    welcomed(&mut patient).await;
    let mut clinician = connect(&b, &room.clinician.token).await;
    welcomed(&mut clinician).await;
    next(&mut patient).await;

    redis.stop();
    until_health(&a, "degraded").await;
    until_health(&b, "degraded").await;
    let guest = a.token_for_invite(&room.guest_invite).await;
    assert_error(guest, 503, "unavailable").await;
    // The sockets stay open: peer-to-peer media needs nothing from Redis.
    let quiet = tokio::time::timeout(Duration::from_secs(2), patient.next()).await;
    assert!(
        !matches!(quiet, Ok(Some(Ok(Message::Close(_)))) | Ok(None)),
        "the patient's socket was closed: {quiet:?}"
    );

    redis.resume();
    until_health(&a, "ok").await;
    until_health(&b, "ok").await;
    // Members come back into a restarted, empty Redis; channels resubscribe.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let guest_token = crate::signalling::guest_token(&b, &room.guest_invite).await;
    let mut guest = connect(&b, &guest_token.token).await;
    let mut roster = welcomed(&mut guest).await;
    roster.sort();
    let mut expected = vec![
        room.clinician.identity.clone(),
        room.patient.identity.clone(),
    ];
    expected.sort();
    assert_eq!(roster, expected);
    loop {
        match next(&mut patient).await {
            ServerSignal::Joined(who) => {
                assert_eq!(who.identity, guest_token.identity);
                break;
            }
            _ => continue,
        }
    }
}

#[tokio::test]
async fn a_dead_copys_members_vanish_and_the_others_are_told() {
    let redis = LocalRedis::start();
    let (a, b) = two_copies(&redis, &[]).await;
    let (session, created, patient_token) = visit_across(&a, &a).await;
    let mut patient = connect(&a, &patient_token.token).await;
    welcomed(&mut patient).await;

    // A guest held by a copy that died 20 s ago: its presence ran out.
    let room = &patient_token.room;
    let long_ago = (std::time::SystemTime::now() - Duration::from_secs(20))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        .to_string();
    let record = r#"{"role":"guest","device":null,"copy":"dead","connection":"1","joined_at":1}"#;
    let port = redis.port().to_string();
    for command in [
        vec![
            "ZADD",
            &format!("hearth:room:{room}:live"),
            &long_ago,
            "guest.ghost",
        ],
        vec![
            "HSET",
            &format!("hearth:room:{room}:who"),
            "guest.ghost",
            record,
        ],
    ] {
        let done = std::process::Command::new("redis-cli")
            .args(["-p", &port])
            .args(&command)
            .output()
            .expect("redis-cli runs");
        assert!(done.status.success());
    }

    // The dashboard asks another copy: the ghost is not there, and the
    // patient hears that it left.
    assert_eq!(
        presence(&b, &session.token, &created.visit_id).await,
        Presence::PatientWaiting
    );
    match next(&mut patient).await {
        ServerSignal::Left { identity } => assert_eq!(identity, "guest.ghost"),
        other => panic!("the patient was not told: {other:?}"),
    }
}
