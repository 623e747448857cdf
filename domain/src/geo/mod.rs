//! Coordinates and the in-memory grid lookup.

pub mod coord_sys;
pub mod grid_index;

pub use coord_sys::{CoordSys, Coordinates, InvalidCoordinates, UnknownCoordSys};
pub use grid_index::GridIndex;
