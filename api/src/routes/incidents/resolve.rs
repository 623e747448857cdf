//! `POST /api/v1/incidents/{id}/resolve`: the party reports the result.

use actix_web::{HttpResponse, post};
use gridops_domain::incident::Command;

use super::dto::{IncidentView, ResolveBody};
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses, photos_exist};
use crate::error::{ApiError, Problem};

/// The party reports the result, with after-photos.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ResolveBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Resolved", body = IncidentView),
        (status = 403, description = "Not a handler of the case's party", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state (`invalid_transition`, listing `allowed_actions`), or assisting parties have not all reported (`assists_pending`, listing `pending_parties`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No result, or photos not uploaded to this incident", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/resolve")]
pub async fn resolve(s: StepRequest<ResolveBody>) -> Result<HttpResponse, ApiError> {
    let check = photos_exist(s.body.photos.clone());
    let command = Command::Resolve {
        result: s.body.result,
        photos: s.body.photos,
    };
    step(&s.state, &s.actor, &s.req, s.id, command, check).await
}
