//! Lead and assist 吹哨报到: `POST /api/v1/incidents/{id}/assists` (a
//! dispatcher calls parties to assist), `…/assists/{party}/acknowledge` and
//! `…/assists/{party}/report` (a handler of that party). The rules are
//! `gridops_domain::incident::assist`'s; each answer is the incident after
//! the step with its new `ETag`, like the lifecycle steps.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use gridops_domain::access::{Access, Actor};
use gridops_domain::incident::policy::{may_act_for_assist, may_call_assists};
use gridops_domain::incident::{
    AssistError, AssistEvent, AssistStep, Incident, IncidentError, allowed_actions, assist,
};
use gridops_infra::DbConnection;
use gridops_infra::repo::{now, parties};
use gridops_infra::workflow::StepError;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::dto::{IncidentView, NoteBody};
use super::{if_match, with_etag, workflow};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CallAssistsBody {
    /// Codes of the parties to call, at most 10 on one incident in all.
    #[validate(length(min = 1, max = 10, message = "1 to 10 parties"))]
    #[schema(example = json!(["zy-urban-management", "zy-guanlan-committee"]))]
    pub parties: Vec<String>,
    #[validate(length(max = 2000, message = "at most 2000 characters"))]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReportAssistBody {
    /// What the assisting party did.
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    pub result: String,
}

/// Takes an assist step in one write transaction: locks the incident (412
/// if it is not at the `If-Match` version), asks whether the actor may
/// (`may`), lets the rules decide (`decide`), then keeps it.
async fn take(
    state: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    id: String,
    may: impl FnOnce(&Incident, &Actor) -> Access + Send + 'static,
    step: AssistStep,
    decide: impl FnOnce(&mut DbConnection, &Incident) -> Result<(Incident, Vec<AssistEvent>), StepError>
    + Send
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(req)?;
    let may = move |incident: &Incident, actor: &Actor| match may(incident, actor) {
        Access::Granted => Ok(()),
        _ => Err(IncidentError::Assist(AssistError::Forbidden { step })),
    };
    let stored = workflow(state)
        .assist_step(actor, &id, expected, may, decide)
        .await?;
    let view = IncidentView::new(&stored, &allowed_actions(&stored.incident, actor));
    Ok(with_etag(StatusCode::OK, &view))
}

/// Calls parties to assist the lead (吹哨报到): each acknowledges and reports
/// on its own clock, and the lead resolves only once all have reported.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = CallAssistsBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Called; the incident with its assists", body = IncidentView),
        (status = 403, description = "Not a dispatcher covering the incident", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The incident is not dispatched or in progress", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`parties`: unknown, the lead itself, already assisting, named twice, or more than 10 in all", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/assists")]
pub async fn call_assists(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<CallAssistsBody>,
) -> Result<HttpResponse, ApiError> {
    let by = actor.user_id.clone();
    take(
        &state,
        &actor,
        &req,
        id.into_inner(),
        may_call_assists,
        AssistStep::Call,
        move |conn, incident| {
            let decided = assist::call(incident, &body.parties, body.note, &by, now())?;
            for event in &decided.1 {
                if !parties::exists(conn, &event.party)? {
                    return Err(IncidentError::Invalid {
                        field: "parties",
                        message: format!("no party {}", event.party),
                    }
                    .into());
                }
            }
            Ok(decided)
        },
    )
    .await
}

/// The assisting party takes its part on (签收).
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("party" = String, Path, description = "Code of the assisting party"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = NoteBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Acknowledged", body = IncidentView),
        (status = 403, description = "Not a handler of that assisting party", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already acknowledged, or the incident is over", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/assists/{party}/acknowledge")]
pub async fn acknowledge_assist(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    ValidJson(body): ValidJson<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, party) = path.into_inner();
    let by = actor.user_id.clone();
    let for_party = party.clone();
    take(
        &state,
        &actor,
        &req,
        id,
        move |incident, actor| may_act_for_assist(incident, actor, &for_party),
        AssistStep::Acknowledge,
        move |_, incident| {
            let (next, event) = assist::acknowledge(incident, &party, body.note, &by, now())?;
            Ok((next, vec![event]))
        },
    )
    .await
}

/// The assisting party reports what it did; the lead hears of it, and its
/// resolve waits for every assist's report.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("party" = String, Path, description = "Code of the assisting party"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ReportAssistBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Reported", body = IncidentView),
        (status = 403, description = "Not a handler of that assisting party", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not visible", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not acknowledged yet, already reported, or the incident is over", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No result", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/assists/{party}/report")]
pub async fn report_assist(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    ValidJson(body): ValidJson<ReportAssistBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, party) = path.into_inner();
    let by = actor.user_id.clone();
    let for_party = party.clone();
    take(
        &state,
        &actor,
        &req,
        id,
        move |incident, actor| may_act_for_assist(incident, actor, &for_party),
        AssistStep::Report,
        move |_, incident| {
            let (next, event) = assist::report(incident, &party, body.result, &by, now())?;
            Ok((next, vec![event]))
        },
    )
    .await
}
