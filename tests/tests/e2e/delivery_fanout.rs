//! Delivery at scale, as an operator would notice it: several workers on one
//! database never send a push twice, not even when a batch takes longer to
//! send than its lease; an outage of Firebase pauses delivery instead of
//! churning through the backlog's retries; and `/metrics` answers while
//! the database is held busy.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::TimeDelta;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use gridops_infra::delivery::DeliverySettings;
use gridops_tests::reqwest::StatusCode;
use gridops_tests::{Backend, TestApp, json, json_of};
use serde_json::Value;

use crate::delivery::{
    Rig, Worker, accepted_per_message, eventually, ids, metric, outbox, residents_with_phones,
};
use crate::incidents::{GUANLAN_COMMUNITY, cast, sign_in, text};

/// The Guanlan dispatcher posts a notice to its residents (each push one
/// outbox row); the notice as answered.
async fn water_cut_notice(app: &TestApp) -> Value {
    let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
    let (status, notice) = json_of(
        dispatcher
            .client
            .post(app.url("/api/v1/notices"))
            .header("Idempotency-Key", "water-cut-guanlan")
            .json(&json!({
                "area": GUANLAN_COMMUNITY, "audience": ["residents"],
                "title": "停水通知", "body": "明日9时至17时停水，请提前储水。",
            }))
            .send()
            .await
            .expect("notice sent"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{notice}");
    notice
}

/// Every push was accepted by Firebase exactly once, each phone rang once,
/// and the outbox records each as sent at its first attempt.
async fn each_sent_once(rig: &Rig, tokens: &[String], pushes: &[Value]) {
    let (app, fcm) = (&rig.app, &rig.fcm);
    let accepted = accepted_per_message(fcm);
    assert_eq!(
        accepted.keys().cloned().collect::<BTreeSet<_>>(),
        ids(pushes)
    );
    let twice: Vec<_> = accepted.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(fcm.requests_at().len(), pushes.len(), "no send wasted");
    let mut per_phone: HashMap<String, usize> = HashMap::new();
    for message in fcm.delivered() {
        *per_phone.entry(text(&message["token"])).or_insert(0) += 1;
    }
    assert_eq!(per_phone.len(), tokens.len(), "every phone rang");
    assert!(per_phone.values().all(|&n| n == 1));
    assert!(
        pushes.iter().all(|p| p["attempts"] == 1),
        "each sent at the first attempt"
    );
    assert_eq!(outbox(app, "pending").await, Vec::<Value>::new());
}

async fn two_workers_never_send_the_same_push(backend: Backend) {
    // Only the test's two workers deliver.
    let Some(rig) = Rig::start(backend, |push| push.workers = 0).await else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let tokens = residents_with_phones(app, 300).await;
    // Sends take a moment, so the two workers' batches overlap in time.
    fcm.set_latency(Duration::from_millis(3));
    let settings = DeliverySettings {
        batch: 20,
        poll: Duration::from_millis(100),
        ..DeliverySettings::default()
    };
    let workers = [
        Worker::start(app, rig.sender(8), settings.clone()),
        Worker::start(app, rig.sender(8), settings),
    ];

    water_cut_notice(app).await;
    let pushes = eventually(
        "all 300 pushes are sent",
        Duration::from_secs(20),
        || async {
            let sent = outbox(app, "sent").await;
            (sent.len() == 300).then_some(sent)
        },
    )
    .await;
    let sent_by: Vec<u64> = workers.iter().map(Worker::sent).collect();
    for worker in workers {
        worker.stop().await;
    }

    each_sent_once(&rig, &tokens, &pushes).await;
    assert_eq!(sent_by.iter().sum::<u64>(), 300, "{sent_by:?}");
    assert!(
        sent_by.iter().all(|&n| n > 0),
        "both workers took part: {sent_by:?}"
    );
    rig.stop().await;
}

async fn a_batch_slower_than_its_lease_is_not_sent_twice(backend: Backend) {
    let Some(rig) = Rig::start(backend, |push| push.workers = 0).await else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let tokens = residents_with_phones(app, 10).await;
    // Every send takes more than twice the lease: without renewing it, the
    // other worker, polling all along, would take the batch over and send
    // it again.
    fcm.set_latency(Duration::from_millis(4500));
    let settings = DeliverySettings {
        batch: 5,
        lease: TimeDelta::seconds(2),
        poll: Duration::from_millis(100),
        ..DeliverySettings::default()
    };
    let workers = [
        Worker::start(app, rig.sender(10), settings.clone()),
        Worker::start(app, rig.sender(10), settings),
    ];

    water_cut_notice(app).await;
    let pushes = eventually(
        "all 10 pushes are sent",
        Duration::from_secs(30),
        || async {
            let sent = outbox(app, "sent").await;
            (sent.len() == 10).then_some(sent)
        },
    )
    .await;
    // Another lease's time for a second send to show up, if one was made.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for worker in workers {
        worker.stop().await;
    }
    each_sent_once(&rig, &tokens, &pushes).await;
    rig.stop().await;
}

async fn an_outage_pauses_delivery_instead_of_churning_the_backlog(backend: Backend) {
    // One worker, a batch of ten at a time, quick retries that never give
    // up during the outage.
    let Some(rig) = Rig::start(backend, |push| {
        push.delivery.batch = 10;
        push.delivery.batches_in_flight = 1;
        push.delivery.retry.cap = TimeDelta::seconds(1);
        push.delivery.retry.max_attempts = 50;
    })
    .await
    else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let tokens = residents_with_phones(app, 200).await;
    fcm.go_down().await;
    water_cut_notice(app).await;

    // The worker has found Firebase unreachable (a push failed), and keeps
    // trying for a while.
    eventually(
        "a push has failed to reach Firebase",
        Duration::from_secs(5),
        || async {
            let pending = outbox(app, "pending").await;
            pending
                .iter()
                .any(|p| {
                    p["last_error"]
                        .as_str()
                        .is_some_and(|e| e.contains("connect"))
                })
                .then_some(())
        },
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pending = outbox(app, "pending").await;
    assert_eq!(pending.len(), 200, "nothing lost, nothing given up");
    let untried = pending.iter().filter(|p| p["attempts"] == 0).count();
    // Without the pause the worker would have gone through all 200 within
    // milliseconds, and again at every retry.
    assert!(
        untried >= 100,
        "the backlog waits for Firebase, not tried over and over: {untried} of 200 untried"
    );

    fcm.come_back().await;
    let pushes = eventually("the backlog drains", Duration::from_secs(20), || async {
        let sent = outbox(app, "sent").await;
        (sent.len() == 200).then_some(sent)
    })
    .await;
    let accepted = accepted_per_message(fcm);
    assert_eq!(
        accepted.keys().cloned().collect::<BTreeSet<_>>(),
        ids(&pushes)
    );
    assert!(accepted.values().all(|&n| n == 1), "none twice");
    assert_eq!(fcm.delivered().len(), tokens.len(), "every phone rang");
    rig.stop().await;
}

/// Holds the database busy from another connection until told to let go:
/// on PostgreSQL the device and outbox tables locked, on SQLite the write
/// lock.
fn hold_busy(url: String, backend: Backend, held: std::sync::mpsc::Sender<()>) -> impl FnOnce() {
    let (release, released) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || match backend {
        Backend::Postgres => {
            let mut conn = diesel::PgConnection::establish(&url).expect("a connection");
            conn.batch_execute("BEGIN; LOCK TABLE devices, outbox IN ACCESS EXCLUSIVE MODE")
                .expect("tables locked");
            held.send(()).expect("the test waits");
            let _ = released.recv();
            conn.batch_execute("ROLLBACK").expect("released");
        }
        Backend::Sqlite => {
            let mut conn = diesel::SqliteConnection::establish(&url).expect("a connection");
            conn.batch_execute("BEGIN IMMEDIATE")
                .expect("write lock taken");
            held.send(()).expect("the test waits");
            let _ = released.recv();
            conn.batch_execute("ROLLBACK").expect("released");
        }
    });
    move || {
        let _ = release.send(());
        holder.join().expect("the holder ends");
    }
}

async fn metrics_answer_while_the_database_is_held_busy(backend: Backend) {
    // Two pooled connections, and requests that wait for one (and for the
    // database) far longer than the test: a scrape that needed one would
    // hang.
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.database.pool_size = 2;
        s.database.connect_timeout = Duration::from_secs(300);
        s.database.sqlite_busy_timeout = Duration::from_secs(300);
        s.push.workers = 0;
    })
    .await
    else {
        return;
    };
    let c = cast(&app).await;
    let scrape = || async {
        let response = tokio::time::timeout(Duration::from_secs(60), app.get("/metrics"))
            .await
            .expect("/metrics answers while the database is busy");
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("metrics")
    };
    eventually(
        "the outbox figures are on /metrics",
        Duration::from_secs(10),
        || async { metric(&app, "gridops_outbox_pending").await },
    )
    .await;

    let (held, holding) = std::sync::mpsc::channel();
    let release = hold_busy(app.database_url.clone(), app.backend, held);
    tokio::task::spawn_blocking(move || holding.recv())
        .await
        .expect("the holder started")
        .expect("the database is held");
    // Two phones register: each request takes a connection and waits for
    // the database.
    let registering: Vec<_> = [&c.handler, &c.resident]
        .into_iter()
        .enumerate()
        .map(|(i, who)| {
            let (client, url) = (who.client.clone(), app.url("/api/v1/devices"));
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({
                        "token": format!("fcm-token-held-busy-phone-{i:04}"),
                        "platform": "android",
                        "locale": "zh-CN",
                    }))
                    .send()
                    .await
                    .expect("registration sent")
                    .status()
            })
        })
        .collect();
    let in_use = "gridops_db_pool_connections{state=\"in_use\"} 2";
    let mut seen = false;
    for _ in 0..100 {
        if scrape().await.contains(in_use) {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen, "both pooled connections are taken");
    let page = scrape().await;
    assert!(page.contains("gridops_outbox_pending 0"), "{page}");
    assert!(page.contains("gridops_outbox_depth_age_seconds"), "{page}");
    assert!(
        registering.iter().all(|r| !r.is_finished()),
        "the database was still busy when /metrics answered"
    );

    tokio::task::spawn_blocking(release)
        .await
        .expect("released");
    for request in registering {
        let status = request.await.expect("the registration ends");
        assert_eq!(status, StatusCode::CREATED, "and goes through afterwards");
    }
    app.stop().await;
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(gridops_tests::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name(gridops_tests::Backend::Postgres).await;
            }
        }
    )*};
}

on_both_backends!(
    two_workers_never_send_the_same_push,
    a_batch_slower_than_its_lease_is_not_sent_twice,
    an_outage_pauses_delivery_instead_of_churning_the_backlog,
    metrics_answer_while_the_database_is_held_busy,
);
