//! Coordinates and the in-memory grid lookup.

pub mod coord_sys;
pub mod grid_index;

pub use coord_sys::{CoordSys, Coordinates, InvalidCoordinates, UnknownCoordSys};
pub use grid_index::GridIndex;

/// Great-circle distance in metres between two WGS-84 points.
pub fn distance_m(a: Coordinates, b: Coordinates) -> f64 {
    use ::geo::{Distance, Haversine, Point};
    Haversine.distance(Point::new(a.lng(), a.lat()), Point::new(b.lng(), b.lat()))
}
