//! `POST /api/v1/incidents/{id}/comment`: a comment on the timeline.

use actix_web::{HttpResponse, post};
use gridops_domain::incident::Command;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::dto::IncidentView;
use super::step;
use super::steps::{StepRequest, StepResponses, nothing_to_check};
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CommentBody {
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub text: String,
}

/// A comment, in any state, by anyone who can see the case.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = CommentBody, security(("bearer" = [])),
    responses(
        StepResponses,
        (status = 200, description = "Commented", body = IncidentView),
        (status = 422, description = "Empty text", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/comment")]
pub async fn comment_on(s: StepRequest<CommentBody>) -> Result<HttpResponse, ApiError> {
    let command = Command::Comment { text: s.body.text };
    step(&s.state, &s.actor, &s.req, s.id, command, nothing_to_check).await
}
