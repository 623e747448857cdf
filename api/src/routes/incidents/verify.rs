//! `POST /api/v1/incidents/{id}/verify`: verified on site (核查) and closed (结案).

use actix_web::{HttpResponse, post};
use gridops_domain::incident::Command;

use super::dto::{IncidentView, NoteBody};
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses, nothing_to_check};
use crate::error::{ApiError, Problem};

/// Verifies the result on site (核查) and closes the case (结案).
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = NoteBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Closed", body = IncidentView),
        (status = 403, description = "Not the grid chief or a dispatcher of its area", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/verify")]
pub async fn verify(s: StepRequest<NoteBody>) -> Result<HttpResponse, ApiError> {
    let command = Command::Verify { note: s.body.note };
    step(&s.state, &s.actor, &s.req, s.id, command, nothing_to_check).await
}
