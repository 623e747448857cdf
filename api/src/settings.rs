//! Typed settings, built once from flags and `GRIDOPS_*` environment
//! variables (see `cli.rs`) and passed in; nothing reads them globally.

use std::time::Duration;

use gridops_infra::DbSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One JSON object per line, for log collectors.
    Json,
    /// Human-readable, for a terminal.
    Pretty,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: String,
    pub database: DbSettings,
    /// Load the demo areas and parties into an empty database.
    pub demo: bool,
    /// HTTP worker threads; `None` = one per core.
    pub workers: Option<usize>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How often to check whether another process changed the areas.
    pub area_reload_interval: Duration,
    /// How long in-flight requests get to finish on shutdown.
    pub shutdown_timeout: Duration,
}

impl Settings {
    pub fn new(database_url: impl Into<String>) -> Self {
        Settings {
            bind: "127.0.0.1:8080".into(),
            database: DbSettings::new(database_url),
            demo: false,
            workers: None,
            max_body_bytes: 16 * 1024 * 1024,
            area_reload_interval: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}
