//! `/api/v1/incidents/{root}/linked-incidents`: a hotspot's repeats linked
//! to one root-cause case, so the problem is solved once. Each repeat stays
//! a case of its own (its reporter keeps it); its timeline and the root's
//! say so.

use actix_web::http::header::ETAG;
use actix_web::{HttpRequest, HttpResponse, delete, post, web};
use chrono::{DateTime, Utc};
use gridops_infra::workflow::links::RootLinks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::routes::incidents::{etag, if_match};
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// Ids of the incidents to link to the root, 1–200; those linked to it
    /// already are left as they are.
    pub incidents: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkedIncidentView {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub linked_by: String,
    pub linked_at: DateTime<Utc>,
}

/// A root-cause case and every incident linked to it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RootLinksView {
    pub root_id: String,
    /// The root's version after the change, also its `ETag`.
    pub version: i64,
    /// Oldest report first.
    pub linked: Vec<LinkedIncidentView>,
}

fn answer(done: RootLinks) -> HttpResponse {
    let version = done.root.incident.version;
    let view = RootLinksView {
        root_id: done.root.incident.id,
        version,
        linked: done
            .linked
            .into_iter()
            .map(|l| LinkedIncidentView {
                id: l.id,
                reference: l.reference,
                status: l.status,
                created_at: l.created_at.and_utc(),
                linked_by: l.linked_by,
                linked_at: l.linked_at.and_utc(),
            })
            .collect(),
    };
    HttpResponse::Ok()
        .insert_header((ETAG, etag(version)))
        .json(view)
}

/// Links incidents to a root-cause case (a dispatcher over the root and
/// every one of them, or an administrator). Links are one level deep: an
/// incident has at most one root, a root is linked to none, and an incident
/// others are linked to is linked to none. Each newly linked incident gets a
/// `linked` timeline entry, the root one `incidents_linked`. `If-Match`
/// (optional) is the root's `ETag`.
#[utoipa::path(
    tag = "hotspots",
    params(
        ("root" = String, Path, description = "The root-cause case"),
        ("If-Match" = Option<String>, Header, description = "The root's ETag as read"),
    ),
    request_body = LinkRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The root and every incident linked to it; `ETag` is the root's version", body = RootLinksView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher over the root and every incident, nor an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such root, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`link_conflict`: an incident linked to another root or a root itself, or the root linked elsewhere", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The root changed since the `If-Match` version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty list, an unknown incident, the root itself, an incident twice", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents/{root}/linked-incidents")]
pub async fn link_incidents(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    root: web::Path<String>,
    req: HttpRequest,
    ValidJson(body): ValidJson<LinkRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let done = state
        .workflow
        .link(&actor, &root.into_inner(), body.incidents, expected)
        .await?;
    Ok(answer(done))
}

/// Unlinks an incident from its root-cause case (whoever may link them).
/// Each gets a timeline entry (`unlinked`, `incident_unlinked`).
#[utoipa::path(
    tag = "hotspots",
    params(
        ("root" = String, Path, description = "The root-cause case"),
        ("id" = String, Path, description = "The incident linked to it"),
        ("If-Match" = Option<String>, Header, description = "The root's ETag as read"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The root and the incidents still linked to it; `ETag` is the root's version", body = RootLinksView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a dispatcher over both, nor an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such root, or the incident is not linked to it", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The root changed since the `If-Match` version", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/incidents/{root}/linked-incidents/{id}")]
pub async fn unlink_incident(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let (root, id) = path.into_inner();
    let done = state.workflow.unlink(&actor, &root, &id, expected).await?;
    Ok(answer(done))
}
