//! `GET /api/v1/ledger`: the problem ledger 挂账, the cases that cannot be
//! solved in their time even after an extension, kept apart from the
//! overdue ones until they are back into work.

use actix_web::{get, web};
use chrono::{DateTime, NaiveDate, Utc};
use gridops_domain::area::AreaCode;
use gridops_domain::deadline::ledger::LedgerScope;
use gridops_infra::repo::ledger::{self, LedgerCursor, LedgerEntry, LedgerFilter};
use gridops_infra::repo::{calendar, now};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{DEFAULT_PAGE, MAX_PAGE, ValidQuery, parse_time_cursor};
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// An area code: cases in it or below it.
    #[param(pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})$")]
    pub area: Option<String>,
    /// A party code: the cases it holds.
    pub party: Option<String>,
    /// `true`: only cases whose review date has come (today or earlier).
    pub review_due: Option<bool>,
    /// `next_cursor` of the previous page (same filters).
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500, message = "limit must be between 1 and 500"))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// A case in the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntryView {
    pub incident_id: String,
    pub reference: String,
    pub category: String,
    pub grid: String,
    /// The party that holds the case.
    pub party: Option<String>,
    /// The ledger request: `POST /incidents/{incident_id}/clock-requests/{request_id}/reviews|end`.
    pub request_id: String,
    /// Why no deadline can close it, as the handler wrote it.
    pub reason: String,
    pub asked_by: String,
    pub asked_at: DateTime<Utc>,
    /// The dispatcher who approved it.
    pub approved_by: Option<String>,
    /// In the ledger since.
    pub approved_at: Option<DateTime<Utc>>,
    /// The next review date 复核, in the city's calendar.
    #[schema(example = "2027-01-15")]
    pub review_on: Option<NaiveDate>,
    /// The review date has come.
    pub review_due: bool,
    /// Reviews so far.
    pub reviews: u32,
    /// What the last review found.
    pub last_review_note: Option<String>,
    pub last_reviewed_at: Option<DateTime<Utc>>,
}

impl LedgerEntryView {
    fn new(e: LedgerEntry, today: NaiveDate) -> Self {
        let r = e.request;
        LedgerEntryView {
            incident_id: r.incident_id,
            reference: e.reference,
            category: e.category,
            grid: e.grid,
            party: e.party,
            request_id: r.id,
            reason: r.reason,
            asked_by: r.requested_by,
            asked_at: r.requested_at.and_utc(),
            approved_by: r.decided_by,
            approved_at: r.decided_at.map(|t| t.and_utc()),
            review_due: r.review_on.is_some_and(|day| day <= today),
            review_on: r.review_on,
            reviews: e.reviews,
            last_review_note: e.last_review_note,
            last_reviewed_at: e.last_reviewed_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerPage {
    /// Longest in the ledger first.
    pub items: Vec<LedgerEntryView>,
    /// Every case the filters leave, on all pages.
    pub count: usize,
    pub next_cursor: Option<String>,
}

/// The cases in the ledger the caller may see: a dispatcher's area, a
/// handler's party, everything for an administrator. Residents and grid
/// staff have no ledger.
#[utoipa::path(
    tag = "ledger",
    params(LedgerQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the ledger, and how many cases it holds", body = LedgerPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither a dispatcher, a handler nor an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/ledger")]
pub async fn list_ledger(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<LedgerQuery>,
) -> Result<web::Json<LedgerPage>, ApiError> {
    let scope = LedgerScope::of(&actor).ok_or_else(|| {
        ApiError::forbidden("the ledger is for dispatchers, handlers and administrators")
    })?;
    let area = query
        .area
        .as_deref()
        .map(|code| {
            AreaCode::parse(code).map_err(|e| ApiError::invalid_field("area", e.to_string()))
        })
        .transpose()?;
    let cursor = query
        .cursor
        .as_deref()
        .map(parse_time_cursor)
        .transpose()?
        .map(|(at, id)| LedgerCursor { at, id });
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE) as usize;
    let (review_due, party) = (query.review_due == Some(true), query.party);
    let at = now();
    let (page, count, today) = state
        .db
        .run(move |conn| {
            let today = calendar::load(conn, at)?.local_date(at);
            let filter = LedgerFilter {
                area,
                party,
                review_due_by: review_due.then_some(today),
            };
            let page = ledger::list(conn, &scope, &filter, cursor.as_ref(), limit)?;
            Ok((page, ledger::count(conn, &scope, &filter)?, today))
        })
        .await?;
    Ok(web::Json(LedgerPage {
        items: page
            .items
            .into_iter()
            .map(|e| LedgerEntryView::new(e, today))
            .collect(),
        count,
        next_cursor: page.next,
    }))
}
