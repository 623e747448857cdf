//! `bench-incidents`: the incidents API at a realistic size, over HTTP.
//!
//! Starts the real server in-process on its own fresh database (a temporary
//! SQLite file, or a new PostgreSQL database dropped at the end) with the demo
//! data; preloads N incidents straight into the database — `COPY` on
//! PostgreSQL, multi-row `INSERT`s on SQLite, large transactions — spread over
//! the demo grids, categories, users and 90 days, each with the timeline that
//! led to its status; then measures report (create), get, filtered lists and
//! the catch-up feed (a grid worker's and the dispatcher's, first page and a
//! page resumed after the other phases' writes) through a real HTTP client
//! on loopback with bounded concurrency. On
//! PostgreSQL it also runs `pgbench` with the INSERT statements the API issues
//! for a report, for the raw figure beside the API's create rate.
//!
//! ```sh
//! cargo run --release -p gridops-tests --bin bench-incidents -- \
//!     --backend postgres --incidents 1000000 --requests 5000 --concurrency 16
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, TimeDelta, Utc};
use clap::{Parser, ValueEnum};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use gridops_domain::category::Category;
use gridops_domain::deadline::WorkingCalendar;
use gridops_domain::incident::{ActionKind, Status, transition};
use gridops_infra::Db;
use gridops_infra::demo::areas::{demo_areas, demo_point_in_grid};
use gridops_infra::demo::parties::DEMO_PARTIES;
use gridops_infra::repo::categories;
use gridops_infra::schema::{incident_events, incidents, users};
use gridops_tests::reqwest::{self, StatusCode};
use gridops_tests::{Backend, TestApp, json};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    Sqlite,
    Postgres,
}

/// Benchmark of the incidents API: preload, then create, get and list over HTTP.
#[derive(Debug, Parser)]
#[command(name = "bench-incidents")]
struct Args {
    #[arg(long, value_enum)]
    backend: BackendArg,
    /// Incidents preloaded straight into the database before measuring.
    #[arg(long, default_value_t = 1_000_000)]
    incidents: usize,
    /// Requests per measured phase.
    #[arg(long, default_value_t = 5_000)]
    requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Unmeasured requests of each kind before the measured phases.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// A phase stops issuing requests after this long, however many are left.
    #[arg(long, default_value_t = 180)]
    phase_secs: u64,
    /// How long each pgbench run lasts (PostgreSQL only); 0: no pgbench.
    #[arg(long, default_value_t = 20)]
    pgbench_secs: u32,
    /// Only the phases whose names start with one of these (comma-separated:
    /// `create`, `get`, `list`, `feed`); all when not given.
    #[arg(long, value_delimiter = ',')]
    phases: Vec<String>,
    /// Print the plans of the list queries and of the duplicate check.
    #[arg(long)]
    explain: bool,
    /// Fail (exit 1, after the table) when a get or list phase answers
    /// fewer requests a second than this. The plans of the lists are checked
    /// on every run (a full scan, or a map view off its index, fails it).
    #[arg(long)]
    floor: Option<f64>,
    /// Seed of the synthetic data.
    #[arg(long, default_value_t = 20_261_124)]
    seed: u64,
    /// Leave the database behind (its URL is printed), to look at it afterwards.
    #[arg(long)]
    keep: bool,
}

/// The dispatcher whose lists are measured, and the area they dispatch.
const DISPATCHER: &str = "dispatcher.hanghaixilu";
const DISPATCHER_AREA: &str = "410102003";
/// The community of the dispatcher's four grids: the bbox query is a map view of it.
const BBOX_COMMUNITY: &str = "410102003001";
/// The grid worker whose feed is measured (one grid of the dispatcher's).
const FEED_WORKER: &str = "worker.guanlan";
/// Users who report in the create phase, in turn.
const REPORTERS: &[&str] = &[
    "resident.guanlan",
    "worker.guanlan",
    DISPATCHER,
    "dispatcher.gongyi",
];
/// How far back the preloaded reports go.
const HISTORY_DAYS: i64 = 90;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    // The server's logs (and the causes of 500s) only when asked for: RUST_LOG=error.
    if std::env::var_os("RUST_LOG").is_some() {
        gridops_api::telemetry::init(gridops_api::settings::LogFormat::Pretty);
    }
    if let Err(e) = run(args).await {
        eprintln!("bench-incidents: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let backend = match args.backend {
        BackendArg::Sqlite => Backend::Sqlite,
        BackendArg::Postgres => Backend::Postgres,
    };
    let backend_name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!(
        "bench-incidents: {backend_name}, {} incidents, {} requests per phase, concurrency {}",
        args.incidents, args.requests, args.concurrency
    );
    // Production defaults: one HTTP worker per core, a pool of 10.
    let app = TestApp::spawn_with(backend, |settings| {
        let defaults = gridops_api::Settings::new(settings.database.url.clone());
        settings.workers = defaults.workers;
        settings.database.pool_size = defaults.database.pool_size;
        settings.area_reload_interval = defaults.area_reload_interval;
        // One sign-in per user for the whole run, however long it takes.
        settings.access_token_ttl = Duration::from_secs(4 * 3600);
    })
    .await
    .ok_or("PostgreSQL is unreachable; set GRIDOPS_TEST_POSTGRES_URL")?;
    println!("server on {} ({})", app.base, app.database_url);

    let outcome = bench(&app, backend, backend_name, &args).await;
    if args.keep {
        println!("kept the database: {}", app.database_url);
        // Never dropped, so never removed; the server stops with the process.
        std::mem::forget(app);
    } else {
        app.stop().await;
    }
    outcome
}

async fn bench(
    app: &TestApp,
    backend: Backend,
    backend_name: &str,
    args: &Args,
) -> Result<(), String> {
    let db = app.open_db();
    let fixture = Arc::new(
        tokio::task::spawn_blocking(move || Fixture::load(&db))
            .await
            .map_err(|e| e.to_string())??,
    );
    println!(
        "demo data: {} grids ({} in {DISPATCHER_AREA}), {} categories, {} users",
        fixture.grids.len(),
        fixture.dispatcher_grids().count(),
        fixture.categories.len(),
        fixture.users.len()
    );

    let (url, n, seed, f) = (
        app.database_url.clone(),
        args.incidents,
        args.seed,
        fixture.clone(),
    );
    let preloaded = tokio::task::spawn_blocking(move || preload(&url, backend, &f, n, seed))
        .await
        .map_err(|e| e.to_string())??;
    println!(
        "preload: {} incidents and {} events in {:.1} s ({:.0} incidents/s); settling took {:.1} s",
        preloaded.incidents,
        preloaded.events,
        preloaded.elapsed.as_secs_f64(),
        preloaded.incidents as f64 / preloaded.elapsed.as_secs_f64(),
        preloaded.settle.as_secs_f64(),
    );

    let cap = Duration::from_secs(args.phase_secs);
    let mut phases = Vec::new();
    let mut kinds = request_kinds(app, &fixture, Arc::new(preloaded.visible_ids), args.seed).await;
    kinds.retain(|kind| {
        args.phases.is_empty() || args.phases.iter().any(|p| kind.name.starts_with(p))
    });

    // Warm-up: every kind of request, unmeasured; show what each list returns.
    for kind in &kinds {
        let phase = measure(kind, args.warmup, args.concurrency, cap).await;
        let sample = if kind.is_list {
            format!(", first page: {} items", first_page_len(kind).await?)
        } else {
            String::new()
        };
        println!(
            "warm-up {}: {} requests, {} errors{sample}",
            kind.name, phase.requests, phase.errors
        );
        if let Some(e) = &phase.first_error {
            println!("  first error: {e}");
        }
    }
    for kind in &kinds {
        let phase = measure(kind, args.requests, args.concurrency, cap).await;
        println!("{}", phase.line());
        if let Some(e) = &phase.first_error {
            println!("  first error: {e}");
        }
        phases.push(phase);
    }

    let mut pgbench = Vec::new();
    match backend {
        Backend::Postgres if args.pgbench_secs == 0 => println!("pgbench: not asked for"),
        Backend::Postgres => {
            for script in [PgbenchScript::Inserts, PgbenchScript::CreateSequence] {
                let (url, f, c, secs) = (
                    app.database_url.clone(),
                    fixture.clone(),
                    args.concurrency,
                    args.pgbench_secs,
                );
                let result =
                    tokio::task::spawn_blocking(move || run_pgbench(&url, &f, script, c, secs))
                        .await
                        .map_err(|e| e.to_string())??;
                println!("{}", result.line());
                pgbench.push(result);
            }
        }
        Backend::Sqlite => println!("pgbench: not applicable to SQLite (no raw figure)"),
    }

    let (url, f) = (app.database_url.clone(), fixture.clone());
    let plans = tokio::task::spawn_blocking(move || explain(&url, backend, &f))
        .await
        .map_err(|e| e.to_string())??;
    if args.explain {
        println!("{}", plans.text);
    }

    println!();
    println!("{}", table(backend_name, args, &phases, &pgbench));
    // Loud, and last, so that a regression cannot scroll by (issue 17: the
    // map view fell from 362 to 43 req/s unnoticed).
    let mut failures = plans.problems;
    if let Some(floor) = args.floor {
        for phase in &phases {
            let read = phase.name == "get" || phase.name.starts_with("list");
            if read && phase.rate() < floor {
                failures.push(format!(
                    "{}: {:.1} req/s, below the floor of {floor}",
                    phase.name,
                    phase.rate()
                ));
            }
        }
    }
    if failures.is_empty() {
        println!("plan check: every list reads its relations along an index, in order");
        Ok(())
    } else {
        for failure in &failures {
            eprintln!("GUARD FAILED: {failure}");
        }
        Err(format!("{} guard failure(s)", failures.len()))
    }
}

// ── Synthetic data ──────────────────────────────────────────────────────────────────────

/// SplitMix64: small, fast and deterministic, which is all synthetic data needs.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The `i`-th value of the stream seeded with `seed`, without state.
    fn at(seed: u64, i: usize) -> Rng {
        let mut rng = Rng(seed ^ (i as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93));
        rng.next_u64();
        rng
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn minutes(&mut self, from: i64, to: i64) -> TimeDelta {
        TimeDelta::seconds(60 * from + (self.unit() * ((to - from) * 60) as f64) as i64)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index into `weights`, drawn in proportion to them.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }

    fn uuid_v7(&mut self, at: NaiveDateTime) -> Uuid {
        let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
        let mut random = [0_u8; 10];
        random[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        random[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }
}

#[derive(Debug, Clone)]
struct Grid {
    code: String,
    name: String,
    district: String,
    /// West, south, east, north in WGS-84 degrees, shrunk by 5 % on each side
    /// so that a point drawn inside never lands on a neighbour's edge.
    rect: [f64; 4],
    /// Parties that serve the grid or an area above it.
    parties: Vec<&'static str>,
}

impl Grid {
    fn point(&self, rng: &mut Rng) -> (f64, f64) {
        let [w, s, e, n] = self.rect;
        let round = |v: f64| (v * 1e7).round() / 1e7;
        (
            round(w + (e - w) * rng.unit()),
            round(s + (n - s) * rng.unit()),
        )
    }

    /// The username of the dispatcher who runs this grid's incidents.
    fn dispatcher(&self) -> &'static str {
        if self.code.starts_with(DISPATCHER_AREA) {
            DISPATCHER
        } else if self.code.starts_with("410181") {
            "dispatcher.gongyi"
        } else {
            // No demo dispatcher below this district: the administrator acts.
            "admin"
        }
    }
}

/// The demo data the synthetic incidents refer to.
#[derive(Debug)]
struct Fixture {
    grids: Vec<Grid>,
    categories: Vec<Category>,
    /// Username → id.
    users: HashMap<String, String>,
}

impl Fixture {
    fn load(db: &Db) -> Result<Fixture, String> {
        let collection = serde_json::to_value(demo_areas()).map_err(|e| e.to_string())?;
        let mut grids = Vec::new();
        for feature in collection["features"].as_array().ok_or("no features")? {
            let props = &feature["properties"];
            if props["level"] != "grid" {
                continue;
            }
            let code = props["code"]
                .as_str()
                .ok_or("a grid without code")?
                .to_owned();
            let ring = feature["geometry"]["coordinates"][0]
                .as_array()
                .ok_or("a grid without a ring")?;
            let mut bounds = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
            for position in ring {
                let (lng, lat) = (
                    position[0].as_f64().ok_or("lng")?,
                    position[1].as_f64().ok_or("lat")?,
                );
                bounds = [
                    bounds[0].min(lng),
                    bounds[1].min(lat),
                    bounds[2].max(lng),
                    bounds[3].max(lat),
                ];
            }
            let [w, s, e, n] = bounds;
            let (dx, dy) = ((e - w) * 0.05, (n - s) * 0.05);
            let rect = [w + dx, s + dy, e - dx, n - dy];
            let (cx, cy) = demo_point_in_grid(&code).ok_or("a grid the demo does not know")?;
            if !(rect[0] < cx && cx < rect[2] && rect[1] < cy && cy < rect[3]) {
                return Err(format!("grid {code}: its centre is outside its polygon"));
            }
            let parties: Vec<&'static str> = DEMO_PARTIES
                .iter()
                .filter(|p| p.areas.iter().any(|a| code.starts_with(a)))
                .map(|p| p.code)
                .collect();
            if parties.is_empty() {
                return Err(format!("grid {code}: no demo party serves it"));
            }
            grids.push(Grid {
                district: code[..6].to_owned(),
                name: props["name"].as_str().unwrap_or_default().to_owned(),
                code,
                rect,
                parties,
            });
        }
        let (categories, users) = db
            .read_blocking(|conn| {
                let users: Vec<(String, String)> = users::table
                    .select((users::username, users::id))
                    .load(conn)?;
                Ok((categories::list(conn)?, users))
            })
            .map_err(|e| e.to_string())?;
        Ok(Fixture {
            grids,
            categories,
            users: users.into_iter().collect(),
        })
    }

    fn user(&self, username: &str) -> &str {
        self.users
            .get(username)
            .map(String::as_str)
            .expect("a demo user")
    }

    fn dispatcher_grids(&self) -> impl Iterator<Item = &Grid> {
        self.grids
            .iter()
            .filter(|g| g.code.starts_with(DISPATCHER_AREA))
    }

    /// West, south, east, north around the grids whose code starts with `prefix`.
    fn bbox_of(&self, prefix: &str) -> [f64; 4] {
        self.grids
            .iter()
            .filter(|g| g.code.starts_with(prefix))
            .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, g| {
                [
                    b[0].min(g.rect[0]),
                    b[1].min(g.rect[1]),
                    b[2].max(g.rect[2]),
                    b[3].max(g.rect[3]),
                ]
            })
    }
}

const SNIPPETS: &[&str] = &[
    "居民反映情况已持续数日，请尽快处理",
    "现场拍照已上传，影响行人通行",
    "楼道内发现，夜间尤其明显",
    "小区门口附近，多名居民投诉",
    "网格员巡查发现，已做临时处置",
    "12345热线转来，来电人要求回电",
    "老旧小区，无物业管理，需社区协调",
    "靠近学校，上下学时段人员密集",
];

/// One incident row as the API's repository writes it (all 26 columns).
#[derive(Insertable)]
#[diesel(table_name = incidents, treat_none_as_default_value = false)]
struct NewIncident {
    id: String,
    reference: String,
    category_code: String,
    description: String,
    lat: f64,
    lng: f64,
    address: Option<String>,
    grid_code: String,
    source: &'static str,
    reporter_id: String,
    priority: &'static str,
    status: &'static str,
    party_code: Option<&'static str>,
    assignee_id: Option<String>,
    returned_by: &'static str,
    duplicate_of: Option<String>,
    rating: Option<&'static str>,
    rating_comment: Option<String>,
    rework_count: i32,
    result: Option<&'static str>,
    version: i64,
    occurred_at: NaiveDateTime,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    acknowledge_due: Option<NaiveDateTime>,
    resolve_due: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = incident_events, treat_none_as_default_value = false)]
struct NewEvent {
    id: String,
    incident_id: String,
    seq: i32,
    action: &'static str,
    actor_id: String,
    occurred_at: NaiveDateTime,
    from_status: Option<&'static str>,
    to_status: &'static str,
    note: Option<String>,
    attachments: &'static str,
}

/// The steps after the report that lead to each status, each checked
/// against the domain's state machine before any row is made.
fn path_to(status: Status) -> Vec<ActionKind> {
    use ActionKind as A;
    let path = match status {
        Status::Reported => vec![],
        Status::Accepted => vec![A::Accept],
        Status::Rejected => vec![A::Reject],
        Status::Dispatched => vec![A::Accept, A::Dispatch],
        Status::InProgress => vec![A::Accept, A::Dispatch, A::Acknowledge],
        Status::Resolved => vec![A::Accept, A::Dispatch, A::Acknowledge, A::Resolve],
        Status::Closed => vec![
            A::Accept,
            A::Dispatch,
            A::Acknowledge,
            A::Resolve,
            A::Verify,
        ],
    };
    let end = path
        .iter()
        .try_fold(Status::Reported, |s, a| transition(s, *a));
    assert_eq!(end, Some(status), "{path:?} must lead to {status:?}");
    path
}

const STATUSES: [Status; 7] = [
    Status::Reported,
    Status::Accepted,
    Status::Dispatched,
    Status::InProgress,
    Status::Resolved,
    Status::Closed,
    Status::Rejected,
];

/// The status mix by age: new reports are still open, old ones closed.
fn status_weights(age: TimeDelta) -> &'static [u32; 7] {
    if age < TimeDelta::days(3) {
        &[20, 15, 25, 20, 10, 5, 5]
    } else if age < TimeDelta::days(14) {
        &[3, 4, 10, 15, 18, 45, 5]
    } else {
        &[0, 1, 2, 3, 4, 85, 5]
    }
}

/// Makes incident `i` of `n` and its timeline; the same `seed` makes the same data.
struct Generator<'a> {
    fixture: &'a Fixture,
    seed: u64,
    n: usize,
    start: NaiveDateTime,
    now: NaiveDateTime,
    calendar: WorkingCalendar,
    paths: Vec<(Status, Vec<ActionKind>)>,
}

impl<'a> Generator<'a> {
    fn new(fixture: &'a Fixture, seed: u64, n: usize) -> Self {
        let now = gridops_infra::repo::now();
        Generator {
            fixture,
            seed,
            n,
            start: now - TimeDelta::days(HISTORY_DAYS),
            now,
            calendar: WorkingCalendar::china_office(),
            paths: STATUSES.iter().map(|s| (*s, path_to(*s))).collect(),
        }
    }

    fn make(&self, i: usize, events: &mut Vec<NewEvent>) -> NewIncident {
        let fixture = self.fixture;
        let mut rng = Rng::at(self.seed, i);
        // Spread evenly over the history, in order, as reports arrive.
        let span = TimeDelta::days(HISTORY_DAYS)
            .num_microseconds()
            .unwrap_or(0);
        let offset = (span as f64 * (i as f64 + rng.unit()) / self.n as f64) as i64;
        let created_at = (self.start + TimeDelta::microseconds(offset)).min(self.now);
        let grid = rng.pick(&fixture.grids);
        let category = rng.pick(&fixture.categories);
        let (lng, lat) = grid.point(&mut rng);
        let dispatcher = grid.dispatcher();
        let (reporter, source) = match rng.below(20) {
            0..=10 => ("resident.guanlan", "resident"),
            11..=13 => ("worker.guanlan", "patrol"),
            14 => ("chief.guanlan", "patrol"),
            _ if dispatcher == "admin" => ("resident.guanlan", "resident"),
            15..=17 => (dispatcher, "console"),
            _ => (dispatcher, "hotline"),
        };
        let (status, path) = &self.paths[rng.weighted(status_weights(self.now - created_at))];
        let party = (path.contains(&ActionKind::Dispatch)).then(|| *rng.pick(&grid.parties));
        // The one demo handler works for the heating company; others' steps are
        // entered by the dispatcher on the party's behalf.
        let handler_name = if party == Some("zy-heating") {
            "handler.heating"
        } else {
            dispatcher
        };
        let handler = (party == Some("zy-heating")).then(|| fixture.user("handler.heating"));
        let id = rng.uuid_v7(created_at).to_string();
        let day = (created_at + TimeDelta::hours(8)).format("%Y%m%d");

        let mut at = created_at;
        let mut from = Status::Reported;
        events.push(NewEvent {
            id: rng.uuid_v7(at).to_string(),
            incident_id: id.clone(),
            seq: 1,
            action: "report",
            actor_id: fixture.user(reporter).to_owned(),
            occurred_at: at,
            from_status: None,
            to_status: Status::Reported.as_str(),
            note: None,
            attachments: "",
        });
        for (step, action) in path.iter().enumerate() {
            let (delay, actor) = match action {
                ActionKind::Accept | ActionKind::Reject => (rng.minutes(5, 180), dispatcher),
                ActionKind::Dispatch => (rng.minutes(5, 120), dispatcher),
                ActionKind::Acknowledge => (rng.minutes(10, 480), handler_name),
                ActionKind::Resolve => (rng.minutes(60, 3 * 24 * 60), handler_name),
                _ => (rng.minutes(60, 2 * 24 * 60), dispatcher),
            };
            at = (at + delay).min(self.now);
            let to = transition(from, *action).expect("a checked path");
            events.push(NewEvent {
                id: rng.uuid_v7(at).to_string(),
                incident_id: id.clone(),
                seq: i32::try_from(step + 2).unwrap_or(i32::MAX),
                action: action.as_str(),
                actor_id: fixture.user(actor).to_owned(),
                occurred_at: at,
                from_status: Some(from.as_str()),
                to_status: to.as_str(),
                note: (*action == ActionKind::Reject).then(|| "不属于本辖区".to_owned()),
                attachments: "",
            });
            from = to;
        }
        let version = i64::try_from(path.len() + 1).unwrap_or(i64::MAX);
        let done = matches!(status, Status::Resolved | Status::Closed);
        NewIncident {
            reference: format!("bench-{}-{day}-{i:07}", grid.district),
            category_code: category.code.clone(),
            description: format!(
                "{}：{}（{}）",
                category.label_zh,
                rng.pick(SNIPPETS),
                grid.name
            ),
            lat,
            lng,
            address: (rng.below(10) < 7).then(|| format!("{}{}号附近", grid.name, rng.below(200))),
            grid_code: grid.code.clone(),
            source,
            reporter_id: fixture.user(reporter).to_owned(),
            priority: category.default_priority.as_str(),
            status: status.as_str(),
            party_code: party,
            assignee_id: handler
                .filter(|_| path.contains(&ActionKind::Acknowledge))
                .map(str::to_owned),
            returned_by: "",
            duplicate_of: None,
            rating: None,
            rating_comment: None,
            rework_count: 0,
            result: done.then_some("已处理完毕，现场已恢复"),
            version,
            occurred_at: created_at - rng.minutes(0, 60),
            created_at,
            updated_at: at,
            acknowledge_due: Some(
                self.calendar
                    .deadline(created_at, category.acknowledge_within),
            ),
            resolve_due: Some(self.calendar.deadline(created_at, category.resolve_within)),
            id,
        }
    }
}

// ── Preload ─────────────────────────────────────────────────────────────────────────────

struct Preloaded {
    incidents: usize,
    events: usize,
    elapsed: Duration,
    /// VACUUM ANALYZE on PostgreSQL, a WAL checkpoint on SQLite.
    settle: Duration,
    /// Ids of incidents the measured dispatcher may see: a sample for `get`.
    visible_ids: Vec<String>,
}

/// Incidents per transaction.
const PRELOAD_BATCH: usize = 50_000;
/// Rows per INSERT statement on SQLite (26 and 10 columns: under its 32,766 variables).
const SQLITE_INCIDENTS_PER_INSERT: usize = 1_000;
const SQLITE_EVENTS_PER_INSERT: usize = 3_000;

enum Writer {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl Writer {
    fn open(url: &str, backend: Backend) -> Result<Writer, String> {
        Ok(match backend {
            Backend::Postgres => {
                Writer::Postgres(PgConnection::establish(url).map_err(|e| e.to_string())?)
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(url).map_err(|e| e.to_string())?;
                // What the server sets, plus a large page cache for this bulk load.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA cache_size = -524288;",
                )
                .map_err(|e| e.to_string())?;
                Writer::Sqlite(conn)
            }
        })
    }

    /// Stores a batch in one transaction: an incident never exists without its report.
    fn write(&mut self, rows: &[NewIncident], events: &[NewEvent]) -> QueryResult<()> {
        match self {
            Writer::Postgres(conn) => conn.transaction(|conn| {
                diesel::copy_from(incidents::table)
                    .from_insertable(rows)
                    .execute(conn)?;
                diesel::copy_from(incident_events::table)
                    .from_insertable(events)
                    .execute(conn)?;
                Ok(())
            }),
            Writer::Sqlite(conn) => conn.immediate_transaction(|conn| {
                for chunk in rows.chunks(SQLITE_INCIDENTS_PER_INSERT) {
                    diesel::insert_into(incidents::table)
                        .values(chunk)
                        .execute(conn)?;
                }
                for chunk in events.chunks(SQLITE_EVENTS_PER_INSERT) {
                    diesel::insert_into(incident_events::table)
                        .values(chunk)
                        .execute(conn)?;
                }
                Ok(())
            }),
        }
    }

    /// What a database that grew to this size would have done by itself:
    /// autovacuum's statistics on PostgreSQL, a WAL checkpoint on SQLite.
    /// (The server never runs ANALYZE on SQLite, so neither does this.)
    fn settle(&mut self) -> QueryResult<()> {
        match self {
            // One statement each: VACUUM cannot run inside a multi-statement query.
            Writer::Postgres(conn) => {
                conn.batch_execute("VACUUM ANALYZE incidents")?;
                conn.batch_execute("VACUUM ANALYZE incident_events")
            }
            Writer::Sqlite(conn) => conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);"),
        }
    }
}

fn preload(
    url: &str,
    backend: Backend,
    fixture: &Fixture,
    n: usize,
    seed: u64,
) -> Result<Preloaded, String> {
    let mut writer = Writer::open(url, backend)?;
    let generator = Generator::new(fixture, seed, n);
    // About 100,000 ids of the dispatcher's area for `get`, spread over the history.
    let area_share = fixture.dispatcher_grids().count() as f64 / fixture.grids.len() as f64;
    let stride = ((n as f64 * area_share / 100_000.0) as usize).max(1);
    let mut visible_ids = Vec::new();
    let started = Instant::now();
    let mut events_total = 0;
    let mut reported_tenth = 0;
    let (mut rows, mut events) = (Vec::with_capacity(PRELOAD_BATCH), Vec::new());
    for from in (0..n).step_by(PRELOAD_BATCH) {
        rows.clear();
        events.clear();
        for i in from..(from + PRELOAD_BATCH).min(n) {
            let row = generator.make(i, &mut events);
            if i % stride == 0 && row.grid_code.starts_with(DISPATCHER_AREA) {
                visible_ids.push(row.id.clone());
            }
            rows.push(row);
        }
        writer
            .write(&rows, &events)
            .map_err(|e| format!("preload at incident {from}: {e}"))?;
        events_total += events.len();
        let done = from + rows.len();
        if done * 10 / n.max(1) > reported_tenth {
            reported_tenth = done * 10 / n.max(1);
            let secs = started.elapsed().as_secs_f64();
            println!(
                "  preloaded {done} incidents in {secs:.1} s ({:.0}/s)",
                done as f64 / secs
            );
        }
    }
    let elapsed = started.elapsed();
    let settling = Instant::now();
    writer.settle().map_err(|e| format!("after preload: {e}"))?;
    Ok(Preloaded {
        incidents: n,
        events: events_total,
        elapsed,
        settle: settling.elapsed(),
        visible_ids,
    })
}

// ── HTTP phases ─────────────────────────────────────────────────────────────────────────

struct Phase {
    name: String,
    requests: usize,
    errors: usize,
    elapsed: Duration,
    /// Sorted.
    latencies: Vec<Duration>,
    first_error: Option<String>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((self.latencies.len() as f64 * q).ceil() as usize).max(1);
        self.latencies[rank.min(self.latencies.len()) - 1]
    }

    fn max(&self) -> Duration {
        self.latencies.last().copied().unwrap_or_default()
    }

    fn line(&self) -> String {
        format!(
            "{}: {} requests in {:.1} s, {:.1} req/s, p50 {}, p99 {}, max {}, {} errors",
            self.name,
            self.requests,
            self.elapsed.as_secs_f64(),
            self.rate(),
            ms(self.quantile(0.50)),
            ms(self.quantile(0.99)),
            ms(self.max()),
            self.errors
        )
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Sends requests `0..total` of `kind`, `concurrency` at a time; stops issuing after `cap`.
async fn measure(kind: &Kind, total: usize, concurrency: usize, cap: Duration) -> Phase {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + cap;
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (send, expected, next) = (kind.send.clone(), kind.expected, next.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors, mut first_error) = (Vec::new(), 0, None);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total || Instant::now() >= deadline {
                        break;
                    }
                    let sent = Instant::now();
                    let outcome = expect(send(i), expected).await;
                    latencies.push(sent.elapsed());
                    if let Err(e) = outcome {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
                (latencies, errors, first_error)
            })
        })
        .collect();
    let mut phase = Phase {
        name: kind.name.clone(),
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::with_capacity(total),
        first_error: None,
    };
    for worker in workers {
        let (latencies, errors, first_error) = worker.await.expect("a benchmark worker");
        phase.latencies.extend(latencies);
        phase.errors += errors;
        if phase.first_error.is_none() {
            phase.first_error = first_error;
        }
    }
    phase.elapsed = started.elapsed();
    phase.requests = phase.latencies.len();
    phase.latencies.sort_unstable();
    phase
}

/// Sends, reads the whole body, and checks the status.
async fn expect(request: reqwest::RequestBuilder, status: StatusCode) -> Result<(), String> {
    let response = request.send().await.map_err(|e| e.to_string())?;
    let actual = response.status();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if actual == status {
        Ok(())
    } else {
        let text = String::from_utf8_lossy(&body);
        Err(format!(
            "{actual}: {}",
            text.chars().take(300).collect::<String>()
        ))
    }
}

/// One kind of request, with the signed-in client it is sent with.
struct Kind {
    name: String,
    /// Request `i` of the phase.
    send: Arc<dyn Fn(usize) -> reqwest::RequestBuilder + Send + Sync>,
    expected: StatusCode,
    is_list: bool,
}

/// How many items the first page of a list has.
async fn first_page_len(kind: &Kind) -> Result<usize, String> {
    let body: serde_json::Value = (kind.send)(0)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    Ok(body["items"].as_array().map_or(0, Vec::len))
}

/// What the phases send: reports by several users in random grids, and the
/// dispatcher's reads of incidents in their area.
async fn request_kinds(
    app: &TestApp,
    fixture: &Arc<Fixture>,
    visible_ids: Arc<Vec<String>>,
    seed: u64,
) -> Vec<Kind> {
    let mut kinds = Vec::new();
    let mut reporters = Vec::new();
    for username in REPORTERS {
        reporters.push(app.client_for(&app.login(username).await.access_token));
    }
    let (base, f) = (app.base.clone(), fixture.clone());
    kinds.push(Kind {
        name: "create".into(),
        send: Arc::new(move |i| {
            let mut rng = Rng::at(seed ^ 0xC0FFEE, i);
            let grid = rng.pick(&f.grids);
            let category = rng.pick(&f.categories);
            let (lng, lat) = grid.point(&mut rng);
            reporters[i % reporters.len()]
                .post(format!("{base}/api/v1/incidents"))
                .header("Idempotency-Key", Uuid::now_v7().to_string())
                .json(&json!({
                    "category": category.code,
                    "description": format!("{}：{}", category.label_zh, rng.pick(SNIPPETS)),
                    "location": {"type": "Point", "coordinates": [lng, lat]},
                }))
        }),
        expected: StatusCode::CREATED,
        is_list: false,
    });

    let dispatcher = app.client_for(&app.login(DISPATCHER).await.access_token);
    let (base, d) = (app.base.clone(), dispatcher.clone());
    kinds.push(Kind {
        name: "get".into(),
        send: Arc::new(move |i| {
            let id = Rng::at(seed ^ 0x6E7, i).pick(&visible_ids).clone();
            d.get(format!("{base}/api/v1/incidents/{id}"))
        }),
        expected: StatusCode::OK,
        is_list: false,
    });

    let created_from = (Utc::now() - TimeDelta::days(30)).format("%Y-%m-%dT%H:%M:%SZ");
    let [w, s, e, n] = fixture.bbox_of(BBOX_COMMUNITY);
    let lists = [
        ("list: inbox (no filter)", "limit=50".to_owned()),
        (
            "list: status+area",
            format!("status=dispatched,in_progress&area={DISPATCHER_AREA}&limit=50"),
        ),
        (
            "list: category+created_from",
            format!("category=public_safety&created_from={created_from}&limit=50"),
        ),
        (
            "list: bbox",
            format!("bbox={w:.6},{s:.6},{e:.6},{n:.6}&limit=50"),
        ),
    ];
    for (name, query) in lists {
        let (url, d) = (
            format!("{}/api/v1/incidents?{query}", app.base),
            dispatcher.clone(),
        );
        kinds.push(Kind {
            name: name.into(),
            send: Arc::new(move |_| d.get(&url)),
            expected: StatusCode::OK,
            is_list: true,
        });
    }

    // The catch-up feed of a grid worker (one grid) and of the dispatcher
    // (four): a first call, and a call resumed from the cursor the first
    // catch-up ended at. That cursor is taken now, before the measured
    // phases, so the resumed page reads the changes every later phase
    // made (the reports of the whole city), as a phone back in signal does.
    let worker = app.client_for(&app.login(FEED_WORKER).await.access_token);
    for (who, client) in [("worker", worker), ("dispatcher", dispatcher.clone())] {
        let url = format!("{}/api/v1/me/feed", app.base);
        let (pages, open, cursor) = feed_cursor(&client, &url).await;
        println!("feed: {who}'s first catch-up: {pages} pages, {open} open incidents");
        let (first, c) = (url.clone(), client.clone());
        kinds.push(Kind {
            name: format!("feed: {who}, first page"),
            send: Arc::new(move |_| c.get(&first)),
            expected: StatusCode::OK,
            is_list: false,
        });
        let resumed = format!("{url}?since={cursor}");
        kinds.push(Kind {
            name: format!("feed: {who}, resumed"),
            send: Arc::new(move |_| client.get(&resumed)),
            expected: StatusCode::OK,
            is_list: false,
        });
    }
    kinds
}

/// Follows a first catch-up of the feed to its end, 500 rows at a time:
/// (pages, incidents listed, the cursor it ended at). Panics on an error:
/// the bench cannot measure a feed it cannot read.
async fn feed_cursor(client: &reqwest::Client, url: &str) -> (usize, usize, String) {
    let (mut pages, mut listed, mut since) = (0, 0, None::<String>);
    loop {
        // The cursor is base64url: nothing to escape.
        let page = match &since {
            None => format!("{url}?limit=500"),
            Some(cursor) => format!("{url}?limit=500&since={cursor}"),
        };
        let body: serde_json::Value = client
            .get(&page)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("the feed answers")
            .json()
            .await
            .expect("a feed page");
        pages += 1;
        listed += body["incidents"].as_array().map_or(0, Vec::len);
        let cursor = body["next_cursor"].as_str().expect("a cursor").to_owned();
        if body["more"] != true {
            return (pages, listed, cursor);
        }
        since = Some(cursor);
    }
}

// ── pgbench ─────────────────────────────────────────────────────────────────────────────

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PgbenchScript {
    /// The two INSERTs of a report (incident, its first event), one transaction.
    Inserts,
    /// Every statement a report held for the on-site check makes, in order
    /// (see [`create_sequence`]).
    CreateSequence,
}

impl PgbenchScript {
    fn name(self) -> &'static str {
        match self {
            PgbenchScript::Inserts => "pgbench: INSERT incident + event",
            PgbenchScript::CreateSequence => "pgbench: create's full statement sequence",
        }
    }
}

struct PgbenchResult {
    script: PgbenchScript,
    tps: f64,
    transactions: usize,
    failed: usize,
    /// Sorted per-transaction latencies from pgbench's log.
    latencies: Vec<Duration>,
}

impl PgbenchResult {
    /// As a phase whose rate is pgbench's tps.
    fn as_phase(&self) -> Phase {
        Phase {
            name: self.script.name().into(),
            requests: self.transactions,
            errors: self.failed,
            elapsed: Duration::from_secs_f64(self.transactions as f64 / self.tps.max(f64::EPSILON)),
            latencies: self.latencies.clone(),
            first_error: None,
        }
    }

    fn line(&self) -> String {
        let phase = self.as_phase();
        format!(
            "{}: {:.1} tps, {} transactions, p50 {}, p99 {}, max {}, {} failed",
            self.script.name(),
            self.tps,
            self.transactions,
            ms(phase.quantile(0.50)),
            ms(phase.quantile(0.99)),
            ms(phase.max()),
            self.failed
        )
    }
}

fn find_pgbench() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("pgbench"))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin/pgbench")))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found.pop()
    })
}

/// `(ARRAY[...])[:var]`: one of `values`, chosen by a 1-based pgbench variable.
fn pick_sql(values: &[String], var: &str, ty: &str) -> String {
    format!("(ARRAY[{}]::{ty}[])[:{var}::int]", values.join(","))
}

fn quoted(values: impl IntoIterator<Item = impl AsRef<str>>) -> Vec<String> {
    values
        .into_iter()
        .map(|v| format!("'{}'", v.as_ref().replace('\'', "''")))
        .collect()
}

/// The pgbench script: the API's statements with pgbench's random values.
fn pgbench_script(fixture: &Fixture, script: PgbenchScript) -> String {
    let grids = &fixture.grids;
    let codes = quoted(grids.iter().map(|g| &g.code));
    let numbers = |f: &dyn Fn(&Grid) -> f64| -> Vec<String> {
        grids.iter().map(|g| format!("{:.7}", f(g))).collect()
    };
    let lat = format!(
        "({} + {} * :fy::float8 / 1000000)",
        pick_sql(&numbers(&|g| g.rect[1]), "g", "float8"),
        pick_sql(&numbers(&|g| g.rect[3] - g.rect[1]), "g", "float8"),
    );
    let lng = format!(
        "({} + {} * :fx::float8 / 1000000)",
        pick_sql(&numbers(&|g| g.rect[0]), "g", "float8"),
        pick_sql(&numbers(&|g| g.rect[2] - g.rect[0]), "g", "float8"),
    );
    let category = pick_sql(
        &quoted(fixture.categories.iter().map(|c| &c.code)),
        "c",
        "text",
    );
    let reporters = quoted(REPORTERS.iter().map(|u| fixture.user(u)));
    let reporter = pick_sql(&reporters, "u", "text");
    let now = "(now() AT TIME ZONE 'UTC')";
    let id = "'pgbench-' || :client_id::text || '-' || :r::text";
    let mut sql = format!(
        "\\set g random(1, {})\n\\set c random(1, {})\n\\set u random(1, {})\n\
         \\set fx random(0, 1000000)\n\\set fy random(0, 1000000)\n\
         \\set r random(1, 4611686018427387903)\n",
        grids.len(),
        fixture.categories.len(),
        reporters.len(),
    );
    let insert_incident = format!(
        "INSERT INTO incidents (id, reference, category_code, description, lat, lng, address, \
         grid_code, source, reporter_id, priority, status, party_code, assignee_id, returned_by, \
         duplicate_of, rating, rating_comment, rework_count, result, version, occurred_at, \
         created_at, updated_at, acknowledge_due, resolve_due) VALUES ({id}, {id}, {category}, \
         '井盖缺失，夜间行人容易踩空，请尽快处理', {lat}, {lng}, NULL, {grid}, 'resident', \
         {reporter}, 'normal', 'reported', NULL, NULL, '', NULL, NULL, NULL, 0, NULL, 1, {now}, \
         {now}, {now}, {now} + interval '2 hours', {now} + interval '2 days');\n",
        grid = pick_sql(&codes, "g", "text"),
    );
    let insert_event = format!(
        "INSERT INTO incident_events (id, incident_id, seq, action, actor_id, occurred_at, \
         from_status, to_status, note, attachments) VALUES ({id} || '-1', {id}, 1, 'report', \
         {reporter}, {now}, NULL, 'reported', NULL, '');\n"
    );
    match script {
        PgbenchScript::Inserts => {
            sql.push_str("BEGIN;\n");
            sql.push_str(&insert_incident);
            sql.push_str(&insert_event);
            sql.push_str("END;\n");
        }
        PgbenchScript::CreateSequence => {
            sql.push_str(&create_sequence(
                fixture,
                &Sequence {
                    id,
                    now,
                    grid: &pick_sql(&codes, "g", "text"),
                    category: &category,
                    reporter: &reporter,
                    lat: &lat,
                    lng: &lng,
                    insert_incident: &insert_incident,
                    insert_event: &insert_event,
                },
            ));
        }
    }
    sql
}

/// The pieces of a report's statements that pgbench draws at random.
struct Sequence<'a> {
    id: &'a str,
    now: &'a str,
    grid: &'a str,
    category: &'a str,
    reporter: &'a str,
    lat: &'a str,
    lng: &'a str,
    insert_incident: &'a str,
    insert_event: &'a str,
}

/// Every statement of a report that routing holds for the grid staff's
/// on-site check (most of the demo's categories), in the order the API
/// sends them on PostgreSQL (`log_statement = all` on 2026-12-05): the
/// pool's check of each connection it hands out (`SELECT 1`); the
/// idempotency key, the category and the duplicate search, each on its own;
/// the calendar and the district's reference number in autocommit
/// statements; then one transaction that stores the report with its clocks,
/// tells the grid's staff, stores its fact and the answer under the key, and
/// ends with the KPI counters' upserts.
fn create_sequence(fixture: &Fixture, s: &Sequence<'_>) -> String {
    let Sequence {
        id,
        now,
        grid,
        category,
        reporter,
        lat,
        lng,
        ..
    } = *s;
    let staff = quoted(["worker.guanlan", "chief.guanlan"].map(|u| fixture.user(u)));
    let (worker, chief) = (&staff[0], &staff[1]);
    let counters = "reported, dispatched, acknowledged_in_time, extended, due, closed, \
        closed_in_time, due_suspended, closed_suspended, closed_in_time_suspended, ledgered, \
        verified, reworked, closures_without_evidence, rated, satisfied, basically_satisfied, \
        dissatisfied, solved_answered, solved";
    let upsert = |table: &str, date_column: &str, date: &str, values: &str| {
        let sums: Vec<String> = counters
            .split(", ")
            .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
            .collect();
        format!(
            "INSERT INTO {table} ({date_column}, grid_code, party_code, category_code, {counters}) \
             VALUES ({date}, {grid}, 'pgbench', {category}, {values}) \
             ON CONFLICT ({date_column}, grid_code, party_code, category_code) DO UPDATE SET {};\n",
            sums.join(", ")
        )
    };
    let zeros = |first: &str, fifth: &str| {
        let mut v = vec!["0"; 20];
        v[0] = first;
        v[4] = fifth;
        v.join(", ")
    };
    let areas_above = format!(
        "ARRAY[{grid}, substr({grid}, 1, 12), substr({grid}, 1, 9), substr({grid}, 1, 6), \
         substr({grid}, 1, 4) || '00']"
    );
    let ping = "SELECT 1;\n";
    format!(
        "{ping}SELECT request_hash, response_status, response_body FROM idempotency_keys \
         WHERE user_id = {reporter} AND idem_key = {id} LIMIT 1;\n\
         {ping}SELECT * FROM categories WHERE code = {category} LIMIT 1;\n\
         SELECT id, reference, status, lat, lng, created_at FROM incidents \
         WHERE category_code = {category} AND created_at >= {now} - interval '72 hours' \
         AND status <> ALL('{{closed,rejected}}') \
         AND lat BETWEEN {lat} - 0.00225 AND {lat} + 0.00225 \
         AND lng BETWEEN {lng} - 0.00275 AND {lng} + 0.00275 \
         ORDER BY created_at ASC LIMIT 50;\n\
         {ping}SELECT periods, weekdays, utc_offset_minutes FROM working_week WHERE id = 1 LIMIT 1;\n\
         SELECT day, kind, name FROM calendar_days \
         WHERE day BETWEEN {now}::date - 60 AND {now}::date + 400 ORDER BY day;\n\
         INSERT INTO incident_counters (scope, last) \
         VALUES ('pgbench-' || substr({grid}, 1, 6) || '-' || to_char({now}, 'YYYYMMDD'), 1) \
         ON CONFLICT (scope) DO UPDATE SET last = incident_counters.last + 1 RETURNING last;\n\
         {ping}BEGIN;\n\
         SELECT priority, acknowledge_amount, acknowledge_unit, resolve_amount, resolve_unit \
         FROM time_limits WHERE category_code = {category};\n\
         {insert_incident}{insert_event}\
         SELECT pg_notify('gridops_incident_events', {id});\n\
         INSERT INTO deadlines (id, incident_id, step, area_code, started_at, due_at, warn_at, \
         state, extensions, suspensions) VALUES ({id} || '-t', {id}, 'triage', {grid}, {now}, \
         {now} + interval '2 days', {now} + interval '1 day', 'running', 0, 0);\n\
         SELECT id, area_code, user_id, weekdays, starts, ends, created_at FROM duty_rosters \
         WHERE area_code = ANY(ARRAY[{grid}, substr({grid}, 1, 12)]) ORDER BY created_at, id;\n\
         SELECT id, area_code, user_id, on_date, on_duty, created_at FROM duty_exceptions \
         WHERE area_code = ANY(ARRAY[{grid}, substr({grid}, 1, 12)]) \
         AND on_date >= to_char({now} - interval '1 day', 'YYYY-MM-DD') \
         AND on_date <= to_char({now}, 'YYYY-MM-DD') ORDER BY on_date, id;\n\
         SELECT patrols.walker_id FROM patrols JOIN patrol_grids ON patrol_grids.patrol_id = \
         patrols.id WHERE patrol_grids.grid_code = {grid} AND patrols.status = 'running' \
         ORDER BY patrols.started_at, patrols.id;\n\
         SELECT users.id, users.locale FROM role_assignments JOIN users ON \
         role_assignments.user_id = users.id WHERE role_assignments.role = \
         ANY('{{grid_worker,grid_chief}}') AND role_assignments.area_code = ANY({areas_above}) \
         AND users.disabled = false;\n\
         INSERT INTO notifications (id, user_id, topic, incident_id, title, body, created_at) \
         VALUES ({id} || '-n1', {worker}, 'reported', {id}, '网格内有新上报，请到现场核查处置', \
         {id}, {now}), ({id} || '-n2', {chief}, 'reported', {id}, \
         '网格内有新上报，请到现场核查处置', {id}, {now});\n\
         SELECT DISTINCT user_id FROM devices WHERE user_id = ANY(ARRAY[{worker}, {chief}]);\n\
         INSERT INTO incident_facts (incident_id, grid_code, party_code, category_code, \
         reported_on, acknowledged_in_time, extended, suspended, in_ledger, due_on, closed, \
         closed_in_time, reworked, without_evidence) VALUES ({id}, {grid}, 'pgbench', \
         {category}, {now}::date, false, false, false, false, {now}::date + 6, false, false, \
         false, false);\n\
         DELETE FROM idempotency_keys WHERE user_id = {reporter} AND idem_key = {id} \
         AND response_status IS NULL;\n\
         INSERT INTO idempotency_keys (user_id, idem_key, request_hash, response_status, \
         response_body, created_at) VALUES ({reporter}, {id}, 'c0ffee', 201, '{body}', {now});\n\
         {daily_reported}{daily_due}{monthly}END;\n",
        insert_incident = s.insert_incident,
        insert_event = s.insert_event,
        body = "x".repeat(1500),
        daily_reported = upsert(
            "kpi_daily",
            "day",
            &format!("{now}::date"),
            &zeros("1", "0")
        ),
        daily_due = upsert(
            "kpi_daily",
            "day",
            &format!("{now}::date + 6"),
            &zeros("0", "1")
        ),
        monthly = upsert(
            "kpi_monthly",
            "month",
            &format!("date_trunc('month', {now})::date"),
            &zeros("1", "1")
        ),
    )
}

fn run_pgbench(
    url: &str,
    fixture: &Fixture,
    script: PgbenchScript,
    clients: usize,
    secs: u32,
) -> Result<PgbenchResult, String> {
    let pgbench = find_pgbench().ok_or("pgbench not found on PATH or in /usr/lib/postgresql")?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("script.sql");
    std::fs::write(&file, pgbench_script(fixture, script)).map_err(|e| e.to_string())?;
    let prefix = dir.path().join("log");
    let output = Command::new(&pgbench)
        .args(["-n", "-M", "prepared", "-j", "2", "-l"])
        .arg(format!("--log-prefix={}", prefix.display()))
        .arg(format!("-c{clients}"))
        .arg(format!("-T{secs}"))
        .arg("-f")
        .arg(&file)
        .arg(url)
        .output()
        .map_err(|e| format!("{}: {e}", pgbench.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!(
            "pgbench failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let field = |label: &str| -> Option<f64> {
        stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    let tps = field("tps = ").ok_or_else(|| format!("no tps in pgbench's output: {stdout}"))?;
    let failed = field("number of failed transactions:").unwrap_or(0.0) as usize;
    let latencies = pgbench_latencies(dir.path())?;
    Ok(PgbenchResult {
        script,
        tps,
        transactions: latencies.len(),
        failed,
        latencies,
    })
}

/// Per-transaction latencies from pgbench's `-l` logs: the third field, in µs.
fn pgbench_latencies(dir: &Path) -> Result<Vec<Duration>, String> {
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("log"))
        {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        latencies.extend(
            text.lines()
                .filter_map(|l| l.split_whitespace().nth(2)?.parse::<u64>().ok())
                .map(Duration::from_micros),
        );
    }
    latencies.sort_unstable();
    Ok(latencies)
}

// ── Plans ───────────────────────────────────────────────────────────────────────────────

#[derive(QueryableByName)]
struct PgPlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

#[derive(QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

/// The plans of the measured lists, and what is wrong with them.
struct Plans {
    text: String,
    /// A list that scans the whole table, or reads a relation out of order.
    problems: Vec<String>,
}

/// What a list's plan must not do on PostgreSQL: read the whole table, or
/// read a relation through a bitmap and sort it (the plan that made the map
/// view take 442 ms at 1M: every incident of each grid, then the newest 51).
fn plan_problems(name: &str, plan: &str, must_use: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for (bad, why) in [
        ("Seq Scan on incidents", "reads the whole table"),
        (
            "Bitmap Heap Scan on incidents",
            "reads a relation whole and sorts it",
        ),
    ] {
        if plan.contains(bad) {
            problems.push(format!("{name}: {why} ({bad})"));
        }
    }
    for index in must_use {
        if !plan.contains(index) {
            problems.push(format!("{name}: does not use {index}"));
        }
    }
    problems
}

/// A statement with its values apart (`$1`, `$2`, … as SQL literals), as
/// the server sends it: diesel keeps it prepared, and after five runs
/// PostgreSQL may plan it once for any values (a generic plan), which is
/// where the map view lost its index.
#[derive(Default)]
struct Bound {
    sql: String,
    values: Vec<String>,
}

impl Bound {
    /// A placeholder for `literal`.
    fn value(&mut self, literal: impl ToString) -> String {
        self.values.push(literal.to_string());
        format!("${}", self.values.len())
    }

    /// The statement with its values written in (the last first: `$12` before `$1`).
    fn inlined(&self) -> String {
        let mut sql = self.sql.clone();
        for (i, value) in self.values.iter().enumerate().rev() {
            sql = sql.replace(&format!("${}", i + 1), value);
        }
        sql
    }
}

/// The SQL `incidents::list` and `incidents::open_nearby` build for the
/// measured requests, their plans (on PostgreSQL for the values given and
/// for any values, as a prepared statement is planned after five runs),
/// and the problems [`plan_problems`] finds in the lists' plans.
fn explain(url: &str, backend: Backend, fixture: &Fixture) -> Result<Plans, String> {
    let me = fixture.user(DISPATCHER);
    let quote = |t: &str| format!("'{t}'");
    let ts = |t: NaiveDateTime| match backend {
        Backend::Postgres => format!("'{}'::timestamp", t.format("%Y-%m-%d %H:%M:%S%.6f")),
        Backend::Sqlite => format!("'{}'", t.format("%Y-%m-%d %H:%M:%S%.6f")),
    };
    let now = gridops_infra::repo::now();
    let [w, s, e, n] = fixture.bbox_of(BBOX_COMMUNITY);
    let area_grids: Vec<&str> = fixture
        .grids
        .iter()
        .filter(|g| g.code.starts_with(DISPATCHER_AREA))
        .map(|g| g.code.as_str())
        .collect();
    // The grids a map view touches (by their rectangles here; by their
    // polygons in the server).
    let in_view: Vec<&str> = fixture
        .grids
        .iter()
        .filter(|g| g.rect[0] <= e && g.rect[2] >= w && g.rect[1] <= n && g.rect[3] >= s)
        .filter(|g| g.code.starts_with(DISPATCHER_AREA))
        .map(|g| g.code.as_str())
        .collect();
    // The page's keys as `repo::incidents::list` reads them for the
    // dispatcher (`repo::merged`): one part per relation (what they
    // reported; each of the few grids of their area), or only the grids
    // when the filter stays inside their area, merged in one statement.
    // `filter` writes a part's conditions, with its own placeholders.
    let merged = |reporter: bool, grids: &[&str], filter: &dyn Fn(&mut Bound) -> String| {
        let mut bound = Bound::default();
        let mut scopes: Vec<(&str, &str)> = Vec::new();
        if reporter {
            scopes.push(("reporter_id", me));
        }
        scopes.extend(grids.iter().map(|g| ("grid_code", *g)));
        let mut parts = Vec::new();
        for (column, value) in scopes {
            let scope = bound.value(quote(value));
            let conditions = filter(&mut bound);
            let limit = bound.value(51);
            parts.push(format!(
                "SELECT * FROM (SELECT created_at, id FROM incidents WHERE {column} = {scope}\
                 {conditions} ORDER BY created_at DESC, id DESC LIMIT {limit}) AS part"
            ));
        }
        let limit = bound.value(51);
        bound.sql = format!(
            "SELECT * FROM ({}) AS merged ORDER BY created_at DESC, id DESC LIMIT {limit}",
            parts.join(" UNION ")
        );
        bound
    };
    let status_area = |b: &mut Bound| match backend {
        Backend::Postgres => format!(
            " AND status = ANY({}) AND substr(grid_code, 1, 9) = {}",
            b.value("'{dispatched,in_progress}'::text[]"),
            b.value(quote(DISPATCHER_AREA))
        ),
        Backend::Sqlite => format!(
            " AND status IN ({}, {}) AND substr(grid_code, 1, 9) = {}",
            b.value("'dispatched'"),
            b.value("'in_progress'"),
            b.value(quote(DISPATCHER_AREA))
        ),
    };
    let category = |b: &mut Bound| {
        format!(
            " AND (category_code = {} OR category_code LIKE {}) AND created_at >= {}",
            b.value("'public_safety'"),
            b.value("'public_safety.%'"),
            b.value(ts(now - TimeDelta::days(30)))
        )
    };
    let in_box = |b: &mut Bound| {
        format!(
            " AND lat BETWEEN {} AND {} AND lng BETWEEN {} AND {}",
            b.value(s),
            b.value(n),
            b.value(w),
            b.value(e)
        )
    };
    let grid = &fixture.grids[0];
    let (lng, lat) = (
        (grid.rect[0] + grid.rect[2]) / 2.0,
        (grid.rect[1] + grid.rect[3]) / 2.0,
    );
    let both: &[&str] = &["incidents_reporter_id", "incidents_grid_code"];
    let queries: [(&str, Bound, &[&str]); 5] = [
        (
            "list: inbox (no filter)",
            merged(true, &area_grids, &|_| String::new()),
            both,
        ),
        (
            "list: status+area",
            merged(false, &area_grids, &status_area),
            &["incidents_grid_code"],
        ),
        (
            "list: category+created_from",
            merged(true, &area_grids, &category),
            both,
        ),
        ("list: bbox", merged(true, &in_view, &in_box), both),
        (
            "create: open_nearby (duplicate check)",
            Bound {
                sql: format!(
                    "SELECT id, reference, status, lat, lng, created_at FROM incidents \
                     WHERE category_code = 'public_safety.snow_ice' AND created_at >= {} \
                     AND status NOT IN ('closed', 'rejected') \
                     AND lat BETWEEN {} AND {} AND lng BETWEEN {} AND {} \
                     ORDER BY created_at ASC LIMIT 50",
                    ts(now - TimeDelta::hours(72)),
                    lat - 0.00225,
                    lat + 0.00225,
                    lng - 0.00275,
                    lng + 0.00275
                ),
                values: Vec::new(),
            },
            &[],
        ),
    ];
    let mut out = String::from("\nPlans:\n");
    let mut problems = Vec::new();
    match backend {
        Backend::Postgres => {
            let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
            let mut plan_of = |sql: &str| -> Result<Vec<String>, String> {
                let lines: Vec<PgPlanLine> = diesel::sql_query(sql)
                    .load(&mut conn)
                    .map_err(|e| e.to_string())?;
                Ok(lines.into_iter().map(|l| l.line).collect())
            };
            for (name, bound, must_use) in &queries {
                let inlined = bound.inlined();
                let mut plans = vec![(
                    "for these values",
                    plan_of(&format!("EXPLAIN (ANALYZE, BUFFERS) {inlined}"))
                        .map_err(|e| format!("{name}: {e}"))?,
                )];
                if !bound.values.is_empty() {
                    // The plan a prepared statement falls back to after five runs.
                    let generic = (|| {
                        plan_of("SET plan_cache_mode = force_generic_plan")?;
                        plan_of(&format!("PREPARE listed AS {}", bound.sql))?;
                        let plan = plan_of(&format!(
                            "EXPLAIN (ANALYZE, BUFFERS) EXECUTE listed({})",
                            bound.values.join(", ")
                        ));
                        plan_of("DEALLOCATE listed")?;
                        plan_of("RESET plan_cache_mode")?;
                        plan
                    })()
                    .map_err(|e| format!("{name} (generic plan): {e}"))?;
                    plans.push(("for any values (generic, as prepared)", generic));
                }
                let _ = writeln!(out, "-- {name}\n{inlined}");
                for (which, plan) in plans {
                    if name.starts_with("list") {
                        let label = format!("{name}, {which}");
                        problems.extend(plan_problems(&label, &plan.join("\n"), must_use));
                    }
                    let _ = writeln!(out, "  [{which}]");
                    for line in plan {
                        let _ = writeln!(out, "  {line}");
                    }
                }
            }
        }
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(url).map_err(|e| e.to_string())?;
            for (name, bound, _) in &queries {
                let sql = bound.inlined();
                let lines: Vec<SqlitePlanLine> =
                    diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
                        .load(&mut conn)
                        .map_err(|e| format!("{name}: {e}"))?;
                let started = Instant::now();
                conn.batch_execute(&sql)
                    .map_err(|e| format!("{name}: {e}"))?;
                let _ = writeln!(out, "-- {name} ({} once)\n{sql}", ms(started.elapsed()));
                for l in lines {
                    // A bare SCAN is a full table scan (an index scan says USING).
                    if name.starts_with("list") && l.detail.trim() == "SCAN incidents" {
                        problems.push(format!("{name}: reads the whole table"));
                    }
                    let _ = writeln!(out, "  {}", l.detail);
                }
            }
        }
    }
    Ok(Plans {
        text: out,
        problems,
    })
}

// ── Report ──────────────────────────────────────────────────────────────────────────────

fn table(backend: &str, args: &Args, phases: &[Phase], pgbench: &[PgbenchResult]) -> String {
    let mut out = String::from(
        "| backend | incidents | phase | requests | req/s | p50 | p99 | max | errors | pgbench tps (same INSERTs) |\n\
         |---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    let inserts = pgbench
        .iter()
        .find(|p| p.script == PgbenchScript::Inserts)
        .map_or_else(|| "n/a".to_owned(), |p| format!("{:.1}", p.tps));
    let rows = phases
        .iter()
        .map(|p| (p, (p.name == "create").then(|| inserts.clone())));
    let pgbench_phases: Vec<Phase> = pgbench.iter().map(PgbenchResult::as_phase).collect();
    for (phase, tps) in rows.chain(pgbench_phases.iter().map(|p| (p, None))) {
        let _ = writeln!(
            out,
            "| {backend} | {} | {} | {} | {:.1} | {} | {} | {} | {} | {} |",
            group(args.incidents),
            phase.name,
            group(phase.requests),
            phase.rate(),
            ms(phase.quantile(0.50)),
            ms(phase.quantile(0.99)),
            ms(phase.max()),
            phase.errors,
            tps.unwrap_or_default()
        );
    }
    out
}

/// 1000000 → "1,000,000".
fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
