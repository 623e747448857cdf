//! The rules of gridops, free of I/O: what an area, a grid, a category, a
//! responsible party and a role are, and the decisions made on them. Time and
//! data come in as arguments so every rule can be tested without a database.

pub mod access;
pub mod account;
pub mod area;
pub mod campaign;
pub mod category;
pub mod deadline;
pub mod duty;
pub mod escalation;
pub mod evidence;
pub mod geo;
pub mod hotspot;
pub mod incident;
pub mod notification;
pub mod open311;
pub mod party;
pub mod patrol;
pub mod photo;
pub mod role;
pub mod routing;
pub mod session;
pub mod stats;
