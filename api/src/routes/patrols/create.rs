//! `POST /api/v1/patrols`: a grid worker starts walking their grids.

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::SubsecRound;
use gridops_domain::access::{Capability, Place};
use gridops_domain::area::AreaCode;
use gridops_domain::patrol::{self, Start};
use gridops_infra::repo::now;
use gridops_infra::repo::patrols;

use super::dto::{LineString, PatrolView, StartPatrolRequest};
use crate::access::require_on;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::idempotency::{self, Begun};
use crate::state::AppState;

/// Starts a patrol of grids the caller works in (grid workers and chiefs).
/// One patrol runs per walker at a time. Requires an `Idempotency-Key`; a
/// phone that started offline sends its own `id` (and `started_at`), and a
/// resend of that start answers the patrol it made.
#[utoipa::path(
    tag = "patrols",
    params(("Idempotency-Key" = String, Header, description = "A unique key per start, 1–255 characters, kept by the client across retries")),
    request_body = StartPatrolRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Started", body = PatrolView),
        (status = 200, description = "This phone had started it already (same client `id`)", body = PatrolView),
        (status = 400, description = "No Idempotency-Key, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a grid worker or chief of every grid named", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another patrol of the caller is running (`running_patrol`), the client id is taken, or the first request with this key is still running", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (an unknown grid names `grids[i]`), or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/patrols")]
pub async fn start_patrol(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    ValidJson(body): ValidJson<StartPatrolRequest>,
) -> Result<HttpResponse, ApiError> {
    let map = state.areas.current();
    let grids = body
        .grids
        .iter()
        .enumerate()
        .map(|(i, code)| {
            AreaCode::parse(code)
                .ok()
                .filter(|c| map.get(c).is_some_and(|a| a.level.is_grid()))
                .ok_or_else(|| {
                    ApiError::invalid_field(format!("grids[{i}]"), format!("no grid {code}"))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let place = Place {
        areas: &grids,
        ..Place::default()
    };
    require_on(
        &actor,
        Capability::StartPatrol,
        place,
        "patrols are walked by grid workers and chiefs, in the grids they work in",
    )?;
    let claimed =
        match idempotency::begin(&state, &actor.user_id, &req, &body, "/api/v1/patrols").await? {
            Begun::Fresh(claimed) => claimed,
            Begun::Replay(answer) => return Ok(answer),
        };
    let outcome = start(&state, &actor, body, grids, &claimed).await;
    if let Err(e) = &outcome {
        claimed.settle_failure(&state, e).await?;
    }
    let (view, fresh) = outcome?;
    let mut answer = if fresh {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(answer
        .insert_header((LOCATION, format!("/api/v1/patrols/{}", view.id)))
        .json(view))
}

/// The patrol and whether it is new (a resend of an offline start finds
/// the first).
async fn start(
    state: &AppState,
    actor: &gridops_domain::access::Actor,
    body: StartPatrolRequest,
    grids: Vec<AreaCode>,
    claimed: &idempotency::Claimed,
) -> Result<(PatrolView, bool), ApiError> {
    if let Some(id) = body.id {
        let id = id.to_string();
        let earlier = state
            .db
            .run(move |conn| match patrols::find(conn, &id) {
                Ok(found) => Ok(Some(found)),
                Err(gridops_infra::DbError::NotFound) => Ok(None),
                Err(e) => Err(e),
            })
            .await?;
        if let Some(earlier) = earlier {
            if earlier.patrol.walker_id == actor.user_id {
                let view = PatrolView::from(&earlier);
                let record = view.clone();
                let claimed = claimed.clone();
                state
                    .db
                    .write(move |conn| claimed.finish_in(conn, &record))
                    .await?;
                return Ok((view, false));
            }
            return Err(gridops_infra::workflow::patrol::PatrolFailure::Taken.into());
        }
    }
    let planned_route = body.planned_route.map(planned).transpose()?;
    let draft = Start {
        id: body
            .id
            .map_or_else(|| uuid::Uuid::now_v7().to_string(), |id| id.to_string()),
        grids,
        planned_route,
        started_at: body.started_at.map(|t| t.naive_utc().trunc_subsecs(6)),
    };
    let patrol = patrol::start(draft, actor, &state.tracks.rules, now())?;
    let claimed = claimed.clone();
    let view = state
        .workflow
        .start_patrol(patrol, move |conn, stored| {
            let view = PatrolView::from(stored);
            claimed.finish_in(conn, &view)?;
            Ok(view)
        })
        .await?;
    Ok((view, true))
}

/// The positions of a planned route as (longitude, latitude).
fn planned(line: LineString) -> Result<Vec<(f64, f64)>, ApiError> {
    if line.kind != "LineString" {
        return Err(ApiError::invalid_field(
            "planned_route.type",
            "a GeoJSON LineString",
        ));
    }
    line.coordinates
        .iter()
        .enumerate()
        .map(|(i, position)| match position[..] {
            [lng, lat] => Ok((lng, lat)),
            _ => Err(ApiError::invalid_field(
                format!("planned_route.coordinates[{i}]"),
                "[longitude, latitude]",
            )),
        })
        .collect()
}
