//! End-to-end tests: HTTP against the real server, on both backends.

mod areas;
mod catalogue;
mod errors;
mod operations;
