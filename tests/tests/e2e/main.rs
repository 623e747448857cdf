//! End-to-end tests: HTTP against the real server, on both backends.

mod access_matrix;
mod accounts;
mod areas;
mod auth;
mod catalogue;
mod concurrency;
mod errors;
mod import;
mod operations;
mod tokens;
