//! `/api/v1/incidents`: reports, their lifecycle, timeline and photos.

pub mod accept;
pub mod acknowledge;
pub mod assists;
pub mod clock_requests;
pub mod clocks;
pub mod comment;
pub mod create;
pub mod dispatch;
pub mod dto;
pub mod duplicates;
pub mod evidence;
pub mod get;
pub mod ledger_review;
pub mod list;
pub mod location;
pub mod photos;
pub mod queue;
pub mod rate;
pub mod reject;
pub mod reopen;
pub mod reporter;
pub mod resolve;
pub mod resolve_on_spot;
pub mod return_case;
pub mod steps;
pub mod verify;
pub mod verify_chain;

use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use gridops_domain::access::Actor;
use gridops_domain::incident::{Command, allowed_actions};
use gridops_infra::repo::incidents::StoredIncident;
use gridops_infra::workflow::StepError;

use crate::error::ApiError;
use crate::state::AppState;
use dto::IncidentView;

/// `"7"`: the version, as an entity tag.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names; `None` when absent or `*`.
pub fn if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    let Some(value) = req.headers().get(IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::malformed("If-Match must be an ETag of this API, such as \"3\""))
}

/// The answer carrying an incident: its view and its `ETag`.
pub fn with_etag(view: &IncidentView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((ETAG, etag(view.version)))
        .json(view)
}

/// Loads an incident the actor may see; 404 otherwise, as if it did not exist.
pub async fn load_visible(
    state: &AppState,
    actor: &Actor,
    id: String,
) -> Result<StoredIncident, ApiError> {
    Ok(state.workflow.visible(actor, &id).await?)
}

/// Takes one lifecycle step through the workflow and answers with the
/// incident after it and its new `ETag`. `check` runs in the step's
/// transaction, for what only the store knows (does the party exist).
pub async fn step(
    state: &AppState,
    actor: &Actor,
    req: &HttpRequest,
    id: String,
    command: Command,
    check: impl Fn(&mut gridops_infra::DbConnection, &StoredIncident) -> Result<(), StepError>
    + Send
    + Sync
    + Clone
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(req)?;
    let next = state
        .workflow
        .step(actor, &id, expected, command, check)
        .await?;
    let view = IncidentView::new(&next, &allowed_actions(&next.incident, actor));
    Ok(with_etag(&view))
}
