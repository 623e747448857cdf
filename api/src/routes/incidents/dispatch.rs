//! `POST /api/v1/incidents/{id}/dispatch`: the case goes to a responsible
//! party (派遣).

use actix_web::{HttpResponse, post};
use gridops_domain::incident::{Command, IncidentError};
use gridops_domain::role::Role;
use gridops_infra::repo::incidents::StoredIncident;
use gridops_infra::repo::{parties, users};
use gridops_infra::{DbConnection, DbError};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::dto::IncidentView;
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses};
use crate::error::{ApiError, Problem};

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct DispatchBody {
    /// Code of the responsible party.
    #[validate(length(min = 1, max = 64, message = "1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64, example = "zy-heating")]
    pub party: String,
    /// A handler of that party, if one person should take it.
    pub assignee: Option<String>,
    #[validate(length(max = 2000, message = "at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Dispatches (派遣) the case to a responsible party, optionally to one of its handlers.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = DispatchBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Dispatched", body = IncidentView),
        (status = 422, description = "Unknown party, or an assignee who is not its handler", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/dispatch")]
pub async fn dispatch(s: StepRequest<DispatchBody>) -> Result<HttpResponse, ApiError> {
    let (party, assignee) = (s.body.party.clone(), s.body.assignee.clone());
    let check = move |conn: &mut DbConnection, _: &StoredIncident| {
        if !parties::exists(conn, &party)? {
            return Err(IncidentError::Invalid {
                field: "party",
                message: format!("no party {party}"),
            }
            .into());
        }
        if let Some(assignee) = &assignee {
            let handles = match users::find(conn, assignee) {
                Ok(account) => account.grants.iter().any(|g| {
                    g.grant.role == Role::Handler
                        && g.grant.party.as_deref() == Some(party.as_str())
                }),
                Err(DbError::NotFound) => false,
                Err(e) => return Err(e.into()),
            };
            if !handles {
                return Err(IncidentError::Invalid {
                    field: "assignee",
                    message: format!("not a handler of {party}"),
                }
                .into());
            }
        }
        Ok(())
    };
    let command = Command::Dispatch {
        party: s.body.party,
        assignee: s.body.assignee,
        note: s.body.note,
    };
    step(&s.state, &s.actor, &s.req, s.id, command, check).await
}
