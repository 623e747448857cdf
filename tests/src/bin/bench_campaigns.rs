//! `bench-campaigns`: a campaign started over 10,000 grids, through the
//! real server, its pushes delivered through a fake Firebase on loopback.
//!
//! Starts the real server in-process on its own fresh database (a temporary
//! SQLite file, or a new PostgreSQL database dropped at the end) with the
//! demo data and its push delivery pointed at [`FakeFcm`]; preloads straight
//! into the database a subdistrict of `--grids` grids (in communities of 500)
//! and, for each grid, `--workers-per-grid` grid workers and one chief, each
//! with a phone; waits for the server's area map to take the new areas in;
//! then the administrator starts the demo blizzard checklist over the
//! subdistrict (`POST /api/v1/campaigns`), whose transaction writes one task
//! per grid, one inbox entry and one push per worker and chief. The bench
//! then waits until the fake has accepted every push.
//!
//! Printed: the time to commit the POST (its answer arrived), tasks per
//! second of it, and pushes delivered per second from the commit to the last
//! acceptance (with the p50/p99 of commit → accepted).
//!
//! ```sh
//! cargo run --release -p gridops-tests --bin bench-campaigns -- --backend sqlite
//! cargo run --release -p gridops-tests --bin bench-campaigns -- --backend postgres
//! ```

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use clap::{Parser, ValueEnum};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use gridops_domain::role::Role;
use gridops_infra::schema::{area_revisions, areas, devices, role_assignments, users};
use gridops_tests::bench::{
    NewDevice, NewGrant, NewUser, await_deliveries, delivered, ms, quantile,
};
use gridops_tests::fake_fcm::FakeFcm;
use gridops_tests::{Backend, TestApp, json};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    Sqlite,
    Postgres,
}

/// A campaign over N grids, its pushes through the fake FCM.
#[derive(Debug, Parser)]
#[command(name = "bench-campaigns")]
struct Args {
    #[arg(long, value_enum)]
    backend: BackendArg,
    /// Grids of the subdistrict.
    #[arg(long, default_value_t = 10_000)]
    grids: usize,
    /// Grid workers of each grid (each grid also has one chief).
    #[arg(long, default_value_t = 3)]
    workers_per_grid: usize,
    /// Delivery workers in the server.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Sends to FCM in flight at once (the server's `max_in_flight`).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Pushes a worker claims at once.
    #[arg(long, default_value_t = 200)]
    batch: i64,
    /// Give up waiting for the pushes after this long.
    #[arg(long, default_value_t = 900)]
    timeout_secs: u64,
}

/// A subdistrict of 中原区 the demo does not have.
const SUBDISTRICT: &str = "410102900";
const GRIDS_PER_COMMUNITY: usize = 500;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if std::env::var_os("RUST_LOG").is_some() {
        gridops_api::telemetry::init(gridops_api::settings::LogFormat::Pretty);
    }
    if let Err(e) = run(args).await {
        eprintln!("bench-campaigns: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let (backend, backend_name) = match args.backend {
        BackendArg::Sqlite => (Backend::Sqlite, "SQLite"),
        BackendArg::Postgres => (Backend::Postgres, "PostgreSQL"),
    };
    println!(
        "bench-campaigns: {backend_name}, {} grids × ({} workers + 1 chief), {} delivery worker(s), {} sends in flight, batches of {}",
        args.grids, args.workers_per_grid, args.workers, args.concurrency, args.batch
    );
    let fcm = FakeFcm::start().await;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let account = fcm.write_service_account(dir.path());
    let endpoint = fcm.endpoint();
    let (workers, concurrency, batch) = (args.workers, args.concurrency, args.batch);
    let app = TestApp::spawn_with(backend, move |settings| {
        let defaults = gridops_api::Settings::new(settings.database.url.clone());
        settings.workers = defaults.workers;
        settings.database.pool_size = defaults.database.pool_size;
        // Quick to see the preloaded areas.
        settings.area_reload_interval = Duration::from_millis(200);
        settings.push.fcm_service_account = Some(account);
        settings.push.fcm_endpoint = Some(endpoint);
        settings.push.workers = workers;
        settings.push.max_in_flight = concurrency;
        settings.push.delivery.batch = batch;
    })
    .await
    .ok_or("PostgreSQL is unreachable; set GRIDOPS_TEST_POSTGRES_URL")?;
    println!("server on {} ({})", app.base, app.database_url);
    let outcome = bench(&app, &fcm, backend, &args).await;
    app.stop().await;
    outcome
}

async fn bench(app: &TestApp, fcm: &FakeFcm, backend: Backend, args: &Args) -> Result<(), String> {
    let (url, grids, per_grid) = (app.database_url.clone(), args.grids, args.workers_per_grid);
    let loaded = tokio::task::spawn_blocking(move || preload(&url, backend, grids, per_grid))
        .await
        .map_err(|e| e.to_string())??;
    let phones = grids * (per_grid + 1);
    println!(
        "preload: {grids} grids, {phones} workers and chiefs with a phone each, in {:.1} s",
        loaded.as_secs_f64()
    );
    // The server rebuilds its in-memory area map when it sees the revision
    // move; until then the new subdistrict is unknown to a campaign (404),
    // so the POST is retried, and only the one that is taken is timed.
    let due = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let waited = Instant::now();
    let (started, committed, body) = loop {
        let started = Instant::now();
        let response = app
            .client
            .post(app.url("/api/v1/campaigns"))
            .header("Idempotency-Key", Uuid::now_v7().to_string())
            .json(&json!({
                "template": "demo-blizzard",
                "area": SUBDISTRICT,
                "due_at": due,
                "trigger": {"kind": "weather_warning", "signal": "blizzard", "level": "red"},
            }))
            .send()
            .await
            .map_err(|e| format!("the campaign was not started: {e}"))?;
        let committed = Instant::now();
        let status = response.status();
        let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
        if status.as_u16() == 201 {
            break (started, committed, body);
        }
        if status.as_u16() != 404 || waited.elapsed() > Duration::from_secs(60) {
            return Err(format!("the campaign was refused: {status} {body}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let tasks = body["totals"]["grids"].as_u64().unwrap_or(0);
    let took = committed - started;
    println!(
        "POST /api/v1/campaigns: {} to commit (201, {tasks} tasks) — {:.0} tasks/s",
        ms(took),
        tasks as f64 / took.as_secs_f64().max(1e-9)
    );

    let deliveries = await_deliveries(
        fcm,
        phones,
        committed,
        Duration::from_secs(args.timeout_secs),
    )
    .await?;
    let (distinct, latencies) = delivered(&deliveries, committed);
    let last = latencies.last().copied().unwrap_or_default();
    println!(
        "pushes: {} delivered ({} distinct) for {phones} phones — {:.0} pushes/s from the commit to the last ({:.2} s)",
        deliveries.len(),
        distinct,
        deliveries.len() as f64 / last.as_secs_f64().max(1e-9),
        last.as_secs_f64()
    );
    println!(
        "commit → accepted: p50 {}, p99 {}, max {}",
        ms(quantile(&latencies, 0.50)),
        ms(quantile(&latencies, 0.99)),
        ms(last)
    );
    if distinct != phones || tasks as usize != grids {
        return Err(format!(
            "{} distinct pushes for {phones} phones, {tasks} tasks for {grids} grids",
            distinct
        ));
    }
    Ok(())
}

// ── Preload ─────────────────────────────────────────────────────────────────────────────

#[derive(Insertable)]
#[diesel(table_name = areas, treat_none_as_default_value = false)]
struct NewArea {
    code: String,
    name: String,
    name_en: String,
    level: &'static str,
    parent_code: Option<String>,
    boundary: Option<String>,
    synthetic: bool,
    updated_at: NaiveDateTime,
}

/// Rows per INSERT on SQLite: at most 9 columns, under its 32,766 variables.
const SQLITE_ROWS: usize = 2_000;

macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks(SQLITE_ROWS) {
            diesel::insert_into($table).values(chunk).execute($conn)?;
        }
    };
}

fn preload(url: &str, backend: Backend, grids: usize, per_grid: usize) -> Result<Duration, String> {
    let started = Instant::now();
    let now = gridops_infra::repo::now();
    let area = |code: String, level: &'static str, parent: &str| NewArea {
        name: format!("压测{code}"),
        name_en: format!("Bench {code}"),
        code,
        level,
        parent_code: Some(parent.to_owned()),
        boundary: None,
        synthetic: true,
        updated_at: now,
    };
    let mut tree = vec![area(SUBDISTRICT.to_owned(), "subdistrict", "410102")];
    let mut grid_codes = Vec::with_capacity(grids);
    for g in 0..grids {
        let community = format!("{SUBDISTRICT}{:03}", g / GRIDS_PER_COMMUNITY + 1);
        if g % GRIDS_PER_COMMUNITY == 0 {
            tree.push(area(community.clone(), "community", SUBDISTRICT));
        }
        let code = format!("{community}{:03}", g % GRIDS_PER_COMMUNITY + 1);
        tree.push(area(code.clone(), "grid", &community));
        grid_codes.push(code);
    }
    let (mut people, mut grants, mut phones) = (Vec::new(), Vec::new(), Vec::new());
    for (g, grid) in grid_codes.iter().enumerate() {
        for k in 0..=per_grid {
            let id = Uuid::now_v7().to_string();
            let role = if k == per_grid {
                Role::GridChief
            } else {
                Role::GridWorker
            };
            people.push(NewUser {
                id: id.clone(),
                username: format!("bench.grid{g:05}.{k}"),
                display_name: format!("网格员{g}-{k}"),
                phone: None,
                locale: if k % 2 == 0 { "zh-CN" } else { "en" },
                password_hash: "!",
                disabled: false,
                created_at: now,
                updated_at: now,
            });
            grants.push(NewGrant {
                id: Uuid::now_v7().to_string(),
                user_id: id.clone(),
                role: role.as_str(),
                area_code: Some(grid.clone()),
                party_code: None,
                created_at: now,
            });
            phones.push(NewDevice {
                id: Uuid::now_v7().to_string(),
                user_id: id,
                token: format!("bench{g:05}x{k}:APA91bH{}", "x".repeat(140)),
                platform: "android",
                locale: "zh-CN",
                app_version: Some("2.3.1"),
                created_at: now,
                updated_at: now,
            });
        }
    }
    let bump = |revision: area_revisions::revision| {
        diesel::update(area_revisions::table.find(1)).set((
            area_revisions::revision.eq(revision + 1),
            area_revisions::changed_at.eq(now),
        ))
    };
    match backend {
        Backend::Postgres => {
            let mut conn = PgConnection::establish(url).map_err(|e| e.to_string())?;
            conn.transaction(|conn| {
                diesel::copy_from(areas::table)
                    .from_insertable(&tree)
                    .execute(conn)?;
                diesel::copy_from(users::table)
                    .from_insertable(&people)
                    .execute(conn)?;
                diesel::copy_from(role_assignments::table)
                    .from_insertable(&grants)
                    .execute(conn)?;
                diesel::copy_from(devices::table)
                    .from_insertable(&phones)
                    .execute(conn)?;
                bump(area_revisions::revision).execute(conn)?;
                QueryResult::Ok(())
            })
            .map_err(|e| format!("preload: {e}"))?;
            for table in ["areas", "users", "role_assignments", "devices"] {
                conn.batch_execute(&format!("VACUUM ANALYZE {table}"))
                    .map_err(|e| e.to_string())?;
            }
        }
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(url).map_err(|e| e.to_string())?;
            conn.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                 PRAGMA cache_size = -262144;",
            )
            .map_err(|e| e.to_string())?;
            conn.immediate_transaction(|conn| {
                insert_all!(conn, areas::table, tree);
                insert_all!(conn, users::table, people);
                insert_all!(conn, role_assignments::table, grants);
                insert_all!(conn, devices::table, phones);
                bump(area_revisions::revision).execute(conn)?;
                QueryResult::Ok(())
            })
            .map_err(|e| format!("preload: {e}"))?;
            conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(started.elapsed())
}
