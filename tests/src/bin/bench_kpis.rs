//! `bench-kpis`: the KPI table at city scale, over HTTP.
//!
//! Starts the real server in-process on a fresh database with the demo
//! areas, parties and categories; stores N synthetic case facts (a year of
//! reports over the demo grids and categories, each with a plausible
//! history: dispatched, acknowledged in time or not, extended, suspended,
//! ledgered, closed in time or late, reworked, rated) and sums them into
//! the daily counters with the documented refresh (`repo::stats::recount`,
//! what `gridops stats rebuild` ends with); then asks, one request at a
//! time, for the questions a district leader and a city leader ask, and
//! prints p50/p99 of each.
//!
//! ```sh
//! cargo run --release -p gridops-tests --bin bench-kpis -- --backend sqlite --incidents 1000000
//! GRIDOPS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo run --release -p gridops-tests --bin bench-kpis -- --backend postgres --incidents 1000000
//! ```

use std::time::{Duration, Instant};

use chrono::{Datelike, Duration as Days, NaiveDate, Utc};
use clap::{Parser, ValueEnum};
use gridops_domain::incident::Rating;
use gridops_domain::stats::{Fact, Key};
use gridops_infra::demo::parties::DEMO_PARTIES;
use gridops_infra::repo::{categories, stats};
use gridops_tests::bench::{ms, quantile};
use gridops_tests::{Backend, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    Sqlite,
    Postgres,
}

#[derive(Debug, Parser)]
#[command(name = "bench-kpis")]
struct Args {
    #[arg(long, value_enum)]
    backend: BackendArg,
    /// Case facts stored before measuring (a year of reports).
    #[arg(long, default_value_t = 1_000_000)]
    incidents: usize,
    /// Requests per question.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    #[arg(long, default_value_t = 20_261_205)]
    seed: u64,
}

/// The district the district-level questions are about (most demo grids).
const DISTRICT: &str = "410102";

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(e) = run(args).await {
        eprintln!("bench-kpis: {e}");
        std::process::exit(1);
    }
}

/// SplitMix64: deterministic synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1_u64 << 53) as f64) < p
    }
}

/// A case's plausible history, as the statistics keep it.
fn synthetic(
    rng: &mut Rng,
    today: NaiveDate,
    grids: &[(String, Vec<&str>)],
    cats: &[String],
) -> Fact {
    let reported_on = today - Days::days(rng.below(365) as i64);
    let dispatched = rng.chance(0.95);
    let due_on = reported_on + Days::days(1 + rng.below(10) as i64);
    let closed = dispatched && due_on <= today && rng.chance(0.92);
    let verified_on = closed.then(|| (due_on - Days::days(rng.below(3) as i64)).max(reported_on));
    let rated = closed && rng.chance(0.6);
    let rating = rated.then(|| match rng.below(10) {
        0 => Rating::Dissatisfied,
        1 | 2 => Rating::BasicallySatisfied,
        _ => Rating::Satisfied,
    });
    Fact {
        key: {
            // Routing gives a category in an area to one party: the party is
            // the grid's (serving parties, chosen by the category).
            let (grid, serving) = &grids[rng.below(grids.len())];
            let c = rng.below(cats.len());
            Key {
                grid: grid.clone(),
                party: if dispatched {
                    serving[c % serving.len()].to_owned()
                } else {
                    String::new()
                },
                category: cats[c].clone(),
            }
        },
        reported_on,
        dispatched_on: dispatched.then_some(reported_on),
        acknowledged_in_time: dispatched && rng.chance(0.93),
        extended: dispatched && rng.chance(0.05),
        suspended: dispatched && rng.chance(0.02),
        in_ledger: dispatched && !closed && rng.chance(0.05),
        due_on: Some(due_on),
        closed,
        closed_in_time: closed && rng.chance(0.88),
        verified_on,
        reworked: closed && rng.chance(0.03),
        without_evidence: closed && rng.chance(0.05),
        rated_on: verified_on
            .filter(|_| rated)
            .map(|d| d + Days::days(rng.below(3) as i64)),
        rating,
        solved: rating
            .filter(|_| rng.chance(0.8))
            .map(|r| r != Rating::Dissatisfied),
    }
}

async fn run(args: Args) -> Result<(), String> {
    let backend = match args.backend {
        BackendArg::Sqlite => Backend::Sqlite,
        BackendArg::Postgres => Backend::Postgres,
    };
    let app = TestApp::spawn_with(backend, |settings| {
        let defaults = gridops_api::Settings::new(settings.database.url.clone());
        settings.workers = defaults.workers;
        settings.database.pool_size = defaults.database.pool_size;
    })
    .await
    .ok_or("PostgreSQL is unreachable; set GRIDOPS_TEST_POSTGRES_URL")?;
    println!(
        "bench-kpis: {:?}, {} case facts over 365 days, {} requests per question",
        args.backend, args.incidents, args.requests
    );

    let db = app.open_db();
    let grids: Vec<String> = db
        .read_blocking(|conn| {
            use diesel::prelude::*;
            use gridops_infra::schema::areas;
            Ok(areas::table
                .filter(areas::level.eq("grid"))
                .select(areas::code)
                .load(conn)?)
        })
        .map_err(|e| e.to_string())?;
    let parties: Vec<&str> = DEMO_PARTIES.iter().map(|p| p.code).collect();
    let grids: Vec<(String, Vec<&str>)> = grids
        .into_iter()
        .map(|grid| {
            let serving: Vec<&str> = DEMO_PARTIES
                .iter()
                .filter(|p| p.areas.iter().any(|a| grid.starts_with(a)))
                .map(|p| p.code)
                .collect();
            (grid, serving)
        })
        .filter(|(_, serving)| !serving.is_empty())
        .collect();
    let cats: Vec<String> = db
        .read_blocking(|conn| {
            Ok(categories::list(conn)?
                .into_iter()
                .map(|c| c.code)
                .collect())
        })
        .map_err(|e| e.to_string())?;
    println!(
        "demo data: {} grids, {} parties, {} categories",
        grids.len(),
        parties.len(),
        cats.len()
    );

    let today = (Utc::now() + Days::hours(8)).date_naive();
    let started = Instant::now();
    let mut rng = Rng(args.seed);
    const BATCH: usize = 20_000;
    let mut stored = 0;
    while stored < args.incidents {
        let n = BATCH.min(args.incidents - stored);
        let facts: Vec<(String, Fact)> = (0..n)
            .map(|i| {
                (
                    format!("bench-{:08}", stored + i),
                    synthetic(&mut rng, today, &grids, &cats),
                )
            })
            .collect();
        let db = db.clone();
        tokio::task::spawn_blocking(move || {
            db.write_blocking(|conn| stats::insert_facts(conn, &facts))
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        stored += n;
    }
    println!(
        "stored {stored} facts in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let recount_db = db.clone();
    let rows = tokio::task::spawn_blocking(move || recount_db.write_blocking(stats::recount))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    println!(
        "recount (the refresh's second half): {rows} rows of daily counters in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if backend == Backend::Postgres {
        db.write_blocking(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query("ANALYZE kpi_daily").execute(conn)?;
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    }

    // A quarter: the last full one. A month: the last full one.
    let quarter_start = {
        let q = (today.month0() / 3) * 3;
        let this = NaiveDate::from_ymd_opt(today.year(), q + 1, 1).ok_or("a date")?;
        let prev = this - Days::days(1);
        NaiveDate::from_ymd_opt(prev.year(), (prev.month0() / 3) * 3 + 1, 1).ok_or("a date")?
    };
    let quarter_end = {
        let q = (today.month0() / 3) * 3;
        NaiveDate::from_ymd_opt(today.year(), q + 1, 1).ok_or("a date")? - Days::days(1)
    };
    let month_end =
        NaiveDate::from_ymd_opt(today.year(), today.month(), 1).ok_or("a date")? - Days::days(1);
    let month_start =
        NaiveDate::from_ymd_opt(month_end.year(), month_end.month(), 1).ok_or("a date")?;

    let admin = &app.client;
    let questions = [
        (
            "district × quarter, by party",
            format!("from={quarter_start}&to={quarter_end}&area={DISTRICT}&group_by=party"),
        ),
        (
            "district × quarter, by area",
            format!("from={quarter_start}&to={quarter_end}&area={DISTRICT}&group_by=area"),
        ),
        (
            "city × month, by party",
            format!("from={month_start}&to={month_end}&group_by=party"),
        ),
        (
            "city × month, by day",
            format!("from={month_start}&to={month_end}&group_by=day"),
        ),
        (
            "city × year, by category",
            format!(
                "from={}&to={today}&group_by=category",
                today - Days::days(364)
            ),
        ),
    ];
    println!("| question | groups | p50 | p99 |\n|---|---|---|---|");
    for (name, query) in questions {
        let url = app.url(&format!("/api/v1/stats/kpis?{query}"));
        let mut groups = 0;
        for _ in 0..5 {
            admin.get(&url).send().await.map_err(|e| e.to_string())?;
        }
        let mut took: Vec<Duration> = Vec::with_capacity(args.requests);
        for _ in 0..args.requests {
            let started = Instant::now();
            let response = admin.get(&url).send().await.map_err(|e| e.to_string())?;
            let status = response.status();
            let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
            took.push(started.elapsed());
            if !status.is_success() {
                return Err(format!("{name}: {status} {body}"));
            }
            groups = body["groups"].as_array().map_or(0, Vec::len);
        }
        took.sort();
        println!(
            "| {name} | {groups} | {} | {} |",
            ms(quantile(&took, 0.5)),
            ms(quantile(&took, 0.99))
        );
    }
    app.stop().await;
    Ok(())
}
