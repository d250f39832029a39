//! The built-in rooms' signalling socket, with a real WebSocket client.

use crate::helpers::{spawn_app, TestApp, CLINICIAN_ONE};
use api_types::{close_code, Role, ServerSignal, TokenResponse, SIGNALLING_PROTOCOL};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Error, Message};

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn try_connect(app: &TestApp, token: &str) -> Result<Socket, Error> {
    let url = format!("{}/api/rooms/ws", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    let protocols = format!("{SIGNALLING_PROTOCOL}, {token}");
    request
        .headers_mut()
        .insert("sec-websocket-protocol", protocols.parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

pub(crate) async fn connect(app: &TestApp, token: &str) -> Socket {
    try_connect(app, token).await.expect("the socket opens")
}

/// Connecting with `token` is refused before the upgrade: (status, error code).
pub(crate) async fn refused(app: &TestApp, token: &str) -> (u16, String) {
    match try_connect(app, token).await {
        Err(Error::Http(response)) => {
            let body: serde_json::Value =
                serde_json::from_slice(response.body().as_deref().unwrap_or_default())
                    .expect("refusals are JSON");
            let code = body["error"]["code"]
                .as_str()
                .expect("an error code")
                .to_owned();
            (response.status().as_u16(), code)
        }
        other => panic!("token {token:?} was not refused: {:?}", other.map(|_| ())),
    }
}

/// The next signal, skipping pings; panics after 5 s of silence.
pub(crate) async fn next(socket: &mut Socket) -> ServerSignal {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a message within 5 s")
            .expect("the socket is open")
            .expect("a valid frame");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("a server signal");
        }
    }
}

/// The close code the server ends the socket with.
pub(crate) async fn closed_with(socket: &mut Socket) -> u16 {
    loop {
        match tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .expect("closed within 20 s")
        {
            Some(Ok(Message::Close(Some(frame)))) => return u16::from(frame.code),
            Some(Ok(_)) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    }
}

pub(crate) struct Visit {
    pub patient: TokenResponse,
    pub clinician: TokenResponse,
    pub guest_invite: String,
}

pub(crate) async fn visit(app: &TestApp) -> Visit {
    let session = app.sign_in(CLINICIAN_ONE).await;
    let visit = app.create_visit(&session.token).await;
    let token = |body: serde_json::Value, bearer: Option<String>| async move {
        app.post("/api/token", &body, bearer.as_deref())
            .await
            .json::<TokenResponse>()
            .await
            .unwrap()
    };
    Visit {
        patient: token(json!({"invite": visit.patient_invite}), None).await,
        clinician: token(
            json!({"visit_id": visit.visit_id}),
            Some(session.token.clone()),
        )
        .await,
        guest_invite: visit.guest_invite,
    }
}

pub(crate) async fn guest_token(app: &TestApp, invite: &str) -> TokenResponse {
    app.token_for_invite(invite).await.json().await.unwrap()
}

#[tokio::test]
async fn bad_or_missing_tokens_are_refused_before_the_upgrade() {
    let app = spawn_app().await;
    let visit = visit(&app).await;
    for token in [
        "",
        "garbage",
        &format!("{}x", visit.patient.token),
        &visit.guest_invite,
    ] {
        let (status, code) = refused(&app, token).await;
        assert_eq!(status, 401, "token {token:?}");
        assert!(
            ["unauthenticated", "room_token_invalid"].contains(&code.as_str()),
            "{code}"
        );
    }
}

#[tokio::test]
async fn an_expired_room_token_is_refused_before_the_upgrade() {
    use base64::Engine;
    use token_service::tokens::RoomExtra;
    use token_service::tokens::ROOM_AUDIENCE;
    use token_service::tokens::{now, Claims, Signer};
    let app = spawn_app().await;
    let visit = visit(&app).await;
    let invite_key = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(crate::helpers::INVITE_KEY)
        .unwrap();
    let rooms = Signer::new(
        ROOM_AUDIENCE,
        &token_service::ids::derive_key(&invite_key, ROOM_AUDIENCE),
    );
    let now = now();
    let expired = rooms.sign(&Claims {
        registered: rooms.registered(&visit.patient.identity, now - 600, now - 600, now - 60),
        extra: RoomExtra {
            room: visit.patient.room.clone(),
            role: Role::Patient,
            device: None,
        },
    });
    assert_eq!(
        refused(&app, &expired).await,
        (401, "room_token_expired".to_owned())
    );
}

#[tokio::test]
async fn members_see_each_other_and_relay_only_to_their_room() {
    let app = spawn_app().await;
    let visit = visit(&app).await;
    let mut patient = connect(&app, &visit.patient.token).await;
    let ServerSignal::Welcome {
        identity,
        role,
        roster,
    } = next(&mut patient).await
    else {
        panic!("welcome first")
    };
    assert_eq!(
        (identity.as_str(), role, roster.len()),
        (visit.patient.identity.as_str(), Role::Patient, 0)
    );

    let mut clinician = connect(&app, &visit.clinician.token).await;
    let ServerSignal::Welcome { roster, .. } = next(&mut clinician).await else {
        panic!("welcome first")
    };
    assert_eq!(roster.len(), 1);
    assert_eq!(
        (roster[0].identity.as_str(), roster[0].role),
        (visit.patient.identity.as_str(), Role::Patient)
    );
    let ServerSignal::Joined(joined) = next(&mut patient).await else {
        panic!("joined")
    };
    assert_eq!(joined.role, Role::Provider);

    let offer = json!({"type": "signal", "to": visit.patient.identity, "payload": {"sdp": "v=0"}});
    clinician
        .send(Message::text(offer.to_string()))
        .await
        .unwrap();
    assert_eq!(
        next(&mut patient).await,
        ServerSignal::Signal {
            from: visit.clinician.identity.clone(),
            payload: json!({"sdp": "v=0"})
        }
    );

    // Another visit's patient is out of reach.
    let other = self::visit(&app).await;
    let stray = json!({"type": "signal", "to": other.patient.identity, "payload": {}});
    clinician
        .send(Message::text(stray.to_string()))
        .await
        .unwrap();
    assert!(
        matches!(next(&mut clinician).await, ServerSignal::Error { code, .. } if code == "unknown_peer")
    );

    clinician.close(None).await.unwrap();
    assert_eq!(
        next(&mut patient).await,
        ServerSignal::Left {
            identity: visit.clinician.identity.clone()
        }
    );
}

#[tokio::test]
async fn the_same_identity_joining_again_closes_the_older_socket() {
    let app = spawn_app().await;
    let visit = visit(&app).await;
    let mut first = connect(&app, &visit.patient.token).await;
    next(&mut first).await;
    let mut second = connect(&app, &visit.patient.token).await;
    assert!(matches!(
        next(&mut second).await,
        ServerSignal::Welcome { .. }
    ));
    assert_eq!(closed_with(&mut first).await, close_code::REPLACED);
}

#[tokio::test]
async fn the_dashboard_sees_who_is_waiting_and_can_end_the_visit() {
    use api_types::{Presence, VisitStatusResponse};
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let visit = app.create_visit(&session.token).await;
    let patient_token: TokenResponse = app
        .token_for_invite(&visit.patient_invite)
        .await
        .json()
        .await
        .unwrap();
    // Each request as a given clinician; their answers are checked below.
    let ids = json!({"visit_ids": [visit.visit_id]});
    let end = json!({"visit_id": visit.visit_id});
    let status_as = async |token: &str| app.post("/api/visits/status", &ids, Some(token)).await;
    let end_as = async |token: &str| app.post("/api/visits/end", &end, Some(token)).await;
    let status = || async {
        let response = status_as(&session.token).await;
        assert_eq!(response.status(), 200);
        response.json::<VisitStatusResponse>().await.unwrap().visits[0].clone()
    };
    assert_eq!(status().await.presence, Presence::Empty);

    let mut patient = connect(&app, &patient_token.token).await;
    next(&mut patient).await;
    let waiting = status().await;
    assert_eq!(waiting.presence, Presence::PatientWaiting);
    assert!(waiting.patient_since.is_some());

    let other = app.sign_in(crate::helpers::CLINICIAN_TWO).await;
    assert_eq!(
        status_as(&other.token).await.status(),
        403,
        "another clinician sees nothing"
    );
    assert_eq!(end_as(&other.token).await.status(), 403, "and ends nothing");

    assert_eq!(end_as(&session.token).await.status(), 204);
    assert_eq!(closed_with(&mut patient).await, close_code::ROOM_ENDED);
    assert_eq!(status().await.presence, Presence::Empty);
}

#[tokio::test]
async fn twilio_mode_says_live_status_is_unavailable() {
    let app = crate::helpers::spawn_twilio_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let visit = app.create_visit(&session.token).await;
    let response = app
        .post(
            "/api/visits/status",
            &json!({"visit_ids": [visit.visit_id]}),
            Some(&session.token),
        )
        .await;
    assert_eq!(response.status(), 503);
    assert_eq!(
        crate::helpers::error_code(response).await,
        "status_unavailable"
    );
}

#[tokio::test]
async fn a_full_service_answers_503_before_the_upgrade() {
    let app = crate::helpers::spawn_app_with(&[("MAX_SOCKETS", "1")], None).await;
    let visit = visit(&app).await;
    let mut first = connect(&app, &visit.patient.token).await;
    next(&mut first).await;
    assert_eq!(
        refused(&app, &visit.clinician.token).await,
        (503, "unavailable".to_owned())
    );
}

#[tokio::test]
async fn oversized_and_flooding_messages_close_the_socket() {
    let app = spawn_app().await;
    let visit = visit(&app).await;
    let mut big = connect(&app, &visit.patient.token).await;
    next(&mut big).await;
    let payload = "x".repeat(70 * 1024);
    big.send(Message::text(
        json!({"type": "signal", "to": "a", "payload": payload}).to_string(),
    ))
    .await
    .unwrap();
    assert_eq!(closed_with(&mut big).await, close_code::POLICY);

    let mut flood = connect(&app, &visit.clinician.token).await;
    next(&mut flood).await;
    for _ in 0..60 {
        let _ = flood.send(Message::text("{}")).await;
    }
    assert_eq!(closed_with(&mut flood).await, close_code::POLICY);
}

#[tokio::test]
async fn a_vanished_browser_leaves_the_roster_within_15_seconds() {
    let app = spawn_app().await;
    let visit = visit(&app).await;
    // Joined, then never read from again: it answers no heartbeat.
    let mut silent = connect(&app, &visit.patient.token).await;
    next(&mut silent).await;
    let mut clinician = connect(&app, &visit.clinician.token).await;
    let ServerSignal::Welcome { roster, .. } = next(&mut clinician).await else {
        panic!("welcome")
    };
    assert_eq!(roster.len(), 1);
    let started = std::time::Instant::now();
    let left = loop {
        let message = tokio::time::timeout(Duration::from_secs(16), clinician.next()).await;
        match message.expect("a message within 16 s").unwrap().unwrap() {
            Message::Text(text) => break serde_json::from_str::<ServerSignal>(&text).unwrap(),
            _ => continue,
        }
    };
    assert_eq!(
        left,
        ServerSignal::Left {
            identity: visit.patient.identity.clone()
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    drop(silent);
}
