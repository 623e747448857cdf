//! Recurring hotspots (重复上报): the rule of each category
//! (`/api/v1/hotspot-rules`), the hotspots of what the caller oversees
//! (`/api/v1/stats/hotspots`), and the links of a hotspot's incidents to one
//! root-cause case (`/api/v1/incidents/{root}/linked-incidents`).

pub mod links;
pub mod rules;
pub mod search;
