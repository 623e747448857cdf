//! Reports through a crash or a database outage: an attempt cut short never
//! blocks its own retry, a duplicate sent at the same time still cannot make
//! a second incident, and a server without its database answers 503 with
//! `Retry-After` and heals by itself once the database is back.

use std::collections::BTreeSet;
use std::io::BufRead;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::sql_types::Integer;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use gridops_tests::{Backend, TestApp, expect_problem, json_of, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::incidents::{GUANLAN_GRID, HEATING, User, cast, centre_of, list_ids, report_of, text};

/// Reports sent at once to the server that is killed under them.
const IN_FLIGHT: usize = 24;

async fn send_to(
    base: &str,
    who: &User,
    key: &str,
    body: &Value,
) -> reqwest::Result<reqwest::Response> {
    who.client
        .post(format!("{base}/api/v1/incidents"))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
}

/// Sends until the server answers other than 503 (a phone's outbox); the answer.
async fn retry_until_answered(
    base: &str,
    who: &User,
    key: &str,
    body: &Value,
) -> (StatusCode, Value) {
    for _ in 0..300 {
        match send_to(base, who, key, body).await {
            Ok(response) if response.status() != StatusCode::SERVICE_UNAVAILABLE => {
                return json_of(response).await;
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("no answer to {key}")
}

fn retry_after(response: &reqwest::Response) -> Option<u64> {
    response
        .headers()
        .get("retry-after")?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Asserts the answer of a server without its database.
async fn expect_unavailable(response: reqwest::Response, what: &str) {
    let wait = retry_after(&response);
    assert!(
        wait.is_some_and(|s| s >= 1),
        "{what}: Retry-After in seconds, got {wait:?}"
    );
    expect_problem(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "database_unavailable",
    )
    .await;
}

async fn readyz(base: &str) -> reqwest::Response {
    reqwest::get(format!("{base}/readyz"))
        .await
        .expect("GET /readyz sent")
}

/// Polls `/readyz` until it answers 200 (the pool has healed).
async fn until_ready(base: &str) {
    for _ in 0..200 {
        if readyz(base).await.status() == StatusCode::OK {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready again")
}

on_both_backends! {
    async fn reports_cut_by_a_killed_server_are_answered_on_retry(app) {
        let c = cast(app).await;
        let photos = tempfile::tempdir().expect("a photo directory");
        let node = NodeProcess::start(&app.database_url, photos.path()).await;
        let bodies: Vec<(String, Value)> = (0..IN_FLIGHT)
            .map(|i| (format!("crash-{i}"), report_of(HEATING, centre_of(GUANLAN_GRID), &format!("暖气不热 {i}"))))
            .collect();

        // Every report in flight at once; the server dies under them.
        let resident = Arc::new(c.resident);
        let mut sends = JoinSet::new();
        for (key, body) in bodies.clone() {
            let (base, who) = (node.base.clone(), resident.clone());
            sends.spawn(async move {
                let answer = match send_to(&base, &who, &key, &body).await {
                    Ok(response) => Some(json_of(response).await),
                    Err(_) => None,
                };
                (key, answer)
            });
        }
        let first = sends.join_next().await.expect("a send").expect("a send task");
        let node = node.kill_and_restart(&app.database_url, photos.path()).await;
        let base = node.base.clone();
        let mut acknowledged = vec![first];
        acknowledged.extend(sends.join_all().await);

        // The phones resend every report, with its key, to the new process.
        let mut ids = BTreeSet::new();
        for (key, body) in &bodies {
            let (status, view) = retry_until_answered(&base, &resident, key, body).await;
            assert_eq!(status, StatusCode::CREATED, "{key} after the crash: {view}");
            let earlier = acknowledged.iter().find(|(k, _)| k == key).and_then(|(_, a)| a.as_ref());
            if let Some((StatusCode::CREATED, first)) = earlier {
                assert_eq!(view["id"], first["id"], "{key}: the acknowledged incident, not another");
            }
            ids.insert(text(&view["id"]));
        }
        assert_eq!(ids.len(), IN_FLIGHT, "one incident per key");
        assert_eq!(list_ids(app, &resident, "reporter=me").await.len(), IN_FLIGHT, "no duplicate stored");
        drop(node);
    }
}

on_both_backends! {
    settings => |s| {
        s.database.pool_size = 2;
        s.database.connect_timeout = Duration::from_secs(1);
        s.database.sqlite_busy_timeout = Duration::from_secs(60);
    };
    async fn a_busy_pool_answers_503_with_retry_after(app) {
        let c = cast(app).await;
        let held = WriteLock::take(app).await;
        // Two reports whose writes wait for the lock, each on one of the
        // pool's two connections.
        let resident = Arc::new(c.resident);
        let mut waiting = JoinSet::new();
        for i in 0..2 {
            let (base, who) = (app.base.clone(), resident.clone());
            let body = report_of(HEATING, centre_of(GUANLAN_GRID), &format!("排队 {i}"));
            waiting.spawn(async move { retry_until_answered(&base, &who, &format!("busy-{i}"), &body).await });
        }
        let mut refused = None;
        for _ in 0..60 {
            let response = readyz(&app.base).await;
            if response.status() == StatusCode::SERVICE_UNAVAILABLE {
                refused = Some(response);
                break;
            }
        }
        expect_unavailable(refused.expect("/readyz answers 503 while no connection is free"), "/readyz").await;
        held.release().await;
        for (status, view) in waiting.join_all().await {
            assert_eq!(status, StatusCode::CREATED, "the waiting reports go through: {view}");
        }
        until_ready(&app.base).await;
    }
}

/// PostgreSQL's connection is cut (a proxy between the server and the
/// database drops every connection and refuses new ones) while a report's
/// transaction waits for a lock. The attempt answers 503; after the outage
/// its retry is the report, not a 409 for a claim nobody holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_cut_by_a_database_outage_is_answered_on_retry() {
    let proxy = CuttableProxy::start(postgres_address());
    let proxied = proxy.port;
    let Some(app) = TestApp::spawn_with(Backend::Postgres, move |s| {
        s.database.url = through(&s.database.url, proxied);
    })
    .await
    else {
        return;
    };
    let c = cast(&app).await;
    let body = report_of(HEATING, centre_of(GUANLAN_GRID), "停电后重发");
    let held = WriteLock::take(&app).await;
    let first = {
        let (base, who, body) = (app.base.clone(), c.resident.client.clone(), body.clone());
        tokio::spawn(async move {
            who.post(format!("{base}/api/v1/incidents"))
                .header("Idempotency-Key", "outage-1")
                .json(&body)
                .send()
                .await
                .expect("the first attempt is answered")
        })
    };
    let waiting = waiting_inserts(&app.database_url, 1).await;

    proxy.cut();
    expect_unavailable(first.await.expect("the first attempt"), "the cut attempt").await;
    expect_unavailable(readyz(&app.base).await, "/readyz").await;
    let other = report_of(HEATING, centre_of(GUANLAN_GRID), "停电中");
    let during = send_to(&app.base, &c.resident, "outage-2", &other)
        .await
        .expect("sent");
    expect_unavailable(during, "a report during the outage").await;

    terminate(&app.database_url, &waiting).await;
    held.release().await;
    proxy.restore();
    until_ready(&app.base).await;

    let (status, view) = json_of(
        send_to(&app.base, &c.resident, "outage-1", &body)
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the retry is the report: {view}"
    );
    let (status, again) = json_of(
        send_to(&app.base, &c.resident, "outage-1", &body)
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(
        (status, &again["id"]),
        (StatusCode::CREATED, &view["id"]),
        "replayed: {again}"
    );
    assert_eq!(
        list_ids(&app, &c.resident, "reporter=me").await,
        [text(&view["id"])]
    );
    app.stop().await;
}

/// Two attempts with one key in flight together: both do the work, one
/// commits, the other rolls back with 409, and its retry gets the first's
/// answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_concurrent_duplicates_one_is_stored() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let c = cast(&app).await;
    let body = report_of(HEATING, centre_of(GUANLAN_GRID), "两个同时");
    let held = WriteLock::take(&app).await;
    let resident = Arc::new(c.resident);
    let mut attempts = JoinSet::new();
    for _ in 0..2 {
        let (base, who, body) = (app.base.clone(), resident.clone(), body.clone());
        attempts.spawn(async move {
            json_of(send_to(&base, &who, "twice", &body).await.expect("sent")).await
        });
    }
    waiting_inserts(&app.database_url, 2).await;
    held.release().await;
    let mut answers = attempts.join_all().await;
    answers.sort_by_key(|(status, _)| *status);
    let (created, lost) = (&answers[0], &answers[1]);
    assert_eq!(created.0, StatusCode::CREATED, "{answers:?}");
    assert_eq!(lost.0, StatusCode::CONFLICT, "{answers:?}");
    assert_eq!(lost.1["code"], "request_in_progress", "{answers:?}");
    let (status, retried) = json_of(
        send_to(&app.base, &resident, "twice", &body)
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(
        (status, &retried["id"]),
        (StatusCode::CREATED, &created.1["id"])
    );
    assert_eq!(list_ids(&app, &resident, "reporter=me").await.len(), 1);
    app.stop().await;
}

/// A write lock held by the test: SQLite's (`BEGIN IMMEDIATE`), or on
/// PostgreSQL a lock on `incidents` that lets a report's transaction begin
/// and stop at its insert.
struct WriteLock {
    release: std::sync::mpsc::Sender<()>,
    holder: tokio::task::JoinHandle<()>,
}

impl WriteLock {
    async fn take(app: &TestApp) -> WriteLock {
        let (url, backend) = (app.database_url.clone(), app.backend);
        let (taken_tx, taken) = tokio::sync::oneshot::channel();
        let (release, release_rx) = std::sync::mpsc::channel::<()>();
        let holder = tokio::task::spawn_blocking(move || {
            let statement = match backend {
                Backend::Sqlite => "BEGIN IMMEDIATE",
                Backend::Postgres => "BEGIN; LOCK TABLE incidents IN EXCLUSIVE MODE",
            };
            let mut conn = match backend {
                Backend::Sqlite => Held::Sqlite(SqliteConnection::establish(&url).expect("SQLite")),
                Backend::Postgres => {
                    Held::Postgres(PgConnection::establish(&url).expect("PostgreSQL"))
                }
            };
            conn.batch(statement);
            taken_tx.send(()).expect("the test waits");
            let _ = release_rx.recv();
            conn.batch("COMMIT");
        });
        taken.await.expect("the lock is taken");
        WriteLock { release, holder }
    }

    async fn release(self) {
        let _ = self.release.send(());
        self.holder.await.expect("the lock holder");
    }
}

enum Held {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Held {
    fn batch(&mut self, sql: &str) {
        use diesel::connection::SimpleConnection;
        match self {
            Held::Sqlite(c) => c.batch_execute(sql),
            Held::Postgres(c) => c.batch_execute(sql),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

#[derive(QueryableByName)]
struct Waiting {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// Waits until `n` of the server's transactions wait for the test's lock
/// at their insert of an incident; their backends' process ids.
async fn waiting_inserts(url: &str, n: usize) -> Vec<i32> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = PgConnection::establish(&url).expect("PostgreSQL");
        for _ in 0..600 {
            let waiting: Vec<Waiting> = diesel::sql_query(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
                 AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"incidents\"%'",
            )
            .load(&mut conn)
            .expect("pg_stat_activity");
            if waiting.len() >= n {
                return waiting.into_iter().map(|w| w.pid).collect();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{n} report(s) never reached their insert")
    })
    .await
    .expect("the watcher")
}

/// Ends the server's orphaned backends (their client is gone, but a backend
/// waiting for a lock would not notice until it got it).
async fn terminate(url: &str, pids: &[i32]) {
    let (url, pids) = (url.to_owned(), pids.to_vec());
    tokio::task::spawn_blocking(move || {
        let mut conn = PgConnection::establish(&url).expect("PostgreSQL");
        for pid in pids {
            diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
                .execute(&mut conn)
                .expect("pg_terminate_backend");
        }
    })
    .await
    .expect("terminated");
}

fn postgres_address() -> SocketAddr {
    let url = std::env::var("GRIDOPS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let host = url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("127.0.0.1:5432");
    let host = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    host.parse()
        .unwrap_or_else(|_| panic!("a host:port in {url}"))
}

/// `url` with its host and port replaced by the proxy's.
fn through(url: &str, port: u16) -> String {
    let (scheme_user, rest) = url.split_once('@').expect("user@host in the URL");
    let (_, database) = rest.split_once('/').expect("/database in the URL");
    format!("{scheme_user}@127.0.0.1:{port}/{database}")
}

/// A TCP proxy on loopback that can cut every connection and refuse new
/// ones (the database "down"), then listen again on the same port.
struct CuttableProxy {
    port: u16,
    state: Arc<Mutex<ProxyState>>,
}

struct ProxyState {
    listener: Option<TcpListener>,
    open: Vec<TcpStream>,
    stopped: bool,
}

impl CuttableProxy {
    fn start(target: SocketAddr) -> CuttableProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a proxy port");
        let port = listener.local_addr().expect("its port").port();
        listener.set_nonblocking(true).expect("non-blocking");
        let state = Arc::new(Mutex::new(ProxyState {
            listener: Some(listener),
            open: Vec::new(),
            stopped: false,
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            loop {
                let accepted = {
                    let state = shared.lock().expect("the proxy's state");
                    if state.stopped {
                        return;
                    }
                    state.listener.as_ref().map(TcpListener::accept)
                };
                match accepted {
                    Some(Ok((client, _))) => {
                        let Ok(server) = TcpStream::connect(target) else {
                            continue;
                        };
                        client.set_nonblocking(false).expect("blocking");
                        let mut state = shared.lock().expect("the proxy's state");
                        for stream in [&client, &server] {
                            state.open.push(stream.try_clone().expect("a clone"));
                        }
                        pipe(
                            client.try_clone().expect("a clone"),
                            server.try_clone().expect("a clone"),
                        );
                        pipe(server, client);
                    }
                    _ => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        CuttableProxy { port, state }
    }

    /// Drops every connection and stops listening: connecting is refused.
    fn cut(&self) {
        let mut state = self.state.lock().expect("the proxy's state");
        state.listener = None;
        for stream in state.open.drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).expect("the proxy's port again");
        listener.set_nonblocking(true).expect("non-blocking");
        self.state.lock().expect("the proxy's state").listener = Some(listener);
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.cut();
        self.state.lock().expect("the proxy's state").stopped = true;
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// The real `gridops serve` binary as its own process on the test's
/// database, so that it can be killed with SIGKILL mid-request.
struct NodeProcess {
    child: std::process::Child,
    base: String,
}

impl NodeProcess {
    async fn start(database_url: &str, photos: &Path) -> NodeProcess {
        let (url, photos) = (database_url.to_owned(), photos.to_path_buf());
        tokio::task::spawn_blocking(move || NodeProcess::start_blocking(&url, &photos))
            .await
            .expect("the node starts")
    }

    fn start_blocking(database_url: &str, photos: &Path) -> NodeProcess {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gridops-node"))
            .args([
                "--database-url",
                database_url,
                "--log-format",
                "json",
                "serve",
            ])
            .args(["--bind", "127.0.0.1:0", "--workers", "2", "--photo-dir"])
            .arg(photos)
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the gridops binary starts");
        // "gridops serving on http://127.0.0.1:PORT (…)" once it listens.
        let mut reader = std::io::BufReader::new(child.stdout.take().expect("its stdout"));
        let mut first = String::new();
        reader.read_line(&mut first).expect("its first line");
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        NodeProcess { child, base }
    }

    /// SIGKILL, then the same binary again on the same database.
    async fn kill_and_restart(self, database_url: &str, photos: &Path) -> NodeProcess {
        drop(self);
        NodeProcess::start(database_url, photos).await
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
