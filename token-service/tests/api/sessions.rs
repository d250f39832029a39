use crate::helpers::{
    assert_error, spawn_app, spawn_app_with, CLINICIAN_ONE, INVITE_KEY, SESSION_KEY,
};
use api_types::SessionResponse;
use base64::Engine;
use serde_json::json;
use token_service::tokens::{now, Claims, Signer};
use token_service::tokens::{SessionExtra, INVITE_AUDIENCE, SESSION_AUDIENCE};

fn key(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(text.trim_end_matches('='))
        .unwrap()
}

#[tokio::test]
async fn a_clinician_signs_in_with_idle_and_absolute_limits() {
    let app = spawn_app().await;
    let before = now();
    let session = app.sign_in(CLINICIAN_ONE).await;
    assert_eq!(session.clinician.id, "c-one");
    assert_eq!(session.clinician.display_name, "Clinician c-one");
    assert!((before + 1_800..=before + 1_802).contains(&session.expires_at));
    assert!((before + 43_200..=before + 43_202).contains(&session.absolute_expires_at));
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong_password = app
        .post(
            "/api/session",
            &json!({"username": "c-one", "password": "nope"}),
            None,
        )
        .await;
    let unknown_user = app
        .post(
            "/api/session",
            &json!({"username": "nobody", "password": "nope"}),
            None,
        )
        .await;
    assert_eq!(wrong_password.status(), 401);
    assert_eq!(unknown_user.status(), 401);
    assert_eq!(
        wrong_password.text().await.unwrap(),
        unknown_user.text().await.unwrap()
    );
}

#[tokio::test]
async fn refresh_extends_the_idle_window_but_not_the_absolute_end() {
    let app = spawn_app_with(
        &[
            ("SESSION_IDLE_SECONDS", "600"),
            ("SESSION_TTL_SECONDS", "900"),
        ],
        None,
    )
    .await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let response = app
        .post("/api/session/refresh", &json!({}), Some(&session.token))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let refreshed: SessionResponse = response.json().await.unwrap();
    assert_ne!(refreshed.token, session.token);
    assert!(refreshed.expires_at > session.expires_at);
    assert_eq!(refreshed.absolute_expires_at, session.absolute_expires_at);
}

#[tokio::test]
async fn a_session_not_refreshed_in_time_stops_working() {
    let app = spawn_app().await;
    let signer = Signer::new(SESSION_AUDIENCE, &key(SESSION_KEY));
    let now = now();
    let idle_expired = signer.sign(&Claims {
        registered: signer.registered("c-one", now - 4_000, now - 4_000, now - 60),
        extra: SessionExtra {
            max_exp: now + 3_600,
        },
    });
    let response = app
        .post("/api/session/refresh", &json!({}), Some(&idle_expired))
        .await;
    assert_error(response, 401, "session_expired").await;

    let past_absolute = signer.sign(&Claims {
        registered: signer.registered("c-one", now - 100, now - 100, now + 600),
        extra: SessionExtra { max_exp: now - 60 },
    });
    let response = app
        .post("/api/visits", &json!({}), Some(&past_absolute))
        .await;
    assert_error(response, 401, "session_expired").await;
}

#[tokio::test]
async fn an_invite_is_not_a_session_and_a_session_is_not_an_invite() {
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let visit = app.create_visit(&session.token).await;

    let response = app
        .post(
            "/api/session/refresh",
            &json!({}),
            Some(&visit.patient_invite),
        )
        .await;
    assert_error(response, 403, "forbidden").await;
    let response = app.token_for_invite(&session.token).await;
    assert_error(response, 401, "invite_invalid").await;

    // A session-shaped token signed with the invite key is still no session.
    let invite_signer = Signer::new(INVITE_AUDIENCE, &key(INVITE_KEY));
    let now = now();
    let forged = invite_signer.sign(&Claims {
        registered: invite_signer.registered("c-one", now, now, now + 600),
        extra: SessionExtra { max_exp: now + 600 },
    });
    let response = app.post("/api/visits", &json!({}), Some(&forged)).await;
    assert_error(response, 401, "invalid_session").await;
}

#[tokio::test]
async fn built_in_mode_without_accounts_makes_a_demo_clinician() {
    let app = spawn_app_with(&[("CLINICIANS_FILE", "")], None).await;
    let password = app.demo_password.clone().expect("a demo login");
    let session = app.sign_in(("demo", &password)).await;
    assert_eq!(session.clinician.id, "demo");
}
