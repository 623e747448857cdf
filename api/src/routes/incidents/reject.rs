//! `POST /api/v1/incidents/{id}/reject`: a report that is a duplicate, out
//! of scope or invalid.

use actix_web::{HttpResponse, post};
use gridops_domain::incident::{Command, IncidentError, RejectReason};
use gridops_infra::repo::incidents::{self, StoredIncident};
use gridops_infra::{DbConnection, DbError};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::dto::IncidentView;
use super::step;
use super::steps::{StepRefusals, StepRequest, StepResponses};
use crate::error::{ApiError, Problem};

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RejectKind {
    /// The same problem is already reported: give `duplicate_of`.
    Duplicate,
    /// Not something the grid system handles.
    OutOfScope,
    /// Not a real problem (a test, nonsense, already gone).
    Invalid,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RejectBody {
    pub reason: RejectKind,
    /// The incident this one repeats (with `reason: duplicate`); its reporter
    /// then follows that one.
    pub duplicate_of: Option<String>,
    #[validate(length(max = 2000, message = "at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Rejects a report: a duplicate of another (whose reporter then follows
/// it), out of scope, or invalid.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = RejectBody, security(("bearer" = [])),
    responses(
        StepResponses, StepRefusals,
        (status = 200, description = "Rejected", body = IncidentView),
        (status = 422, description = "A duplicate without a valid `duplicate_of`", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/reject")]
pub async fn reject(s: StepRequest<RejectBody>) -> Result<HttpResponse, ApiError> {
    let reason = match (s.body.reason, s.body.duplicate_of.clone()) {
        (RejectKind::Duplicate, Some(of)) => RejectReason::Duplicate { of },
        (RejectKind::Duplicate, None) => {
            return Err(ApiError::invalid_field(
                "duplicate_of",
                "name the incident this one repeats",
            ));
        }
        (RejectKind::OutOfScope, _) => RejectReason::OutOfScope,
        (RejectKind::Invalid, _) => RejectReason::Invalid,
    };
    let original = s
        .body
        .duplicate_of
        .filter(|_| matches!(s.body.reason, RejectKind::Duplicate));
    // The later reporter follows the first report from then on: the
    // workflow does that in the step's transaction.
    let check = move |conn: &mut DbConnection, _: &StoredIncident| match &original {
        Some(of) => match incidents::find(conn, of) {
            Ok(_) => Ok(()),
            Err(DbError::NotFound) => Err(IncidentError::Invalid {
                field: "duplicate_of",
                message: format!("no incident {of}"),
            }
            .into()),
            Err(e) => Err(e.into()),
        },
        None => Ok(()),
    };
    let command = Command::Reject {
        reason,
        note: s.body.note,
    };
    step(&s.state, &s.actor, &s.req, s.id, command, check).await
}
