//! `GET /api/v1/grids/{code}/coverage`: how much of a grid the patrols of a
//! period walked, and the cells nobody came near — so a chief sees which
//! lanes to send someone down.

use actix_web::{get, web};
use chrono::NaiveDate;
use gridops_domain::access::{Capability, Place};
use gridops_domain::area::AreaCode;
use gridops_domain::patrol::coverage::{CellId, coverage};
use gridops_infra::repo::{calendar, now, patrols};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::dto::{CoverageView, MultiPolygon};
use crate::access::require_on;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;

/// The longest period one answer counts: a quarter.
const MAX_DAYS: i64 = 92;

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// First local day, `YYYY-MM-DD` (default today).
    pub from: Option<NaiveDate>,
    /// Last local day, inclusive (default `from`).
    pub to: Option<NaiveDate>,
}

/// The share of the grid's cells any patrol covered on the local days
/// `from`–`to`, and the uncovered cells as a GeoJSON MultiPolygon. For the
/// grid's workers and chief, the dispatchers over it and administrators.
#[utoipa::path(
    tag = "patrols",
    params(("code" = String, Path, description = "Grid code"), CoverageQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Coverage of the grid", body = CoverageView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a worker or chief of the grid, nor a dispatcher over it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such grid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid dates (`to` before `from`, more than 92 days)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/grids/{code}/coverage")]
pub async fn grid_coverage(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    code: web::Path<String>,
    ValidQuery(query): ValidQuery<CoverageQuery>,
) -> Result<web::Json<CoverageView>, ApiError> {
    let map = state.areas.current();
    let grid = AreaCode::parse(&code)
        .ok()
        .and_then(|c| map.get(&c))
        .filter(|a| a.level.is_grid())
        .ok_or_else(|| ApiError::not_found(format!("no grid {code}")))?;
    require_on(
        &actor,
        Capability::ReadCoverage,
        Place {
            areas: std::slice::from_ref(&grid.code),
            ..Place::default()
        },
        "coverage is for the grid's workers and chief and the dispatchers over it",
    )?;
    let today = {
        let at = now();
        state
            .db
            .run(move |conn| Ok(calendar::week(conn)?.local_date(at)))
            .await?
    };
    let from = query.from.unwrap_or(today);
    let to = query.to.unwrap_or(from);
    if to < from {
        return Err(ApiError::invalid_field("to", "before `from`"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(ApiError::invalid_field(
            "to",
            format!("at most {MAX_DAYS} days from `from`"),
        ));
    }
    let code = grid.code.as_str().to_owned();
    let covered = state
        .db
        .run(move |conn| patrols::covered_in(conn, &code, from, to))
        .await?
        .into_iter()
        .map(CellId::from_key)
        .collect();
    let lattice = state.tracks.lattice;
    let cells = grid
        .boundary
        .as_ref()
        .map(|b| lattice.cells_in(b))
        .unwrap_or_default();
    let c = coverage(&cells, &covered);
    Ok(web::Json(CoverageView {
        grid: grid.code.as_str().to_owned(),
        from,
        to,
        cell_size_m: lattice.size_m,
        cells: c.cells,
        covered: c.covered,
        coverage: c.share(),
        uncovered: MultiPolygon {
            kind: "MultiPolygon".into(),
            coordinates: c
                .uncovered
                .iter()
                .map(|&cell| {
                    vec![
                        lattice
                            .ring(cell)
                            .into_iter()
                            .map(|(lng, lat)| vec![lng, lat])
                            .collect(),
                    ]
                })
                .collect(),
        },
    }))
}
