//! `POST /api/v1/incidents/{id}/rate`: the reporter's rating of the closed case.

use actix_web::{HttpResponse, post};
use gridops_domain::incident::{Command, Rating};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::dto::IncidentView;
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses, nothing_to_check};
use crate::error::{ApiError, Problem};

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingParam {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

impl From<RatingParam> for Rating {
    fn from(r: RatingParam) -> Self {
        match r {
            RatingParam::Satisfied => Rating::Satisfied,
            RatingParam::BasicallySatisfied => Rating::BasicallySatisfied,
            RatingParam::Dissatisfied => Rating::Dissatisfied,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RateBody {
    pub rating: RatingParam,
    #[validate(length(max = 2000, message = "at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
    /// "Was it solved?" (解决率 counts the answers).
    pub solved: Option<bool>,
}

/// The reporter rates the closed case, once.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = RateBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Rated", body = IncidentView),
        (status = 403, description = "Not its reporter", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not closed yet", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Already rated", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/rate")]
pub async fn rate(s: StepRequest<RateBody>) -> Result<HttpResponse, ApiError> {
    let command = Command::Rate {
        rating: s.body.rating.into(),
        comment: s.body.comment,
        solved: s.body.solved,
    };
    step(&s.state, &s.actor, &s.req, s.id, command, nothing_to_check).await
}
