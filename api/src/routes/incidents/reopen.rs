//! `POST /api/v1/incidents/{id}/reopen`: back to work (返工).

use actix_web::{HttpResponse, post};
use gridops_domain::incident::Command;

use super::dto::{IncidentView, ReasonBody};
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses, nothing_to_check};
use crate::error::{ApiError, Problem};

/// The result does not meet the standard: back to work (返工), with a reason.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ReasonBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Reopened", body = IncidentView),
        (status = 403, description = "Not the grid chief or a dispatcher of its area", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/reopen")]
pub async fn reopen(s: StepRequest<ReasonBody>) -> Result<HttpResponse, ApiError> {
    let command = Command::Reopen {
        reason: s.body.reason,
    };
    step(&s.state, &s.actor, &s.req, s.id, command, nothing_to_check).await
}
