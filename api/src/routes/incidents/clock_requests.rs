//! Suspension 挂起 and extension 延期: the handler in charge asks
//! (`POST …/suspensions`, `…/extensions`), a dispatcher covering the case
//! decides (`…/clock-requests/{rid}/approve|refuse`), and a suspension ends
//! (`…/suspensions/{rid}/end`). Who may do which, and when, is
//! `gridops_domain::deadline::request`'s to say; each writes its timeline
//! event in the same transaction as the clocks it moves.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use gridops_domain::access::Actor;
use gridops_domain::category::TimeLimit;
use gridops_domain::deadline::request::{
    ClockRequest, RequestError, RequestKind, RequestState, may_ask, may_decide, may_end,
};
use gridops_infra::repo::{clock_requests, deadlines, incidents, now};
use gridops_infra::signals::INCIDENT_EVENTS;
use gridops_infra::{DbConnection, DbError};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::clocks::ClockRequestView;
use super::load_visible;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::routes::AppState;
use crate::routes::time_limits::UnitParam;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct SuspendBody {
    /// Why the clocks should stop (waiting for a court ruling, a part, the weather…).
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    pub reason: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ExtendBody {
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    pub reason: String,
    /// How much more time, counted from the current resolve due.
    #[validate(range(min = 1, max = 1000, message = "between 1 and 1000"))]
    #[schema(example = 2)]
    pub amount: u32,
    pub unit: UnitParam,
}

impl From<RequestError> for ApiError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::Hidden => ApiError::not_found("no such incident"),
            RequestError::Forbidden(why) => ApiError::forbidden(why),
            RequestError::Conflict(why) => {
                ApiError::new(StatusCode::CONFLICT, "clock_request_conflict", why)
            }
        }
    }
}

const NO_SUCH_REQUEST: &str = "no such request for more time on this incident";

/// A write that may be refused by the rules: the refusal commits nothing.
type Outcome<T> = Result<Result<T, ApiError>, DbError>;

async fn ask(
    state: &AppState,
    actor: Actor,
    id: String,
    kind: RequestKind,
    reason: String,
    extend_by: Option<TimeLimit>,
) -> Result<HttpResponse, ApiError> {
    load_visible(state, &actor, id.clone()).await?;
    let request = state
        .db
        .write(move |conn| -> Outcome<ClockRequest> {
            let incident = incidents::find(conn, &id)?.incident;
            let open = clock_requests::of_incident(conn, &id)?;
            if let Err(e) = may_ask(&incident, &actor, kind, &open) {
                return Ok(Err(e.into()));
            }
            let at = now();
            let request = ClockRequest {
                id: uuid::Uuid::now_v7().to_string(),
                incident_id: id.clone(),
                kind,
                reason,
                extend_by,
                requested_by: actor.user_id.clone(),
                requested_at: at,
                state: RequestState::Pending,
                decided_by: None,
                decided_at: None,
                ended_at: None,
            };
            clock_requests::insert(conn, &request)?;
            let action = match kind {
                RequestKind::Suspend => "suspend_requested",
                RequestKind::Extend => "extension_requested",
            };
            incidents::append_event(conn, &id, action, &actor.user_id, Some(&request.reason), at)?;
            Ok(Ok(request))
        })
        .await??;
    state.signals.raise_local(INCIDENT_EVENTS);
    Ok(HttpResponse::Created().json(ClockRequestView::from(request)))
}

/// Asks for the case's clocks to stop (the handler in charge). Pending
/// until a dispatcher covering the case approves.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    request_body = SuspendBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Asked; pending", body = ClockRequestView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the handler in charge", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The party does not hold the case, or a suspension is already asked for or running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid reason", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/suspensions")]
pub async fn ask_suspension(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    ValidJson(body): ValidJson<SuspendBody>,
) -> Result<HttpResponse, ApiError> {
    ask(
        &state,
        actor,
        id.into_inner(),
        RequestKind::Suspend,
        body.reason,
        None,
    )
    .await
}

/// Asks for more time to resolve (the handler in charge). Pending until a
/// dispatcher covering the case approves.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    request_body = ExtendBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Asked; pending", body = ClockRequestView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the handler in charge", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The party does not hold the case, or an extension is already waiting", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid reason, amount or unit", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/extensions")]
pub async fn ask_extension(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    ValidJson(body): ValidJson<ExtendBody>,
) -> Result<HttpResponse, ApiError> {
    let by = TimeLimit {
        amount: body.amount,
        unit: body.unit.into(),
    };
    ask(
        &state,
        actor,
        id.into_inner(),
        RequestKind::Extend,
        body.reason,
        Some(by),
    )
    .await
}

/// Approves or refuses a pending request, moving the clocks on approval.
fn decide(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    rid: &str,
    approve: bool,
) -> Outcome<ClockRequest> {
    let incident = incidents::find(conn, id)?.incident;
    let mut request = match clock_requests::find(conn, id, rid) {
        Ok(r) => r,
        Err(DbError::NotFound) => return Ok(Err(ApiError::not_found(NO_SUCH_REQUEST))),
        Err(e) => return Err(e),
    };
    if let Err(e) = may_decide(&incident, actor, &request, approve) {
        return Ok(Err(e.into()));
    }
    let at = now();
    let action = match (approve, request.kind, request.extend_by) {
        (false, _, _) => "refused",
        (true, RequestKind::Suspend, _) => {
            deadlines::pause(conn, id, at)?;
            "suspended"
        }
        (true, RequestKind::Extend, Some(by)) => {
            if !deadlines::extend(conn, &incident, by, at)? {
                return Ok(Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "clock_request_conflict",
                    "no resolve clock runs to extend: refuse the request",
                )));
            }
            "extended"
        }
        (true, RequestKind::Extend, None) => {
            return Err(DbError::Corrupt(format!(
                "extension {rid} without an amount"
            )));
        }
    };
    request.state = if approve {
        RequestState::Approved
    } else {
        RequestState::Refused
    };
    request.decided_by = Some(actor.user_id.clone());
    request.decided_at = Some(at);
    if !clock_requests::save(conn, &request, RequestState::Pending)? {
        // Somebody decided first; the transaction rolls back with this error.
        return Err(DbError::Conflict(format!("request {rid} decided twice")));
    }
    incidents::append_event(conn, id, action, &actor.user_id, Some(&request.reason), at)?;
    Ok(Ok(request))
}

async fn decided(
    state: &AppState,
    actor: Actor,
    path: (String, String),
    approve: bool,
) -> Result<web::Json<ClockRequestView>, ApiError> {
    let (id, rid) = path;
    load_visible(state, &actor, id.clone()).await?;
    let request = state
        .db
        .write(move |conn| decide(conn, &actor, &id, &rid, approve))
        .await??;
    state.signals.raise_local(INCIDENT_EVENTS);
    Ok(web::Json(request.into()))
}

/// Approves a request (a dispatcher covering the case): a suspension pauses
/// every running clock; an extension moves the resolve due.
#[utoipa::path(
    tag = "incidents",
    params(
        ("id" = String, Path, description = "Incident id"),
        ("rid" = String, Path, description = "Request id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved; the clocks moved", body = ClockRequestView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher covering the case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident or request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided, or the party no longer holds the case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/clock-requests/{rid}/approve")]
pub async fn approve_clock_request(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
) -> Result<web::Json<ClockRequestView>, ApiError> {
    decided(&state, actor, path.into_inner(), true).await
}

/// Refuses a request (a dispatcher covering the case); the clocks run on.
#[utoipa::path(
    tag = "incidents",
    params(
        ("id" = String, Path, description = "Incident id"),
        ("rid" = String, Path, description = "Request id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Refused", body = ClockRequestView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher covering the case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident or request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/clock-requests/{rid}/refuse")]
pub async fn refuse_clock_request(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
) -> Result<web::Json<ClockRequestView>, ApiError> {
    decided(&state, actor, path.into_inner(), false).await
}

/// Ends a running suspension (the handler in charge or a dispatcher
/// covering the case): every paused clock runs again, its due later by the
/// working time it was held.
#[utoipa::path(
    tag = "incidents",
    params(
        ("id" = String, Path, description = "Incident id"),
        ("rid" = String, Path, description = "The suspension's request id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Ended; the clocks run again", body = ClockRequestView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the handler in charge nor a dispatcher covering the case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident or suspension", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a running suspension", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/suspensions/{rid}/end")]
pub async fn end_suspension(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
) -> Result<web::Json<ClockRequestView>, ApiError> {
    let (id, rid) = path.into_inner();
    load_visible(&state, &actor, id.clone()).await?;
    let request = state
        .db
        .write(move |conn| -> Outcome<ClockRequest> {
            let incident = incidents::find(conn, &id)?.incident;
            let mut request = match clock_requests::find(conn, &id, &rid) {
                Ok(r) => r,
                Err(DbError::NotFound) => return Ok(Err(ApiError::not_found(NO_SUCH_REQUEST))),
                Err(e) => return Err(e),
            };
            if let Err(e) = may_end(&incident, &actor, &request) {
                return Ok(Err(e.into()));
            }
            let at = now();
            request.state = RequestState::Ended;
            request.ended_at = Some(at);
            if !clock_requests::save(conn, &request, RequestState::Approved)? {
                return Err(DbError::Conflict(format!("suspension {rid} ended twice")));
            }
            deadlines::resume(conn, &incident, at)?;
            incidents::append_event(conn, &id, "resumed", &actor.user_id, None, at)?;
            Ok(Ok(request))
        })
        .await??;
    state.signals.raise_local(INCIDENT_EVENTS);
    Ok(web::Json(request.into()))
}
