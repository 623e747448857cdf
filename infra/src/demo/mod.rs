//! Demo data for `gridops serve --demo`: the places and parties of the field
//! reports in shared/seeds. Loaded through the same paths as real data.

pub mod areas;
pub mod checklists;
pub mod parties;
pub mod rosters;
pub mod routing;
