//! The `gridops` command line. Every flag can also be set by a `GRIDOPS_*`
//! environment variable.

pub mod open311;

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use gridops_domain::escalation::WarnFraction;
use gridops_domain::evidence::Radius;
use gridops_domain::role::Role;
use gridops_infra::password::PasswordPolicy;
use gridops_infra::repo::users::RoleGrant;
use gridops_infra::{Db, DbError, DbSettings, area_import, setup};

use crate::accounts::{AccountError, AccountRequest, create_account};
use crate::settings::{
    EscalationSettings, LogFormat, PatrolSettings, PushSettings, Secret, Settings,
};
use gridops_domain::patrol::coverage::Lattice;

/// The embedded default: one SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "gridops.db";

#[derive(Debug, Parser)]
#[command(
    name = "gridops",
    version,
    about = "Urban grid management backend (网格化管理)"
)]
pub struct Cli {
    /// Database: a SQLite file (`gridops.db`, `sqlite://path`) or `postgres://user@host/db`.
    /// Falls back to DATABASE_URL, then to ./gridops.db.
    #[arg(long, env = "GRIDOPS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Log format; default: pretty on a terminal, JSON otherwise.
    #[arg(long, env = "GRIDOPS_LOG_FORMAT", value_enum, global = true)]
    pub log_format: Option<LogFormat>,

    /// Connections in the database pool.
    #[arg(long, env = "GRIDOPS_POOL_SIZE", default_value_t = 10, global = true)]
    pub pool_size: u32,

    /// argon2id memory cost of new password hashes, KiB.
    #[arg(long, env = "GRIDOPS_ARGON2_MEMORY_KIB", default_value_t = 19 * 1024, global = true)]
    pub argon2_memory_kib: u32,

    /// argon2id passes of new password hashes.
    #[arg(
        long,
        env = "GRIDOPS_ARGON2_ITERATIONS",
        default_value_t = 2,
        global = true
    )]
    pub argon2_iterations: u32,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document as YAML (what openapi.yaml holds).
    Openapi,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the area tree.
    #[command(subcommand)]
    Areas(AreasCommand),
    /// Manage Open311 GeoReport v2 client keys.
    #[command(subcommand)]
    Open311(open311::Open311Command),
    /// Deliver push notifications from the outbox and escalate overdue
    /// deadlines, without serving the API.
    Worker(WorkerArgs),
    /// The statistics' counters.
    #[command(subcommand)]
    Stats(StatsCommand),
}

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Derive every case's fact again and recompute the daily counters
    /// from them (after an upgrade, a restore, or a hand edit). Safe while
    /// the service runs; running it twice changes nothing.
    Rebuild,
    /// Compare the daily counters with the sum of the stored facts; exits
    /// 1 and lists the differences when they disagree.
    Check,
}

/// How the KPIs are read and computed.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// A PostgreSQL replica to read the KPIs from (the counters are written
    /// by the primary in each step's transaction); default: the database.
    #[arg(long, env = "GRIDOPS_STATS_DATABASE_URL")]
    pub stats_database_url: Option<String>,
    /// Weights of the composite score that ranks units, e.g. Beijing's
    /// 三率 `response=30,solved=35,satisfied=35` (rates: closure,
    /// on_time_closure, rework, extension, response, solved, satisfied).
    #[arg(long, env = "GRIDOPS_KPI_WEIGHTS", default_value = "response=30,solved=35,satisfied=35",
          value_parser = parse_weights)]
    pub kpi_weights: gridops_domain::stats::Weights,
    /// Whether 基本满意 (basically satisfied) counts as satisfied in 满意率.
    #[arg(long, env = "GRIDOPS_KPI_BASICALLY_SATISFIED_COUNTS", default_value_t = true,
          action = clap::ArgAction::Set)]
    pub kpi_basically_satisfied_counts: bool,
    /// Whether suspended (缓办) cases leave the denominators of closure and
    /// on-time closure (Jinhua's rule).
    #[arg(long, env = "GRIDOPS_KPI_SUSPENDED_LEAVE_DENOMINATORS", default_value_t = true,
          action = clap::ArgAction::Set)]
    pub kpi_suspended_leave_denominators: bool,
}

fn parse_weights(s: &str) -> Result<gridops_domain::stats::Weights, String> {
    gridops_domain::stats::Weights::parse(s).map_err(|e| e.to_string())
}

impl StatsArgs {
    pub fn settings(&self) -> crate::settings::StatsSettings {
        crate::settings::StatsSettings {
            database_url: self.stats_database_url.clone(),
            rules: gridops_domain::stats::KpiRules {
                basically_satisfied_counts: self.kpi_basically_satisfied_counts,
                suspended_leave_denominators: self.kpi_suspended_leave_denominators,
                weights: self.kpi_weights.clone(),
            },
        }
    }
}

/// Where pushes go.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// Service-account JSON of the Firebase project; without it pushes are
    /// only logged.
    #[arg(long, env = "GRIDOPS_FCM_SERVICE_ACCOUNT")]
    pub fcm_service_account: Option<PathBuf>,
    /// FCM base URL (default Google's).
    #[arg(long, env = "GRIDOPS_FCM_ENDPOINT")]
    pub fcm_endpoint: Option<String>,
    /// Pushes in flight at once.
    #[arg(long, env = "GRIDOPS_PUSH_CONCURRENCY", default_value_t = 64)]
    pub push_concurrency: usize,
    /// Delivery workers (for `serve`: 0 leaves delivery to `gridops worker`).
    #[arg(long, env = "GRIDOPS_DELIVERY_WORKERS", default_value_t = 1)]
    pub delivery_workers: usize,
}

impl PushArgs {
    pub fn settings(&self) -> PushSettings {
        PushSettings {
            fcm_service_account: self.fcm_service_account.clone(),
            fcm_endpoint: self.fcm_endpoint.clone(),
            max_in_flight: self.push_concurrency.max(1),
            workers: self.delivery_workers,
            ..PushSettings::default()
        }
    }
}

/// Deadline warnings and escalation.
#[derive(Debug, Args)]
pub struct EscalationArgs {
    /// Seconds between sweeps of the deadline clocks (0: no escalation
    /// worker in this process).
    #[arg(long, env = "GRIDOPS_ESCALATION_INTERVAL_SECS", default_value_t = 30)]
    pub escalation_interval_secs: u64,
    /// Share of a step's time after which its holder is warned, between 0
    /// and 1 (0.8: a 24-hour step warns after 19.2 hours).
    #[arg(
        long,
        env = "GRIDOPS_DEADLINE_WARN_FRACTION",
        default_value = "0.8",
        value_parser = parse_warn_fraction
    )]
    pub deadline_warn_fraction: WarnFraction,
}

fn parse_warn_fraction(s: &str) -> Result<WarnFraction, String> {
    let fraction: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    WarnFraction::new(fraction).map_err(|e| e.to_string())
}

impl EscalationArgs {
    pub fn settings(&self) -> EscalationSettings {
        EscalationSettings {
            interval: Duration::from_secs(self.escalation_interval_secs),
            warn_fraction: self.deadline_warn_fraction,
            ..EscalationSettings::default()
        }
    }
}

/// Patrol tracks and coverage.
#[derive(Debug, Args)]
pub struct PatrolArgs {
    /// Days after a patrol's end when its raw track points are deleted
    /// (movement tracks are sensitive personal data); coverage stays.
    #[arg(long, env = "GRIDOPS_TRACK_RETENTION_DAYS", default_value_t = 180,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub track_retention_days: u32,
    /// Track points with a worse reported accuracy, in metres, are refused.
    #[arg(long, env = "GRIDOPS_TRACK_MAX_ACCURACY_M", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(5..=5000))]
    pub track_max_accuracy_m: u32,
    /// Side of a coverage cell, in metres.
    #[arg(long, env = "GRIDOPS_COVERAGE_CELL_M", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(5..=500))]
    pub coverage_cell_m: u32,
    /// A cell is covered when a kept point lies within this many metres of its centre.
    #[arg(long, env = "GRIDOPS_COVERAGE_RADIUS_M", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=500))]
    pub coverage_radius_m: u32,
}

impl PatrolArgs {
    pub fn settings(&self) -> PatrolSettings {
        let mut settings = PatrolSettings::default();
        settings.tracks.rules.max_accuracy_m = f64::from(self.track_max_accuracy_m);
        settings.tracks.lattice = Lattice::new(f64::from(self.coverage_cell_m));
        settings.tracks.cover_radius_m = f64::from(self.coverage_radius_m);
        settings.retention = chrono::Duration::days(i64::from(self.track_retention_days));
        settings
    }
}

/// Recurring hotspots: the rule of categories without one of their own.
#[derive(Debug, Args)]
pub struct HotspotArgs {
    /// Metres around a place within which reports of one category count together.
    #[arg(long, env = "GRIDOPS_HOTSPOT_RADIUS_M", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(10..=5000))]
    pub hotspot_radius_m: u32,
    /// Reports that make a hotspot.
    #[arg(long, env = "GRIDOPS_HOTSPOT_MIN_REPORTS", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(2..=100))]
    pub hotspot_min_reports: u32,
    /// Days the reports of a hotspot fit in.
    #[arg(long, env = "GRIDOPS_HOTSPOT_WITHIN_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=365))]
    pub hotspot_within_days: u32,
}

impl HotspotArgs {
    pub fn settings(&self) -> gridops_domain::hotspot::HotspotRule {
        gridops_domain::hotspot::HotspotRule::new(
            i64::from(self.hotspot_radius_m),
            i64::from(self.hotspot_min_reports),
            i64::from(self.hotspot_within_days),
        )
        // clap checked the same ranges.
        .unwrap_or_default()
    }
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub push: PushArgs,
    #[command(flatten)]
    pub escalation: EscalationArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "GRIDOPS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Load the demo areas, parties and routing rules (Zhengzhou, Gongyi) into an empty database.
    #[arg(long, env = "GRIDOPS_DEMO")]
    pub demo: bool,
    /// With --demo, leave the routing table empty: every report waits for a dispatcher.
    #[arg(long, env = "GRIDOPS_DEMO_WITHOUT_ROUTING")]
    pub demo_without_routing: bool,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "GRIDOPS_WORKERS")]
    pub workers: Option<usize>,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "GRIDOPS_MAX_BODY_BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds between checks for area changes made by other processes.
    #[arg(long, env = "GRIDOPS_AREA_RELOAD_SECS", default_value_t = 5)]
    pub area_reload_secs: u64,
    /// Seconds in-flight requests get to finish after SIGTERM.
    #[arg(long, env = "GRIDOPS_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,
    /// Key for signing access tokens (HS256), at least 32 bytes. Default: a
    /// random key generated on first start and kept in the database.
    #[arg(long, env = "GRIDOPS_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Lifetime of access tokens, seconds.
    #[arg(long, env = "GRIDOPS_ACCESS_TOKEN_TTL_SECS", default_value_t = 15 * 60)]
    pub access_token_ttl_secs: u64,
    /// Directory for incident photos (created when needed).
    #[arg(long, env = "GRIDOPS_PHOTO_DIR", default_value = "gridops-photos")]
    pub photo_dir: PathBuf,
    /// Lifetime of refresh tokens (of a session without use), days.
    #[arg(long, env = "GRIDOPS_REFRESH_TOKEN_TTL_DAYS", default_value_t = 30)]
    pub refresh_token_ttl_days: u64,
    #[command(flatten)]
    pub push: PushArgs,
    #[command(flatten)]
    pub escalation: EscalationArgs,
    #[command(flatten)]
    pub patrols: PatrolArgs,
    #[command(flatten)]
    pub hotspots: HotspotArgs,
    #[command(flatten)]
    pub stats: StatsArgs,
    /// Show grids and micro-grids (names and codes, never boundaries) to
    /// callers without a token; by default they see areas down to communities.
    #[arg(long, env = "GRIDOPS_PUBLIC_GRIDS")]
    pub public_grids: bool,
    /// Requests a minute each client address may make to the public
    /// reference data (categories, areas) without a token; 0: no limit.
    #[arg(long, env = "GRIDOPS_PUBLIC_RATE_PER_MINUTE", default_value_t = 120)]
    pub public_rate_per_minute: u32,
    /// Behind a reverse proxy: the client address is the first of
    /// `Forwarded` / `X-Forwarded-For`. Only if the proxy sets them.
    #[arg(long, env = "GRIDOPS_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// The `jurisdiction_id` Open311 clients name (e.g. the city's domain);
    /// by default any city-level area code is accepted.
    #[arg(long, env = "GRIDOPS_OPEN311_JURISDICTION")]
    pub open311_jurisdiction: Option<String>,
    /// Serve the dispatchers' console from this folder instead of the copy
    /// built into the binary (for working on the console's sources).
    #[arg(long, env = "GRIDOPS_CONSOLE_DIR")]
    pub console_dir: Option<std::path::PathBuf>,
    /// A map tile URL for the console's basemap, e.g.
    /// `https://tiles.example.org/{z}/{x}/{y}.png`; without it the console
    /// draws the grids alone (no internet needed).
    #[arg(long, env = "GRIDOPS_CONSOLE_BASEMAP")]
    pub console_basemap: Option<String>,
    /// Metres from the incident within which an after-photo (EXIF GPS) counts
    /// as taken on the spot, for the evidence of a closure.
    #[arg(long, env = "GRIDOPS_EVIDENCE_RADIUS_M", default_value = "200",
          value_parser = parse_evidence_radius)]
    pub evidence_radius_m: Radius,
}

fn parse_evidence_radius(s: &str) -> Result<Radius, String> {
    let metres: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of metres"))?;
    Radius::new(metres).ok_or_else(|| format!("more than 0 and at most {} m", Radius::MAX_M))
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user with one role; reads the password from the first line of stdin.
    Create(UserCreateArgs),
}

/// Role names as the API spells them (`grid_worker`).
#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum RoleArg {
    Resident,
    GridWorker,
    GridChief,
    Dispatcher,
    Handler,
    Admin,
    Auditor,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Resident => Role::Resident,
            RoleArg::GridWorker => Role::GridWorker,
            RoleArg::GridChief => Role::GridChief,
            RoleArg::Dispatcher => Role::Dispatcher,
            RoleArg::Handler => Role::Handler,
            RoleArg::Admin => Role::Admin,
            RoleArg::Auditor => Role::Auditor,
        }
    }
}

#[derive(Debug, Args)]
pub struct UserCreateArgs {
    /// Login name: 3–64 letters, digits, `.`, `_`, `-`.
    #[arg(long, env = "GRIDOPS_USERNAME")]
    pub username: String,
    #[arg(long, env = "GRIDOPS_ROLE", value_enum)]
    pub role: RoleArg,
    /// Area the role is scoped to: a grid for grid workers and chiefs, a
    /// community/subdistrict/district for dispatchers, a community for residents.
    #[arg(long, env = "GRIDOPS_AREA")]
    pub area: Option<String>,
    /// Party code, for handlers.
    #[arg(long, env = "GRIDOPS_PARTY")]
    pub party: Option<String>,
    /// Name shown to others (default: the username).
    #[arg(long, env = "GRIDOPS_DISPLAY_NAME")]
    pub display_name: Option<String>,
    /// Mobile number (personal data: masked in responses).
    #[arg(long, env = "GRIDOPS_PHONE")]
    pub phone: Option<String>,
    /// `zh-CN` or `en`.
    #[arg(long, env = "GRIDOPS_LOCALE", default_value = "zh-CN", value_parser = ["zh-CN", "en"])]
    pub locale: String,
}

#[derive(Debug, Subcommand)]
pub enum AreasCommand {
    /// Import areas from a GeoJSON FeatureCollection (properties: code, name,
    /// name_en, level, parent_code). All or nothing: every problem is listed
    /// and nothing is stored while any remains. Running servers pick the
    /// change up within their reload interval.
    Import {
        /// The .geojson file.
        file: PathBuf,
    },
}

impl Cli {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned())
    }

    fn db_settings(&self) -> DbSettings {
        DbSettings {
            pool_size: self.pool_size,
            ..DbSettings::new(self.database_url())
        }
    }

    pub fn serve_settings(&self, args: &ServeArgs) -> Settings {
        Settings {
            bind: args.bind.clone(),
            database: self.db_settings(),
            demo: args.demo,
            demo_routing_rules: !args.demo_without_routing,
            workers: args.workers,
            max_body_bytes: args.max_body_bytes,
            area_reload_interval: Duration::from_secs(args.area_reload_secs.max(1)),
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout_secs),
            jwt_secret: args.jwt_secret.clone().map(Secret::new),
            access_token_ttl: Duration::from_secs(args.access_token_ttl_secs.max(1)),
            refresh_token_ttl: Duration::from_secs(args.refresh_token_ttl_days.max(1) * 24 * 3600),
            passwords: self.password_policy(),
            photo_dir: args.photo_dir.clone(),
            push: args.push.settings(),
            escalation: args.escalation.settings(),
            patrols: args.patrols.settings(),
            hotspots: args.hotspots.settings(),
            stats: args.stats.settings(),
            public_grids: args.public_grids,
            public_rate_per_minute: args.public_rate_per_minute,
            trust_proxy: args.trust_proxy,
            open311_jurisdiction: args.open311_jurisdiction.clone(),
            console: crate::console::ConsoleSettings {
                dir: args.console_dir.clone(),
                basemap: args.console_basemap.clone(),
            },
            evidence_radius: args.evidence_radius_m,
        }
    }

    pub fn password_policy(&self) -> PasswordPolicy {
        PasswordPolicy {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations.max(1),
            ..PasswordPolicy::default()
        }
    }

    /// A migrated database, for the one-shot commands.
    pub fn open_database(&self) -> Result<Db, CliError> {
        let db = Db::connect(&self.db_settings())?;
        setup::migrate(&db)?;
        Ok(db)
    }
}

/// A command failed; the message is for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// `gridops user create`.
pub fn create_user(
    db: &Db,
    policy: &PasswordPolicy,
    args: &UserCreateArgs,
    password: &str,
) -> Result<String, CliError> {
    let request = AccountRequest {
        username: args.username.clone(),
        password: password.to_owned(),
        display_name: args.display_name.clone(),
        phone: args.phone.clone(),
        locale: args.locale.clone(),
        grant: RoleGrant {
            role: args.role.into(),
            area_code: args.area.clone(),
            party_code: args.party.clone(),
        },
    };
    match create_account(db, policy, &request, None, Some("command line")) {
        Ok(id) => Ok(format!(
            "created user {} ({id}) as {}",
            request.username.trim().to_ascii_lowercase(),
            request.grant.role.as_str()
        )),
        Err(AccountError::Db(e)) => Err(e.into()),
        Err(e @ AccountError::Taken(_)) => {
            Err(CliError::Usage(format!("{e}: {}", request.username)))
        }
        Err(e) => Err(CliError::Usage(e.to_string())),
    }
}

/// The first line of `input`, without its line ending.
pub fn read_password(input: &mut impl BufRead) -> Result<String, CliError> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("cannot read the password from stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// `gridops areas import`.
pub fn import_areas(db: &Db, file: &PathBuf) -> Result<String, CliError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    match area_import::import(db, &text) {
        Ok(report) => Ok(format!(
            "imported {} areas (area revision {})",
            report.areas, report.revision
        )),
        Err(area_import::ImportError::Invalid(problems)) => {
            let mut message = format!("{} problem(s); nothing was imported:", problems.len());
            for p in &problems {
                let code = p.code.as_deref().unwrap_or("?");
                message.push_str(&format!(
                    "\n  feature {} ({code}) {}: {}",
                    p.feature, p.field, p.message
                ));
            }
            Err(CliError::Usage(message))
        }
        Err(area_import::ImportError::File(e)) => {
            Err(CliError::Usage(format!("{}: {e}", file.display())))
        }
        Err(area_import::ImportError::Db(e)) => Err(e.into()),
    }
}

/// `gridops stats rebuild` and `gridops stats check`.
pub fn stats(db: &Db, command: &StatsCommand) -> Result<(), CliError> {
    use gridops_infra::repo::stats;
    match command {
        StatsCommand::Rebuild => {
            let started = std::time::Instant::now();
            let done = stats::rebuild(db, |so_far| {
                if so_far.cases % 50_000 == 0 && so_far.cases > 0 {
                    eprintln!("  {} cases derived again", so_far.cases);
                }
            })?;
            println!(
                "{} cases derived again ({} facts fixed), {} rows of daily counters written in {:.1} s",
                done.cases,
                done.fixed,
                done.counter_rows,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        StatsCommand::Check => {
            let differences = db.read_blocking(stats::check)?;
            if differences.is_empty() {
                println!("the daily counters equal the sum of the facts");
                return Ok(());
            }
            for d in differences.iter().take(50) {
                println!("{d}");
            }
            Err(CliError::Usage(format!(
                "{} counters differ from the facts; `gridops stats rebuild` recomputes them",
                differences.len()
            )))
        }
    }
}
