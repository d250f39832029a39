//! `POST /api/token`, with the invite test matrix.

use crate::helpers::{
    assert_error, spawn_app, spawn_twilio_app, TestApp, CLINICIAN_ONE, CLINICIAN_TWO, INVITE_KEY,
};
use api_types::{Role, TokenResponse, VideoMode};
use base64::Engine;
use serde_json::{json, Value};
use token_service::tokens::InviteExtra;
use token_service::tokens::INVITE_AUDIENCE;
use token_service::tokens::{now, Claims, Signer};

async fn token_for(app: &TestApp, body: Value, bearer: Option<&str>) -> TokenResponse {
    let response = app.post("/api/token", &body, bearer).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    response.json().await.unwrap()
}

fn invite_signer() -> Signer {
    let key = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(INVITE_KEY)
        .unwrap();
    Signer::new(INVITE_AUDIENCE, &key)
}

fn forged_invite(visit_id: &str, nbf: u64, exp: u64) -> String {
    let signer = invite_signer();
    signer.sign(&Claims {
        registered: signer.registered(visit_id, now(), nbf, exp),
        extra: InviteExtra {
            role: Role::Patient,
        },
    })
}

#[tokio::test]
async fn invites_and_sessions_get_room_scoped_tokens_with_opaque_identities() {
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let visit = app.create_visit(&session.token).await;

    let patient = token_for(&app, json!({"invite": visit.patient_invite}), None).await;
    assert_eq!(
        (patient.backend, patient.role),
        (VideoMode::Local, Role::Patient)
    );
    assert_eq!(patient.room, visit.visit_id);
    assert!(patient.identity.starts_with("patient."));
    let again = token_for(&app, json!({"invite": visit.patient_invite}), None).await;
    assert_eq!(
        again.identity, patient.identity,
        "one patient identity per invite"
    );
    assert!(patient.expires_at <= visit.invites_expire_at);

    let guest = token_for(&app, json!({"invite": visit.guest_invite}), None).await;
    let other_guest = token_for(&app, json!({"invite": visit.guest_invite}), None).await;
    assert_eq!(guest.role, Role::Guest);
    assert_ne!(
        guest.identity, other_guest.identity,
        "each guest is someone else"
    );

    let clinician = token_for(
        &app,
        json!({"visit_id": visit.visit_id}),
        Some(&session.token),
    )
    .await;
    assert_eq!(clinician.identity, "provider.c-one");
    assert_eq!(clinician.room, visit.visit_id);
}

#[tokio::test]
async fn built_in_tokens_carry_stun_and_time_limited_turn_servers() {
    let app = crate::helpers::spawn_app_with(
        &[
            ("STUN_URLS", "stun:stun.clinic.example:3478"),
            ("TURN_URLS", "turns:turn.clinic.example:5349"),
            ("TURN_SECRET", "coturn-shared-secret"),
        ],
        None,
    )
    .await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let visit = app.create_visit(&session.token).await;
    let token = token_for(&app, json!({"invite": visit.patient_invite}), None).await;
    assert_eq!(token.ice_servers.len(), 2);
    let turn = &token.ice_servers[1];
    assert_eq!(turn.urls, ["turns:turn.clinic.example:5349"]);
    let username = turn.username.as_deref().unwrap();
    assert_eq!(username, format!("{}:{}", token.expires_at, token.identity));
    assert_eq!(
        turn.credential.as_deref(),
        Some(token_service::ice::turn_credential("coturn-shared-secret", username).as_str())
    );
    let plain = spawn_app().await;
    let session = plain.sign_in(CLINICIAN_ONE).await;
    let visit = plain.create_visit(&session.token).await;
    assert!(
        token_for(&plain, json!({"invite": visit.patient_invite}), None)
            .await
            .ice_servers
            .is_empty()
    );
}

#[tokio::test]
async fn twilio_mode_mints_twilio_tokens_for_the_room() {
    let app = spawn_twilio_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let visit = app.create_visit(&session.token).await;
    let token = token_for(&app, json!({"invite": visit.patient_invite}), None).await;
    assert_eq!(token.backend, VideoMode::Twilio);
    let payload = token.token.split('.').nth(1).unwrap();
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["grants"]["video"]["room"], visit.visit_id.as_str());
    assert_eq!(payload["grants"]["identity"], token.identity.as_str());
    let ttl = payload["exp"].as_u64().unwrap() - payload["iat"].as_u64().unwrap();
    assert!(
        (20 * 60..=86_400).contains(&ttl),
        "ttl {ttl} covers the visit"
    );
}

#[tokio::test]
async fn the_invite_matrix() {
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let visit = app.create_visit(&session.token).await;
    let other_visit = app.create_visit(&session.token).await;
    let now = now();

    // Valid.
    token_for(
        &app,
        json!({"invite": visit.patient_invite, "visit_id": visit.visit_id}),
        None,
    )
    .await;

    // Flipped signature byte.
    let mut flipped = visit.patient_invite.clone().into_bytes();
    let at = flipped.len() - 3;
    flipped[at] = if flipped[at] == b'a' { b'b' } else { b'a' };
    let flipped = String::from_utf8(flipped).unwrap();
    assert_error(app.token_for_invite(&flipped).await, 401, "invite_invalid").await;

    // Expired.
    let expired = forged_invite(&visit.visit_id, now - 7_200, now - 60);
    assert_error(app.token_for_invite(&expired).await, 401, "invite_expired").await;

    // Not yet valid (a visit tomorrow).
    let tomorrow = app
        .post(
            "/api/visits",
            &json!({"starts_at": now + 86_400}),
            Some(&session.token),
        )
        .await
        .json::<api_types::CreateVisitResponse>()
        .await
        .unwrap();
    let response = app.token_for_invite(&tomorrow.patient_invite).await;
    assert_error(response, 401, "invite_not_yet_valid").await;

    // Another visit's invite asking for this room.
    let response = app
        .post(
            "/api/token",
            &json!({"invite": other_visit.patient_invite, "visit_id": visit.visit_id}),
            None,
        )
        .await;
    assert_error(response, 403, "wrong_visit").await;

    // Wrong audience: a built-in room token is not an invite.
    let room_token = token_for(&app, json!({"invite": visit.patient_invite}), None)
        .await
        .token;
    assert_error(
        app.token_for_invite(&room_token).await,
        401,
        "invite_invalid",
    )
    .await;

    // A patient invite calling a clinician endpoint.
    let response = app
        .post("/api/visits", &json!({}), Some(&visit.patient_invite))
        .await;
    assert_error(response, 403, "forbidden").await;
}

#[tokio::test]
async fn a_clinician_enters_only_their_own_visits() {
    let app = spawn_app().await;
    let one = app.sign_in(CLINICIAN_ONE).await;
    let two = app.sign_in(CLINICIAN_TWO).await;
    let visit = app.create_visit(&one.token).await;
    let response = app.token_for_visit(&two.token, &visit.visit_id).await;
    assert_error(response, 403, "not_your_visit").await;
    let response = app
        .post("/api/token", &json!({"visit_id": visit.visit_id}), None)
        .await;
    assert_error(response, 401, "unauthenticated").await;
    assert_error(
        app.post("/api/token", &json!({}), None).await,
        422,
        "invite_or_visit_required",
    )
    .await;
}

#[tokio::test]
async fn notice_participants_are_short_lived_twilio_only_and_for_your_own_visits() {
    let twilio = spawn_twilio_app().await;
    let session = twilio.sign_in(CLINICIAN_ONE).await.token;
    let visit = twilio.create_visit(&session).await.visit_id;
    let ask = json!({"visit_id": visit, "notice": true});
    let response = twilio.post("/api/token", &ask, Some(&session)).await;
    assert_eq!(response.status(), 200);
    let token: TokenResponse = response.json().await.unwrap();
    assert!(token.identity.starts_with("notice."), "{}", token.identity);
    assert_eq!(
        Role::from_identity(&token.identity),
        None,
        "no role the waiting room counts"
    );
    assert!(token.expires_at <= now() + 120);

    let other = twilio.sign_in(CLINICIAN_TWO).await.token;
    assert_error(
        twilio.post("/api/token", &ask, Some(&other)).await,
        403,
        "not_your_visit",
    )
    .await;
    assert_error(
        twilio.post("/api/token", &ask, None).await,
        401,
        "unauthenticated",
    )
    .await;

    let local = spawn_app().await;
    let session = local.sign_in(CLINICIAN_ONE).await.token;
    let visit = local.create_visit(&session).await.visit_id;
    let ask = json!({"visit_id": visit, "notice": true});
    assert_error(
        local.post("/api/token", &ask, Some(&session)).await,
        422,
        "notice_unavailable",
    )
    .await;
}
