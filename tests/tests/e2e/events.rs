//! `GET /api/v1/events`: consoles hear incident changes of their area, in
//! order, resume without losses or repeats, across nodes on PostgreSQL; and
//! the signals behind it (LISTEN/NOTIFY, reconnection, late commits).

use std::time::Duration;

use diesel::sql_types::Text;
use diesel::{Connection, RunQueryDsl};
use gridops_api::{Application, Settings};
use gridops_infra::DbError;
use gridops_infra::signals::{INCIDENT_EVENTS, SHUTDOWN, Signals, notify_on_commit};
use gridops_tests::{Backend, TestApp, expect_problem, json, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incidents::{
    DOG_NOISE, GONGYI_GRID, GUANLAN_GRID, HEATING, User, cast, report_in, step,
};

/// "Within a few seconds", with room for a busy machine: PostgreSQL holds the
/// stream back while any write transaction of the cluster (other tests'
/// included) is still running.
const WAIT: Duration = Duration::from_secs(15);

/// One Server-Sent Event.
#[derive(Debug, Clone)]
struct Event {
    id: String,
    name: String,
    data: Value,
}

impl Event {
    fn incident(&self) -> &str {
        self.data["incident_id"].as_str().expect("incident_id")
    }

    fn action(&self) -> &str {
        self.data["action"].as_str().expect("action")
    }

    /// The resume token as the pair it stands for, to compare order.
    fn position(&self) -> (i64, i64) {
        let (tx, seq) = self.id.split_once('-').expect("an id <tx>-<seq>");
        (
            tx.parse().expect("a number"),
            seq.parse().expect("a number"),
        )
    }
}

#[derive(Debug)]
enum Next {
    Event(Event),
    Quiet,
    Ended,
}

/// An open event stream, read frame by frame.
struct Stream {
    response: reqwest::Response,
    buffer: String,
    /// `: keep-alive` comments and `retry:` hints seen.
    retry: Option<u64>,
}

impl Stream {
    async fn open(app: &TestApp, who: &User, last_event_id: Option<&str>) -> Stream {
        Stream::open_at(&app.base, who, last_event_id).await
    }

    /// The stream of the server at `base` (another node).
    async fn open_at(base: &str, who: &User, last_event_id: Option<&str>) -> Stream {
        let mut request = who.client.get(format!("{base}/api/v1/events"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.expect("GET /events sent");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{} opens the stream",
            who.name
        );
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Stream {
            response,
            buffer: String::new(),
            retry: None,
        }
    }

    /// The next event within `wait`; comments and hints are skipped.
    async fn next(&mut self, wait: Duration) -> Next {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = self.parse(&block) {
                    return Next::Event(event);
                }
            }
            match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return Next::Quiet,
                Ok(Ok(Some(bytes))) => {
                    self.buffer
                        .push_str(std::str::from_utf8(&bytes).expect("UTF-8 frames"));
                }
                Ok(Ok(None) | Err(_)) => return Next::Ended,
            }
        }
    }

    /// One frame (RFC: fields `id`, `event`, `data`, `retry`; `:` comments).
    fn parse(&mut self, block: &str) -> Option<Event> {
        let (mut id, mut name, mut data) = (None, None, Vec::new());
        for line in block.lines() {
            if line.is_empty() || line.starts_with(':') {
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "id" => id = Some(value.to_owned()),
                "event" => name = Some(value.to_owned()),
                "data" => data.push(value.to_owned()),
                "retry" => self.retry = value.parse().ok(),
                other => panic!("unknown field {other:?} in {block:?}"),
            }
        }
        if data.is_empty() {
            return None;
        }
        let data = data.join("\n");
        Some(Event {
            id: id.expect("every event has an id"),
            name: name.unwrap_or_else(|| "message".into()),
            data: serde_json::from_str(&data).unwrap_or_else(|e| panic!("{e}: {data}")),
        })
    }

    async fn expect_event(&mut self, what: &str) -> Event {
        match self.next(WAIT).await {
            Next::Event(event) => event,
            other => panic!("expected {what}, got {other:?}"),
        }
    }

    /// The next `n` events.
    async fn take(&mut self, n: usize, what: &str) -> Vec<Event> {
        let mut events = Vec::new();
        for i in 0..n {
            events.push(
                self.expect_event(&format!("{what} ({} of {n})", i + 1))
                    .await,
            );
        }
        events
    }

    /// Nothing comes for `wait`.
    async fn expect_quiet(&mut self, wait: Duration, why: &str) {
        match self.next(wait).await {
            Next::Quiet => {}
            other => panic!("{why}: got {other:?}"),
        }
    }
}

fn steps(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| (e.incident().to_owned(), e.action().to_owned()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(i, a)| ((*i).to_owned(), (*a).to_owned()))
        .collect()
}

on_both_backends! {
    async fn a_console_hears_the_changes_of_its_area_in_order(app) {
        let c = cast(app).await;
        let mut mine = Stream::open(app, &c.dispatcher, None).await;
        let mut gongyi = Stream::open(app, &c.gongyi, None).await;

        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气片冰凉，家里只有十四度").await;
        step(app, &c.dispatcher, &id, "accept", None).await;
        step(app, &c.dispatcher, &id, "dispatch", Some(json!({"party": "zy-heating"}))).await;

        let events = mine.take(3, "the report, accept and dispatch").await;
        assert_eq!(steps(&events), pairs(&[(&id, "report"), (&id, "accept"), (&id, "dispatch")]));
        assert_eq!(mine.retry, Some(3000), "a reconnection hint first");
        for (event, (version, from, to)) in events.iter().zip([
            (1, Value::Null, "reported"),
            (2, json!("reported"), "accepted"),
            (3, json!("accepted"), "dispatched"),
        ]) {
            assert_eq!(event.name, "incident");
            assert_eq!(event.data["version"], version, "{:?}", event.data);
            assert_eq!(event.data["from"], from, "{:?}", event.data);
            assert_eq!(event.data["to"], to, "{:?}", event.data);
            assert!(event.data["reference"].as_str().is_some_and(|r| r.starts_with("410102-")));
            assert!(event.data["at"].as_str().is_some_and(|t| t.ends_with('Z')), "{:?}", event.data);
            // Keys exactly: no description, note or other personal data.
            let mut keys: Vec<&str> = event.data.as_object().expect("an object").keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["action", "actor_id", "at", "from", "incident_id", "reference", "to", "version"]);
        }
        assert_eq!(events[0].data["actor_id"], c.resident.id.as_str());
        assert_eq!(events[1].data["actor_id"], c.dispatcher.id.as_str());
        assert!(events.windows(2).all(|w| w[0].position() < w[1].position()), "{events:?}");

        // Gongyi's dispatcher heard none of that: the first thing they hear
        // is their own district's report; and Hanghaixilu does not hear it.
        let theirs = report_in(app, &c.gongyi, GONGYI_GRID, DOG_NOISE, "狗叫到凌晨").await;
        let heard = gongyi.expect_event("Gongyi's own report").await;
        assert_eq!((heard.incident(), heard.action()), (theirs.as_str(), "report"));
        step(app, &c.dispatcher, &id, "comment", Some(json!({"text": "已联系热力公司"}))).await;
        let next = mine.expect_event("the comment").await;
        assert_eq!((next.incident(), next.action()), (id.as_str(), "comment"));
    }

    async fn a_console_resumes_after_its_last_event_id_without_gaps_or_repeats(app) {
        let c = cast(app).await;
        let mut first = Stream::open(app, &c.dispatcher, None).await;
        let a = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
        step(app, &c.dispatcher, &a, "accept", None).await;
        step(app, &c.dispatcher, &a, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        let seen = first.take(3, "the first incident's events").await;
        drop(first);

        // While the console is away.
        let b = report_in(app, &c.resident, GUANLAN_GRID, DOG_NOISE, "狗叫").await;
        step(app, &c.dispatcher, &b, "accept", None).await;

        let mut again = Stream::open(app, &c.dispatcher, Some(&seen[0].id)).await;
        let got = again.take(4, "everything after the first event").await;
        assert_eq!(
            steps(&got),
            pairs(&[(&a, "accept"), (&a, "dispatch"), (&b, "report"), (&b, "accept")])
        );
        assert_eq!(got[0].id, seen[1].id, "an event keeps its id");
        assert_eq!(got[1].id, seen[2].id);
        // Nothing more was waiting: the next event is the next change.
        step(app, &c.dispatcher, &b, "comment", Some(json!({"text": "稍后处理"}))).await;
        let next = again.expect_event("the comment").await;
        assert_eq!((next.incident(), next.action()), (b.as_str(), "comment"));

        // Resuming at the newest event gives nothing old.
        let mut latest = Stream::open(app, &c.dispatcher, Some(&next.id)).await;
        latest.expect_quiet(Duration::from_millis(2500), "nothing after the newest event").await;
    }

    async fn the_stream_needs_a_token_and_a_well_formed_last_event_id(app) {
        let response = app.anonymous.get(app.url("/api/v1/events")).send().await.expect("sent");
        expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        for bad in ["yesterday", "12", "1-2-3", "-1-5"] {
            let response = app.client.get(app.url("/api/v1/events"))
                .header("Last-Event-ID", bad).send().await.expect("sent");
            expect_problem(response, StatusCode::BAD_REQUEST, "malformed_request").await;
        }
    }
}

/// A second node on the same database: its own pool, signals and process
/// state; only PostgreSQL connects the two.
async fn second_node(app: &TestApp, photos: &std::path::Path) -> Application {
    let mut settings = Settings::new(app.database_url.clone());
    settings.bind = "127.0.0.1:0".into();
    settings.workers = Some(1);
    settings.database.pool_size = 3;
    settings.shutdown_timeout = Duration::from_secs(5);
    settings.photo_dir = photos.to_path_buf();
    Application::build(settings)
        .await
        .expect("the second node starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_on_one_node_hears_a_commit_made_through_another() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let c = cast(&app).await;
    let photos = tempfile::tempdir().expect("a photo directory");
    let node_b = second_node(&app, photos.path()).await;
    let base_b = format!("http://127.0.0.1:{}", node_b.port());
    let signals_b = node_b.state().signals.clone();
    let handle_b = node_b.handle();
    let running_b = tokio::spawn(node_b.run_until_stopped());

    // The signing key is kept in the database: node A's token is good on B.
    let mut on_b = Stream::open_at(&base_b, &c.dispatcher, None).await;

    // Committed through node A: node B's console hears it.
    let id = report_in(&app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
    let heard = on_b.expect_event("node A's report, on node B").await;
    assert_eq!((heard.incident(), heard.action()), (id.as_str(), "report"));
    step(&app, &c.dispatcher, &id, "accept", None).await;
    let heard = on_b.expect_event("node A's accept, on node B").await;
    assert_eq!((heard.incident(), heard.action()), (id.as_str(), "accept"));

    // Shutting down (SIGTERM) ends node B's streams instead of waiting for
    // the graceful stop's timeout.
    signals_b.raise_local(SHUTDOWN);
    match on_b.next(Duration::from_secs(3)).await {
        Next::Ended => {}
        other => panic!("the stream should end at shutdown, got {other:?}"),
    }
    handle_b.stop(true).await;
    running_b
        .await
        .expect("node B's task")
        .expect("node B stops cleanly");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while signals_b.is_listening() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "node B still listens after its stop"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.stop().await;
}

/// A second node as its own operating-system process: the real `gridops
/// serve` binary on the test's database. Killed when dropped.
struct NodeProcess {
    child: std::process::Child,
    base: String,
}

impl NodeProcess {
    /// Blocks until the node listens.
    fn start(database_url: &str, photos: &std::path::Path) -> NodeProcess {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gridops-node"))
            .args([
                "--database-url",
                database_url,
                "--log-format",
                "json",
                "serve",
            ])
            .args(["--bind", "127.0.0.1:0", "--workers", "1", "--photo-dir"])
            .arg(photos)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the gridops binary starts");
        // It prints "gridops serving on http://127.0.0.1:PORT (…)" once listening.
        let stdout = child.stdout.take().expect("its stdout");
        let mut reader = std::io::BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).expect("its first line");
        // Keep reading: a closed pipe would end the node at its next line.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        NodeProcess { child, base }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_on_another_server_process_hears_a_commit() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let c = cast(&app).await;
    let photos = tempfile::tempdir().expect("a photo directory");
    let node_b = {
        let (url, path) = (app.database_url.clone(), photos.path().to_path_buf());
        tokio::task::spawn_blocking(move || NodeProcess::start(&url, &path))
            .await
            .expect("node B started")
    };
    let mut on_b = Stream::open_at(&node_b.base, &c.dispatcher, None).await;
    let id = report_in(&app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
    let heard = on_b
        .expect_event("node A's report, in node B's process")
        .await;
    assert_eq!((heard.incident(), heard.action()), (id.as_str(), "report"));
    drop(node_b);
    app.stop().await;
}

/// A transaction that began before another but commits after it: a reader
/// that had passed the later one would skip it for good. The stream holds
/// the later one back until the earlier one ends, then hands out both, in
/// order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_commit_is_not_skipped() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let c = cast(&app).await;
    let id = report_in(&app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
    let mut console = Stream::open(&app, &c.dispatcher, None).await;

    // Another writer's transaction adds an event and stays open.
    let (written_tx, written_rx) = tokio::sync::oneshot::channel::<()>();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
    let (url, incident) = (app.database_url.clone(), id.clone());
    let slow = tokio::task::spawn_blocking(move || {
        let mut conn = diesel::pg::PgConnection::establish(&url).expect("a connection");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            diesel::sql_query(
                "INSERT INTO incident_events (id, incident_id, seq, action, actor_id, occurred_at, from_status, to_status) \
                 VALUES ($1, $2, 100, 'comment', 'slow-writer', LOCALTIMESTAMP, 'reported', 'reported')",
            )
            .bind::<Text, _>(uuid::Uuid::now_v7().to_string())
            .bind::<Text, _>(&incident)
            .execute(conn)?;
            written_tx.send(()).expect("the test waits");
            commit_rx.recv().expect("the test says when");
            Ok(())
        })
        .expect("the slow transaction commits");
    });
    written_rx.await.expect("the slow writer wrote");

    // A later transaction commits first.
    step(&app, &c.dispatcher, &id, "accept", None).await;
    console
        .expect_quiet(
            Duration::from_secs(3),
            "the accept waits for the older transaction",
        )
        .await;
    commit_tx.send(()).expect("the slow writer waits");
    slow.await.expect("the slow writer");

    let got = console.take(2, "both, the older transaction's first").await;
    assert_eq!(steps(&got), pairs(&[(&id, "comment"), (&id, "accept")]));
    assert_eq!(got[0].data["actor_id"], "slow-writer");
    assert!(got[0].position() < got[1].position());
    app.stop().await;
}

/// Whether `wake` moves on within `wait`.
async fn woken(wake: &mut tokio::sync::watch::Receiver<u64>, wait: Duration) -> bool {
    matches!(tokio::time::timeout(wait, wake.changed()).await, Ok(Ok(())))
}

/// LISTEN/NOTIFY: a commit on another connection wakes the subscriber, a
/// rollback does not; a dropped listening connection comes back and wakes
/// everyone once; `stop` ends the thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signals_cross_connections_on_commit_and_survive_a_dropped_connection() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let db = app.open_db();
    let signals = Signals::start(&db, &[INCIDENT_EVENTS]);
    let mut wake = signals.subscribe(INCIDENT_EVENTS);
    // Connected: every channel is raised once (anything may have been missed).
    assert!(woken(&mut wake, Duration::from_secs(10)).await, "listening");

    let notify = |commit: bool| {
        let db = db.clone();
        async move {
            let result = db
                .write(move |conn| {
                    notify_on_commit(conn, INCIDENT_EVENTS, "some-incident")?;
                    if commit {
                        Ok(())
                    } else {
                        Err(DbError::Other("rolled back on purpose".into()))
                    }
                })
                .await;
            assert_eq!(result.is_ok(), commit);
        }
    };
    notify(false).await;
    assert!(
        !woken(&mut wake, Duration::from_millis(700)).await,
        "a rolled-back transaction tells nobody"
    );
    notify(true).await;
    assert!(
        woken(&mut wake, Duration::from_secs(5)).await,
        "a commit wakes"
    );

    // The database drops the listening connection(s) of this test database.
    let dropped = db
        .run(|conn| {
            #[derive(diesel::QueryableByName)]
            struct Dropped {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            Ok(diesel::sql_query(
                "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
                 WHERE application_name = 'gridops-listener' AND datname = current_database()",
            )
            .get_result::<Dropped>(conn)?
            .n)
        })
        .await
        .expect("listeners terminated");
    assert!(dropped >= 1, "the listener shows in pg_stat_activity");
    assert!(
        woken(&mut wake, Duration::from_secs(10)).await,
        "reconnected: woken once for what may have been missed"
    );
    notify(true).await;
    assert!(
        woken(&mut wake, Duration::from_secs(5)).await,
        "listening again"
    );

    assert!(signals.is_listening());
    signals.stop();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while signals.is_listening() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the thread ends after stop"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.stop().await;
}
