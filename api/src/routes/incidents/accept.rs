//! `POST /api/v1/incidents/{id}/accept`: registers the case (立案).

use actix_web::{HttpResponse, post};
use gridops_domain::incident::Command;

use super::dto::{IncidentView, NoteBody};
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses, nothing_to_check};
use crate::error::ApiError;

/// Registers the case (立案): a report that is real and in scope.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = NoteBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Accepted", body = IncidentView),
    ))]
#[post("/incidents/{id}/accept")]
pub async fn accept(s: StepRequest<NoteBody>) -> Result<HttpResponse, ApiError> {
    let command = Command::Accept { note: s.body.note };
    step(&s.state, &s.actor, &s.req, s.id, command, nothing_to_check).await
}
