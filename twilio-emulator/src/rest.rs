//! The parts of Twilio's Video REST API that Hearth calls, answered from the
//! emulated rooms: in-progress rooms, a room's participants, and ending a
//! room with `Status=completed`. Requests need the API key's Basic auth.

use crate::Shared;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/v1/Rooms", web::get().to(rooms))
        .route("/v1/Rooms/{sid}", web::post().to(end_room))
        .route("/v1/Rooms/{sid}/Participants", web::get().to(participants));
}

fn authorised(request: &HttpRequest, shared: &Shared) -> bool {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!(
            "{}:{}",
            shared.config.api_key_sid, shared.config.api_key_secret
        ))
    );
    request
        .headers()
        .get("authorization")
        .is_some_and(|value| value.as_bytes() == expected.as_bytes())
}

fn refused() -> HttpResponse {
    HttpResponse::Unauthorized()
        .json(json!({"code": 20003, "message": "Authenticate", "status": 401}))
}

fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(
        json!({"code": 20404, "message": "The requested resource was not found", "status": 404}),
    )
}

fn query_has(request: &HttpRequest, pair: &str) -> bool {
    request.query_string().split('&').any(|p| p == pair)
}

/// Twilio's timestamps: ISO 8601 in UTC.
fn iso(unix: u64) -> String {
    let (days, seconds) = (unix / 86_400, unix % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3_600,
        seconds % 3_600 / 60,
        seconds % 60
    )
}

async fn rooms(request: HttpRequest, shared: web::Data<Shared>) -> HttpResponse {
    if !authorised(&request, &shared) {
        return refused();
    }
    let listed: Vec<_> = if query_has(&request, "Status=in-progress") {
        shared
            .rooms()
            .in_progress()
            .map(|room| {
                json!({"sid": room.sid, "unique_name": room.name, "status": "in-progress",
                       "date_created": iso(room.created_at)})
            })
            .collect()
    } else {
        Vec::new()
    };
    HttpResponse::Ok().json(json!({"rooms": listed, "meta": {"next_page_url": null}}))
}

async fn participants(
    request: HttpRequest,
    sid: web::Path<String>,
    shared: web::Data<Shared>,
) -> HttpResponse {
    if !authorised(&request, &shared) {
        return refused();
    }
    let rooms = shared.rooms();
    let Some(room) = rooms.by_sid(&sid) else {
        return if rooms.was_completed(&sid) {
            HttpResponse::Ok().json(json!({"participants": [], "meta": {"next_page_url": null}}))
        } else {
            not_found()
        };
    };
    let listed: Vec<_> = room
        .present()
        .into_iter()
        .filter(|p| query_has(&request, &format!("Status={}", p.status)))
        .map(|p| {
            json!({"sid": p.sid, "identity": p.identity, "status": p.status,
                   "start_time": iso(p.connected_at)})
        })
        .collect();
    HttpResponse::Ok().json(json!({"participants": listed, "meta": {"next_page_url": null}}))
}

async fn end_room(
    request: HttpRequest,
    sid: web::Path<String>,
    form: String,
    shared: web::Data<Shared>,
) -> HttpResponse {
    if !authorised(&request, &shared) {
        return refused();
    }
    if !form.split('&').any(|p| p == "Status=completed") {
        return HttpResponse::BadRequest()
            .json(json!({"code": 20001, "message": "Invalid Status", "status": 400}));
    }
    if shared.rooms().complete(&sid) {
        HttpResponse::Ok().json(json!({"sid": *sid, "status": "completed"}))
    } else {
        not_found()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_iso_utc() {
        assert_eq!(super::iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso(1_795_860_000), "2026-11-28T10:00:00Z");
    }
}
