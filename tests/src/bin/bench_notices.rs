//! `bench-notices`: one notice fanned out to every phone of a community,
//! through the real server and a fake Firebase on loopback.
//!
//! Starts the real server in-process on its own fresh database (a temporary
//! SQLite file, or a new PostgreSQL database dropped at the end) with the demo
//! data and its push delivery pointed at [`FakeFcm`]; preloads N residents of
//! one community, each with one phone, straight into the database (`COPY` on
//! PostgreSQL, multi-row `INSERT`s on SQLite); then the community's
//! dispatcher posts one notice (`POST /api/v1/notices`), whose transaction
//! writes N inbox entries and N outbox rows, and the bench waits until the
//! fake has accepted N messages and the outbox holds nothing pending.
//!
//! Printed: the post's latency (the HTTP call, which commits the fan-out);
//! messages per second from the commit to the last acceptance; each
//! message's latency from the commit to its acceptance (p50, p99, max); and
//! how many distinct messages were delivered, which must equal the phones.
//! The commit is taken to be the moment the post's answer arrived: it comes
//! a little later, so the latencies are slightly understated; a message
//! accepted before the answer counts as 0 (their number is printed).
//!
//! ```sh
//! cargo run --release -p gridops-tests --bin bench-notices -- \
//!     --backend sqlite --devices 50000 --workers 1 --concurrency 64
//! cargo run --release -p gridops-tests --bin bench-notices -- \
//!     --backend postgres --devices 50000 --workers 1 --concurrency 64
//! ```

use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use gridops_domain::role::Role;
use gridops_infra::repo::notifications as repo;
use gridops_infra::schema::{devices, role_assignments, users};
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

/// Fan-out of one notice to N phones through the fake FCM.
#[derive(Debug, Parser)]
#[command(name = "bench-notices")]
struct Args {
    #[arg(long, value_enum)]
    backend: BackendArg,
    /// Residents of the community, each with one phone.
    #[arg(long, default_value_t = 50_000)]
    devices: usize,
    /// Delivery workers in the server.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Sends to FCM in flight at once (the server's `max_in_flight`).
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Pushes a worker claims at once.
    #[arg(long, default_value_t = 200)]
    batch: i64,
    /// Batches a worker has out at once (claimed and sending while the
    /// last is recorded); the server's default when not given.
    #[arg(long)]
    batches_in_flight: Option<usize>,
    /// Give up waiting for the fan-out after this long.
    #[arg(long, default_value_t = 900)]
    timeout_secs: u64,
    /// Leave the database behind (its URL is printed), to look at it afterwards.
    #[arg(long)]
    keep: bool,
}

/// The community the residents live in, and its dispatcher.
const COMMUNITY: &str = "410102003001";
const DISPATCHER: &str = "dispatcher.hanghaixilu";

#[tokio::main]
async fn main() {
    let args = Args::parse();
    // The server's logs only when asked for: RUST_LOG=warn.
    if std::env::var_os("RUST_LOG").is_some() {
        gridops_api::telemetry::init(gridops_api::settings::LogFormat::Pretty);
    }
    if let Err(e) = run(args).await {
        eprintln!("bench-notices: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let (backend, backend_name) = match args.backend {
        BackendArg::Sqlite => (Backend::Sqlite, "SQLite"),
        BackendArg::Postgres => (Backend::Postgres, "PostgreSQL"),
    };
    let in_flight = args
        .batches_in_flight
        .unwrap_or(gridops_infra::delivery::DeliverySettings::default().batches_in_flight);
    println!(
        "bench-notices: {backend_name}, {} phones, {} delivery worker(s), {} sends in flight, batches of {}, {in_flight} batch(es) out per worker",
        args.devices, args.workers, args.concurrency, args.batch
    );
    let fcm = FakeFcm::start().await;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let account = fcm.write_service_account(dir.path());
    let endpoint = fcm.endpoint();
    let (workers, concurrency, batch) = (args.workers, args.concurrency, args.batch);
    // Production defaults but for the push settings under test.
    let app = TestApp::spawn_with(backend, move |settings| {
        let defaults = gridops_api::Settings::new(settings.database.url.clone());
        settings.workers = defaults.workers;
        settings.database.pool_size = defaults.database.pool_size;
        settings.area_reload_interval = defaults.area_reload_interval;
        settings.push.fcm_service_account = Some(account);
        settings.push.fcm_endpoint = Some(endpoint);
        settings.push.workers = workers;
        settings.push.max_in_flight = concurrency;
        settings.push.delivery.batch = batch;
        settings.push.delivery.batches_in_flight = in_flight;
    })
    .await
    .ok_or("PostgreSQL is unreachable; set GRIDOPS_TEST_POSTGRES_URL")?;
    println!("server on {} ({})", app.base, app.database_url);

    let outcome = bench(&app, &fcm, backend, &args).await;
    if args.keep {
        println!("kept the database: {}", app.database_url);
        // Never dropped, so never removed; the server stops with the process.
        std::mem::forget(app);
    } else {
        app.stop().await;
    }
    outcome
}

async fn bench(app: &TestApp, fcm: &FakeFcm, backend: Backend, args: &Args) -> Result<(), String> {
    let (url, n) = (app.database_url.clone(), args.devices);
    let loaded = tokio::task::spawn_blocking(move || preload(&url, backend, n))
        .await
        .map_err(|e| e.to_string())??;
    println!(
        "preload: {n} residents with a phone each in {:.1} s; settling took {:.1} s",
        loaded.elapsed.as_secs_f64(),
        loaded.settle.as_secs_f64()
    );

    let dispatcher = app.client_for(&app.login(DISPATCHER).await.access_token);
    let posted = Instant::now();
    let response = dispatcher
        .post(app.url("/api/v1/notices"))
        .header("Idempotency-Key", Uuid::now_v7().to_string())
        .json(&json!({
            "area": COMMUNITY,
            "audience": ["residents"],
            "title": "停水通知",
            "body": "因管网检修，明日9时至17时观澜社区停水，请提前储水。",
        }))
        .send()
        .await
        .map_err(|e| format!("the notice was not posted: {e}"))?;
    let committed = Instant::now();
    let status = response.status();
    let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
    if status.as_u16() != 201 {
        return Err(format!("the notice was refused: {status} {body}"));
    }
    println!(
        "post: {} (201, {} recipients)",
        ms(committed - posted),
        body["recipients"]
    );

    let deliveries =
        await_deliveries(fcm, n, committed, Duration::from_secs(args.timeout_secs)).await?;
    let all_accepted = committed.elapsed();

    // And for the outbox to record every one of them as sent.
    let deadline = committed + Duration::from_secs(args.timeout_secs);
    let db = app.open_db();
    let pending = loop {
        let depth = db
            .run(|conn| repo::depth(conn, gridops_infra::repo::now()))
            .await
            .map_err(|e| e.to_string())?;
        if depth.pending == 0 || Instant::now() > deadline {
            break depth.pending;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let all_recorded = committed.elapsed();

    let early = deliveries.iter().filter(|d| d.at < committed).count();
    let (distinct, latencies) = delivered(&deliveries, committed);
    let last = latencies.last().copied().unwrap_or_default();
    let requests = fcm.requests_at().len();
    println!(
        "delivered: {} messages ({} distinct ids) for {n} phones; {requests} send requests",
        deliveries.len(),
        distinct,
    );
    println!(
        "throughput: {:.0} messages/s from commit to the last acceptance ({:.2} s)",
        deliveries.len() as f64 / last.as_secs_f64().max(1e-9),
        last.as_secs_f64()
    );
    println!(
        "commit → accepted: p50 {}, p99 {}, max {} ({early} accepted before the post's answer arrived)",
        ms(quantile(&latencies, 0.50)),
        ms(quantile(&latencies, 0.99)),
        ms(last)
    );
    println!(
        "all accepted {:.2} s after the commit; all recorded as sent after {:.2} s ({pending} pending)",
        all_accepted.as_secs_f64(),
        all_recorded.as_secs_f64()
    );
    if distinct != n || pending != 0 {
        return Err(format!(
            "{} distinct messages delivered for {n} phones, {pending} still pending",
            distinct
        ));
    }
    Ok(())
}

// ── Preload ─────────────────────────────────────────────────────────────────────────────

/// Residents per transaction.
const PRELOAD_BATCH: usize = 10_000;
/// Rows per INSERT on SQLite: at most 9 columns, under its 32,766 variables.
const SQLITE_ROWS_PER_INSERT: usize = 2_000;

struct Preloaded {
    elapsed: Duration,
    /// VACUUM ANALYZE on PostgreSQL, a WAL checkpoint on SQLite.
    settle: Duration,
}

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
                     PRAGMA cache_size = -262144;",
                )
                .map_err(|e| e.to_string())?;
                Writer::Sqlite(conn)
            }
        })
    }

    /// One batch of residents with their role and phone, in one transaction.
    fn write(
        &mut self,
        people: &[NewUser],
        grants: &[NewGrant],
        phones: &[NewDevice],
    ) -> QueryResult<()> {
        match self {
            Writer::Postgres(conn) => conn.transaction(|conn| {
                diesel::copy_from(users::table)
                    .from_insertable(people)
                    .execute(conn)?;
                diesel::copy_from(role_assignments::table)
                    .from_insertable(grants)
                    .execute(conn)?;
                diesel::copy_from(devices::table)
                    .from_insertable(phones)
                    .execute(conn)?;
                Ok(())
            }),
            Writer::Sqlite(conn) => conn.immediate_transaction(|conn| {
                for chunk in people.chunks(SQLITE_ROWS_PER_INSERT) {
                    diesel::insert_into(users::table)
                        .values(chunk)
                        .execute(conn)?;
                }
                for chunk in grants.chunks(SQLITE_ROWS_PER_INSERT) {
                    diesel::insert_into(role_assignments::table)
                        .values(chunk)
                        .execute(conn)?;
                }
                for chunk in phones.chunks(SQLITE_ROWS_PER_INSERT) {
                    diesel::insert_into(devices::table)
                        .values(chunk)
                        .execute(conn)?;
                }
                Ok(())
            }),
        }
    }

    /// What a database that grew to this size would have done by itself.
    fn settle(&mut self) -> QueryResult<()> {
        match self {
            Writer::Postgres(conn) => {
                for table in ["users", "role_assignments", "devices"] {
                    conn.batch_execute(&format!("VACUUM ANALYZE {table}"))?;
                }
                Ok(())
            }
            Writer::Sqlite(conn) => conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);"),
        }
    }
}

fn preload(url: &str, backend: Backend, n: usize) -> Result<Preloaded, String> {
    let mut writer = Writer::open(url, backend)?;
    let started = Instant::now();
    let now = gridops_infra::repo::now();
    for from in (0..n).step_by(PRELOAD_BATCH) {
        let range = from..(from + PRELOAD_BATCH).min(n);
        let ids: Vec<String> = range.clone().map(|_| Uuid::now_v7().to_string()).collect();
        let people: Vec<NewUser> = range
            .clone()
            .zip(&ids)
            .map(|(i, id)| NewUser {
                id: id.clone(),
                username: format!("bench.resident.{i:06}"),
                display_name: format!("观澜居民{i}"),
                phone: None,
                locale: "zh-CN",
                // Not a hash of anything: these accounts never sign in.
                password_hash: "!",
                disabled: false,
                created_at: now,
                updated_at: now,
            })
            .collect();
        let grants: Vec<NewGrant> = ids
            .iter()
            .map(|id| NewGrant {
                id: Uuid::now_v7().to_string(),
                user_id: id.clone(),
                role: Role::Resident.as_str(),
                area_code: Some(COMMUNITY.to_owned()),
                party_code: None,
                created_at: now,
            })
            .collect();
        let phones: Vec<NewDevice> = range
            .zip(&ids)
            .map(|(i, id)| NewDevice {
                id: Uuid::now_v7().to_string(),
                user_id: id.clone(),
                // The length and shape of a real FCM registration token.
                token: format!("bench{i:06}:APA91bH{}", "x".repeat(140)),
                platform: "android",
                locale: "zh-CN",
                app_version: Some("2.3.1"),
                created_at: now,
                updated_at: now,
            })
            .collect();
        writer
            .write(&people, &grants, &phones)
            .map_err(|e| format!("preload at resident {from}: {e}"))?;
    }
    let elapsed = started.elapsed();
    let settling = Instant::now();
    writer.settle().map_err(|e| format!("after preload: {e}"))?;
    Ok(Preloaded {
        elapsed,
        settle: settling.elapsed(),
    })
}
