use actix_web::{HttpResponse, get, web};
use gridops_domain::access::{Access, Capability, Place, decide};
use gridops_domain::incident::{allowed_actions, can_see};
use gridops_infra::DbError;
use gridops_infra::repo::{evidence, incidents};

use super::dto::{EventView, IncidentView, PhotoView};
use super::with_etag;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One incident with its timeline and photos; `ETag` is its version.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The incident", body = IncidentView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/{id}")]
pub async fn get_incident(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let staff = decide(&actor, Capability::ReadClosureEvidence, Place::default()).is_granted();
    let viewer = actor.clone();
    // One pool checkout: the incident with what its page shows beside it,
    // then (when the caller may see it) the timeline; photos and evidence
    // only where the first statement found some.
    let found = state
        .db
        .run(move |conn| {
            let (stored, beside) = match incidents::find_for_view(conn, &id) {
                Ok(found) => found,
                Err(DbError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            };
            if can_see(&stored.incident, &viewer) != Access::Granted {
                return Ok(None);
            }
            let events: Vec<EventView> = incidents::events_with_staff_names(conn, &id)?
                .into_iter()
                .map(|(event, name)| EventView {
                    actor_name: name,
                    ..EventView::from(event)
                })
                .collect();
            let photos = if beside.has_photos {
                incidents::photos(conn, &id)?
            } else {
                Vec::new()
            };
            let evidence = if staff && beside.judged {
                evidence::latest(conn, &id)?
            } else {
                None
            };
            Ok(Some((stored, beside, events, photos, evidence)))
        })
        .await?;
    // Hidden as if it did not exist.
    let Some((stored, beside, events, photos, evidence)) = found else {
        return Err(ApiError::not_found("no such incident"));
    };
    let mut view = IncidentView::new(&stored, &allowed_actions(&stored.incident, &actor));
    view.timeline = Some(events);
    view.photos = Some(photos.into_iter().map(PhotoView::from).collect());
    view.patrol_id = beside.patrol_id;
    view.evidence = evidence.map(Into::into);
    view.root_id = beside.root_id;
    view.linked_count = (beside.linked_count > 0).then_some(beside.linked_count);
    Ok(with_etag(&view))
}
