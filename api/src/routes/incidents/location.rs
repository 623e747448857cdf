//! Where a report says it happened: a GeoJSON Point in WGS-84, GCJ-02 or
//! BD-09, located to its grid. Shared by a report and by a routing preview,
//! so both read a point the same way.

use gridops_domain::area::{Area, AreaMap};
use gridops_domain::geo::Coordinates;

use super::dto::GeoPoint;
use crate::error::ApiError;
use crate::routes::areas::locate::CoordSysParam;

/// The point in WGS-84 and the grid holding it; 422 naming `location…` when
/// it is no point or lies outside every grid.
pub fn locate_point<'m>(
    map: &'m AreaMap,
    location: &GeoPoint,
    coord_sys: Option<CoordSysParam>,
) -> Result<(Coordinates, &'m Area), ApiError> {
    if location.kind != "Point" {
        return Err(ApiError::invalid_field("location.type", "a GeoJSON Point"));
    }
    let [lng, lat] = location.coordinates[..] else {
        return Err(ApiError::invalid_field(
            "location.coordinates",
            "[longitude, latitude]",
        ));
    };
    let point = Coordinates::new(lat, lng)
        .map_err(|e| {
            ApiError::invalid_field(
                format!(
                    "location.coordinates[{}]",
                    if e.field() == "lat" { 1 } else { 0 }
                ),
                e.to_string(),
            )
        })?
        .to_wgs84(coord_sys.unwrap_or_default().into());
    let grid = map
        .locate(point)
        .ok_or_else(|| ApiError::invalid_field("location", "the point is outside every grid"))?;
    Ok((point, grid))
}
