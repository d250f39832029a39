//! The service's Twilio REST client, against a stand-in that records each
//! request and can page, fail, hang or text: request shapes, paging,
//! caching, outages and SMS. What the rooms decide (presence, copied links,
//! the guest cap, End visit) is tested against the emulator in
//! `twilio_rooms.rs`.

use crate::helpers::{assert_error, spawn_app_with, TestApp, CLINICIAN_ONE, CLINICIAN_TWO};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const KEY: &str = "SK0123456789abcdef0123456789abcdef";
const SECRET: &str = "stand-in-secret";

#[derive(Clone, Copy, PartialEq)]
enum Behaviour {
    Answer,
    Fail,
    Hang,
    /// The rooms list names a next page on another host.
    ForeignNextPage,
}

/// Rooms a page: small, so every test's list spans pages as Twilio's can.
const ROOMS_A_PAGE: usize = 2;

#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path_and_query: String,
    authorization: String,
    body: String,
}

/// A room: (unique name, room SID, participants as (identity, start_time,
/// status)).
type StandInRoom = (String, String, Vec<(String, String, String)>);

fn person(identity: &str, start: &str, status: &str) -> (String, String, String) {
    (identity.into(), start.into(), status.into())
}

#[derive(Clone)]
struct StandIn {
    behaviour: Arc<Mutex<Behaviour>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    rooms: Arc<Mutex<Vec<StandInRoom>>>,
    url: String,
}

impl StandIn {
    fn start() -> StandIn {
        let mut stand_in = StandIn {
            behaviour: Arc::new(Mutex::new(Behaviour::Answer)),
            seen: Arc::default(),
            rooms: Arc::default(),
            url: String::new(),
        };
        let state = stand_in.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(state.clone()))
                .default_service(web::to(answer))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        stand_in.url = format!("http://127.0.0.1:{}", server.addrs()[0].port());
        tokio::spawn(server.run());
        stand_in
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }
}

async fn answer(request: HttpRequest, body: String, state: web::Data<StandIn>) -> HttpResponse {
    let header = |name| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let path_and_query = request.uri().path_and_query().unwrap().to_string();
    state.seen.lock().unwrap().push(Seen {
        method: request.method().to_string(),
        path_and_query: path_and_query.clone(),
        authorization: header("authorization"),
        body,
    });
    let behaviour = *state.behaviour.lock().unwrap();
    match behaviour {
        Behaviour::Fail => return HttpResponse::InternalServerError().json(json!({"code": 20500})),
        Behaviour::Hang => tokio::time::sleep(Duration::from_secs(30)).await,
        Behaviour::Answer | Behaviour::ForeignNextPage => {}
    }
    let rooms = state.rooms.lock().unwrap().clone();
    let path = request.uri().path();
    let query = |name: &str| {
        request
            .uri()
            .query()
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.to_owned())
    };
    if path == "/v1/Rooms" {
        let page: usize = query("Page").and_then(|p| p.parse().ok()).unwrap_or(0);
        let list: Vec<Value> = rooms
            .iter()
            .skip(page * ROOMS_A_PAGE)
            .take(ROOMS_A_PAGE)
            .map(|(name, sid, _)| json!({"sid": sid, "unique_name": name, "status": "in-progress"}))
            .collect();
        let more = rooms.len() > (page + 1) * ROOMS_A_PAGE;
        let host = if behaviour == Behaviour::ForeignNextPage {
            "http://127.0.0.2:9".to_owned()
        } else {
            format!("http://{}", request.connection_info().host())
        };
        let next = more.then(|| {
            format!(
                "{host}/v1/Rooms?Status=in-progress&PageSize={ROOMS_A_PAGE}&Page={}",
                page + 1
            )
        });
        return HttpResponse::Ok().json(json!({"rooms": list, "meta": {"next_page_url": next}}));
    }
    for (_, sid, people) in &rooms {
        if path == format!("/v1/Rooms/{sid}/Participants") {
            // As Twilio: only the participants in the state asked for.
            let wanted = query("Status").unwrap_or_else(|| "connected".into());
            let list: Vec<Value> = people
                .iter()
                .filter(|(_, _, status)| *status == wanted)
                .map(|(identity, start, status)| json!({"identity": identity, "status": status, "start_time": start}))
                .collect();
            return HttpResponse::Ok()
                .json(json!({"participants": list, "meta": {"next_page_url": null}}));
        }
        if path == format!("/v1/Rooms/{sid}") && request.method() == "POST" {
            return HttpResponse::Ok().json(json!({"sid": sid, "status": "completed"}));
        }
    }
    if path == format!("/2010-04-01/Accounts/{SID}/Messages.json") {
        return HttpResponse::Created().json(json!({"sid": "SM1", "status": "queued"}));
    }
    HttpResponse::NotFound().json(json!({"code": 20404}))
}

async fn twilio_app(stand_in: &StandIn) -> TestApp {
    spawn_app_with(
        &[
            ("TWILIO_ACCOUNT_SID", SID),
            ("TWILIO_API_KEY", KEY),
            ("TWILIO_API_SECRET", SECRET),
            ("TWILIO_VIDEO_API_URL", &stand_in.url),
            ("TWILIO_API_URL", &stand_in.url),
            ("TWILIO_SMS_FROM", "+15005550006"),
        ],
        None,
    )
    .await
}

/// A Twilio-mode service talking to a fresh stand-in, and the first
/// clinician's session token.
async fn signed_in() -> (StandIn, TestApp, String) {
    let stand_in = StandIn::start();
    let app = twilio_app(&stand_in).await;
    let session = app.sign_in(CLINICIAN_ONE).await.token;
    (stand_in, app, session)
}

fn basic_auth() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{KEY}:{SECRET}"))
    )
}

#[tokio::test]
async fn presence_comes_from_twilio_rooms_and_participants_with_a_short_cache() {
    let (stand_in, app, session) = signed_in().await;
    let (waiting, in_call, empty) = (
        app.create_visit(&session).await.visit_id,
        app.create_visit(&session).await.visit_id,
        app.create_visit(&session).await.visit_id,
    );
    *stand_in.rooms.lock().unwrap() = vec![
        (
            waiting.clone(),
            "RM1".into(),
            vec![
                person("guest.g", "2026-11-28T09:00:00Z", "connected"),
                person("patient.p", "2026-11-28T09:30:15Z", "connected"),
            ],
        ),
        (
            in_call.clone(),
            "RM2".into(),
            vec![
                person("patient.q", "2026-11-28T09:10:00Z", "connected"),
                person("provider.c-one", "2026-11-28T09:12:00Z", "connected"),
            ],
        ),
        ("another-clinic-room".into(), "RM3".into(), vec![]),
    ];

    let response = app
        .visit_status(&session, &[&waiting, &in_call, &empty])
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["visits"],
        json!([
            {"visit_id": waiting, "presence": "patient_waiting", "patient_since": 1_795_858_215u64},
            {"visit_id": in_call, "presence": "in_call", "patient_since": null},
            {"visit_id": empty, "presence": "empty", "patient_since": null},
        ])
    );

    let seen = stand_in.seen();
    let paths: Vec<&str> = seen.iter().map(|s| s.path_and_query.as_str()).collect();
    assert_eq!(paths[0], "/v1/Rooms?Status=in-progress&PageSize=100");
    assert_eq!(
        seen.len(),
        6,
        "two pages of rooms, then both states' participants of our two rooms: {paths:?}"
    );
    for room in ["RM1", "RM2"] {
        for status in ["connected", "reconnecting"] {
            let wanted = format!("/v1/Rooms/{room}/Participants?Status={status}&PageSize=50");
            assert!(paths.contains(&wanted.as_str()), "{paths:?}");
        }
    }
    assert!(seen
        .iter()
        .all(|s| s.method == "GET" && s.authorization == basic_auth()));

    // Within the cache window, a second dashboard poll costs Twilio nothing.
    let again = app
        .visit_status(&session, &[&waiting, &in_call, &empty])
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(stand_in.seen().len(), 6);

    // Another clinician learns nothing about these visits.
    let other = app.sign_in(CLINICIAN_TWO).await.token;
    assert_error(
        app.visit_status(&other, &[&waiting]).await,
        403,
        "not_your_visit",
    )
    .await;
}

/// `count` other clinics' rooms, listed before ours.
fn other_rooms(count: usize) -> Vec<StandInRoom> {
    (0..count)
        .map(|i| (format!("other-{i}"), format!("RMX{i}"), vec![]))
        .collect()
}

#[tokio::test]
async fn a_reconnecting_patient_still_waits_and_every_page_of_rooms_is_read() {
    let (stand_in, app, session) = signed_in().await;
    let visit = app.create_visit(&session).await.visit_id;
    // Past the ten pages an earlier version stopped at.
    let mut rooms = other_rooms(21);
    rooms.push((
        visit.clone(),
        "RM7".into(),
        vec![person("patient.p", "2026-11-28T09:30:15Z", "reconnecting")],
    ));
    *stand_in.rooms.lock().unwrap() = rooms;

    let body: Value = app
        .visit_status(&session, &[&visit])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["visits"][0]["presence"], "patient_waiting", "{body}");
    let room_pages = stand_in
        .seen()
        .iter()
        .filter(|s| s.path_and_query.starts_with("/v1/Rooms?"))
        .count();
    assert_eq!(room_pages, 11, "22 rooms, two a page");

    // A next page on another host is never followed with our credentials.
    stand_in.set(Behaviour::ForeignNextPage);
    tokio::time::sleep(twilio_cache()).await;
    assert_error(
        app.visit_status(&session, &[&visit]).await,
        503,
        "status_unavailable",
    )
    .await;
}

fn twilio_cache() -> Duration {
    token_service::twilio_rest::CACHE_FOR + Duration::from_millis(100)
}

#[tokio::test]
async fn ending_a_visit_completes_its_twilio_room() {
    let (stand_in, app, session) = signed_in().await;
    let visit = app.create_visit(&session).await.visit_id;
    *stand_in.rooms.lock().unwrap() = vec![(visit.clone(), "RM9".into(), vec![])];

    let other = app.sign_in(CLINICIAN_TWO).await.token;
    let refused = app.end_visit(&other, &visit).await;
    assert_error(refused, 403, "not_your_visit").await;
    assert!(stand_in.seen().is_empty(), "refused before asking Twilio");

    let response = app.end_visit(&session, &visit).await;
    assert_eq!(response.status(), 204);
    let seen = stand_in.seen();
    let end = seen.last().unwrap();
    assert_eq!(
        (
            end.method.as_str(),
            end.path_and_query.as_str(),
            end.body.as_str()
        ),
        ("POST", "/v1/Rooms/RM9", "Status=completed")
    );
    assert_eq!(end.authorization, basic_auth());
}

#[tokio::test]
async fn twilio_failing_slow_or_gone_gives_503_status_unavailable() {
    let (stand_in, app, session) = signed_in().await;
    let visit = app.create_visit(&session).await.visit_id;
    let end = json!({ "visit_id": visit });

    stand_in.set(Behaviour::Fail);
    assert_error(
        app.visit_status(&session, &[&visit]).await,
        503,
        "status_unavailable",
    )
    .await;
    assert_error(
        app.post("/api/visits/end", &end, Some(&session)).await,
        503,
        "status_unavailable",
    )
    .await;

    // A Twilio that never answers is given up on, not waited for.
    stand_in.set(Behaviour::Hang);
    tokio::time::sleep(Duration::from_secs(3)).await; // past the cache
    let started = Instant::now();
    assert_error(
        app.visit_status(&session, &[&visit]).await,
        503,
        "status_unavailable",
    )
    .await;
    let waited = started.elapsed();
    println!(
        "figure: a hung Twilio is given up on after {} ms",
        waited.as_millis()
    );
    assert!(
        waited < Duration::from_secs(15),
        "waited {waited:?} for a hung Twilio"
    );

    // Nothing listening at all.
    let gone = spawn_app_with(
        &[
            ("TWILIO_ACCOUNT_SID", SID),
            ("TWILIO_API_KEY", KEY),
            ("TWILIO_API_SECRET", SECRET),
            ("TWILIO_VIDEO_API_URL", "http://127.0.0.1:9"),
        ],
        None,
    )
    .await;
    let session = gone.sign_in(CLINICIAN_ONE).await.token;
    let visit = gone.create_visit(&session).await.visit_id;
    assert_error(
        gone.visit_status(&session, &[&visit]).await,
        503,
        "status_unavailable",
    )
    .await;
}

#[tokio::test]
async fn running_late_texts_the_patient_through_the_messaging_api() {
    let (stand_in, app, session) = signed_in().await;
    let visit = app.create_visit(&session).await.visit_id;
    let late =
        |phone: &str| json!({ "visit_id": visit, "minutes": 10, "note": "Sorry!", "phone": phone });

    let refused = app
        .post(
            "/api/visits/running-late",
            &late("0415 555 0123"),
            Some(&session),
        )
        .await;
    assert_error(refused, 422, "invalid_phone").await;
    assert!(
        stand_in.seen().is_empty(),
        "a bad number never reaches Twilio"
    );

    let response = app
        .post(
            "/api/visits/running-late",
            &late("+14155550123"),
            Some(&session),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"delivered": false, "deliver_from_dashboard": false, "sms": "sent"}),
        "nobody waits: the dashboard must not create the room"
    );
    let seen = stand_in.seen();
    let sms = seen.last().unwrap();
    assert_eq!(
        (sms.method.as_str(), sms.path_and_query.as_str()),
        (
            "POST",
            format!("/2010-04-01/Accounts/{SID}/Messages.json").as_str()
        )
    );
    assert_eq!(sms.authorization, basic_auth());
    assert_eq!(
        sms.body,
        "To=%2B14155550123&From=%2B15005550006&Body=Your+clinician+is+running+about+10+minutes+late.+Sorry%21"
    );

    stand_in.set(Behaviour::Fail);
    let failed = app
        .post(
            "/api/visits/running-late",
            &late("+14155550123"),
            Some(&session),
        )
        .await;
    let body: Value = failed.json().await.unwrap();
    assert_eq!(body["sms"], "failed");
}
