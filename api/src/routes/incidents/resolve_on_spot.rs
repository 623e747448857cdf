//! `POST /api/v1/incidents/{id}/resolve_on_spot`: fixed on the spot (小事不出网格).

use actix_web::{HttpResponse, post};
use gridops_domain::incident::Command;

use super::dto::{IncidentView, ResolveBody};
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses, photos_exist};
use crate::error::{ApiError, Problem};

/// A grid worker fixes a small thing on the spot (小事不出网格).
///
/// A grid worker or chief of its grid: a report still waiting for triage,
/// or their own report after it was registered or dispatched, as long as no
/// party has acknowledged it. The party it went to and any assisting parties
/// are told it is handled and their clocks stop. The grid chief verifies it.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ResolveBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Resolved on the spot", body = IncidentView),
        (status = 403, description = "Not a grid worker or chief of its grid", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible now (`invalid_transition`, listing `allowed_actions`): the case is past triage and not the caller's own report, or a party has acknowledged it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No result, or photos not uploaded to this incident", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/resolve_on_spot")]
pub async fn resolve_on_spot(s: StepRequest<ResolveBody>) -> Result<HttpResponse, ApiError> {
    let check = photos_exist(s.body.photos.clone());
    let command = Command::ResolveOnSpot {
        result: s.body.result,
        photos: s.body.photos,
    };
    step(&s.state, &s.actor, &s.req, s.id, command, check).await
}
