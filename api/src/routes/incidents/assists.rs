//! Lead and assist 吹哨报到: `POST /api/v1/incidents/{id}/assists` (a
//! dispatcher calls parties to assist), `…/assists/{party}/acknowledge` and
//! `…/assists/{party}/report` (a handler of that party). The rules are
//! `gridops_domain::incident::assist`'s; each answer is the incident after
//! the step with its new `ETag`, like the lifecycle steps.

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
use utoipa::{IntoResponses, ToSchema};
use validator::Validate;

use super::dto::{IncidentView, NoteBody};
use super::steps::StepResponses;
use super::{if_match, with_etag};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CallAssistsBody {
    /// Codes of the parties to call, at most 10 on one incident in all.
    #[validate(length(min = 1, max = 10, message = "1 to 10 parties"))]
    #[schema(min_items = 1, max_items = 10, example = json!(["zy-urban-management", "zy-guanlan-committee"]))]
    pub parties: Vec<String>,
    #[validate(length(max = 2000, message = "at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ReportAssistBody {
    /// What the assisting party did.
    #[validate(length(min = 1, max = 2000, message = "1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
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
    let stored = state
        .workflow
        .assist_step(actor, &id, expected, may, decide)
        .await?;
    let view = IncidentView::new(&stored, &allowed_actions(&stored.incident, actor));
    Ok(with_etag(&view))
}

/// Calls parties to assist the lead (吹哨报到): each acknowledges and reports
/// on its own clock, and the lead resolves only once all have reported.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = CallAssistsBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Called; the incident with its assists", body = IncidentView),
        (status = 403, description = "Not a dispatcher covering the incident", body = Problem, content_type = "application/problem+json"),
        StepResponses,
        (status = 409, description = "The incident is not dispatched or in progress", body = Problem, content_type = "application/problem+json"),
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
        StepResponses, PartyRefusal,
        (status = 409, description = "Already acknowledged, or the incident is over", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/incidents/{id}/assists/{party}/acknowledge")]
pub async fn acknowledge_assist(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    ValidJson(body): ValidJson<NoteBody>,
) -> Result<HttpResponse, ApiError> {
    let step = AssistStep::Acknowledge;
    take_for_party(
        &state,
        &actor,
        &req,
        path.into_inner(),
        step,
        |incident, party, by| assist::acknowledge(incident, party, body.note, by, now()),
    )
    .await
}

/// The assisting party reports what it did; the lead hears of it, and its
/// resolve waits for every assist's report.
#[utoipa::path(tag = "incidents", params(("id" = String, Path, description = "Incident id"), ("party" = String, Path, description = "Code of the assisting party"), ("If-Match" = Option<String>, Header, description = "The ETag read; 412 if it changed since")),
    request_body = ReportAssistBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "Reported", body = IncidentView),
        StepResponses, PartyRefusal,
        (status = 409, description = "Not acknowledged yet, already reported, or the incident is over", body = Problem, content_type = "application/problem+json"),
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
    let step = AssistStep::Report;
    take_for_party(
        &state,
        &actor,
        &req,
        path.into_inner(),
        step,
        |incident, party, by| assist::report(incident, party, body.result, by, now()),
    )
    .await
}

/// An assisting party's own step (acknowledge, report), by any handler of
/// that party.
async fn take_for_party(
    state: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    (id, party): (String, String),
    step: AssistStep,
    decide: impl FnOnce(&Incident, &str, &str) -> Result<(Incident, AssistEvent), IncidentError>
    + Send
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let (for_party, by) = (party.clone(), actor.user_id.clone());
    take(
        state,
        actor,
        req,
        id,
        move |incident, actor| may_act_for_assist(incident, actor, &for_party),
        step,
        move |_, incident| {
            let (next, event) = decide(incident, &party, &by)?;
            Ok((next, vec![event]))
        },
    )
    .await
}

/// The refusal of an assisting party's own step to anyone else.
#[derive(IntoResponses)]
pub enum PartyRefusal {
    #[response(
        status = 403,
        description = "Not a handler of that assisting party",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
}
