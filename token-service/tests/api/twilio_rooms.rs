//! Twilio mode against the Twilio emulator (`twilio-emulator/`): tokens the
//! service mints are checked by the emulator, participants really join its
//! rooms, and presence, "running late", copied links, the guest cap and End
//! visit are decided from those same rooms through the REST API.

use crate::helpers::{assert_error, minted, spawn_app_with, TestApp, CLINICIAN_ONE};
use api_types::TokenResponse;
use serde_json::{json, Value};
use std::time::Duration;
use twilio_emulator::participant::Participant;
use twilio_emulator::{Config, Emulator};

const KEY: &str = "SK0123456789abcdef0123456789abcdef";
const SECRET: &str = "emulated-secret";

/// A Twilio-mode service whose REST calls go to a fresh emulator.
async fn app_on_emulator() -> (TestApp, Emulator) {
    app_on_emulator_of(10).await
}

fn emulator_of(max_participants: usize) -> Emulator {
    Emulator::start(Config {
        api_key_sid: KEY.to_owned(),
        api_key_secret: SECRET.to_owned(),
        max_participants,
        reconnect_window: Duration::from_secs(30),
    })
}

/// A Twilio-mode copy on `emulator`, with `vars` added.
async fn copy_on(emulator: &Emulator, vars: &[(&str, &str)]) -> TestApp {
    let twilio = [
        ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
        ("TWILIO_API_KEY", KEY),
        ("TWILIO_API_SECRET", SECRET),
        ("TWILIO_VIDEO_API_URL", &emulator.rest_url),
    ];
    let all: Vec<(&str, &str)> = twilio.into_iter().chain(vars.iter().copied()).collect();
    spawn_app_with(&all, None).await
}

/// As [`app_on_emulator`], with rooms of at most `max_participants`.
async fn app_on_emulator_of(max_participants: usize) -> (TestApp, Emulator) {
    let emulator = emulator_of(max_participants);
    (copy_on(&emulator, &[]).await, emulator)
}

#[tokio::test]
async fn with_redis_a_visit_ended_on_one_copy_is_ended_on_every_copy() {
    let redis = local_redis::LocalRedis::start();
    let url = redis.url();
    let emulator = emulator_of(10);
    let shared = [("REDIS_URL", url.as_str())];
    let (a, b) = (
        copy_on(&emulator, &shared).await,
        copy_on(&emulator, &shared).await,
    );
    let session = a.sign_in(CLINICIAN_ONE).await.token;
    let visit = a.create_visit(&session).await;
    minted(b.token_for_invite(&visit.patient_invite).await).await;
    assert_eq!(a.end_visit(&session, &visit.visit_id).await.status(), 204);
    assert_error(
        b.token_for_invite(&visit.patient_invite).await,
        410,
        "visit_ended",
    )
    .await;
    assert_error(
        b.token_for_visit(&session, &visit.visit_id).await,
        410,
        "visit_ended",
    )
    .await;
}

/// Past the service's presence cache.
async fn cache_expires() {
    tokio::time::sleep(token_service::twilio_rest::CACHE_FOR + Duration::from_millis(100)).await;
}

async fn join(emulator: &Emulator, token: &TokenResponse) -> Participant {
    Participant::join(&emulator.signalling_url, &token.token, &token.room)
        .await
        .unwrap_or_else(|code| panic!("{} refused with {code}", token.identity))
}

async fn presence(app: &TestApp, session: &str, visit: &str) -> Value {
    let body: Value = app
        .visit_status(session, &[visit])
        .await
        .json()
        .await
        .unwrap();
    body["visits"][0]["presence"].clone()
}

#[tokio::test]
async fn presence_running_late_and_end_visit_follow_the_emulated_room() {
    let (app, emulator) = app_on_emulator().await;
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    let visit = app.create_visit(&session).await;
    let from_device = |device| app.token_for_device(&visit.patient_invite, Some(device));
    assert_eq!(presence(&app, &session, &visit.visit_id).await, "empty");
    let late = json!({"visit_id": visit.visit_id, "minutes": 5});
    let deliver_from_dashboard = || async {
        let answer: Value = app
            .post("/api/visits/running-late", &late, Some(&session))
            .await
            .json()
            .await
            .unwrap();
        answer["deliver_from_dashboard"].clone()
    };
    assert_eq!(
        deliver_from_dashboard().await,
        false,
        "no room, nobody waiting"
    );
    let guest = minted(app.token_for_invite(&visit.guest_invite).await).await;
    let guest = join(&emulator, &guest).await;
    cache_expires().await;
    assert_eq!(deliver_from_dashboard().await, false, "only a guest waits");
    guest.leave().await;

    let patient_token = minted(from_device("phone").await).await;
    let mut patient = join(&emulator, &patient_token).await;
    cache_expires().await;
    assert_eq!(
        presence(&app, &session, &visit.visit_id).await,
        "patient_waiting"
    );
    assert_eq!(deliver_from_dashboard().await, true);

    let clinician_token = minted(app.token_for_visit(&session, &visit.visit_id).await).await;
    let mut clinician = join(&emulator, &clinician_token).await;
    cache_expires().await;
    assert_eq!(presence(&app, &session, &visit.visit_id).await, "in_call");

    assert_eq!(app.end_visit(&session, &visit.visit_id).await.status(), 204);
    assert_eq!(
        patient.ended().await,
        53118,
        "Twilio's code for a completed room"
    );
    assert_eq!(clinician.ended().await, 53118);
    assert!(emulator.room_names().is_empty());
}

#[tokio::test]
async fn a_copied_link_and_a_fourth_guest_are_kept_out_of_the_emulated_room() {
    let (app, emulator) = app_on_emulator().await;
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    let visit = app.create_visit(&session).await;
    let from_device = |device| app.token_for_device(&visit.patient_invite, Some(device));

    let phone = minted(from_device("phone").await).await;
    let mut first_tab = join(&emulator, &phone).await;
    assert_error(from_device("copied-link").await, 409, "patient_elsewhere").await;
    // The same device may come back; Twilio then ends its older connection.
    let again = minted(from_device("phone").await).await;
    assert_eq!(again.identity, phone.identity);
    let second_tab = join(&emulator, &again).await;
    assert_eq!(first_tab.ended().await, 53205);

    let mut guests = Vec::new();
    for _ in 0..3 {
        let guest = minted(app.token_for_invite(&visit.guest_invite).await).await;
        guests.push(join(&emulator, &guest).await);
    }
    cache_expires().await;
    assert_error(
        app.token_for_invite(&visit.guest_invite).await,
        409,
        "guests_full",
    )
    .await;
    // The patient and the clinician still get in.
    assert_eq!(from_device("phone").await.status(), 200);
    assert_eq!(
        app.token_for_visit(&session, &visit.visit_id)
            .await
            .status(),
        200
    );
    // One guest leaves; a guest fits again.
    guests.pop().expect("three guests").leave().await;
    cache_expires().await;
    assert_eq!(
        app.token_for_invite(&visit.guest_invite).await.status(),
        200
    );

    // Once the patient has left, the link works on any device, each its own identity.
    second_tab.leave().await;
    cache_expires().await;
    let laptop = minted(from_device("laptop").await).await;
    assert_ne!(laptop.identity, phone.identity);
    assert_eq!(
        laptop.identity.rsplit_once('.').map(|(patient, _)| patient),
        phone.identity.rsplit_once('.').map(|(patient, _)| patient)
    );
}

#[tokio::test]
async fn the_emulator_checks_tokens_as_twilio_does() {
    let (app, emulator) = app_on_emulator().await;
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    let visit = app.create_visit(&session).await;
    let from_device = |device| app.token_for_device(&visit.patient_invite, Some(device));
    let patient = minted(from_device("phone").await).await;

    let refused = |token: String, room: String| {
        let url = emulator.signalling_url.clone();
        async move { Participant::join(&url, &token, &room).await.err() }
    };
    assert_eq!(
        refused(patient.token.clone(), "another-room".into()).await,
        Some(20101)
    );
    let forged = format!("{}x", patient.token);
    assert_eq!(refused(forged, patient.room.clone()).await, Some(20107));
    emulator.run_clock_ahead(2 * 86_400);
    assert_eq!(
        refused(patient.token.clone(), patient.room.clone()).await,
        Some(20104)
    );
}

#[tokio::test]
async fn a_full_emulated_room_refuses_the_next_participant_with_53105() {
    let (app, emulator) = app_on_emulator_of(2).await;
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    let visit = app.create_visit(&session).await;
    let from_device = |device| app.token_for_device(&visit.patient_invite, Some(device));
    let patient = minted(from_device("phone").await).await;
    let _patient = join(&emulator, &patient).await;
    let clinician = minted(app.token_for_visit(&session, &visit.visit_id).await).await;
    let _clinician = join(&emulator, &clinician).await;
    let guest = minted(app.token_for_invite(&visit.guest_invite).await).await;
    let refused = Participant::join(&emulator.signalling_url, &guest.token, &guest.room).await;
    assert_eq!(refused.err(), Some(53105));
}
