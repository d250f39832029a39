use crate::state::AppState;
use actix_web::{web, HttpResponse};
use api_types::HealthResponse;

/// Liveness plus the video mode, so ops can see which backend a copy runs.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        video_mode: state.video_mode(),
    })
}
