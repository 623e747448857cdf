//! `POST /api/v1/patrols/{id}/end`: the walker is done. Points taken during
//! the patrol may still arrive afterwards (phones out of signal).

use actix_web::{post, web};
use gridops_domain::access::Capability;

use super::dto::PatrolView;
use super::patrol_for;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Ends a running patrol: the walker's call.
#[utoipa::path(
    tag = "patrols",
    params(("id" = String, Path, description = "Patrol id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Ended", body = PatrolView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Someone else's patrol (a chief or dispatcher of its grids)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patrol, or not for you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ended", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/patrols/{id}/end")]
pub async fn end_patrol(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<PatrolView>, ApiError> {
    let patrol = patrol_for(&state, &actor, &id, Capability::WalkPatrol).await?;
    let ended = state.workflow.end_patrol(&patrol.patrol.id).await?;
    Ok(web::Json(PatrolView::from(&ended)))
}
