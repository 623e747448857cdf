use actix_web::http::header::{ETAG, LOCATION};
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Duration;
use gridops_domain::access::{Actor, Capability, Target, decide};
use gridops_domain::incident::{Channel, allowed_actions};
use gridops_domain::patrol::track;
use gridops_infra::DbError;
use gridops_infra::repo::patrols;
use gridops_infra::repo::{categories, now};
use gridops_infra::workflow::NewReport;

use super::dto::{CreateIncidentRequest, IncidentView};
use super::etag;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::idempotency::{self, Begun, Claimed};
use crate::state::AppState;

/// Reports an incident. Requires an `Idempotency-Key` header: a retry with
/// the same key and body gets the first answer again (one incident however
/// often a phone resends); the same key with another body is 422; a retry
/// while the first is still being handled is 409. A grid worker's finding
/// handled at once (`handled_on_spot`) is stored resolved, in the same
/// request, and never routed.
#[utoipa::path(
    tag = "incidents",
    params(("Idempotency-Key" = String, Header, description = "A unique key per report, 1–255 characters, kept by the client across retries")),
    request_body = CreateIncidentRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Reported (`resolved` when handled on the spot); `possible_duplicates` lists open incidents of the same category nearby", body = IncidentView),
        (status = 400, description = "No Idempotency-Key, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's role does not report incidents", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The first request with this key is still running, or the client-chosen id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (a point outside every grid names `location`; `handled_on_spot` from someone who may not resolve it on the spot), or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/incidents")]
pub async fn create_incident(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    ValidJson(body): ValidJson<CreateIncidentRequest>,
) -> Result<HttpResponse, ApiError> {
    let claimed =
        match idempotency::begin(&state, &actor.user_id, &req, &body, "/api/v1/incidents").await? {
            Begun::Fresh(claimed) => claimed,
            Begun::Replay(answer) => return Ok(answer),
        };
    let outcome = create(&state, &actor, body, &claimed).await;
    if let Err(e) = &outcome {
        claimed.settle_failure(&state, e).await?;
    }
    let view = outcome?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/api/v1/incidents/{}", view.id)))
        .insert_header((ETAG, etag(view.version)))
        .json(view))
}

async fn create(
    state: &AppState,
    actor: &gridops_domain::access::Actor,
    body: CreateIncidentRequest,
    claimed: &Claimed,
) -> Result<IncidentView, ApiError> {
    let map = state.areas.current();
    let (point, grid) = super::location::locate_point(&map, &body.location, body.coord_sys)?;
    let district = map.district_of(&grid.code);
    let grid_code = grid.code.clone();
    let now = now();
    let occurred_at = body.occurred_at.map_or(now, |t| t.naive_utc());
    if occurred_at > now + Duration::minutes(5) {
        return Err(ApiError::invalid_field("occurred_at", "in the future"));
    }
    // Reports written offline are days old, not years (and a date outside
    // what the databases store must not reach them).
    if occurred_at < now - Duration::days(366) {
        return Err(ApiError::invalid_field(
            "occurred_at",
            "more than a year ago",
        ));
    }
    let id = body
        .id
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), |id| id.to_string());
    // Reads first, outside the write transaction: the counter row it locks
    // serialises every report of the district, so it must be short.
    let (code, new_id) = (body.category.clone(), id.clone());
    let (category, duplicates) = state
        .db
        .run(move |conn| {
            let category = match categories::find(conn, &code) {
                Ok(c) => c,
                Err(DbError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            };
            let duplicates = super::duplicates::possible_duplicates(
                conn,
                &category.code,
                point,
                category.duplicate_radius_m,
                now,
                &new_id,
            )?;
            Ok(Some((category, duplicates)))
        })
        .await?
        .ok_or_else(|| {
            ApiError::invalid_field("category", format!("no category {}", body.category))
        })?;
    let patrol = match &body.patrol_id {
        Some(patrol_id) => Some(found_on(state, actor, patrol_id).await?),
        None => None,
    };
    let new = NewReport {
        id,
        district,
        category,
        description: body.description,
        grid: grid_code,
        priority: body.priority.map(Into::into),
        channel: if body.hotline {
            Channel::Hotline
        } else {
            Channel::Direct
        },
        lat: point.lat(),
        lng: point.lng(),
        address: body.address.filter(|a| !a.trim().is_empty()),
        occurred_at,
        handled_on_spot: body.handled_on_spot.map(|handled| handled.result),
    };
    let (reporter, claimed) = (actor.clone(), claimed.clone());
    let view = state
        .workflow
        .report(actor, new, move |conn, stored| {
            let mut view = IncidentView::new(stored, &allowed_actions(&stored.incident, &reporter));
            view.possible_duplicates = Some(duplicates);
            if let Some(patrol) = patrol {
                patrols::link_finding(conn, &patrol, &stored.incident.id)?;
                view.patrol_id = Some(patrol);
            }
            claimed.finish_in(conn, &view)?;
            Ok(view)
        })
        .await?;
    Ok(view)
}

/// The id of the caller's patrol a finding names, if it still takes
/// findings; else a 422 naming `patrol_id` (a patrol of another walker
/// included: nobody reports on someone else's walk).
async fn found_on(state: &AppState, actor: &Actor, patrol_id: &str) -> Result<String, ApiError> {
    let id = patrol_id.to_owned();
    let patrol = state
        .db
        .run(move |conn| match patrols::find(conn, &id) {
            Ok(found) => Ok(Some(found)),
            Err(DbError::NotFound) => Ok(None),
            Err(e) => Err(e),
        })
        .await?;
    let walked = patrol.filter(|p| {
        let target = Target::Patrol {
            walker: &p.patrol.walker_id,
            grids: &p.patrol.grids,
        };
        decide(actor, Capability::WalkPatrol, target).is_granted()
    });
    let Some(patrol) = walked else {
        return Err(ApiError::invalid_field(
            "patrol_id",
            "no patrol of yours has this id",
        ));
    };
    if !track::accepts_uploads(patrol.patrol.window(), &state.tracks.rules, now()) {
        return Err(ApiError::invalid_field(
            "patrol_id",
            "this patrol ended too long ago to take findings",
        ));
    }
    Ok(patrol.patrol.id)
}
