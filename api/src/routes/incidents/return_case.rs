//! `POST /api/v1/incidents/{id}/return`: the party returns (回退) a case
//! outside its remit.

use actix_web::{HttpResponse, post};
use gridops_domain::incident::Command;

use super::dto::{IncidentView, ReasonBody};
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses, nothing_to_check};
use crate::error::{ApiError, Problem};

/// The party returns (回退) a case outside its remit, with a reason; it goes
/// back to the dispatcher.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ReasonBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Returned", body = IncidentView),
        (status = 403, description = "Not a handler of the case's party", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/return")]
pub async fn return_case(s: StepRequest<ReasonBody>) -> Result<HttpResponse, ApiError> {
    let command = Command::Return {
        reason: s.body.reason,
    };
    step(&s.state, &s.actor, &s.req, s.id, command, nothing_to_check).await
}
