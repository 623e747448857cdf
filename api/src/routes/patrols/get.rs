//! `GET /api/v1/patrols/{id}`: one patrol — its summary, the incidents found
//! on it, and how much of each of its grids it covered.

use actix_web::{get, web};
use gridops_domain::access::Capability;
use gridops_domain::geo::distance_m;
use gridops_domain::patrol::coverage::{CellId, coverage};
use gridops_infra::repo::incidents;
use gridops_infra::repo::patrols;

use super::dto::{FindingView, GridCoverageView, PatrolView};
use super::{log_read_by_other, patrol_for};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A patrol with its findings and coverage, for its walker, the chiefs of
/// its grids and the dispatchers over them. Reads by others are logged as
/// personal-data access.
#[utoipa::path(
    tag = "patrols",
    params(("id" = String, Path, description = "Patrol id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The patrol", body = PatrolView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patrol, or not for you", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/patrols/{id}")]
pub async fn get_patrol(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<PatrolView>, ApiError> {
    let stored = patrol_for(&state, &actor, &id, Capability::ReadPatrol).await?;
    log_read_by_other(&state, &actor, &stored, "patrol").await?;
    let patrol_id = stored.patrol.id.clone();
    let (found, covered, points) = state
        .db
        .run(move |conn| {
            let found = patrols::findings(conn, &patrol_id)?
                .iter()
                .map(|id| incidents::find(conn, id))
                .collect::<Result<Vec<_>, _>>()?;
            let covered = patrols::covered_by(conn, &patrol_id)?;
            let points = patrols::points(conn, &patrol_id)?;
            Ok((found, covered, points))
        })
        .await?;
    let map = state.areas.current();
    let lattice = state.tracks.lattice;
    let mut view = PatrolView::from(&stored);
    view.findings = Some(
        found
            .into_iter()
            .map(|s| FindingView {
                id: s.incident.id,
                reference: s.incident.reference,
                category: s.incident.category,
                status: s.incident.status.as_str().to_owned(),
                created_at: s.incident.created_at.and_utc(),
            })
            .collect(),
    );
    view.coverage = Some(
        stored
            .patrol
            .grids
            .iter()
            .map(|grid| {
                let cells = map
                    .get(grid)
                    .and_then(|a| a.boundary.as_ref())
                    .map(|b| lattice.cells_in(b))
                    .unwrap_or_default();
                let walked = covered
                    .get(grid.as_str())
                    .map(|keys| keys.iter().map(|&k| CellId::from_key(k)).collect())
                    .unwrap_or_default();
                let c = coverage(&cells, &walked);
                GridCoverageView {
                    grid: grid.as_str().to_owned(),
                    cells: c.cells,
                    covered: c.covered,
                    coverage: c.share(),
                }
            })
            .collect(),
    );
    if stored.track_deleted_at.is_none() {
        let places = points
            .iter()
            .map(|p| p.place())
            .collect::<Result<Vec<_>, _>>()?;
        view.distance_m = Some(places.windows(2).map(|w| distance_m(w[0], w[1])).sum());
    }
    Ok(web::Json(view))
}
