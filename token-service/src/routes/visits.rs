//! `POST /api/visits`: a clinician creates a visit and its two invites.

use crate::auth::ClinicianSession;
use crate::rate_limit::client_ip;
use crate::state::AppState;
use crate::tokens::{now, Claims, InviteExtra};
use crate::visits::{schedule, VisitError};
use actix_web::{web, HttpRequest, HttpResponse};
use api_types::{CreateVisitRequest, CreateVisitResponse, Role};

/// `POST /api/visits` (clinicians only).
pub async fn create_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: ClinicianSession,
    body: web::Json<CreateVisitRequest>,
) -> Result<HttpResponse, VisitError> {
    let client = client_ip(&req, &state.trusted_proxies);
    let now = now();
    let schedule = schedule(&body, &state.lifetimes, now).inspect_err(|err| {
        crate::audit::refused(err.code(), None, client);
    })?;
    let visit_id = state.visit_ids.create(session.clinician_id());
    let invite = |role: Role| {
        let registered =
            state
                .invites
                .registered(&visit_id, now, schedule.valid_from, schedule.expires_at);
        crate::audit::minted("invite", role, Some(&visit_id), &registered.jti, client);
        state.invites.sign(&Claims {
            registered,
            extra: InviteExtra { role },
        })
    };
    let response = CreateVisitResponse {
        patient_invite: invite(Role::Patient),
        guest_invite: invite(Role::Guest),
        visit_id: visit_id.clone(),
        starts_at: schedule.starts_at,
        length_minutes: schedule.length_minutes,
        invites_valid_from: schedule.valid_from,
        invites_expire_at: schedule.expires_at,
    };
    Ok(HttpResponse::Ok().json(response))
}
