//! `GET /api/v1/rosters/{area}`: the roster of a grid or community, and who
//! is on duty there now, with why.

use actix_web::{get, web};
use gridops_domain::access::Capability;
use gridops_domain::area::{AreaCode, AreaLevel};
use gridops_domain::routing::format_time;
use gridops_infra::repo::{calendar, now, rosters, routing};
use gridops_infra::{DbConnection, DbError};

use super::dto::{ExceptionView, OnDutyView, RosterView, ShiftView};
use super::roster_area;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The roster of a grid (with its community's lines and days, which cover
/// it) or of a community (with its grids'), the day exceptions from
/// yesterday on, and who is on duty now in each grid and why. For the
/// area's grid workers and chiefs, the dispatchers over it and
/// administrators.
#[utoipa::path(
    tag = "rosters",
    params(("area" = String, Path, description = "Grid (15 digits) or community (12 digits) code", pattern = "^([0-9]{12}|[0-9]{15})$")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The roster and who is on duty now", body = RosterView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area, or its roster is not the caller's to read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The area is neither a grid nor a community", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/rosters/{area}")]
pub async fn get_roster(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    area: web::Path<String>,
) -> Result<web::Json<RosterView>, ApiError> {
    let (map, area, level) = roster_area(&state, &actor, &area, Capability::ReadRoster)?;
    // The grids whose duty the roster decides.
    let grids: Vec<AreaCode> = if level == AreaLevel::Grid {
        vec![area.clone()]
    } else {
        map.grids_under(&area)
            .into_iter()
            .filter(|g| map.get(g).is_some_and(|a| a.level == AreaLevel::Grid))
            .cloned()
            .collect()
    };
    let view = state
        .db
        .run(move |conn| roster_view(conn, &area, level, &grids))
        .await?;
    Ok(web::Json(view))
}

fn roster_view(
    conn: &mut DbConnection,
    area: &AreaCode,
    level: AreaLevel,
    grids: &[AreaCode],
) -> Result<RosterView, DbError> {
    let at = now();
    let local = calendar::load(conn, at)?.local(at);
    let mut areas: Vec<String> = match level {
        AreaLevel::Grid => rosters::roster_areas(area),
        _ => std::iter::once(area.clone())
            .chain(grids.iter().cloned())
            .collect(),
    }
    .iter()
    .map(ToString::to_string)
    .collect();
    areas.dedup();
    let areas: Vec<&str> = areas.iter().map(String::as_str).collect();
    let shifts = rosters::shifts(conn, &areas)?;
    let yesterday = local.date() - chrono::Duration::days(1);
    let exceptions = rosters::exceptions(conn, &areas, yesterday)?;
    let mut on_duty = Vec::new();
    for grid in grids {
        for on in rosters::on_duty_in_grid(conn, grid, local)? {
            on_duty.push((grid.to_string(), on));
        }
    }
    let mut ids: Vec<String> = shifts
        .iter()
        .map(|s| s.shift.user.clone())
        .chain(exceptions.iter().map(|e| e.exception.user.clone()))
        .chain(on_duty.iter().map(|(_, d)| d.user.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    let names = routing::user_names(conn, &ids)?;
    Ok(RosterView {
        area: area.to_string(),
        level: level.as_str().to_owned(),
        local_time: format_time(local.time()),
        shifts: shifts.iter().map(|s| ShiftView::of(s, &names)).collect(),
        exceptions: exceptions
            .iter()
            .map(|e| ExceptionView::of(e, &names))
            .collect(),
        on_duty: on_duty
            .iter()
            .map(|(grid, on)| OnDutyView::of(grid, on, &names))
            .collect(),
    })
}
