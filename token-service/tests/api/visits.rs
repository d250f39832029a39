use crate::helpers::{assert_error, spawn_app, CLINICIAN_ONE, CLINICIAN_TWO};
use serde_json::json;
use token_service::tokens::now;

#[tokio::test]
async fn a_clinician_creates_a_visit_with_two_invites() {
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let starts_at = now() + 3_600;
    let response = app
        .post(
            "/api/visits",
            &json!({"starts_at": starts_at, "length_minutes": 15}),
            Some(&session.token),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = response.text().await.unwrap();
    // The service has no place for a patient's name: sending one is refused.
    let named = app
        .post(
            "/api/visits",
            &json!({"patient_name": "Ada Lovelace"}),
            Some(&session.token),
        )
        .await;
    assert_error(named, 422, "invalid_body").await;
    let visit: api_types::CreateVisitResponse = serde_json::from_str(&body).unwrap();
    assert_eq!(visit.visit_id.len(), 43);
    assert_ne!(visit.patient_invite, visit.guest_invite);
    assert_eq!(visit.invites_valid_from, starts_at - 1_800);
    assert_eq!(visit.invites_expire_at, starts_at + 15 * 60 + 7_200);
    let other = app.create_visit(&session.token).await;
    assert_ne!(other.visit_id, visit.visit_id);
}

#[tokio::test]
async fn creating_a_visit_needs_a_clinician() {
    let app = spawn_app().await;
    assert_error(
        app.post("/api/visits", &json!({}), None).await,
        401,
        "unauthenticated",
    )
    .await;
    assert_error(
        app.post("/api/visits", &json!({}), Some("garbage")).await,
        401,
        "invalid_session",
    )
    .await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let visit = app.create_visit(&session.token).await;
    let response = app
        .post("/api/visits", &json!({}), Some(&visit.patient_invite))
        .await;
    assert_error(response, 403, "forbidden").await;
}

#[tokio::test]
async fn bad_visit_requests_say_what_is_wrong() {
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await;
    let token = Some(session.token.as_str());
    let response = app
        .post("/api/visits", &json!({"length_minutes": 0}), token)
        .await;
    assert_error(response, 422, "invalid_length").await;
    let response = app
        .post("/api/visits", &json!({"starts_at": 1_000}), token)
        .await;
    assert_error(response, 422, "visit_over").await;
    let response = app
        .post("/api/visits", &json!({"patient": "x"}), token)
        .await;
    assert_error(response, 422, "invalid_body").await;
}

#[tokio::test]
async fn running_late_notices_are_checked_and_only_for_your_own_visits() {
    let app = spawn_app().await;
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    let visit = app.create_visit(&session).await.visit_id;
    let post = |body: serde_json::Value, who: String| {
        let app = &app;
        async move {
            app.post("/api/visits/running-late", &body, Some(&who))
                .await
        }
    };

    let no_one_waiting = post(json!({"visit_id": visit, "minutes": 5}), session.clone()).await;
    assert_eq!(no_one_waiting.status(), 200);
    let body: serde_json::Value = no_one_waiting.json().await.unwrap();
    assert_eq!(
        body,
        json!({"delivered": false, "deliver_from_dashboard": false, "sms": null})
    );

    let texted = post(
        json!({"visit_id": visit, "minutes": 5, "phone": "+14155550123"}),
        session.clone(),
    )
    .await;
    let body: serde_json::Value = texted.json().await.unwrap();
    assert_eq!(body["sms"], "not_set_up", "built-in mode has no SMS sender");

    for bad in [
        json!({"visit_id": visit, "minutes": 7}),
        json!({"visit_id": visit}),
        json!({"visit_id": visit, "note": "x".repeat(281)}),
    ] {
        assert_error(post(bad, session.clone()).await, 422, "invalid_notice").await;
    }
    assert_error(
        post(
            json!({"visit_id": visit, "minutes": 5, "phone": "555-0123"}),
            session.clone(),
        )
        .await,
        422,
        "invalid_phone",
    )
    .await;
    let other = app.sign_in(CLINICIAN_TWO).await.token;
    assert_error(
        post(json!({"visit_id": visit, "minutes": 5}), other).await,
        403,
        "not_your_visit",
    )
    .await;
}
