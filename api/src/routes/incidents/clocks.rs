//! `GET /api/v1/incidents/{id}/deadlines`: the clocks of an incident and its
//! requests for more time, with their colour now.

use actix_web::{get, web};
use chrono::{DateTime, NaiveDate, Utc};
use gridops_domain::deadline::Clock;
use gridops_domain::deadline::request::ClockRequest;
use gridops_infra::repo::{clock_requests, deadlines, now};
use serde::Serialize;
use utoipa::ToSchema;

use super::load_visible;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::time_limits::Amount;
use crate::state::AppState;

/// One clock: a step someone owes, by when.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockView {
    pub id: String,
    /// `acknowledge`, `resolve`, `report` (an assisting party), `verify_on_site`, `triage` (the dispatchers).
    #[schema(example = "resolve")]
    pub step: String,
    /// The party that owes it; none for the dispatchers' triage.
    pub party: Option<String>,
    /// The area whose people owe it.
    pub area: String,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub warn_at: DateTime<Utc>,
    /// `running`, `paused` (suspended), `met` or `cancelled`.
    #[schema(example = "running")]
    pub state: String,
    pub ended_at: Option<DateTime<Utc>>,
    pub paused_at: Option<DateTime<Utc>>,
    /// Running and past its warning time 黄灯.
    pub yellow: bool,
    /// Running and past its due 红灯.
    pub red: bool,
    pub warned_at: Option<DateTime<Utc>>,
    pub overdue_at: Option<DateTime<Utc>>,
    pub escalated_to: Option<String>,
    /// Extensions 延期 granted.
    pub extensions: u32,
    /// Suspensions 挂起 it was held by.
    pub suspensions: u32,
}

impl ClockView {
    pub fn new(c: Clock, at: chrono::NaiveDateTime) -> Self {
        let light = c.light(at);
        ClockView {
            yellow: light == gridops_domain::deadline::Light::Yellow,
            red: light == gridops_domain::deadline::Light::Red,
            id: c.id,
            step: c.step.as_str().to_owned(),
            party: c.party,
            area: c.area,
            started_at: c.started_at.and_utc(),
            due_at: c.due_at.and_utc(),
            warn_at: c.warn_at.and_utc(),
            state: c.state.as_str().to_owned(),
            ended_at: c.ended_at.map(|t| t.and_utc()),
            paused_at: c.paused_at.map(|t| t.and_utc()),
            warned_at: c.warned_at.map(|t| t.and_utc()),
            overdue_at: c.overdue_at.map(|t| t.and_utc()),
            escalated_to: c.escalated_to,
            extensions: c.extensions,
            suspensions: c.suspensions,
        }
    }
}

/// A request for more time.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClockRequestView {
    pub id: String,
    pub incident_id: String,
    /// `suspend` 挂起, `extend` 延期 or `ledger` 挂账 (the problem ledger).
    #[schema(example = "suspend")]
    pub kind: String,
    pub reason: String,
    /// How much more time an extension asks for.
    pub extend_by: Option<Amount>,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    /// `pending`, `approved` (a ledger request: in the ledger), `refused`
    /// or `ended` (a suspension that is over, a case back into work from
    /// the ledger).
    #[schema(example = "pending")]
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// A ledger request's next review date, in the city's calendar.
    #[schema(example = "2027-01-15")]
    pub review_on: Option<NaiveDate>,
}

impl From<ClockRequest> for ClockRequestView {
    fn from(r: ClockRequest) -> Self {
        ClockRequestView {
            id: r.id,
            incident_id: r.incident_id,
            kind: r.kind.as_str().to_owned(),
            reason: r.reason,
            extend_by: r.extend_by.map(Amount::from),
            requested_by: r.requested_by,
            requested_at: r.requested_at.and_utc(),
            state: r.state.as_str().to_owned(),
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(|t| t.and_utc()),
            ended_at: r.ended_at.map(|t| t.and_utc()),
            review_on: r.review_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlinesView {
    /// Every clock, oldest first.
    pub items: Vec<ClockView>,
    /// Suspensions, extensions and ledger requests asked for, oldest first:
    /// an `approved` ledger request is the case's open ledger entry.
    pub requests: Vec<ClockRequestView>,
}

/// The clocks of an incident (whoever may see it).
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its clocks and requests for more time", body = DeadlinesView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/{id}/deadlines")]
pub async fn incident_deadlines(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<DeadlinesView>, ApiError> {
    let stored = load_visible(&state, &actor, id.into_inner()).await?;
    let id = stored.incident.id;
    let (clocks, requests) = state
        .db
        .run(move |conn| {
            Ok((
                deadlines::list(conn, &id)?,
                clock_requests::of_incident(conn, &id)?,
            ))
        })
        .await?;
    let at = now();
    Ok(web::Json(DeadlinesView {
        items: clocks.into_iter().map(|c| ClockView::new(c, at)).collect(),
        requests: requests.into_iter().map(Into::into).collect(),
    }))
}
