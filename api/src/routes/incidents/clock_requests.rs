//! Suspension 挂起, extension 延期 and the problem ledger 挂账: the handler
//! in charge asks (`POST …/clock-requests` with a `kind`, or `…/suspensions`,
//! `…/extensions`), a dispatcher covering the case decides
//! (`…/clock-requests/{rid}/approve|refuse`), and a suspension or a ledger
//! entry ends (`…/clock-requests/{rid}/end`, `…/suspensions/{rid}/end`).
//! Who may do which, and when, is `gridops_domain::deadline::request`'s to
//! say; each writes its timeline event in the same transaction as the
//! clocks it moves.

use actix_web::{HttpResponse, post, web};
use chrono::NaiveDate;
use gridops_domain::access::Actor;
use gridops_domain::category::TimeLimit;
use gridops_domain::deadline::request::{Ask, RequestKind};
use serde::Deserialize;
use utoipa::{IntoResponses, ToSchema};
use validator::Validate;

use super::clocks::ClockRequestView;
use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::ValidJson;
use crate::routes::time_limits::UnitParam;
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct SuspendBody {
    /// Why the clocks should stop (waiting for a court ruling, a part, the weather…).
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ExtendBody {
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// How much more time, counted from the current resolve due.
    #[validate(range(min = 1, max = 1000, message = "between 1 and 1000"))]
    #[schema(minimum = 1, maximum = 1000, example = 2)]
    pub amount: u32,
    pub unit: UnitParam,
}

/// What a request for more time asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ClockRequestKind)]
pub enum KindParam {
    /// 挂起: every clock stops until the suspension ends.
    Suspend,
    /// 延期: more time to resolve.
    Extend,
    /// 挂账: into the problem ledger, for a case that cannot be solved in
    /// its time even after an extension.
    Ledger,
}

impl From<KindParam> for RequestKind {
    fn from(k: KindParam) -> Self {
        match k {
            KindParam::Suspend => RequestKind::Suspend,
            KindParam::Extend => RequestKind::Extend,
            KindParam::Ledger => RequestKind::Ledger,
        }
    }
}

/// A request for more time of any kind: a suspension names a reason; an
/// extension a reason, an amount and a unit; the ledger a reason and a
/// review date.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct AskBody {
    pub kind: KindParam,
    /// Why, in writing (for the ledger: why no deadline can close the case).
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// An extension's amount, counted from the current resolve due.
    #[validate(range(min = 1, max = 1000, message = "between 1 and 1000"))]
    #[schema(minimum = 1, maximum = 1000, example = 2)]
    pub amount: Option<u32>,
    /// An extension's unit.
    pub unit: Option<UnitParam>,
    /// The ledger's first review date 复核, after today in the city's calendar.
    #[schema(example = "2027-01-15")]
    pub review_on: Option<NaiveDate>,
}

impl AskBody {
    /// The fields this kind needs and those it must not carry, named.
    fn check(&self) -> Result<(), ApiError> {
        let mut wrong = Vec::new();
        let mut say = |field: &str, message: &str| {
            wrong.push(FieldError {
                field: field.to_owned(),
                message: message.to_owned(),
            });
        };
        if self.reason.trim().is_empty() {
            say("reason", "write the reason");
        }
        let extension = self.kind == KindParam::Extend;
        match (extension, self.amount.is_some()) {
            (true, false) => say("amount", "an extension names how much more time"),
            (false, true) => say("amount", "only an extension names an amount"),
            _ => {}
        }
        match (extension, self.unit.is_some()) {
            (true, false) => say("unit", "an extension names its unit"),
            (false, true) => say("unit", "only an extension names a unit"),
            _ => {}
        }
        match (self.kind == KindParam::Ledger, self.review_on.is_some()) {
            (true, false) => say("review_on", "the ledger needs a review date"),
            (false, true) => say("review_on", "only a ledger request has a review date"),
            _ => {}
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(wrong))
        }
    }
}

/// Why a stopped clock runs again: optional.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct EndBody {
    /// E.g. a new property company took over the compound.
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: Option<String>,
}

/// The refusals both requests for more time may answer beside their own.
#[derive(IntoResponses)]
pub enum AskResponses {
    #[response(
        status = 401,
        description = "Not signed in",
        content_type = "application/problem+json"
    )]
    Unauthenticated(Problem),
    #[response(
        status = 403,
        description = "Not the handler in charge",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 404,
        description = "No such incident, or not one the caller may see",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
}

/// The refusals of approving and refusing alike.
#[derive(IntoResponses)]
pub enum DecisionResponses {
    #[response(
        status = 401,
        description = "Not signed in",
        content_type = "application/problem+json"
    )]
    Unauthenticated(Problem),
    #[response(
        status = 403,
        description = "Not a dispatcher covering the case",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 404,
        description = "No such incident or request",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
}

async fn ask(
    state: &AppState,
    actor: Actor,
    id: String,
    kind: RequestKind,
    reason: String,
    (extend_by, review_on): (Option<TimeLimit>, Option<NaiveDate>),
) -> Result<HttpResponse, ApiError> {
    let ask = Ask {
        id: uuid::Uuid::now_v7().to_string(),
        kind,
        reason,
        extend_by,
        review_on,
    };
    let request = state.workflow.ask_for_time(&actor, &id, ask).await?;
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
        AskResponses,
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
        (None, None),
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
        AskResponses,
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
        (Some(by), None),
    )
    .await
}

/// Asks for more time of any `kind` (the handler in charge): a suspension,
/// an extension, or the problem ledger 挂账 for a case that cannot be
/// solved in its time even after an extension (its resolve clock extended
/// at least once, or overdue). Pending until a dispatcher covering the case
/// approves.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    request_body = AskBody,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Asked; pending", body = ClockRequestView),
        AskResponses,
        (status = 409, description = "Not possible now: the party does not hold the case; a request of the kind is already open; the ledger without an extension and not overdue, while suspended, or the case already in it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field missing, blank, or not for this kind (`reason`, `amount`, `unit`, `review_on`), or a review date not after today", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/clock-requests")]
pub async fn ask_clock_request(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    ValidJson(body): ValidJson<AskBody>,
) -> Result<HttpResponse, ApiError> {
    body.check()?;
    let by = body.amount.zip(body.unit).map(|(amount, unit)| TimeLimit {
        amount,
        unit: unit.into(),
    });
    ask(
        &state,
        actor,
        id.into_inner(),
        body.kind.into(),
        body.reason,
        (by, body.review_on),
    )
    .await
}

async fn decided(
    state: &AppState,
    actor: Actor,
    (id, rid): (String, String),
    approve: bool,
) -> Result<web::Json<ClockRequestView>, ApiError> {
    let request = state
        .workflow
        .decide_request(&actor, &id, &rid, approve)
        .await?;
    Ok(web::Json(request.into()))
}

/// Approves a request (a dispatcher covering the case): a suspension pauses
/// every running clock; an extension moves the resolve due; a ledger
/// request puts the case in the ledger, its clocks paused (out of the
/// overdue counts, never escalated).
#[utoipa::path(
    tag = "incidents",
    params(
        ("id" = String, Path, description = "Incident id"),
        ("rid" = String, Path, description = "Request id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved; the clocks moved", body = ClockRequestView),
        DecisionResponses,
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
        DecisionResponses,
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
    let request = state.workflow.end_suspension(&actor, &id, &rid).await?;
    Ok(web::Json(request.into()))
}

/// Ends a running suspension, or takes a case out of the ledger back into
/// work (the handler in charge or a dispatcher covering the case): every
/// paused clock runs again, its due later by the working time it was held,
/// so the case gets back the time it had left. The note, if any, goes on
/// the timeline.
#[utoipa::path(
    tag = "incidents",
    params(
        ("id" = String, Path, description = "Incident id"),
        ("rid" = String, Path, description = "The suspension's or ledger entry's request id"),
    ),
    request_body = EndBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Ended; the clocks run again", body = ClockRequestView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither the handler in charge nor a dispatcher covering the case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident or request", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Neither a running suspension nor a case in the ledger", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid note", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{id}/clock-requests/{rid}/end")]
pub async fn end_clock_request(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
    ValidJson(body): ValidJson<EndBody>,
) -> Result<web::Json<ClockRequestView>, ApiError> {
    let (id, rid) = path.into_inner();
    let request = state
        .workflow
        .end_request(&actor, &id, &rid, body.note)
        .await?;
    Ok(web::Json(request.into()))
}
