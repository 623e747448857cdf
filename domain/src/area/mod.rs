//! The area tree: city → district → subdistrict → community → grid → micro-grid.

mod code;
pub mod import;
mod map;

pub use code::{AreaCode, AreaLevel, InvalidAreaCode, UnknownAreaLevel};
pub use map::AreaMap;

use ::geo::MultiPolygon;

/// One node of the area tree. Grids always carry a boundary; higher levels may
/// not (a district can be known by name before anyone draws it).
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub code: AreaCode,
    pub name: String,
    pub name_en: String,
    pub level: AreaLevel,
    pub parent_code: Option<AreaCode>,
    pub boundary: Option<MultiPolygon<f64>>,
    /// The boundary was invented (demo data), not surveyed.
    pub synthetic: bool,
}

impl Area {
    /// A point inside the boundary, near its middle: where a case is shown
    /// when its exact place is private. `None` without a boundary.
    pub fn inner_point(&self) -> Option<crate::geo::Coordinates> {
        use ::geo::InteriorPoint;
        let point = self.boundary.as_ref()?.interior_point()?;
        crate::geo::Coordinates::new(point.y(), point.x()).ok()
    }
}
