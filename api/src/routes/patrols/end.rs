//! `POST /api/v1/patrols/{id}/end`: the walker is done. Points taken during
//! the patrol may still arrive afterwards (phones out of signal).

use actix_web::{post, web};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use gridops_domain::access::Capability;
use gridops_infra::repo::now;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::PatrolView;
use super::patrol_for;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::parse_json;
use crate::state::AppState;

/// When the walk ended, for a phone that ended it out of signal.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndPatrol {
    /// When the walker ended it (not before it started, not in the
    /// future); default now.
    pub ended_at: Option<DateTime<Utc>>,
}

/// Ends a running patrol: the walker's call. The body is optional: a phone
/// that ended the patrol out of signal says when (`ended_at`).
#[utoipa::path(
    tag = "patrols",
    params(("id" = String, Path, description = "Patrol id")),
    request_body(content = Option<EndPatrol>, description = "Optional: when the walk ended"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Ended", body = PatrolView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Someone else's patrol (a chief or dispatcher of its grids)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patrol, or not for you", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ended", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`ended_at` before the start or in the future", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/patrols/{id}/end")]
pub async fn end_patrol(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<web::Json<PatrolView>, ApiError> {
    let ended_at = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        // `null` is no body, as the document says.
        parse_json::<Option<EndPatrol>>(&body)?
            .and_then(|b| b.ended_at)
            .map(|t| t.naive_utc().trunc_subsecs(6))
    };
    let patrol = patrol_for(&state, &actor, &id, Capability::WalkPatrol).await?;
    if let Some(at) = ended_at {
        if at > now() + Duration::minutes(5) {
            return Err(ApiError::invalid_field("ended_at", "in the future"));
        }
        if at < patrol.patrol.started_at {
            return Err(ApiError::invalid_field(
                "ended_at",
                "before the patrol started",
            ));
        }
    }
    let ended = state
        .workflow
        .end_patrol(&patrol.patrol.id, ended_at)
        .await?;
    Ok(web::Json(PatrolView::from(&ended)))
}
