//! `/api/v1/incidents`: reports, their lifecycle, timeline and photos.

pub mod actions;
pub mod assists;
mod auto_route;
pub mod clock_requests;
pub mod clocks;
pub mod create;
pub mod dto;
pub mod get;
pub mod list;
pub mod location;
pub mod photos;

use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, IF_MATCH};
use actix_web::{HttpRequest, HttpResponse};
use gridops_domain::access::{Access, Actor};
use gridops_domain::incident::{Command, IncidentError, allowed_actions, apply, can_see};
use gridops_domain::notification;
use gridops_infra::repo::incidents::{self, StoredIncident};
use gridops_infra::repo::notifications;
use gridops_infra::repo::now;
use gridops_infra::signals::OUTBOX;

use crate::error::{ApiError, FieldError, missing};
use crate::routes::AppState;
use dto::IncidentView;

const NO_SUCH_INCIDENT: &str = "no such incident";

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
pub fn with_etag(status: StatusCode, view: &IncidentView) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((ETAG, etag(view.version)))
        .json(view)
}

/// Loads an incident the actor may see; 404 otherwise, as if it did not exist.
pub async fn load_visible(
    state: &AppState,
    actor: &Actor,
    id: String,
) -> Result<StoredIncident, ApiError> {
    let stored = state
        .db
        .run(move |conn| incidents::find(conn, &id))
        .await
        .map_err(missing(NO_SUCH_INCIDENT))?;
    // Followers (reporters of duplicates) see it too: `find` loads them.
    match can_see(&stored.incident, actor) {
        Access::Granted => Ok(stored),
        _ => Err(ApiError::not_found(NO_SUCH_INCIDENT)),
    }
}

impl From<IncidentError> for ApiError {
    fn from(e: IncidentError) -> Self {
        match e {
            IncidentError::Hidden => ApiError::not_found(NO_SUCH_INCIDENT),
            IncidentError::Forbidden { action } => {
                ApiError::forbidden(format!("your role may not {action} this incident"))
            }
            e @ IncidentError::NotAReporter => ApiError::forbidden(e.to_string()),
            IncidentError::InvalidTransition { current, allowed } => {
                let allowed: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                ApiError::new(
                    StatusCode::CONFLICT,
                    "invalid_transition",
                    format!(
                        "not possible while the incident is {current}; you may now: {}",
                        if allowed.is_empty() {
                            "nothing".to_owned()
                        } else {
                            allowed.join(", ")
                        }
                    ),
                )
                .with_extension("current_status", current.as_str().into())
                .with_extension("allowed_actions", allowed.into())
            }
            IncidentError::Invalid { field, message } => ApiError::validation(vec![FieldError {
                field: field.to_owned(),
                message,
            }]),
            IncidentError::AssistsPending { parties } => assists::pending(parties),
            IncidentError::Assist(e) => assists::refused(e),
        }
    }
}

/// Takes one lifecycle step: the domain decides, the store keeps it if
/// nobody was faster. Without `If-Match`, a lost race is retried on the
/// fresh state (so the loser of two identical steps hears 409); with it, the
/// client asked for that version and hears 412.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: String,
    expected: Option<i64>,
    command: Command,
    check: impl Fn(&mut gridops_infra::DbConnection, &StoredIncident) -> Result<(), ApiError>
    + Send
    + Sync
    + Clone
    + 'static,
) -> Result<IncidentView, ApiError> {
    for _ in 0..3 {
        let stored = load_visible(state, actor, id.clone()).await?;
        if let Some(expected) = expected
            && expected != stored.incident.version
        {
            return Err(stale(stored.incident.version));
        }
        let (next, event) = apply(&stored.incident, command.clone(), actor, now())?;
        let next = StoredIncident {
            incident: next,
            ..stored.clone()
        };
        let (check, before) = (check.clone(), stored.incident);
        let actor_id = actor.user_id.clone();
        let warn = state.warn_fraction.get();
        let saved = state
            .db
            .write(move |conn| {
                if let Err(e) = check(conn, &next) {
                    return Ok(Err(e));
                }
                if !incidents::save_step(conn, &next, before.version, &event)? {
                    return Ok(Ok(None));
                }
                gridops_infra::repo::deadlines::follow_step_with(
                    conn,
                    Some(&before),
                    &next.incident,
                    event.at,
                    warn,
                )?;
                let next = gridops_infra::repo::deadlines::with_dues(conn, next)?;
                // In the same transaction: a step that rolls back tells nobody.
                let tells = notification::after_step(&before, &next.incident, &event);
                notifications::tell_about_incident(
                    conn,
                    &next.incident,
                    &tells,
                    &actor_id,
                    event.at,
                )?;
                let next =
                    auto_route::after_step(conn, &before, next, event.action, event.at, warn)?;
                Ok(Ok(Some(next)))
            })
            .await??;
        state.signals.raise_local(OUTBOX);
        match saved {
            Some(next) => {
                state
                    .signals
                    .raise_local(gridops_infra::signals::INCIDENT_EVENTS);
                return Ok(IncidentView::new(
                    &next,
                    &allowed_actions(&next.incident, actor),
                ));
            }
            None if expected.is_some() => {
                let current = state
                    .db
                    .run({
                        let id = id.clone();
                        move |conn| incidents::find(conn, &id)
                    })
                    .await?;
                return Err(stale(current.incident.version));
            }
            None => continue,
        }
    }
    Err(ApiError::new(
        StatusCode::CONFLICT,
        "busy",
        "the incident is changing fast; try again",
    ))
}

fn stale(current: i64) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "stale_version",
        format!(
            "the incident changed since you read it; it is now version {current}: read it again"
        ),
    )
    .with_header(ETAG, etag(current))
}
