//! `POST /api/v1/incidents/{id}/acknowledge`: the party takes the case on (签收).

use actix_web::{HttpResponse, post};
use gridops_domain::incident::Command;

use super::dto::{IncidentView, NoteBody};
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses, nothing_to_check};
use crate::error::{ApiError, Problem};

/// The party takes the case on (签收).
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = NoteBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Acknowledged", body = IncidentView),
        (status = 403, description = "Not a handler of the case's party", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/acknowledge")]
pub async fn acknowledge(s: StepRequest<NoteBody>) -> Result<HttpResponse, ApiError> {
    let command = Command::Acknowledge { note: s.body.note };
    step(&s.state, &s.actor, &s.req, s.id, command, nothing_to_check).await
}
