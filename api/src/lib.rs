//! The gridops HTTP API and command line. Handlers parse, authorise and call
//! the domain; repositories in `gridops-infra` store.

pub mod access;
pub mod accounts;
pub mod area_directory;
pub mod auth;
pub mod cli;
pub mod conditional;
pub mod console;
pub mod delivery;
pub mod demo_users;
pub mod error;
pub mod escalation;
pub mod extract;
pub mod idempotency;
pub mod metrics;
pub mod open311;
pub mod openapi;
pub mod public;
pub mod request_id;
pub mod routes;
pub mod sessions;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod throttle;
pub mod track_retention;

pub use settings::Settings;
pub use startup::Application;
