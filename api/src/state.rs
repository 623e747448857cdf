//! What every handler shares, built once at start (`startup`).

use gridops_infra::workflow::patrol::TrackSettings;
use std::sync::Arc;

use gridops_domain::photo::PhotoStore;
use gridops_infra::Db;
use gridops_infra::delivery::DeliveryStats;
use gridops_infra::signals::Signals;
use gridops_infra::workflow::Workflow;

use crate::area_directory::AreaDirectory;
use crate::public::PublicReference;
use crate::sessions::AuthConfig;

/// What handlers share: the pool, the in-memory area map, the token keys.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub areas: Arc<AreaDirectory>,
    pub auth: Arc<AuthConfig>,
    pub photos: Arc<dyn PhotoStore>,
    /// Push delivery: this process's sends, for `/metrics`.
    pub delivery_stats: Arc<DeliveryStats>,
    pub signals: Signals,
    /// Commits every decided change to an incident (with the configured
    /// `GRIDOPS_DEADLINE_WARN_FRACTION`).
    pub workflow: Workflow,
    /// What a track point must be, and how coverage is measured.
    pub tracks: TrackSettings,
    /// Track uploads writing at once: half the pool, so that a burst of
    /// phones back in signal queues here (without a timeout) instead of
    /// taking every connection from the consoles and the reports.
    pub track_writers: Arc<tokio::sync::Semaphore>,
    /// What anonymous callers may read of the reference data, and how often.
    pub public: Arc<PublicReference>,
    /// The Open311 surface: its jurisdiction and the keys' quotas.
    pub open311: Arc<crate::open311::Open311Config>,
    /// The hotspot rule of categories without one of their own.
    pub hotspots: gridops_domain::hotspot::HotspotRule,
    /// Where KPIs are read: a replica (`--stats-database-url`) or `db`.
    pub stats_db: Db,
    /// The city's rules for its rates (settings).
    pub kpi_rules: Arc<gridops_domain::stats::KpiRules>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}
