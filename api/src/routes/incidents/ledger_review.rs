//! `POST /api/v1/incidents/{id}/clock-requests/{rid}/reviews`: a dispatcher
//! covering a case in the problem ledger 挂账 looks at it again (复核).

use actix_web::{post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::clocks::ClockRequestView;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReviewBody {
    /// What the review found (still no property company; the community is
    /// talking to one).
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
    /// When to look again, after today in the city's calendar: the
    /// dispatchers are reminded that day.
    #[schema(example = "2027-02-15")]
    pub next_review_on: NaiveDate,
}

/// Records a review of a case in the ledger (a dispatcher covering the
/// case): the note goes on the timeline (`ledger_reviewed`), the next
/// review date replaces the last and arms its reminder.
#[utoipa::path(
    tag = "incidents",
    params(
        ("id" = String, Path, description = "Incident id"),
        ("rid" = String, Path, description = "The ledger request's id"),
    ),
    request_body = ReviewBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Reviewed; the next review date set", body = ClockRequestView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher covering the case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident or request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is not in the ledger", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A blank note, or a next review date not after today", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/clock-requests/{rid}/reviews")]
pub async fn review_ledger_entry(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
    ValidJson(body): ValidJson<ReviewBody>,
) -> Result<web::Json<ClockRequestView>, ApiError> {
    let (id, rid) = path.into_inner();
    if body.note.trim().is_empty() {
        return Err(ApiError::invalid_field("note", "say what the review found"));
    }
    let request = state
        .workflow
        .review_ledger(&actor, &id, &rid, body.note, body.next_review_on)
        .await?;
    Ok(web::Json(request.into()))
}
