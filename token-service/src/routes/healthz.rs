use crate::state::AppState;
use actix_web::{web, HttpResponse};
use api_types::HealthResponse;

/// Liveness plus the video mode, so ops can see which backend a copy runs.
/// `degraded` while shared state (Redis) does not answer: the copy still
/// serves calls in progress, so it answers 200 and a balancer keeps it.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let shared = state.shared.as_deref();
    let degraded = shared.is_some_and(|cluster| !cluster.healthy());
    HttpResponse::Ok().json(HealthResponse {
        status: if degraded { "degraded" } else { "ok" }.to_owned(),
        copy: shared.map(|cluster| cluster.copy().to_owned()),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        video_mode: state.video_mode(),
    })
}
