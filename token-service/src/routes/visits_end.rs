//! `POST /api/visits/end`: "End visit for everyone", final.

use crate::auth::ClinicianSession;
use crate::ids::room_name;
use crate::state::AppState;
use crate::tokens::now;
use crate::visits::{act_on_own, unavailable, LiveError};
use actix_web::{web, HttpRequest, HttpResponse};
use api_types::EndVisitRequest;

/// `POST /api/visits/end`: everyone in the visit is disconnected and told why.
pub async fn end(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: ClinicianSession,
    body: web::Json<EndVisitRequest>,
) -> Result<HttpResponse, LiveError> {
    act_on_own(&state, &req, &session, &body.visit_id, "visit_ended")?;
    let room = room_name(&body.visit_id);
    state.ended.end(&room, now()).await.map_err(unavailable)?;
    state.backend.end(&room).await.map_err(unavailable)?;
    Ok(HttpResponse::NoContent().finish())
}
