use actix_web::{HttpRequest, HttpResponse, get, web};
use gridops_domain::geo::{CoordSys, Coordinates};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::AreaItem;
use crate::error::{ApiError, ErrorCode, Problem};
use crate::extract::ValidQuery;
use crate::public::Reader;
use crate::state::AppState;

/// The coordinate system of a point. Chinese map SDKs report GCJ-02 (AMap,
/// Tencent) or BD-09 (Baidu); GPS and GeoJSON are WGS-84.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CoordSysParam {
    #[default]
    Wgs84,
    Gcj02,
    Bd09,
}

impl From<CoordSysParam> for CoordSys {
    fn from(c: CoordSysParam) -> Self {
        match c {
            CoordSysParam::Wgs84 => CoordSys::Wgs84,
            CoordSysParam::Gcj02 => CoordSys::Gcj02,
            CoordSysParam::Bd09 => CoordSys::Bd09,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocateQuery {
    /// Latitude, -90 to 90.
    #[validate(range(min = -90.0, max = 90.0, message = "latitude must be between -90 and 90"))]
    #[param(minimum = -90.0, maximum = 90.0, example = 34.7486)]
    pub lat: f64,
    /// Longitude, -180 to 180.
    #[validate(range(min = -180.0, max = 180.0, message = "longitude must be between -180 and 180"))]
    #[param(minimum = -180.0, maximum = 180.0, example = 113.6284)]
    pub lng: f64,
    /// Coordinate system of `lat`/`lng` (default `wgs84`).
    pub coord_sys: Option<CoordSysParam>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Located {
    /// The grid (or micro-grid) containing the point. Always there for a
    /// signed-in caller; absent without a token unless the operator
    /// publishes grids.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub grid: Option<AreaItem>,
    /// From the city down to the grid's parent. Without a token (and grids
    /// not published) grid levels are left out, so the last is the community.
    pub ancestors: Vec<AreaItem>,
    /// The point converted to WGS-84, as it would be stored.
    pub wgs84: Point,
}

/// The grid a point lies in, and the areas above it.
///
/// Public: without a token the answer is the community and the areas above
/// it, not the grid (unless the operator publishes grids); anonymous callers
/// are throttled per address. Cacheable: send the `ETag` back in
/// `If-None-Match` to get 304.
#[utoipa::path(
    tag = "areas",
    security((), ("bearer" = [])),
    params(LocateQuery),
    responses(
        (status = 200, description = "The grid containing the point (without a token: its community); `ETag`, `Cache-Control` (`public, max-age=300` without a token, `private, max-age=60` with one), `Vary: Authorization`", body = Located),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`; no body"),
        (status = 401, description = "A token was sent but is invalid or expired", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The point is outside every grid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid coordinates", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests without a token from this address; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/areas/locate")]
pub async fn locate(
    state: web::Data<AppState>,
    reader: Reader,
    req: HttpRequest,
    ValidQuery(query): ValidQuery<LocateQuery>,
) -> Result<HttpResponse, ApiError> {
    let point = Coordinates::new(query.lat, query.lng)
        .map_err(|e| ApiError::invalid_field(e.field(), e.to_string()))?
        .to_wgs84(query.coord_sys.unwrap_or_default().into());
    let map = state.areas.current();
    let grid = map.locate(point).ok_or_else(|| {
        ApiError::new(
            ErrorCode::OutsideAllGrids,
            format!(
                "no grid contains lat {:.6}, lng {:.6} (WGS-84)",
                point.lat(),
                point.lng()
            ),
        )
    })?;
    let mut ancestors: Vec<AreaItem> = map
        .ancestors(&grid.code)
        .into_iter()
        .filter(|area| reader.sees_level(area.level.as_str()))
        .map(AreaItem::from)
        .collect();
    ancestors.reverse();
    reader.respond(
        &req,
        &Located {
            grid: reader
                .sees_level(grid.level.as_str())
                .then(|| AreaItem::from(grid)),
            ancestors,
            wgs84: Point {
                lat: point.lat(),
                lng: point.lng(),
            },
        },
    )
}
