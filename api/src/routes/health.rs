use actix_web::{get, web};
use gridops_infra::db::pending_migrations;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorCode, Problem};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the process answers.
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` when the database answers and is fully migrated.
    pub status: &'static str,
    /// `sqlite` or `postgresql`.
    pub database: &'static str,
    /// Areas in the in-memory map.
    pub areas: usize,
    /// Grids in the lookup index.
    pub grids: usize,
}

/// Liveness: the process answers. Does not touch the database, so a
/// database outage does not get healthy processes restarted.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The process is alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: the database is reachable and has every migration this build
/// expects; otherwise 503, and a load balancer should send traffic elsewhere.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "Database unreachable or not migrated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Readiness>, ApiError> {
    let pending = state.db.run(pending_migrations).await?;
    if !pending.is_empty() {
        return Err(ApiError::new(
            ErrorCode::NotMigrated,
            format!(
                "{} migration(s) pending; run `gridops migrate`",
                pending.len()
            ),
        ));
    }
    let map = state.areas.current();
    Ok(web::Json(Readiness {
        status: "ready",
        database: state.db.backend().as_str(),
        areas: map.len(),
        grids: map.grid_count(),
    }))
}
