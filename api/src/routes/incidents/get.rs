use actix_web::{HttpResponse, get, web};
use gridops_domain::access::{Capability, Place, decide};
use gridops_domain::incident::{ActionKind, allowed_actions};
use gridops_infra::repo::evidence;
use gridops_infra::repo::{incidents, links, patrols};

use super::dto::{EventView, IncidentView, PhotoView};
use super::{load_visible, with_etag};
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
    let stored = load_visible(&state, &actor, id.into_inner()).await?;
    let incident_id = stored.incident.id.clone();
    let staff = decide(&actor, Capability::ReadClosureEvidence, Place::default()).is_granted();
    let (evidence, events, photos, patrol, (root_id, linked)) = state
        .db
        .run(move |conn| {
            let events: Vec<EventView> = incidents::events_with_staff_names(conn, &incident_id)?
                .into_iter()
                .map(|(event, name)| EventView {
                    actor_name: name,
                    ..EventView::from(event)
                })
                .collect();
            // Read only when a step was judged: most cases were never resolved.
            let judged = staff
                && events.iter().any(|e| {
                    ActionKind::parse(&e.action).is_some_and(gridops_domain::evidence::is_judged)
                });
            let evidence = if judged {
                evidence::latest(conn, &incident_id)?
            } else {
                None
            };
            Ok((
                evidence,
                events,
                incidents::photos(conn, &incident_id)?,
                patrols::found_on(conn, &incident_id)?,
                links::of_incident(conn, &incident_id)?,
            ))
        })
        .await?;
    let mut view = IncidentView::new(&stored, &allowed_actions(&stored.incident, &actor));
    view.timeline = Some(events);
    view.photos = Some(photos.into_iter().map(PhotoView::from).collect());
    view.patrol_id = patrol;
    view.evidence = evidence.map(Into::into);
    view.root_id = root_id;
    view.linked_count = (linked > 0).then_some(linked);
    Ok(with_etag(&view))
}
