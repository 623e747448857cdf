//! End-to-end tests: HTTP against the real server, on both backends.

mod access_matrix;
mod accounts;
mod areas;
mod assists;
mod auth;
mod catalogue;
mod concurrency;
mod deadlines;
mod delivery;
mod errors;
mod escalation;
mod events;
mod fcm_sender;
mod feed;
mod findings;
mod import;
mod incident_photos;
mod incidents;
mod notifications;
mod operations;
mod patrols;
mod routing_flow;
mod routing_rules;
mod scenarios;
mod tokens;
