//! gridops storage: one code path over SQLite (the embedded default) and
//! PostgreSQL (production), chosen at run time from the database URL.
//!
//! Everything here is synchronous diesel; callers on an async executor go
//! through [`db::Db::run`] / [`db::Db::write`], which move the work to the
//! blocking pool.

pub mod area_file;
pub mod area_import;
pub mod categories_seed;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod escalation;
pub mod event_stream;
pub mod ledger_reminders;
pub mod password;
pub mod photos;
pub mod push;
pub mod repo;
pub mod schema;
pub mod setup;
pub mod signals;
pub mod token;
pub mod workflow;

pub use db::{Backend, Db, DbConnection, DbError, DbSettings};
