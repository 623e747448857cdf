//! `/api/v1/areas`: the area tree, boundaries and point → grid lookup.

pub mod dto;
pub mod geometry;
pub mod get;
pub mod list;
pub mod locate;
pub mod validate;
