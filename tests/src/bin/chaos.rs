//! `chaos`: the fault harness. Runs the real `gridops` binary as child
//! processes on a private PostgreSQL cluster of its own (initdb + pg_ctl on a
//! free port under /tmp) and breaks things under load:
//!
//! * (a) SIGKILL of the API process while phones report, each resending with
//!   the same `Idempotency-Key` until answered; restarted at once. Counts the
//!   acknowledged reports lost and the duplicates stored (both must be 0).
//! * (b) PostgreSQL stopped (`pg_ctl stop -m immediate`) for 10 s under the
//!   same load: how fast the 503s come and whether they carry `Retry-After`,
//!   whether `/readyz` said 503, how long after PostgreSQL's return the
//!   service answered again (no restart).
//! * (c) two API nodes and two `gridops worker`s on one database, pushes to a
//!   fake FCM on loopback and a console stream (SSE) on each node: no push
//!   sent twice, every report seen on both streams.
//! * (d) the fake FCM down for 60 s (`--short`: 10 s) under load: the backlog
//!   drains after, nothing lost, and the CPU time the processes used while
//!   waiting (from /proc/<pid>/stat), which shows a hot loop.
//!
//! ```sh
//! cargo run --release -p gridops-tests --bin chaos -- [--short] [--only a,b,c,d]
//! ```
//!
//! Needs PostgreSQL's server binaries (`/usr/lib/postgresql/*/bin`); as root
//! the cluster runs as the `postgres` user. The `gridops` binary is the one
//! beside this one, built there first (with the same profile) when run by
//! `cargo run`. Exits 1 when a goal is missed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use diesel::pg::PgConnection;
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use gridops_tests::bench::{ms, quantile};
use gridops_tests::fake_fcm::FakeFcm;
use gridops_tests::{DEMO_PASSWORD, json};
use reqwest::StatusCode;
use serde_json::Value;

#[derive(Debug, Parser)]
#[command(name = "chaos")]
struct Args {
    /// The CI version: shorter loads and a 10 s FCM outage (about 2 minutes).
    #[arg(long)]
    short: bool,
    /// Only these scenarios (`a,b,c,d`).
    #[arg(long, value_delimiter = ',')]
    only: Vec<char>,
    /// Phones reporting at once.
    #[arg(long, default_value_t = 6)]
    phones: usize,
    /// Push tokens of the one resident each notice goes to.
    #[arg(long, default_value_t = 20)]
    devices: usize,
    /// The `gridops` binary (default: beside this one).
    #[arg(long)]
    gridops: Option<PathBuf>,
}

const RESIDENT: &str = "resident.guanlan";
const DISPATCHER: &str = "dispatcher.hanghaixilu";
const WORKER: &str = "worker.guanlan";
const COMMUNITY: &str = "410102003001";
const HEATING: &str = "utilities.heating";

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match run(args).await {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("chaos: a goal was missed (see the table)");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("chaos: {e}");
            std::process::exit(2);
        }
    }
}

type Result<T> = std::result::Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

async fn run(args: Args) -> Result<bool> {
    let gridops = match &args.gridops {
        Some(path) => path.clone(),
        None => gridops_beside_me()?,
    };
    let work = tempfile::Builder::new()
        .prefix("gridops-chaos.")
        .tempdir_in("/tmp")
        .map_err(err)?;
    let cluster = Cluster::start(work.path())?;
    println!(
        "chaos: PostgreSQL on port {} ({}), gridops {}{}",
        cluster.port,
        work.path().display(),
        gridops.display(),
        if args.short { ", short mode" } else { "" }
    );
    let only = args.only.clone();
    let want = |s: char| only.is_empty() || only.contains(&s);
    let harness = Harness {
        gridops,
        work: work.path().to_path_buf(),
        cluster,
        args,
    };
    let mut table = Vec::new();
    let mut ok = true;
    if want('a') {
        ok &= harness.crash(&mut table).await?;
    }
    if want('b') {
        ok &= harness.outage(&mut table).await?;
    }
    if want('c') || want('d') {
        ok &= harness.fleet(&mut table, want('c'), want('d')).await?;
    }
    println!();
    println!("| scenario | figure | value | goal |");
    println!("|---|---|---|---|");
    for row in &table {
        println!(
            "| {} | {} | {} | {} |",
            row.scenario,
            row.figure,
            row.value,
            row.goal.as_deref().unwrap_or("")
        );
    }
    Ok(ok)
}

struct Row {
    scenario: &'static str,
    figure: String,
    value: String,
    goal: Option<String>,
}

fn row(table: &mut Vec<Row>, scenario: &'static str, figure: &str, value: impl ToString) {
    table.push(Row {
        scenario,
        figure: figure.to_owned(),
        value: value.to_string(),
        goal: None,
    });
}

/// A figure with a goal; false when missed.
fn goal(
    table: &mut Vec<Row>,
    scenario: &'static str,
    figure: &str,
    value: impl ToString,
    met: bool,
    goal: &str,
) -> bool {
    table.push(Row {
        scenario,
        figure: figure.to_owned(),
        value: value.to_string(),
        goal: Some(format!("{goal} {}", if met { "✓" } else { "✗ MISSED" })),
    });
    met
}

/// The `gridops` binary in this binary's target directory, built there if missing.
fn gridops_beside_me() -> Result<PathBuf> {
    let me = std::env::current_exe().map_err(err)?;
    let dir = me.parent().ok_or("no directory")?;
    let path = dir.join("gridops");
    // Run by `cargo run`: make sure the binary is of the same sources.
    if path.exists() && std::env::var_os("CARGO").is_none() {
        return Ok(path);
    }
    let profile = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("debug")
        .to_owned();
    let target = dir.parent().ok_or("no target directory")?;
    println!("chaos: cargo build -p gridops-api --bin gridops ({profile})");
    let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    build
        .args([
            "build",
            "-q",
            "-p",
            "gridops-api",
            "--bin",
            "gridops",
            "--target-dir",
        ])
        .arg(target);
    if profile == "release" {
        build.arg("--release");
    }
    let status = build.status().map_err(err)?;
    if !status.success() || !path.exists() {
        return Err(format!("could not build {}", path.display()));
    }
    Ok(path)
}

// ── The private cluster ─────────────────────────────────────────────────────────

struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn start(work: &Path) -> Result<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|e| format!("no PostgreSQL server binaries in /usr/lib/postgresql: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("initdb").exists())
            .max()
            .ok_or("no initdb under /usr/lib/postgresql")?;
        let dir = work.join("pg");
        std::fs::create_dir_all(&dir).map_err(err)?;
        // initdb refuses to run as root.
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout.starts_with(b"0\n"))
            .unwrap_or(false);
        if as_postgres {
            for path in [work, dir.as_path()] {
                Command::new("chown")
                    .args(["postgres"])
                    .arg(path)
                    .status()
                    .map_err(err)?;
            }
        }
        let port = free_port()?;
        let cluster = Cluster {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = cluster.dir.join("data");
        cluster.pg(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=trust".as_ref(),
            ],
        )?;
        cluster.start_server()?;
        Ok(cluster)
    }

    fn pg(&self, tool: &str, args: &[&std::ffi::OsStr]) -> Result<()> {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = command.args(args).output().map_err(err)?;
        if !out.status.success() {
            return Err(format!(
                "{tool} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    }

    fn start_server(&self) -> Result<()> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let (data, log) = (self.dir.join("data"), self.dir.join("log"));
        self.pg(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-o".as_ref(),
                options.as_ref(),
                "start".as_ref(),
            ],
        )
    }

    /// Stops at once, as a crash would (no checkpoint, every connection cut).
    fn stop_immediately(&self) -> Result<()> {
        let data = self.dir.join("data");
        self.pg(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        )
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    fn create_database(&self, name: &str) -> Result<String> {
        let mut conn = PgConnection::establish(&self.url("postgres")).map_err(err)?;
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .map_err(err)?;
        Ok(self.url(name))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.stop_immediately();
    }
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(err)?;
    Ok(listener.local_addr().map_err(err)?.port())
}

// ── gridops processes ───────────────────────────────────────────────────────────

/// A `gridops` child process; killed when dropped.
struct Process {
    child: Child,
}

impl Process {
    /// Starts `gridops` with `args` and waits for its first line on stdout
    /// (`serve` prints its address once listening, `worker` its settings).
    fn start(gridops: &Path, database_url: &str, args: &[String], log: &Path) -> Result<Process> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(err)?;
        let mut child = Command::new(gridops)
            .args(["--database-url", database_url, "--log-format", "json"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(err)?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut reader = std::io::BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).map_err(err)?;
        if first.is_empty() {
            return Err(format!("gridops {args:?} ended before it started"));
        }
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        Ok(Process { child })
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// CPU time used so far (user + system), from /proc/<pid>/stat.
    fn cpu(&self) -> Duration {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        // utime and stime are fields 14 and 15 of the whole line, in clock ticks.
        let ticks: u64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
            .sum();
        Duration::from_millis(ticks * 1000 / clock_ticks_per_second())
    }
}

fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Harness {
    gridops: PathBuf,
    work: PathBuf,
    cluster: Cluster,
    args: Args,
}

impl Harness {
    fn serve(&self, url: &str, port: u16, extra: &[&str]) -> Result<Process> {
        let photos = self.work.join("photos");
        let mut args: Vec<String> = [
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--demo",
            "--demo-without-routing",
            "--workers",
            "2",
            "--photo-dir",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(photos.display().to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
        Process::start(&self.gridops, url, &args, &self.work.join("gridops.log"))
    }

    // ── (a) ─────────────────────────────────────────────────────────────────────

    async fn crash(&self, table: &mut Vec<Row>) -> Result<bool> {
        println!("(a) kill -9 of the API under load");
        let url = self.cluster.create_database("chaos_a")?;
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let mut node = self.serve(&url, port, &[])?;
        let resident = sign_in(&base, RESIDENT).await?;
        let load = Load::start(&base, &resident, self.args.phones, "a");
        let kills = if self.args.short { 2 } else { 5 };
        let mut restart_times = Vec::new();
        for _ in 0..kills {
            tokio::time::sleep(Duration::from_secs(3)).await;
            node.kill();
            let restarted = Instant::now();
            node = self.serve(&url, port, &[])?;
            restart_times.push(restarted.elapsed());
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let log = load.finish().await;
        let stored = stored_reports(&url)?;
        drop(node);
        let (lost, duplicates) = log.check(&stored);
        row(table, "a", "kills", kills);
        row(table, "a", "reports acknowledged", log.acknowledged.len());
        row(
            table,
            "a",
            "restart to listening (max)",
            ms(restart_times.iter().max().copied().unwrap_or_default()),
        );
        row(table, "a", "409 answers seen by phones", log.count(409));
        row(
            table,
            "a",
            "longest wait for one report's answer",
            ms(log.longest_wait()),
        );
        let mut ok = goal(
            table,
            "a",
            "acknowledged reports lost",
            lost,
            lost == 0,
            "0",
        );
        ok &= goal(
            table,
            "a",
            "duplicates stored",
            duplicates,
            duplicates == 0,
            "0",
        );
        Ok(ok)
    }

    // ── (b) ─────────────────────────────────────────────────────────────────────

    async fn outage(&self, table: &mut Vec<Row>) -> Result<bool> {
        println!("(b) PostgreSQL stopped for 10 s under load");
        let url = self.cluster.create_database("chaos_b")?;
        let port = free_port()?;
        let base = format!("http://127.0.0.1:{port}");
        let node = self.serve(&url, port, &[])?;
        let resident = sign_in(&base, RESIDENT).await?;
        let load = Load::start(&base, &resident, self.args.phones, "b");
        let probes = Probes::start(&base);
        tokio::time::sleep(Duration::from_secs(2)).await;
        let stopped = Instant::now();
        self.cluster.stop_immediately()?;
        tokio::time::sleep(Duration::from_secs(10)).await;
        self.cluster.start_server()?;
        let back = Instant::now();
        tokio::time::sleep(Duration::from_secs(8)).await;
        let readiness = probes.finish().await;
        let log = load.finish().await;
        let stored = stored_reports(&url)?;
        drop(node);

        let attempts = log.attempts.lock().expect("the log").clone();
        let mut unavailable: Vec<Duration> = attempts
            .iter()
            .filter(|a| a.status == Some(503))
            .map(|a| a.latency)
            .collect();
        unavailable.sort_unstable();
        let without_retry_after = attempts
            .iter()
            .filter(|a| a.status == Some(503) && !a.retry_after)
            .count();
        let other_failures = attempts
            .iter()
            .filter(|a| a.status.is_none_or(|s| s >= 500 && s != 503))
            .count();
        let first_report_after = attempts
            .iter()
            .filter(|a| a.status == Some(201) && a.sent >= back)
            .map(|a| a.sent + a.latency - back)
            .min();
        let readyz_503 = readiness
            .iter()
            .filter(|(at, status, _)| *at >= stopped && *at < back && *status == 503)
            .count();
        let ready_again = readiness
            .iter()
            .filter(|(at, status, _)| *at >= back && *status == 200)
            .map(|(at, _, latency)| *at + *latency - back)
            .min();
        let max_503 = unavailable.last().copied().unwrap_or_default();
        let (lost, duplicates) = log.check(&stored);
        row(
            table,
            "b",
            "503 answers during the outage",
            unavailable.len(),
        );
        row(
            table,
            "b",
            "503 latency p50 / p99",
            format!(
                "{} / {}",
                ms(quantile(&unavailable, 0.5)),
                ms(quantile(&unavailable, 0.99))
            ),
        );
        let mut ok = goal(
            table,
            "b",
            "503 latency max",
            ms(max_503),
            !unavailable.is_empty() && max_503 <= Duration::from_secs(2),
            "≤ 2 s",
        );
        ok &= goal(
            table,
            "b",
            "503s without Retry-After",
            without_retry_after,
            without_retry_after == 0,
            "0",
        );
        row(
            table,
            "b",
            "other failures (5xx, no answer)",
            other_failures,
        );
        ok &= goal(
            table,
            "b",
            "/readyz 503 answers while down",
            readyz_503,
            readyz_503 > 0,
            "> 0",
        );
        let within = |d: Option<Duration>| d.is_some_and(|d| d <= Duration::from_secs(5));
        ok &= goal(
            table,
            "b",
            "PostgreSQL back → /readyz 200",
            ready_again.map_or("never".into(), ms),
            within(ready_again),
            "≤ 5 s",
        );
        ok &= goal(
            table,
            "b",
            "PostgreSQL back → first report 201",
            first_report_after.map_or("never".into(), ms),
            within(first_report_after),
            "≤ 5 s",
        );
        row(table, "b", "409 answers seen by phones", log.count(409));
        ok &= goal(
            table,
            "b",
            "acknowledged reports lost",
            lost,
            lost == 0,
            "0",
        );
        ok &= goal(
            table,
            "b",
            "duplicates stored",
            duplicates,
            duplicates == 0,
            "0",
        );
        Ok(ok)
    }

    // ── (c) and (d) ─────────────────────────────────────────────────────────────

    async fn fleet(&self, table: &mut Vec<Row>, two_nodes: bool, fcm_down: bool) -> Result<bool> {
        println!("(c/d) two API nodes, two delivery workers, a fake FCM");
        let url = self.cluster.create_database("chaos_c")?;
        let fcm = FakeFcm::start().await;
        let account = fcm.write_service_account(&self.work);
        let push = [
            "--fcm-service-account".to_owned(),
            account.display().to_string(),
            "--fcm-endpoint".to_owned(),
            fcm.endpoint(),
        ];
        let (port_a, port_b) = (free_port()?, free_port()?);
        let no_delivery = ["--delivery-workers", "0"];
        // One at a time: the first loads the demo data.
        let mut processes = vec![self.serve(&url, port_a, &no_delivery)?];
        processes.push(self.serve(&url, port_b, &no_delivery)?);
        for _ in 0..2 {
            let mut args = vec!["worker".to_owned()];
            args.extend(push.iter().cloned());
            processes.push(Process::start(
                &self.gridops,
                &url,
                &args,
                &self.work.join("worker.log"),
            )?);
        }
        let bases = [
            format!("http://127.0.0.1:{port_a}"),
            format!("http://127.0.0.1:{port_b}"),
        ];
        // The notices' audience has the phones; the reports come from a grid
        // worker without any, so that every push is a notice's.
        let resident = sign_in(&bases[0], RESIDENT).await?;
        let reporter = sign_in(&bases[0], WORKER).await?;
        let dispatcher = sign_in(&bases[0], DISPATCHER).await?;
        for i in 0..self.args.devices {
            let response = resident
                .post(format!("{}/api/v1/devices", bases[i % 2]))
                .json(&json!({"token": format!("chaos-phone-{i}"), "platform": "android", "locale": "zh-CN"}))
                .send()
                .await
                .map_err(err)?;
            if !response.status().is_success() {
                return Err(format!("device {i}: {}", response.status()));
            }
        }
        let streams = [
            Stream::open(&bases[0], &dispatcher).await?,
            Stream::open(&bases[1], &dispatcher).await?,
        ];
        let half = self.args.phones.div_ceil(2);
        let loads = [
            Load::start(&bases[0], &reporter, half, "c0"),
            Load::start(&bases[1], &reporter, half, "c1"),
        ];
        let mut ok = true;
        let devices = self.args.devices;

        if two_nodes {
            let seconds = if self.args.short { 10 } else { 30 };
            let notices = Notices::start(&bases, &dispatcher, "c");
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            let posted = notices.finish().await;
            let settled = drain(&url, Duration::from_secs(120)).await?;
            let pushes = Pushes::count(&url, &fcm, devices)?;
            row(table, "c", "notices posted (alternating nodes)", posted);
            row(
                table,
                "c",
                "pushes accepted by the fake FCM",
                pushes.accepted,
            );
            ok &= goal(
                table,
                "c",
                "outbox settled",
                settled.map_or("not within 120 s".into(), ms),
                settled.is_some(),
                "yes",
            );
            ok &= goal(
                table,
                "c",
                "pushes lost",
                pushes.lost,
                pushes.lost == 0,
                "0",
            );
            ok &= goal(
                table,
                "c",
                "pushes sent twice",
                pushes.twice,
                pushes.twice == 0,
                "0",
            );
        }
        if fcm_down {
            let down_for = if self.args.short { 10 } else { 60 };
            let notices = Notices::start(&bases, &dispatcher, "d");
            let before: Vec<Duration> = processes.iter().map(Process::cpu).collect();
            let went_down = Instant::now();
            fcm.go_down().await;
            tokio::time::sleep(Duration::from_secs(down_for)).await;
            let waited = went_down.elapsed();
            let cpu: Vec<Duration> = processes
                .iter()
                .zip(&before)
                .map(|(p, b)| p.cpu().saturating_sub(*b))
                .collect();
            fcm.come_back().await;
            let posted = notices.finish().await;
            let settled = drain(&url, Duration::from_secs(300)).await?;
            let pushes = Pushes::count(&url, &fcm, devices)?;
            row(table, "d", "FCM down for", format!("{down_for} s"));
            row(table, "d", "notices posted while down", posted);
            ok &= goal(
                table,
                "d",
                "FCM back → outbox settled",
                settled.map_or("not within 300 s".into(), ms),
                settled.is_some(),
                "yes",
            );
            ok &= goal(
                table,
                "d",
                "pushes lost (c + d)",
                pushes.lost,
                pushes.lost == 0,
                "0",
            );
            ok &= goal(
                table,
                "d",
                "pushes sent twice (c + d)",
                pushes.twice,
                pushes.twice == 0,
                "0",
            );
            let names = ["node A", "node B", "worker 1", "worker 2"];
            let share = |d: &Duration| d.as_secs_f64() / waited.as_secs_f64() * 100.0;
            for (name, used) in names.iter().zip(&cpu) {
                row(
                    table,
                    "d",
                    &format!("CPU of {name} while FCM was down"),
                    format!("{} ({:.1} % of a core)", ms(*used), share(used)),
                );
            }
            let busiest = cpu.iter().skip(2).map(share).fold(0.0_f64, f64::max);
            ok &= goal(
                table,
                "d",
                "busiest worker's CPU while waiting",
                format!("{busiest:.1} % of a core"),
                busiest < 25.0,
                "no hot loop (< 25 %)",
            );
        }
        let mut created = BTreeSet::new();
        for load in loads {
            let log = load.finish().await;
            created.extend(log.acknowledged.values().cloned());
        }
        if two_nodes {
            row(table, "c", "reports made (both nodes)", created.len());
            for (name, stream) in ["node A", "node B"].iter().zip(&streams) {
                let missing = stream.missing(&created, Duration::from_secs(15)).await;
                ok &= goal(
                    table,
                    "c",
                    &format!("reports missing on {name}'s console stream"),
                    missing,
                    missing == 0,
                    "0",
                );
            }
        }
        drop(processes);
        drop(fcm);
        Ok(ok)
    }
}

/// The resident's pushes: accepted by the fake, lost (the outbox gave up,
/// or said sent but the fake never had it), sent twice.
struct Pushes {
    accepted: usize,
    lost: usize,
    twice: usize,
}

#[derive(QueryableByName)]
struct StateCount {
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn outbox_states(url: &str) -> Result<HashMap<String, usize>> {
    let mut conn = PgConnection::establish(url).map_err(err)?;
    let rows: Vec<StateCount> = diesel::sql_query(format!(
        "SELECT state, count(*) AS n FROM outbox WHERE user_id = \
         (SELECT id FROM users WHERE username = '{RESIDENT}') GROUP BY state"
    ))
    .load(&mut conn)
    .map_err(err)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.state, usize::try_from(r.n).unwrap_or(0)))
        .collect())
}

impl Pushes {
    fn count(url: &str, fcm: &FakeFcm, devices: usize) -> Result<Pushes> {
        let states = outbox_states(url)?;
        let deliveries = fcm.deliveries();
        let pairs: HashSet<(String, String)> = deliveries
            .iter()
            .map(|d| {
                (
                    d.message["data"]["message_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    d.message["token"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let sent = states.get("sent").copied().unwrap_or(0);
        let unsent: usize = states
            .iter()
            .filter(|(state, _)| state.as_str() != "sent")
            .map(|(_, n)| n * devices)
            .sum();
        Ok(Pushes {
            accepted: deliveries.len(),
            lost: unsent + (sent * devices).saturating_sub(pairs.len()),
            twice: deliveries.len() - pairs.len(),
        })
    }
}

/// Waits until none of the resident's pushes is pending; how long it took.
async fn drain(url: &str, timeout: Duration) -> Result<Option<Duration>> {
    let started = Instant::now();
    while started.elapsed() < timeout {
        let states = outbox_states(url)?;
        if states.get("pending").copied().unwrap_or(0) == 0 {
            return Ok(Some(started.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(None)
}

// ── Clients ─────────────────────────────────────────────────────────────────────

async fn sign_in(base: &str, username: &str) -> Result<reqwest::Client> {
    let anonymous = reqwest::Client::new();
    for _ in 0..50 {
        let response = anonymous
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": username, "password": DEMO_PASSWORD}))
            .send()
            .await;
        if let Ok(response) = response
            && response.status() == StatusCode::OK
        {
            let body: Value = response.json().await.map_err(err)?;
            let token = body["access_token"].as_str().ok_or("no access_token")?;
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(
                reqwest::header::AUTHORIZATION,
                format!("Bearer {token}").parse().map_err(err)?,
            );
            return reqwest::Client::builder()
                .default_headers(headers)
                .timeout(Duration::from_secs(30))
                .build()
                .map_err(err);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Err(format!("{username} could not sign in at {base}"))
}

#[derive(Debug, Clone)]
struct Attempt {
    sent: Instant,
    latency: Duration,
    /// `None`: no answer (connection refused or cut).
    status: Option<u16>,
    retry_after: bool,
}

#[derive(Default)]
struct LoadLog {
    attempts: Arc<Mutex<Vec<Attempt>>>,
    /// Key → incident id, for every report answered 201.
    acknowledged: HashMap<String, String>,
    /// Per report: from its first send to its answer.
    waits: Vec<Duration>,
}

impl LoadLog {
    fn count(&self, status: u16) -> usize {
        let attempts = self.attempts.lock().expect("the log");
        attempts.iter().filter(|a| a.status == Some(status)).count()
    }

    fn longest_wait(&self) -> Duration {
        self.waits.iter().max().copied().unwrap_or_default()
    }

    /// Acknowledged reports not stored, and reports stored more than once.
    fn check(&self, stored: &[(String, String)]) -> (usize, usize) {
        let ids: HashSet<&str> = stored.iter().map(|(id, _)| id.as_str()).collect();
        let lost = self
            .acknowledged
            .values()
            .filter(|id| !ids.contains(id.as_str()))
            .count();
        let mut per_key: HashMap<&str, usize> = HashMap::new();
        for (_, description) in stored {
            *per_key.entry(description.as_str()).or_default() += 1;
        }
        let duplicates = per_key.values().map(|n| n.saturating_sub(1)).sum();
        (lost, duplicates)
    }
}

/// One phone's acknowledged reports (key → incident id) and its waits.
type PhoneLog = (HashMap<String, String>, Vec<Duration>);

/// Phones reporting in a loop, each report resent with its key until answered.
struct Load {
    stop: Arc<std::sync::atomic::AtomicBool>,
    phones: Vec<tokio::task::JoinHandle<PhoneLog>>,
    attempts: Arc<Mutex<Vec<Attempt>>>,
}

impl Load {
    fn start(base: &str, client: &reqwest::Client, phones: usize, tag: &str) -> Load {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let attempts = Arc::new(Mutex::new(Vec::new()));
        let phones = (0..phones)
            .map(|phone| {
                let (base, client, stop, attempts) = (
                    base.to_owned(),
                    client.clone(),
                    stop.clone(),
                    attempts.clone(),
                );
                let tag = format!("{tag}-{phone}");
                tokio::spawn(async move {
                    let mut acknowledged = HashMap::new();
                    let mut waits = Vec::new();
                    let mut n = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        n += 1;
                        let key = format!("chaos-{tag}-{n}");
                        let body = json!({
                            "category": HEATING,
                            // The key in the description: duplicates show in the database.
                            "description": key,
                            "location": {"type": "Point", "coordinates": guanlan_centre()},
                        });
                        let first = Instant::now();
                        if let Some(id) =
                            report_until_answered(&base, &client, &key, &body, &attempts).await
                        {
                            acknowledged.insert(key, id);
                        }
                        waits.push(first.elapsed());
                    }
                    (acknowledged, waits)
                })
            })
            .collect();
        Load {
            stop,
            phones,
            attempts,
        }
    }

    /// Stops after each phone's current report is answered.
    async fn finish(self) -> LoadLog {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut log = LoadLog {
            attempts: self.attempts,
            ..LoadLog::default()
        };
        for phone in self.phones {
            if let Ok((acknowledged, waits)) = phone.await {
                log.acknowledged.extend(acknowledged);
                log.waits.extend(waits);
            }
        }
        log
    }
}

fn guanlan_centre() -> [f64; 2] {
    gridops_infra::demo::areas::demo_point_in_grid("410102003001002")
        .map(|(lng, lat)| [lng, lat])
        .unwrap_or([113.6655, 34.7535])
}

/// Sends until a final answer: the incident id of a 201, or `None` for a
/// refusal. Resends on no answer, 503 and 409 (a duplicate in flight).
async fn report_until_answered(
    base: &str,
    client: &reqwest::Client,
    key: &str,
    body: &Value,
    log: &Mutex<Vec<Attempt>>,
) -> Option<String> {
    for _ in 0..2_000 {
        let sent = Instant::now();
        let response = client
            .post(format!("{base}/api/v1/incidents"))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await;
        let latency = sent.elapsed();
        let (status, retry_after) = match &response {
            Ok(r) => (
                Some(r.status().as_u16()),
                r.headers().contains_key("retry-after"),
            ),
            Err(_) => (None, false),
        };
        log.lock().expect("the log").push(Attempt {
            sent,
            latency,
            status,
            retry_after,
        });
        match (status, response) {
            (Some(201), Ok(r)) => {
                let view: Value = r.json().await.ok()?;
                return view["id"].as_str().map(str::to_owned);
            }
            (Some(s), _) if s < 500 && s != 409 => return None,
            // Quicker than Retry-After asks, to see the recovery to the moment.
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    None
}

/// `/readyz` every 100 ms: (sent, status (0: no answer), latency).
struct Probes {
    stop: Arc<std::sync::atomic::AtomicBool>,
    task: tokio::task::JoinHandle<Vec<(Instant, u16, Duration)>>,
}

impl Probes {
    fn start(base: &str) -> Probes {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (url, flag) = (format!("{base}/readyz"), stop.clone());
        let task = tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut seen = Vec::new();
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let sent = Instant::now();
                let status = client
                    .get(&url)
                    .send()
                    .await
                    .map_or(0, |r| r.status().as_u16());
                seen.push((sent, status, sent.elapsed()));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            seen
        });
        Probes { stop, task }
    }

    async fn finish(self) -> Vec<(Instant, u16, Duration)> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.task.await.unwrap_or_default()
    }
}

/// A dispatcher posting a notice to the community every 250 ms, alternating
/// nodes, each resent with its key until answered.
struct Notices {
    stop: Arc<std::sync::atomic::AtomicBool>,
    posted: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Notices {
    fn start(bases: &[String; 2], client: &reqwest::Client, phase: &'static str) -> Notices {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let posted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (bases, client, flag, count) =
            (bases.clone(), client.clone(), stop.clone(), posted.clone());
        let task = tokio::spawn(async move {
            let mut n = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                let key = format!("chaos-notice-{phase}-{n}");
                for _ in 0..200 {
                    let response = client
                        .post(format!("{}/api/v1/notices", bases[n % 2]))
                        .header("Idempotency-Key", &key)
                        .json(&json!({
                            "area": COMMUNITY,
                            "audience": ["residents"],
                            "title": format!("停水通知 {phase}{n}"),
                            "body": "因管网检修，明日停水，请提前储水。",
                        }))
                        .send()
                        .await;
                    match response.map(|r| r.status().as_u16()) {
                        Ok(201) => {
                            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            break;
                        }
                        Ok(s) if s < 500 && s != 409 => break,
                        _ => tokio::time::sleep(Duration::from_millis(100)).await,
                    }
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
        Notices { stop, posted, task }
    }

    async fn finish(self) -> usize {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = self.task.await;
        self.posted.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// A console's event stream (SSE), collecting the incidents it reports.
struct Stream {
    reported: Arc<Mutex<HashSet<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Stream {
    async fn open(base: &str, client: &reqwest::Client) -> Result<Stream> {
        let mut response = client
            .get(format!("{base}/api/v1/events"))
            .timeout(Duration::from_secs(3600))
            .send()
            .await
            .map_err(err)?;
        if response.status() != StatusCode::OK {
            return Err(format!("the event stream: {}", response.status()));
        }
        let reported = Arc::new(Mutex::new(HashSet::new()));
        let seen = reported.clone();
        let task = tokio::spawn(async move {
            let mut buffer = String::new();
            while let Ok(Some(bytes)) = response.chunk().await {
                buffer.push_str(&String::from_utf8_lossy(&bytes));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    let data: String = block
                        .lines()
                        .filter_map(|l| l.strip_prefix("data:"))
                        .map(str::trim_start)
                        .collect::<Vec<_>>()
                        .join("\n");
                    let Ok(event) = serde_json::from_str::<Value>(&data) else {
                        continue;
                    };
                    if event["action"] == "report"
                        && let Some(id) = event["incident_id"].as_str()
                    {
                        seen.lock().expect("the stream").insert(id.to_owned());
                    }
                }
            }
        });
        Ok(Stream { reported, task })
    }

    /// How many of `created` the stream has not shown within `wait`.
    async fn missing(&self, created: &BTreeSet<String>, wait: Duration) -> usize {
        let deadline = Instant::now() + wait;
        loop {
            let missing = {
                let seen = self.reported.lock().expect("the stream");
                created.iter().filter(|id| !seen.contains(*id)).count()
            };
            if missing == 0 || Instant::now() > deadline {
                return missing;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(QueryableByName)]
struct StoredReport {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    description: String,
}

/// Every incident stored: (id, description = the report's key).
fn stored_reports(url: &str) -> Result<Vec<(String, String)>> {
    let mut conn = PgConnection::establish(url).map_err(err)?;
    let rows: Vec<StoredReport> =
        diesel::sql_query("SELECT id::text AS id, description FROM incidents")
            .load(&mut conn)
            .map_err(err)?;
    Ok(rows.into_iter().map(|r| (r.id, r.description)).collect())
}
