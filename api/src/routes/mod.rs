//! HTTP routes, one file per action, grouped by resource.

pub mod areas;
pub mod categories;
pub mod fallback;
pub mod health;
pub mod parties;

use std::sync::Arc;

use gridops_infra::Db;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::area_directory::AreaDirectory;

/// What handlers share: the pool and the in-memory area map.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Db,
    pub areas: Arc<AreaDirectory>,
}

/// Page sizes: lists default to 50 and never return more than 500 at once.
pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 500;

/// Every route, for the app and for the OpenAPI document alike. Fixed paths
/// are registered before `{code}` so `locate` is never taken for a code.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            scope::scope("/api/v1")
                .service(areas::list::list_areas)
                .service(areas::locate::locate)
                .service(areas::validate::validate_area_file)
                .service(areas::get::get_area)
                .service(areas::geometry::area_geometry)
                .service(categories::list_categories)
                .service(parties::list_parties),
        );
}
