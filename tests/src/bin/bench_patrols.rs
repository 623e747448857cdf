//! `bench-patrols`: patrol tracks through the real server — how many track
//! points per second it takes in from thousands of phones at once, and how
//! fast it answers a grid's coverage of a day with a dense track.
//!
//! Starts the real server in-process on its own fresh database (a temporary
//! SQLite file, or a new PostgreSQL database dropped at the end) with the demo
//! data and production defaults (one HTTP worker per core, a pool of 10);
//! preloads N grid workers straight into the database (`COPY` on PostgreSQL,
//! multi-row `INSERT`s on SQLite), worker i in demo grid i mod (number of
//! grids), each with its `grid_worker` role; and signs their access tokens
//! itself with the server's key (signing 2,000 users in would measure argon2,
//! not patrols). Then, over HTTP on loopback:
//!
//! 1. every worker starts a patrol of its grid (`POST /api/v1/patrols`, started
//!    two hours ago so that every point lies in the past), 64 at a time;
//! 2. the measured phase: all workers at once, one task each on one shared
//!    client, each sending its batches one after the other
//!    (`POST /api/v1/patrols/{id}/track`); the points are 5 s apart, walking
//!    lanes inside the worker's grid at 1.5 m/s, each with its own id, so
//!    every one of them must be kept. The request bodies are serialised
//!    before the clock starts;
//! 3. one more worker walks one grid with a dense track (one fix a second,
//!    sweeping the grid in lanes 20 m apart, sent in batches of 1,000), then
//!    reads that grid's coverage of the track's local days
//!    (`GET /api/v1/grids/{code}/coverage`) again and again, one at a time.
//!
//! Printed: starts per second; for the ingest, the points sent and kept
//! (kept must equal sent), the wall time, points per second and the latency
//! of a batch (p50, p99, max), then the rows the database holds; for the
//! coverage, the dense track's ingest, the grid's cells, how many are
//! covered, and the latency of a coverage read (p50, p99, max).
//!
//! ```sh
//! cargo run --release -p gridops-tests --bin bench-patrols -- --backend sqlite
//! cargo run --release -p gridops-tests --bin bench-patrols -- --backend postgres
//! ```
//!
//! The defaults are the issue's goal: 2,000 workers sending 5 batches of 60
//! points each (≥ 20,000 points/s on PostgreSQL), and coverage of a
//! grid-day with 10,000 points (≤ 50 ms).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, SecondsFormat, TimeDelta, Utc};
use clap::{Parser, ValueEnum};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use gridops_api::auth::tokens::TokenKeys;
use gridops_domain::access::{Actor, Grant};
use gridops_domain::area::AreaCode;
use gridops_domain::role::Role;
use gridops_infra::schema::{areas, covered_cells, role_assignments, track_points, users};
use gridops_tests::bench::{NewGrant, NewUser, ms, quantile};
use gridops_tests::reqwest::{self, StatusCode, header};
use gridops_tests::{Backend, TestApp, json};
use tokio::sync::Semaphore;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    Sqlite,
    Postgres,
}

/// Track ingest from many phones at once, and a grid's coverage of a day.
#[derive(Debug, Parser)]
#[command(name = "bench-patrols")]
struct Args {
    #[arg(long, value_enum)]
    backend: BackendArg,
    /// Grid workers patrolling at once, each with one phone.
    #[arg(long, default_value_t = 2_000)]
    workers: usize,
    /// Uploads each worker's phone sends, one after the other.
    #[arg(long, default_value_t = 5)]
    batches: usize,
    /// Points per upload (at most 1,000).
    #[arg(long, default_value_t = 60)]
    points: usize,
    /// Points of the dense track whose grid's coverage is read.
    #[arg(long, default_value_t = 10_000)]
    coverage_points: usize,
    /// Coverage reads, one at a time.
    #[arg(long, default_value_t = 200)]
    coverage_reads: usize,
    /// Leave the database behind (its URL is printed), to look at it afterwards.
    #[arg(long)]
    keep: bool,
}

/// The server's signing key, so the bench can sign its workers' tokens.
const JWT_SECRET: &str = "bench-patrols-signing-key-0123456789abcd";
/// Patrol starts in flight at once.
const START_CONCURRENCY: usize = 64;
/// Time between two fixes of a worker in the ingest phase, and of the dense track.
const STEP: TimeDelta = TimeDelta::seconds(5);
const DENSE_STEP: TimeDelta = TimeDelta::seconds(1);
/// Walking speed, metres per second.
const SPEED_MPS: f64 = 1.5;
/// Points per upload of the dense track: the most a batch may hold.
const DENSE_BATCH: usize = 1_000;
/// Local time of the demo deployment (the working week's offset).
const UTC_OFFSET_SECS: i32 = 8 * 3600;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    // The server's logs (and the causes of 500s) only when asked for: RUST_LOG=warn.
    if std::env::var_os("RUST_LOG").is_some() {
        gridops_api::telemetry::init(gridops_api::settings::LogFormat::Pretty);
    }
    if let Err(e) = run(args).await {
        eprintln!("bench-patrols: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let (backend, backend_name) = match args.backend {
        BackendArg::Sqlite => (Backend::Sqlite, "SQLite"),
        BackendArg::Postgres => (Backend::Postgres, "PostgreSQL"),
    };
    if args.workers == 0 || args.batches == 0 || !(1..=1_000).contains(&args.points) {
        return Err("--workers and --batches at least 1, --points from 1 to 1000".into());
    }
    println!(
        "bench-patrols: {backend_name}, {} workers × {} batches × {} points ({} points); \
         coverage of {} points, {} reads",
        args.workers,
        args.batches,
        args.points,
        args.workers * args.batches * args.points,
        args.coverage_points,
        args.coverage_reads
    );
    // Production defaults but for the signing key, which the bench must know.
    let app = TestApp::spawn_with(backend, |settings| {
        let defaults = gridops_api::Settings::new(settings.database.url.clone());
        settings.workers = defaults.workers;
        settings.database.pool_size = defaults.database.pool_size;
        settings.area_reload_interval = defaults.area_reload_interval;
        settings.jwt_secret = Some(gridops_api::settings::Secret::new(JWT_SECRET.into()));
    })
    .await
    .ok_or("PostgreSQL is unreachable; set GRIDOPS_TEST_POSTGRES_URL")?;
    println!("server on {} ({})", app.base, app.database_url);

    let outcome = bench(&app, backend, &args).await;
    if args.keep {
        println!("kept the database: {}", app.database_url);
        // Never dropped, so never removed; the server stops with the process.
        std::mem::forget(app);
    } else {
        app.stop().await;
    }
    outcome
}

/// A worker of the bench: who, where, and the token their phone sends.
struct Walker {
    user_id: String,
    username: String,
    grid: usize,
    token: String,
}

async fn bench(app: &TestApp, backend: Backend, args: &Args) -> Result<(), String> {
    let db = app.open_db();
    let grids: Vec<Grid> = db
        .run(|conn| {
            Ok(areas::table
                .filter(areas::level.eq("grid"))
                .order(areas::code)
                .select((areas::code, areas::boundary))
                .load::<(String, Option<String>)>(conn)?)
        })
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(code, boundary)| Grid::new(code, boundary.as_deref()))
        .collect::<Result<_, _>>()?;
    if grids.is_empty() {
        return Err("the demo data has no grids".into());
    }

    // The ingest's workers, and one more for the dense track in the first grid.
    let keys = TokenKeys::new(JWT_SECRET.as_bytes(), Duration::from_secs(6 * 3600))
        .map_err(|e| e.to_string())?;
    let walkers = (0..=args.workers)
        .map(|i| {
            let grid = if i == args.workers {
                0
            } else {
                i % grids.len()
            };
            let user_id = Uuid::now_v7().to_string();
            let actor = Actor {
                user_id: user_id.clone(),
                grants: vec![Grant {
                    role: Role::GridWorker,
                    area: Some(AreaCode::parse(&grids[grid].code).map_err(|e| e.to_string())?),
                    party: None,
                }],
            };
            Ok(Walker {
                token: keys.issue(&actor).map_err(|e| e.to_string())?,
                user_id,
                username: format!("bench.walker.{i:05}"),
                grid,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let people: Vec<(String, String, String)> = walkers
        .iter()
        .map(|w| {
            (
                w.user_id.clone(),
                w.username.clone(),
                grids[w.grid].code.clone(),
            )
        })
        .collect();
    let url = app.database_url.clone();
    let loaded = tokio::task::spawn_blocking(move || preload(&url, backend, &people))
        .await
        .map_err(|e| e.to_string())??;
    println!(
        "preload: {} grid workers over {} grids in {:.2} s; settling took {:.2} s",
        walkers.len(),
        grids.len(),
        loaded.elapsed.as_secs_f64(),
        loaded.settle.as_secs_f64()
    );

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.workers + START_CONCURRENCY)
        .timeout(Duration::from_secs(600))
        .build()
        .map_err(|e| e.to_string())?;
    let grids = Arc::new(grids);
    let (dense_walker, walkers) = {
        let mut walkers = walkers;
        let dense = walkers.pop().ok_or("no walkers")?;
        (dense, walkers)
    };

    // ── Phase 1: every worker starts a patrol. ──
    let span = STEP * i32::try_from(args.batches * args.points).map_err(|e| e.to_string())?;
    let started_ago = (span + TimeDelta::minutes(10)).max(TimeDelta::hours(2));
    let started_at = Utc::now() - started_ago;
    let begun = Instant::now();
    let gate = Arc::new(Semaphore::new(START_CONCURRENCY));
    let starts: Vec<_> = walkers
        .iter()
        .map(|w| {
            let (client, gate) = (client.clone(), gate.clone());
            let (url, token) = (app.url("/api/v1/patrols"), w.token.clone());
            let grid = grids[w.grid].code.clone();
            tokio::spawn(async move {
                let _turn = gate.acquire_owned().await.map_err(|e| e.to_string())?;
                let sent = Instant::now();
                let id = start_patrol(&client, &url, &token, &grid, started_at).await?;
                Ok::<_, String>((id, sent.elapsed()))
            })
        })
        .collect();
    let mut patrols = Vec::with_capacity(walkers.len());
    let mut latencies = Vec::with_capacity(walkers.len());
    for start in starts {
        let (id, latency) = start.await.map_err(|e| e.to_string())??;
        patrols.push(id);
        latencies.push(latency);
    }
    let elapsed = begun.elapsed();
    latencies.sort_unstable();
    println!(
        "start: {} patrols in {:.2} s, {:.0} starts/s, {START_CONCURRENCY} in flight; \
         latency p50 {}, p99 {}, max {}",
        patrols.len(),
        elapsed.as_secs_f64(),
        patrols.len() as f64 / elapsed.as_secs_f64(),
        ms(quantile(&latencies, 0.50)),
        ms(quantile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default())
    );

    // ── Phase 2: all workers send their batches at once. ──
    let first_fix = started_at + TimeDelta::seconds(30);
    let bodies: Vec<Vec<String>> = walkers
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let sweep = &grids[w.grid].sweep;
            // Workers of one grid start at different places along its lanes.
            let offset = (i / grids.len()) as f64 * 37.0;
            let fixes: Vec<serde_json::Value> = (0..args.batches * args.points)
                .map(|k| {
                    let (lng, lat) = sweep.at(offset + k as f64 * STEP_METRES);
                    fix(
                        &format!("w{i:05}-{k:05}"),
                        first_fix + STEP * k as i32,
                        lng,
                        lat,
                    )
                })
                .collect();
            fixes
                .chunks(args.points)
                .map(|batch| json!({ "points": batch }).to_string())
                .collect()
        })
        .collect();
    let sent_points = args.workers * args.batches * args.points;
    let begun = Instant::now();
    let tasks: Vec<_> = walkers
        .iter()
        .zip(&patrols)
        .zip(bodies)
        .map(|((w, patrol), bodies)| {
            let client = client.clone();
            let (url, token) = (
                app.url(&format!("/api/v1/patrols/{patrol}/track")),
                w.token.clone(),
            );
            tokio::spawn(async move {
                let mut tally = Tally::default();
                for body in bodies {
                    let sent = Instant::now();
                    let outcome = send_track(&client, &url, &token, body).await;
                    tally.latencies.push(sent.elapsed());
                    tally.add(outcome);
                }
                tally
            })
        })
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        tally.merge(task.await.map_err(|e| e.to_string())?);
    }
    let elapsed = begun.elapsed();
    tally.latencies.sort_unstable();
    println!(
        "ingest: {sent_points} points sent in {} batches by {} workers at once; \
         {} new, {} duplicate, {} refused, {} failed batches",
        tally.latencies.len(),
        walkers.len(),
        tally.new,
        tally.duplicate,
        tally.refused,
        tally.failed.values().sum::<usize>()
    );
    println!(
        "ingest: {:.2} s wall, {:.0} points/s ({:.0} batches/s); batch latency p50 {}, p99 {}, max {}",
        elapsed.as_secs_f64(),
        tally.new as f64 / elapsed.as_secs_f64(),
        tally.latencies.len() as f64 / elapsed.as_secs_f64(),
        ms(quantile(&tally.latencies, 0.50)),
        ms(quantile(&tally.latencies, 0.99)),
        ms(tally.latencies.last().copied().unwrap_or_default())
    );
    tally.report_failures();
    let (stored, cells) = db
        .run(|conn| {
            let stored: i64 = track_points::table.count().get_result(conn)?;
            let cells: i64 = covered_cells::table.count().get_result(conn)?;
            Ok((stored, cells))
        })
        .await
        .map_err(|e| e.to_string())?;
    println!("stored: {stored} track points, {cells} covered-cell rows");
    // Not kept is a failure of the run, reported at the end: the coverage
    // phase still has something to say.
    let shortfall = (tally.new != sent_points || usize::try_from(stored).ok() != Some(sent_points))
        .then(|| {
            format!(
                "{sent_points} points sent, {} kept, {stored} stored",
                tally.new
            )
        });

    // ── Phase 3: a dense track in one grid, then its coverage. ──
    let grid = &grids[dense_walker.grid];
    let dense_span = DENSE_STEP * i32::try_from(args.coverage_points).map_err(|e| e.to_string())?;
    let dense_start = Utc::now() - dense_span - TimeDelta::minutes(10);
    let patrol = start_patrol(
        &client,
        &app.url("/api/v1/patrols"),
        &dense_walker.token,
        &grid.code,
        dense_start,
    )
    .await?;
    let first_fix = dense_start + TimeDelta::seconds(30);
    let fixes: Vec<serde_json::Value> = (0..args.coverage_points)
        .map(|k| {
            let (lng, lat) = grid.sweep.at(k as f64 * DENSE_STEP_METRES);
            fix(
                &format!("dense-{k:06}"),
                first_fix + DENSE_STEP * k as i32,
                lng,
                lat,
            )
        })
        .collect();
    let bodies: Vec<String> = fixes
        .chunks(DENSE_BATCH)
        .map(|batch| json!({ "points": batch }).to_string())
        .collect();
    let track_url = app.url(&format!("/api/v1/patrols/{patrol}/track"));
    let mut dense = Tally::default();
    let begun = Instant::now();
    for body in bodies {
        let sent = Instant::now();
        let outcome = send_track(&client, &track_url, &dense_walker.token, body).await;
        dense.latencies.push(sent.elapsed());
        dense.add(outcome);
    }
    let elapsed = begun.elapsed();
    dense.latencies.sort_unstable();
    println!(
        "dense track: {} points in grid {} ({:.0} × {:.0} m, lanes {LANE_M} m apart), \
         {} batches of up to {DENSE_BATCH} in {:.2} s ({:.0} points/s); {} new, {} refused; \
         batch latency p50 {}, max {}",
        args.coverage_points,
        grid.code,
        grid.sweep.width_m,
        grid.sweep.height_m,
        dense.latencies.len(),
        elapsed.as_secs_f64(),
        dense.new as f64 / elapsed.as_secs_f64(),
        dense.new,
        dense.refused,
        ms(quantile(&dense.latencies, 0.50)),
        ms(dense.latencies.last().copied().unwrap_or_default())
    );
    dense.report_failures();
    if dense.new != args.coverage_points {
        return Err(format!(
            "{} points of the dense track sent, {} kept{}",
            args.coverage_points,
            dense.new,
            shortfall
                .map(|s| format!("; ingest: {s}"))
                .unwrap_or_default()
        ));
    }

    let local = FixedOffset::east_opt(UTC_OFFSET_SECS).ok_or("UTC+8")?;
    let from = first_fix.with_timezone(&local).date_naive();
    let to = (first_fix + DENSE_STEP * args.coverage_points as i32)
        .with_timezone(&local)
        .date_naive();
    let (code, rows_read) = (grid.code.clone(), grid.code.clone());
    let rows: i64 = db
        .run(move |conn| {
            Ok(covered_cells::table
                .filter(covered_cells::grid_code.eq(rows_read))
                .filter(covered_cells::day.between(from, to))
                .count()
                .get_result(conn)?)
        })
        .await
        .map_err(|e| e.to_string())?;
    let coverage_url = app.url(&format!(
        "/api/v1/grids/{code}/coverage?from={from}&to={to}"
    ));
    let mut latencies = Vec::with_capacity(args.coverage_reads);
    let mut view = serde_json::Value::Null;
    let mut bytes = 0;
    for _ in 0..args.coverage_reads {
        let sent = Instant::now();
        let response = client
            .get(&coverage_url)
            .bearer_auth(&dense_walker.token)
            .send()
            .await
            .map_err(|e| format!("coverage not read: {e}"))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        latencies.push(sent.elapsed());
        if status != StatusCode::OK {
            return Err(format!(
                "coverage: {status} {}",
                String::from_utf8_lossy(&body)
            ));
        }
        if view.is_null() {
            bytes = body.len();
            view = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        }
    }
    latencies.sort_unstable();
    println!(
        "coverage: grid {code}, {from} to {to} ({rows} covered-cell rows): {} cells, {} covered, \
         share {:.3}; answer {bytes} bytes",
        view["cells"],
        view["covered"],
        view["coverage"].as_f64().unwrap_or_default()
    );
    println!(
        "coverage: {} reads one at a time, latency p50 {}, p99 {}, max {}",
        latencies.len(),
        ms(quantile(&latencies, 0.50)),
        ms(quantile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default())
    );
    match shortfall {
        Some(s) => Err(format!("ingest: {s}")),
        None => Ok(()),
    }
}

// ── Requests ────────────────────────────────────────────────────────────────────────────

/// Starts a patrol of `grid` as the token's walker; its id.
async fn start_patrol(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    grid: &str,
    started_at: DateTime<Utc>,
) -> Result<String, String> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .header("Idempotency-Key", Uuid::now_v7().to_string())
        .json(&json!({
            "grids": [grid],
            "started_at": started_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }))
        .send()
        .await
        .map_err(|e| format!("a patrol was not started: {e}"))?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    if status != StatusCode::CREATED {
        return Err(format!("a patrol start was refused: {status} {body}"));
    }
    body["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("a started patrol without an id: {body}"))
}

/// A fix 8 m accurate, as a phone's GPS gives outdoors.
fn fix(id: &str, at: DateTime<Utc>, lng: f64, lat: f64) -> serde_json::Value {
    let round = |v: f64| (v * 1e7).round() / 1e7;
    json!({
        "id": id,
        "at": at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "lat": round(lat),
        "lng": round(lng),
        "accuracy_m": 8.0,
        "source": "gps",
    })
}

/// The receipt's counts (new, duplicate, refused), or what went wrong.
type Receipt = Result<(usize, usize, usize), (Option<StatusCode>, String)>;

async fn send_track(client: &reqwest::Client, url: &str, token: &str, body: String) -> Receipt {
    let response = client
        .post(url)
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| (None, e.to_string()))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| (Some(status), e.to_string()))?;
    if status != StatusCode::OK {
        let text = String::from_utf8_lossy(&bytes);
        return Err((Some(status), text.chars().take(300).collect()));
    }
    let receipt: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| (Some(status), e.to_string()))?;
    let count = |field: &str| receipt[field].as_u64().unwrap_or(0) as usize;
    Ok((count("new"), count("duplicate"), count("refused")))
}

/// What a set of uploads came to.
#[derive(Debug, Default)]
struct Tally {
    new: usize,
    duplicate: usize,
    refused: usize,
    latencies: Vec<Duration>,
    /// Failed uploads by status (`None`: no answer), with the first answer.
    failed: BTreeMap<Option<u16>, usize>,
    first_failure: Option<String>,
}

impl Tally {
    fn add(&mut self, receipt: Receipt) {
        match receipt {
            Ok((new, duplicate, refused)) => {
                self.new += new;
                self.duplicate += duplicate;
                self.refused += refused;
            }
            Err((status, text)) => {
                *self.failed.entry(status.map(|s| s.as_u16())).or_default() += 1;
                self.first_failure
                    .get_or_insert_with(|| format!("{status:?}: {text}"));
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.new += other.new;
        self.duplicate += other.duplicate;
        self.refused += other.refused;
        self.latencies.extend(other.latencies);
        for (status, n) in other.failed {
            *self.failed.entry(status).or_default() += n;
        }
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }

    fn report_failures(&self) {
        if self.failed.is_empty() {
            return;
        }
        let by_status: Vec<String> = self
            .failed
            .iter()
            .map(|(status, n)| match status {
                Some(s) => format!("{n} × {s}"),
                None => format!("{n} × no answer"),
            })
            .collect();
        println!("  failed batches: {}", by_status.join(", "));
        if let Some(first) = &self.first_failure {
            println!("  first failure: {first}");
        }
    }
}

// ── Walks ───────────────────────────────────────────────────────────────────────────────

/// Metres between two fixes: the walking speed times the time between them.
const STEP_METRES: f64 = SPEED_MPS * 5.0;
const DENSE_STEP_METRES: f64 = SPEED_MPS * 1.0;
/// Lanes of a sweep are this far apart: within the cover radius (20 m) of
/// every cell centre between them.
const LANE_M: f64 = 20.0;
/// A walk keeps this far inside its grid's edges.
const INSET_M: f64 = 5.0;

/// A demo grid and the walk that sweeps it.
struct Grid {
    code: String,
    sweep: Sweep,
}

impl Grid {
    /// The grid with its bounding box, from the boundary the server stores
    /// (GeoJSON); the demo grids are rectangles.
    fn new(code: String, boundary: Option<&str>) -> Result<Grid, String> {
        let boundary = boundary.ok_or_else(|| format!("grid {code} has no boundary"))?;
        let geometry: serde_json::Value =
            serde_json::from_str(boundary).map_err(|e| format!("grid {code}: {e}"))?;
        let mut bounds = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        extend_bounds(&geometry["coordinates"], &mut bounds);
        if bounds[0] >= bounds[2] || bounds[1] >= bounds[3] {
            return Err(format!("grid {code}: no area in its boundary"));
        }
        Ok(Grid {
            code,
            sweep: Sweep::new(bounds),
        })
    }
}

/// Grows `bounds` (west, south, east, north) by every position in nested
/// GeoJSON coordinates.
fn extend_bounds(coordinates: &serde_json::Value, bounds: &mut [f64; 4]) {
    let Some(items) = coordinates.as_array() else {
        return;
    };
    if let [lng, lat, ..] = &items[..]
        && let (Some(lng), Some(lat)) = (lng.as_f64(), lat.as_f64())
    {
        *bounds = [
            bounds[0].min(lng),
            bounds[1].min(lat),
            bounds[2].max(lng),
            bounds[3].max(lat),
        ];
        return;
    }
    for item in items {
        extend_bounds(item, bounds);
    }
}

/// A walk up and down north–south lanes across a rectangle, and back the
/// same way once at the end: where a walker is after so many metres.
struct Sweep {
    west: f64,
    south: f64,
    metres_per_lng: f64,
    metres_per_lat: f64,
    width_m: f64,
    height_m: f64,
    /// Corners of the walk, metres east and north of the south-west corner.
    corners: Vec<(f64, f64)>,
    length_m: f64,
}

impl Sweep {
    fn new([west, south, east, north]: [f64; 4]) -> Sweep {
        let metres_per_lng = 111_320.0 * ((south + north) / 2.0).to_radians().cos();
        let metres_per_lat = 110_574.0;
        let (width_m, height_m) = (
            (east - west) * metres_per_lng,
            (north - south) * metres_per_lat,
        );
        let (bottom, top) = if height_m > 2.0 * INSET_M {
            (INSET_M, height_m - INSET_M)
        } else {
            (height_m / 2.0, height_m / 2.0)
        };
        let mut lanes = Vec::new();
        if width_m > 2.0 * INSET_M {
            let mut x = INSET_M;
            while x <= width_m - INSET_M {
                lanes.push(x);
                x += LANE_M;
            }
        } else {
            lanes.push(width_m / 2.0);
        }
        let mut corners = Vec::with_capacity(2 * lanes.len());
        for (j, x) in lanes.into_iter().enumerate() {
            if j % 2 == 0 {
                corners.extend([(x, bottom), (x, top)]);
            } else {
                corners.extend([(x, top), (x, bottom)]);
            }
        }
        let length_m = corners
            .windows(2)
            .map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1))
            .sum();
        Sweep {
            west,
            south,
            metres_per_lng,
            metres_per_lat,
            width_m,
            height_m,
            corners,
            length_m,
        }
    }

    /// (lng, lat) after walking `distance` metres, turning back at either end.
    fn at(&self, distance: f64) -> (f64, f64) {
        let mut d = if self.length_m > 0.0 {
            let d = distance.rem_euclid(2.0 * self.length_m);
            if d > self.length_m {
                2.0 * self.length_m - d
            } else {
                d
            }
        } else {
            0.0
        };
        let (mut x, mut y) = self.corners[0];
        for w in self.corners.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let leg = (x1 - x0).hypot(y1 - y0);
            if d <= leg {
                let t = if leg > 0.0 { d / leg } else { 0.0 };
                (x, y) = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
                break;
            }
            d -= leg;
            (x, y) = (x1, y1);
        }
        (
            self.west + x / self.metres_per_lng,
            self.south + y / self.metres_per_lat,
        )
    }
}

// ── Preload ─────────────────────────────────────────────────────────────────────────────

/// Rows per INSERT on SQLite: at most 9 columns, under its 32,766 variables.
const SQLITE_ROWS_PER_INSERT: usize = 2_000;

struct Preloaded {
    elapsed: Duration,
    /// VACUUM ANALYZE on PostgreSQL, a WAL checkpoint on SQLite.
    settle: Duration,
}

/// The workers (id, username, grid) with their role, in one transaction.
fn preload(
    url: &str,
    backend: Backend,
    people: &[(String, String, String)],
) -> Result<Preloaded, String> {
    let started = Instant::now();
    let now = gridops_infra::repo::now();
    let users: Vec<NewUser> = people
        .iter()
        .enumerate()
        .map(|(i, (id, username, _))| NewUser {
            id: id.clone(),
            username: username.clone(),
            display_name: format!("网格员{i}"),
            phone: None,
            locale: "zh-CN",
            // Not a hash of anything: these accounts never sign in.
            password_hash: "!",
            disabled: false,
            created_at: now,
            updated_at: now,
        })
        .collect();
    let grants: Vec<NewGrant> = people
        .iter()
        .map(|(id, _, grid)| NewGrant {
            id: Uuid::now_v7().to_string(),
            user_id: id.clone(),
            role: Role::GridWorker.as_str(),
            area_code: Some(grid.clone()),
            party_code: None,
            created_at: now,
        })
        .collect();
    let fail = |e: diesel::result::Error| format!("preload: {e}");
    let settling = match backend {
        Backend::Postgres => {
            let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
            conn.transaction(|conn| {
                diesel::copy_from(users::table)
                    .from_insertable(&users)
                    .execute(conn)?;
                diesel::copy_from(role_assignments::table)
                    .from_insertable(&grants)
                    .execute(conn)?;
                Ok(())
            })
            .map_err(fail)?;
            let settling = Instant::now();
            // One statement per call: VACUUM refuses a multi-statement string.
            for table in ["users", "role_assignments"] {
                conn.batch_execute(&format!("VACUUM ANALYZE {table}"))
                    .map_err(fail)?;
            }
            settling
        }
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(url).map_err(|e| e.to_string())?;
            // What the server sets.
            conn.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            )
            .map_err(fail)?;
            conn.immediate_transaction(|conn| {
                for chunk in users.chunks(SQLITE_ROWS_PER_INSERT) {
                    diesel::insert_into(users::table)
                        .values(chunk)
                        .execute(conn)?;
                }
                for chunk in grants.chunks(SQLITE_ROWS_PER_INSERT) {
                    diesel::insert_into(role_assignments::table)
                        .values(chunk)
                        .execute(conn)?;
                }
                Ok(())
            })
            .map_err(fail)?;
            let settling = Instant::now();
            conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(fail)?;
            settling
        }
    };
    Ok(Preloaded {
        elapsed: settling - started,
        settle: settling.elapsed(),
    })
}
