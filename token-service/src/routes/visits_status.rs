//! `POST /api/visits/status`: the dashboard's live view of its visits.

use crate::auth::ClinicianSession;
use crate::ids::room_name;
use crate::state::AppState;
use crate::visits::{check_own, presence_of, unavailable, LiveError};
use actix_web::{web, HttpResponse};
use api_types::{VisitStatus, VisitStatusRequest, VisitStatusResponse};

/// `POST /api/visits/status` (clinicians, their own visits only).
pub async fn status(
    state: web::Data<AppState>,
    session: ClinicianSession,
    body: web::Json<VisitStatusRequest>,
) -> Result<HttpResponse, LiveError> {
    check_own(&state, &session, &body.visit_ids)?;
    let rooms: Vec<String> = body.visit_ids.iter().map(|id| room_name(id)).collect();
    let members = state.backend.presence(&rooms).await.map_err(unavailable)?;
    let visits = body
        .visit_ids
        .iter()
        .zip(members)
        .map(|(id, members)| {
            let (presence, patient_since) = presence_of(&members);
            VisitStatus {
                visit_id: id.clone(),
                presence,
                patient_since,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(VisitStatusResponse { visits }))
}
