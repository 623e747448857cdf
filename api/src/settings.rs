//! Typed settings, built once from flags and `GRIDOPS_*` environment
//! variables (see `cli.rs`) and passed in; nothing reads them globally.

use gridops_domain::patrol::coverage::{CELL_SIZE_M, COVER_RADIUS_M, Lattice};
use gridops_domain::patrol::track::TrackRules;
use gridops_infra::workflow::patrol::TrackSettings;
use std::time::Duration;

use gridops_domain::escalation::WarnFraction;
use gridops_domain::evidence::Radius;
use gridops_infra::DbSettings;
use gridops_infra::delivery::DeliverySettings;
use gridops_infra::password::PasswordPolicy;

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
    /// With `demo`, also the demo routing rules (auto-dispatching the
    /// categories the field reports name). Without them every report waits
    /// for a dispatcher, as on a fresh installation.
    pub demo_routing_rules: bool,
    /// HTTP worker threads; `None` = one per core.
    pub workers: Option<usize>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How often to check whether another process changed the areas.
    pub area_reload_interval: Duration,
    /// How long in-flight requests get to finish on shutdown.
    pub shutdown_timeout: Duration,
    /// HS256 key for access tokens (at least 32 bytes). `None`: generated on
    /// first start and kept in the database, shared by every node.
    pub jwt_secret: Option<Secret>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub passwords: PasswordPolicy,
    /// Where incident photos are kept (content-addressed files).
    pub photo_dir: std::path::PathBuf,
    pub push: PushSettings,
    pub escalation: EscalationSettings,
    pub patrols: PatrolSettings,
    /// Show grids and micro-grids (names and codes, never boundaries) to
    /// callers without a token (`--public-grids`); off: anonymous callers
    /// see the area tree down to communities.
    pub public_grids: bool,
    /// Requests a minute each client address may make to the public
    /// reference data without a token (`--public-rate-per-minute`, default
    /// 120, all at once as a burst); 0: no limit.
    pub public_rate_per_minute: u32,
    /// The client address is the first of `Forwarded` / `X-Forwarded-For`
    /// (`--trust-proxy`), not the peer: only behind a proxy that sets them.
    pub trust_proxy: bool,
    /// The `jurisdiction_id` Open311 clients may name; by default any
    /// city-level area code.
    pub open311_jurisdiction: Option<String>,
    /// Where the console's files come from, and its basemap.
    pub console: crate::console::ConsoleSettings,
    /// When reports of a category without a rule of its own make a
    /// recurring hotspot (`--hotspot-radius-m`, `--hotspot-min-reports`,
    /// `--hotspot-within-days`: 100 m, 3 reports, 30 days).
    pub hotspots: gridops_domain::hotspot::HotspotRule,
    /// Where the KPIs are read from and the city's rules for them.
    pub stats: StatsSettings,
    /// How near the incident an after-photo must have been taken (EXIF GPS)
    /// to count as evidence of a closure (`--evidence-radius-m`, default 200).
    pub evidence_radius: Radius,
}

/// Push notifications and the workers that deliver them.
#[derive(Debug, Clone)]
pub struct PushSettings {
    /// The Firebase project's service-account JSON. Without it pushes are
    /// written to the log (the embedded default), so the demo shows them.
    pub fcm_service_account: Option<std::path::PathBuf>,
    /// FCM's base URL; tests point it at a fake on loopback.
    pub fcm_endpoint: Option<String>,
    /// Sends in flight at once.
    pub max_in_flight: usize,
    /// Delivery workers in this process; 0 when `gridops worker` runs them.
    pub workers: usize,
    pub delivery: DeliverySettings,
}

impl Default for PushSettings {
    fn default() -> Self {
        PushSettings {
            fcm_service_account: None,
            fcm_endpoint: None,
            max_in_flight: 64,
            workers: 1,
            delivery: DeliverySettings::default(),
        }
    }
}

/// Deadline warnings and escalation (督办).
#[derive(Debug, Clone)]
pub struct EscalationSettings {
    /// How often the worker sweeps the deadline clocks
    /// (`GRIDOPS_ESCALATION_INTERVAL_SECS`, default 30); zero runs no worker
    /// in this process. A step is escalated at most this late.
    pub interval: Duration,
    /// Clocks handled per write transaction.
    pub batch: usize,
    /// The share of a step's time after which its holder is warned
    /// (`GRIDOPS_DEADLINE_WARN_FRACTION`, default 0.8): the clock code sets
    /// each clock's `warn_at` with [`WarnFraction::warn_at`].
    pub warn_fraction: WarnFraction,
}

impl Default for EscalationSettings {
    fn default() -> Self {
        EscalationSettings {
            interval: Duration::from_secs(30),
            batch: 100,
            warn_fraction: WarnFraction::DEFAULT,
        }
    }
}

/// A value that must not appear in logs or debug output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Patrol tracks: what a point must be to count, how coverage is measured,
/// and how long raw positions are kept.
#[derive(Debug, Clone)]
pub struct PatrolSettings {
    pub tracks: TrackSettings,
    /// Raw track points of a patrol are deleted this long after it ended
    /// (`--track-retention-days`, default 180); coverage stays.
    pub retention: chrono::Duration,
    /// How often the retention job looks for tracks to delete.
    pub purge_interval: Duration,
}

impl Default for PatrolSettings {
    fn default() -> Self {
        PatrolSettings {
            tracks: TrackSettings {
                rules: TrackRules::default(),
                lattice: Lattice::new(CELL_SIZE_M),
                cover_radius_m: COVER_RADIUS_M,
            },
            retention: chrono::Duration::days(180),
            purge_interval: Duration::from_secs(3600),
        }
    }
}

impl Settings {
    pub fn new(database_url: impl Into<String>) -> Self {
        Settings {
            bind: "127.0.0.1:8080".into(),
            database: DbSettings::new(database_url),
            demo: false,
            demo_routing_rules: true,
            workers: None,
            max_body_bytes: 16 * 1024 * 1024,
            area_reload_interval: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(30),
            jwt_secret: None,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            passwords: PasswordPolicy::default(),
            photo_dir: "gridops-photos".into(),
            push: PushSettings::default(),
            escalation: EscalationSettings::default(),
            patrols: PatrolSettings::default(),
            public_grids: false,
            public_rate_per_minute: 120,
            trust_proxy: false,
            open311_jurisdiction: None,
            console: crate::console::ConsoleSettings::default(),
            hotspots: gridops_domain::hotspot::HotspotRule::DEFAULT,
            stats: StatsSettings::default(),
            evidence_radius: Radius::DEFAULT,
        }
    }
}

/// The KPIs: a replica to read them from, and the city's rules for rates.
#[derive(Debug, Clone, Default)]
pub struct StatsSettings {
    /// `--stats-database-url`: a PostgreSQL replica; None reads the database.
    pub database_url: Option<String>,
    pub rules: gridops_domain::stats::KpiRules,
}
