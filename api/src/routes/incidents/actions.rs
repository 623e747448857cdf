//! The lifecycle steps, one endpoint each: `POST /api/v1/incidents/{id}/{action}`.
//! The domain decides (`gridops_domain::incident::apply`); these parse the
//! body, check what only the database knows (does the party exist), and
//! answer with the incident after the step and its new `ETag`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use gridops_domain::incident::{Command, Rating, RejectReason};
use gridops_domain::role::Role;
use gridops_infra::repo::incidents::{self, StoredIncident};
use gridops_infra::repo::{parties, users};
use gridops_infra::{DbConnection, DbError};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::dto::IncidentView;
use super::{act, if_match, with_etag};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::routes::AppState;

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct NoteBody {
    #[validate(length(max = 2000, message = "at most 2000 characters"))]
    pub note: Option<String>,
}

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
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct DispatchBody {
    /// Code of the responsible party.
    #[validate(length(min = 1, max = 64, message = "1 to 64 characters"))]
    #[schema(example = "zy-heating")]
    pub party: String,
    /// A handler of that party, if one person should take it.
    pub assignee: Option<String>,
    #[validate(length(max = 2000, message = "at most 2000 characters"))]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReasonBody {
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    pub reason: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ResolveBody {
    /// What was done.
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    pub result: String,
    /// Keys of after-photos already uploaded to this incident.
    #[serde(default)]
    #[validate(length(max = 9, message = "at most 9 photos"))]
    pub photos: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RatingParam {
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RateBody {
    pub rating: RatingParam,
    #[validate(length(max = 2000, message = "at most 2000 characters"))]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CommentBody {
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    pub text: String,
}

fn nothing_to_check(_: &mut DbConnection, _: &StoredIncident) -> Result<(), ApiError> {
    Ok(())
}

async fn step(
    state: &AppState,
    actor: &gridops_domain::access::Actor,
    req: &HttpRequest,
    id: String,
    command: Command,
    check: impl Fn(&mut DbConnection, &StoredIncident) -> Result<(), ApiError>
    + Send
    + Sync
    + Clone
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let view = act(state, actor, id, if_match(req)?, command, check).await?;
    Ok(with_etag(StatusCode::OK, &view))
}

/// The photos named by a resolve must be this incident's.
fn photos_exist(
    photos: Vec<String>,
) -> impl Fn(&mut DbConnection, &StoredIncident) -> Result<(), ApiError> + Send + Sync + Clone + 'static
{
    move |conn, incident| {
        if photos.is_empty() {
            return Ok(());
        }
        let stored = incidents::photos(conn, &incident.incident.id).map_err(ApiError::from)?;
        match photos
            .iter()
            .find(|key| !stored.iter().any(|p| &p.photo_key == *key))
        {
            Some(key) => Err(ApiError::invalid_field(
                "photos",
                format!("{key} is not a photo of this incident; upload it first"),
            )),
            None => Ok(()),
        }
    }
}

/// Registers the case (立案): a report that is real and in scope.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = NoteBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Accepted", body = IncidentView),
        (status = 403, description = "The caller's role may not take this step", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state; the problem lists `allowed_actions`", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The incident changed since the ETag given in If-Match", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    step(
        &state,
        &actor,
        &req,
        id.into_inner(),
        Command::Accept { note: body.note },
        nothing_to_check,
    )
    .await
}

/// Rejects a report: a duplicate of another (whose reporter then follows
/// it), out of scope, or invalid.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = RejectBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Rejected", body = IncidentView),
        (status = 403, description = "The caller's role may not take this step", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A duplicate without a valid `duplicate_of`", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<RejectBody>,
) -> Result<HttpResponse, ApiError> {
    let reason = match (body.reason, body.duplicate_of.clone()) {
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
    let original = body
        .duplicate_of
        .filter(|_| matches!(body.reason, RejectKind::Duplicate));
    let check = {
        let original = original.clone();
        move |conn: &mut DbConnection, _: &StoredIncident| match &original {
            Some(of) => match incidents::find(conn, of) {
                Ok(_) => Ok(()),
                Err(DbError::NotFound) => Err(ApiError::invalid_field(
                    "duplicate_of",
                    format!("no incident {of}"),
                )),
                Err(e) => Err(e.into()),
            },
            None => Ok(()),
        }
    };
    let view = act(
        &state,
        &actor,
        id.into_inner(),
        if_match(&req)?,
        Command::Reject {
            reason,
            note: body.note,
        },
        check,
    )
    .await?;
    if let Some(of) = original {
        // The later reporter follows the first report from now on.
        let reporter = view.reporter_id.clone();
        state
            .db
            .write(move |conn| incidents::follow(conn, &of, &reporter))
            .await?;
    }
    Ok(with_etag(StatusCode::OK, &view))
}

/// Dispatches (派遣) the case to a responsible party, optionally to one of its handlers.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = DispatchBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Dispatched", body = IncidentView),
        (status = 403, description = "The caller's role may not take this step", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown party, or an assignee who is not its handler", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/dispatch")]
pub async fn dispatch(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<DispatchBody>,
) -> Result<HttpResponse, ApiError> {
    let (party, assignee) = (body.party.clone(), body.assignee.clone());
    let check = move |conn: &mut DbConnection, _: &StoredIncident| {
        if !parties::exists(conn, &party)? {
            return Err(ApiError::invalid_field(
                "party",
                format!("no party {party}"),
            ));
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
                return Err(ApiError::invalid_field(
                    "assignee",
                    format!("not a handler of {party}"),
                ));
            }
        }
        Ok(())
    };
    let command = Command::Dispatch {
        party: body.party,
        assignee: body.assignee,
        note: body.note,
    };
    step(&state, &actor, &req, id.into_inner(), command, check).await
}

/// The party takes the case on (签收).
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = NoteBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Acknowledged", body = IncidentView),
        (status = 403, description = "Not a handler of the case's party", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/acknowledge")]
pub async fn acknowledge(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    step(
        &state,
        &actor,
        &req,
        id.into_inner(),
        Command::Acknowledge { note: body.note },
        nothing_to_check,
    )
    .await
}

/// The party returns (回退) a case outside its remit, with a reason; it goes
/// back to the dispatcher.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ReasonBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Returned", body = IncidentView),
        (status = 403, description = "Not a handler of the case's party", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/return")]
pub async fn return_case(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<ReasonBody>,
) -> Result<HttpResponse, ApiError> {
    step(
        &state,
        &actor,
        &req,
        id.into_inner(),
        Command::Return {
            reason: body.reason,
        },
        nothing_to_check,
    )
    .await
}

/// The party reports the result, with after-photos.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ResolveBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Resolved", body = IncidentView),
        (status = 403, description = "Not a handler of the case's party", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No result, or photos not uploaded to this incident", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/resolve")]
pub async fn resolve(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<ResolveBody>,
) -> Result<HttpResponse, ApiError> {
    let check = photos_exist(body.photos.clone());
    step(
        &state,
        &actor,
        &req,
        id.into_inner(),
        Command::Resolve {
            result: body.result,
            photos: body.photos,
        },
        check,
    )
    .await
}

/// A grid worker fixes a small thing on the spot (小事不出网格).
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ResolveBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Resolved on the spot", body = IncidentView),
        (status = 403, description = "Not a grid worker or chief of its grid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No result, or photos not uploaded to this incident", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/resolve_on_spot")]
pub async fn resolve_on_spot(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<ResolveBody>,
) -> Result<HttpResponse, ApiError> {
    let check = photos_exist(body.photos.clone());
    step(
        &state,
        &actor,
        &req,
        id.into_inner(),
        Command::ResolveOnSpot {
            result: body.result,
            photos: body.photos,
        },
        check,
    )
    .await
}

/// Verifies the result on site (核查) and closes the case (结案).
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = NoteBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Closed", body = IncidentView),
        (status = 403, description = "Not the grid chief or a dispatcher of its area", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    step(
        &state,
        &actor,
        &req,
        id.into_inner(),
        Command::Verify { note: body.note },
        nothing_to_check,
    )
    .await
}

/// The result does not meet the standard: back to work (返工), with a reason.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ReasonBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Reopened", body = IncidentView),
        (status = 403, description = "Not the grid chief or a dispatcher of its area", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/reopen")]
pub async fn reopen(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<ReasonBody>,
) -> Result<HttpResponse, ApiError> {
    step(
        &state,
        &actor,
        &req,
        id.into_inner(),
        Command::Reopen {
            reason: body.reason,
        },
        nothing_to_check,
    )
    .await
}

/// The reporter rates the closed case, once.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = RateBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Rated", body = IncidentView),
        (status = 403, description = "Not its reporter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not closed yet", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Already rated", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/rate")]
pub async fn rate(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<RateBody>,
) -> Result<HttpResponse, ApiError> {
    let rating = match body.rating {
        RatingParam::Satisfied => Rating::Satisfied,
        RatingParam::BasicallySatisfied => Rating::BasicallySatisfied,
        RatingParam::Dissatisfied => Rating::Dissatisfied,
    };
    step(
        &state,
        &actor,
        &req,
        id.into_inner(),
        Command::Rate {
            rating,
            comment: body.comment,
        },
        nothing_to_check,
    )
    .await
}

/// A comment, in any state, by anyone who can see the case.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = CommentBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Commented", body = IncidentView),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty text", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/comment")]
pub async fn comment_on(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<CommentBody>,
) -> Result<HttpResponse, ApiError> {
    step(
        &state,
        &actor,
        &req,
        id.into_inner(),
        Command::Comment { text: body.text },
        nothing_to_check,
    )
    .await
}
