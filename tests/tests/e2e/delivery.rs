//! The promises push delivery makes, each checked where a user would notice
//! it: on the phone (the fake Firebase's log), in the inbox, and in the
//! outbox an administrator reads. A throttled or failing Firebase delays a
//! push but never loses it or sends it twice at once; a token the phone no
//! longer has is forgotten; a message Firebase refuses is set aside after
//! one try; a change that rolls back tells nobody; a worker that dies between
//! sending and recording is followed by a re-send with the same message id;
//! and two workers on one database share the work without overlap (in
//! `delivery_fanout`, with leases, outages and `/metrics` under load).
//!
//! The happy path and the REST API are in `notifications`.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use diesel::prelude::*;
use gridops_api::settings::PushSettings;
use gridops_domain::notification::{Audience, Tell, Topic, Why};
use gridops_domain::role::Role;
use gridops_infra::delivery::{DeliverySettings, DeliveryStats, DeliveryWorker};
use gridops_infra::push::{FcmSender, Platform, PushMessage, PushOutcome, PushSender};
use gridops_infra::repo::notifications::{self as repo, NewDevice};
use gridops_infra::repo::users::{self, NewUser, RoleGrant};
use gridops_infra::repo::{incidents, now};
use gridops_infra::schema::{notifications, outbox};
use gridops_infra::signals::{OUTBOX, Signals};
use gridops_infra::{Db, DbError, DbSettings};
use gridops_tests::fake_fcm::{Delivery, FakeFcm, TokenFate};
use gridops_tests::reqwest::StatusCode;
use gridops_tests::{Backend, TestApp, json, json_of};
use serde_json::Value;
use tokio::sync::watch;

use crate::incidents::{
    GUANLAN_COMMUNITY, GUANLAN_GRID, HEATING, User, cast, report_in, step, text,
};
use crate::notifications::{dispatched_heating_case, inbox, topics};

const HANDLER_PHONE: &str = "fcm-token-delivery-handler-phone-0001";
const RESIDENT_PHONE: &str = "fcm-token-delivery-resident-phone-0002";

/// A server whose pushes go to a fake Firebase, with quick retries.
pub(crate) struct Rig {
    pub(crate) app: TestApp,
    pub(crate) fcm: FakeFcm,
    /// The service account the server reads, for senders of the test's own.
    account: PathBuf,
    _dir: tempfile::TempDir,
}

impl Rig {
    /// Polls every 100 ms and retries from 200 ms; `adjust` may change more.
    pub(crate) async fn start(
        backend: Backend,
        adjust: impl FnOnce(&mut PushSettings),
    ) -> Option<Rig> {
        let fcm = FakeFcm::start().await;
        let dir = tempfile::tempdir().expect("a directory for the service account");
        let account = fcm.write_service_account(dir.path());
        let (path, endpoint) = (account.clone(), fcm.endpoint());
        let app = TestApp::spawn_with(backend, move |s| {
            s.push.fcm_service_account = Some(path);
            s.push.fcm_endpoint = Some(endpoint);
            s.push.delivery.poll = Duration::from_millis(100);
            s.push.delivery.retry.base = TimeDelta::milliseconds(200);
            adjust(&mut s.push);
        })
        .await?;
        Some(Rig {
            app,
            fcm,
            account,
            _dir: dir,
        })
    }

    /// A sender to the fake of the test's own, as another process would have.
    pub(crate) fn sender(&self, max_in_flight: usize) -> FcmSender {
        FcmSender::from_service_account_file(
            &self.account,
            Some(&self.fcm.endpoint()),
            max_in_flight,
        )
        .expect("a sender to the fake")
    }

    pub(crate) async fn stop(self) {
        self.app.stop().await;
    }
}

/// Polls `probe` every 50 ms until it gives a value; fails naming `what`
/// after `within`.
pub(crate) async fn eventually<T, F: Future<Output = Option<T>>>(
    what: &str,
    within: Duration,
    mut probe: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `POST /api/v1/devices` for `who`; the status (201 new, 200 known).
async fn register(app: &TestApp, who: &User, token: &str) -> StatusCode {
    let (status, body) = json_of(
        who.client
            .post(app.url("/api/v1/devices"))
            .json(&json!({"token": token, "platform": "android", "locale": "zh-CN"}))
            .send()
            .await
            .expect("device registration sent"),
    )
    .await;
    assert!(
        status.is_success(),
        "{} registers a phone: {body}",
        who.name
    );
    status
}

/// The outbox in `state`, as the administrator reads it.
pub(crate) async fn outbox(app: &TestApp, state: &str) -> Vec<Value> {
    let (status, page) = app
        .get_json(&format!("/api/v1/admin/outbox?state={state}&limit=500"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page["next_cursor"].is_null(), "one page holds it: {page}");
    page["items"].as_array().cloned().expect("items")
}

pub(crate) fn ids(items: &[Value]) -> BTreeSet<String> {
    items.iter().map(|i| text(&i["id"])).collect()
}

pub(crate) fn message_id(delivery: &Delivery) -> String {
    text(&delivery.message["data"]["message_id"])
}

/// How many times the fake accepted each message id.
pub(crate) fn accepted_per_message(fcm: &FakeFcm) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for delivery in fcm.deliveries() {
        *counts.entry(message_id(&delivery)).or_insert(0) += 1;
    }
    counts
}

/// The value of an unlabelled series (or one with its labels) on `/metrics`.
pub(crate) async fn metric(app: &TestApp, series: &str) -> Option<f64> {
    let text = app.get("/metrics").await.text().await.expect("metrics");
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// A delivery worker of the test's own, on its own pool, sender and signals,
/// as on another node.
pub(crate) struct Worker {
    stats: Arc<DeliveryStats>,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    signals: Signals,
}

impl Worker {
    pub(crate) fn start(app: &TestApp, sender: FcmSender, settings: DeliverySettings) -> Worker {
        let db = Db::connect(&DbSettings {
            pool_size: 4,
            ..DbSettings::new(app.database_url.clone())
        })
        .expect("the worker's pool");
        let signals = Signals::start(&db, &[OUTBOX]);
        let stats = Arc::new(DeliveryStats::default());
        let worker = DeliveryWorker::new(
            db,
            Arc::new(PushSender::Fcm(sender)),
            signals.clone(),
            settings,
            stats.clone(),
        );
        let (stop, stopped) = watch::channel(false);
        Worker {
            stats,
            stop,
            task: tokio::spawn(worker.run(stopped)),
            signals,
        }
    }

    pub(crate) fn sent(&self) -> u64 {
        self.stats.sent.load(Ordering::Relaxed)
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        self.task.await.expect("the worker ends cleanly");
        self.signals.stop();
    }
}

// ── On both backends ───────────────────────────────────────────────────────────────────

async fn a_throttled_push_waits_for_retry_after(backend: Backend) {
    let Some(rig) = Rig::start(backend, |_| {}).await else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let c = cast(app).await;
    assert_eq!(
        register(app, &c.handler, HANDLER_PHONE).await,
        StatusCode::CREATED
    );
    fcm.throttle_next(1, 2);
    dispatched_heating_case(app, &c).await;

    let delivered = eventually(
        "the throttled push arrives",
        Duration::from_secs(8),
        || async {
            let d = fcm.deliveries();
            (!d.is_empty()).then_some(d)
        },
    )
    .await;
    let requests = fcm.requests_at();
    assert_eq!(requests.len(), 2, "one throttled request, one accepted");
    let waited = delivered[0].at.duration_since(requests[0]);
    assert!(
        waited >= Duration::from_secs(2),
        "Retry-After: 2 is a floor; the second try came after {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(5),
        "and not much later: {waited:?}"
    );
    assert_eq!(delivered[0].message["token"], HANDLER_PHONE);

    // Delivered once, and recorded as sent at the second attempt.
    let sent = eventually(
        "the push is recorded as sent",
        Duration::from_secs(3),
        || async {
            let sent = outbox(app, "sent").await;
            (!sent.is_empty()).then_some(sent)
        },
    )
    .await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["id"], message_id(&delivered[0]).as_str());
    assert_eq!(sent[0]["attempts"], 2, "{}", sent[0]);
    assert_eq!(outbox(app, "pending").await, Vec::<Value>::new());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fcm.deliveries().len(), 1, "never delivered twice");
    rig.stop().await;
}

async fn server_errors_are_retried_until_delivered(backend: Backend) {
    let Some(rig) = Rig::start(backend, |_| {}).await else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let c = cast(app).await;
    register(app, &c.handler, HANDLER_PHONE).await;
    fcm.fail_next(2, 500);
    dispatched_heating_case(app, &c).await;

    let sent = eventually("the push gets through", Duration::from_secs(8), || async {
        let sent = outbox(app, "sent").await;
        (!sent.is_empty()).then_some(sent)
    })
    .await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let item = &sent[0];
    assert_eq!(item["attempts"], 3, "two 500s, then accepted: {item}");
    assert!(item["sent_at"].is_string(), "{item}");
    assert!(
        text(&item["last_error"]).contains("INTERNAL"),
        "what went wrong on the way stays readable: {item}"
    );
    assert_eq!(outbox(app, "pending").await, Vec::<Value>::new());

    let delivered = fcm.deliveries();
    assert_eq!(delivered.len(), 1, "one push on the phone");
    assert_eq!(message_id(&delivered[0]), text(&item["id"]));
    // Backing off: at least half the doubling backoff between tries
    // (200 ms base: 100 ms, then 200 ms).
    let requests = fcm.requests_at();
    assert_eq!(requests.len(), 3);
    let gaps: Vec<Duration> = requests
        .windows(2)
        .map(|w| w[1].duration_since(w[0]))
        .collect();
    assert!(
        gaps[0] >= Duration::from_millis(100) && gaps[1] >= Duration::from_millis(200),
        "{gaps:?}"
    );
    rig.stop().await;
}

async fn an_unregistered_token_is_forgotten_and_the_push_settled(backend: Backend) {
    let Some(rig) = Rig::start(backend, |_| {}).await else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let c = cast(app).await;
    register(app, &c.handler, HANDLER_PHONE).await;
    fcm.unregister(HANDLER_PHONE);
    dispatched_heating_case(app, &c).await;

    let sent = eventually("the push is settled", Duration::from_secs(5), || async {
        let sent = outbox(app, "sent").await;
        (!sent.is_empty()).then_some(sent)
    })
    .await;
    assert_eq!(
        sent.len(),
        1,
        "nothing left to reach counts as done: {sent:?}"
    );
    assert_eq!(sent[0]["attempts"], 1, "{}", sent[0]);
    assert_eq!(outbox(app, "pending").await, Vec::<Value>::new());
    assert_eq!(outbox(app, "dead").await, Vec::<Value>::new());
    assert_eq!(fcm.requests_at().len(), 1, "tried once");
    assert!(fcm.deliveries().is_empty());
    assert_eq!(
        metric(app, "gridops_push_sends_total{result=\"token_pruned\"}").await,
        Some(1.0)
    );
    // The app was removed from the phone: the token is gone, so the
    // reinstalled app registering it again is a new device.
    assert_eq!(
        register(app, &c.handler, HANDLER_PHONE).await,
        StatusCode::CREATED
    );
    // The handler still finds the case in the inbox.
    assert_eq!(topics(&inbox(app, &c.handler, "").await), ["dispatched"]);
    rig.stop().await;
}

async fn a_refused_push_is_dead_lettered_after_one_attempt(backend: Backend) {
    let Some(rig) = Rig::start(backend, |_| {}).await else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let c = cast(app).await;
    register(app, &c.handler, HANDLER_PHONE).await;
    fcm.set_token_fate(HANDLER_PHONE, TokenFate::Invalid);
    dispatched_heating_case(app, &c).await;

    let dead = eventually(
        "the push is dead-lettered",
        Duration::from_secs(5),
        || async {
            let dead = outbox(app, "dead").await;
            (!dead.is_empty()).then_some(dead)
        },
    )
    .await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["attempts"], 1, "never retried: {}", dead[0]);
    assert_eq!(dead[0]["user_id"], c.handler.id.as_str());
    assert!(
        text(&dead[0]["last_error"]).contains("INVALID_ARGUMENT"),
        "the reason, for the administrator: {}",
        dead[0]
    );
    // Several retry intervals later: still the one request.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(fcm.requests_at().len(), 1, "one attempt, no more");
    assert_eq!(outbox(app, "pending").await, Vec::<Value>::new());
    eventually(
        "/metrics shows the dead letter and nothing pending",
        Duration::from_secs(6),
        || async {
            let dead = metric(app, "gridops_outbox_dead_letters").await;
            let pending = metric(app, "gridops_outbox_pending").await;
            (dead == Some(1.0) && pending == Some(0.0)).then_some(())
        },
    )
    .await;
    // A bad message is not a gone phone: the device stays registered.
    assert_eq!(
        register(app, &c.handler, HANDLER_PHONE).await,
        StatusCode::OK
    );
    assert_eq!(topics(&inbox(app, &c.handler, "").await), ["dispatched"]);
    rig.stop().await;
}

async fn a_backlog_built_while_fcm_is_down_drains_when_it_returns(backend: Backend) {
    // Retries every second at most, and no giving up during the outage.
    let Some(rig) = Rig::start(backend, |push| {
        push.delivery.retry.cap = TimeDelta::seconds(1);
        push.delivery.retry.max_attempts = 50;
    })
    .await
    else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let c = cast(app).await;
    register(app, &c.handler, HANDLER_PHONE).await;
    register(app, &c.resident, RESIDENT_PHONE).await;
    fcm.go_down().await;

    // accept → resident; dispatch → handler and resident; acknowledge →
    // resident; the resident's question → the handler.
    let id = dispatched_heating_case(app, &c).await;
    step(app, &c.handler, &id, "acknowledge", None).await;
    step(
        app,
        &c.resident,
        &id,
        "comment",
        Some(json!({"text": "请问几点上门？"})),
    )
    .await;
    let pending = eventually(
        "every push has failed at least twice",
        Duration::from_secs(5),
        || async {
            let pending = outbox(app, "pending").await;
            let retrying = pending
                .iter()
                .all(|i| i["attempts"].as_i64().is_some_and(|n| n >= 2));
            (pending.len() == 5 && retrying).then_some(pending)
        },
    )
    .await;
    assert!(
        pending
            .iter()
            .all(|i| text(&i["last_error"]).contains("connect")),
        "{pending:?}"
    );
    eventually(
        "/metrics shows the five pending",
        Duration::from_secs(6),
        || async { (metric(app, "gridops_outbox_pending").await == Some(5.0)).then_some(()) },
    )
    .await;
    assert!(fcm.deliveries().is_empty());

    fcm.come_back().await;
    eventually("the backlog drains", Duration::from_secs(8), || async {
        outbox(app, "pending").await.is_empty().then_some(())
    })
    .await;
    let sent = outbox(app, "sent").await;
    assert_eq!(ids(&sent), ids(&pending), "every push was sent");
    let accepted = accepted_per_message(fcm);
    assert_eq!(
        accepted.keys().cloned().collect::<BTreeSet<_>>(),
        ids(&pending),
        "every message reached Firebase, none lost"
    );
    assert!(
        accepted.values().all(|&n| n == 1),
        "none twice: {accepted:?}"
    );
    let mut phones: Vec<String> = fcm.delivered().iter().map(|m| text(&m["token"])).collect();
    phones.sort();
    assert_eq!(
        phones,
        [
            HANDLER_PHONE,
            HANDLER_PHONE,
            RESIDENT_PHONE,
            RESIDENT_PHONE,
            RESIDENT_PHONE
        ]
    );
    assert_eq!(outbox(app, "dead").await, Vec::<Value>::new());
    rig.stop().await;
}

async fn a_change_that_rolls_back_notifies_nobody(backend: Backend) {
    let Some(rig) = Rig::start(backend, |_| {}).await else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let c = cast(app).await;
    register(app, &c.handler, HANDLER_PHONE).await;
    let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
    let db = app.open_db();
    let counts = || {
        let db = db.clone();
        async move {
            db.run(|conn| {
                let inbox: i64 = notifications::table.count().get_result(conn)?;
                let pushes: i64 = outbox::table.count().get_result(conn)?;
                Ok((inbox, pushes))
            })
            .await
            .expect("counted")
        }
    };
    let before = counts().await;
    let tells = vec![
        Tell {
            topic: Topic::Dispatched,
            audience: Audience::PartyHandlers("zy-heating".into()),
            why: Why::Handler,
        },
        Tell {
            topic: Topic::Dispatched,
            audience: Audience::Users(vec![c.resident.id.clone()]),
            why: Why::Reporter,
        },
    ];
    let tell = |fail: bool| {
        let (db, id, tells, actor) = (
            db.clone(),
            id.clone(),
            tells.clone(),
            c.dispatcher.id.clone(),
        );
        async move {
            db.write(move |conn| {
                let incident = incidents::find(conn, &id)?.incident;
                let told =
                    repo::tell_about_incident(conn, &incident, &tells, &actor, now())?.people;
                if fail {
                    return Err(DbError::Other(format!("boom after telling {told}")));
                }
                Ok(told)
            })
            .await
        }
    };

    // Written, then the change fails: all of it is rolled back.
    match tell(true).await {
        Err(DbError::Other(message)) => assert_eq!(message, "boom after telling 2"),
        other => panic!("the change fails: {other:?}"),
    }
    assert_eq!(counts().await, before, "no inbox entry, no push");
    assert!(topics(&inbox(app, &c.handler, "").await).is_empty());
    assert!(topics(&inbox(app, &c.resident, "").await).is_empty());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(fcm.requests_at().is_empty(), "nothing reached Firebase");
    assert_eq!(outbox(app, "pending").await, Vec::<Value>::new());

    // The same change committed tells both, and the handler's phone rings.
    assert_eq!(tell(false).await.expect("committed"), 2);
    assert_eq!(counts().await, (before.0 + 2, before.1 + 1));
    assert_eq!(topics(&inbox(app, &c.handler, "").await), ["dispatched"]);
    eventually(
        "the committed push arrives",
        Duration::from_secs(5),
        || async { (fcm.deliveries().len() == 1).then_some(()) },
    )
    .await;
    rig.stop().await;
}

async fn a_push_sent_but_not_recorded_is_sent_again_with_the_same_id(backend: Backend) {
    // No worker in the server: the test plays the one that crashes and
    // starts the one that takes over.
    let Some(rig) = Rig::start(backend, |push| push.workers = 0).await else {
        return;
    };
    let (app, fcm) = (&rig.app, &rig.fcm);
    let c = cast(app).await;
    register(app, &c.handler, HANDLER_PHONE).await;
    dispatched_heating_case(app, &c).await;

    // The doomed worker claims the push for a second and sends it…
    let db = app.open_db();
    let claimed_at = Instant::now();
    let claimed = db
        .write(|conn| repo::claim(conn, "doomed-worker", now(), TimeDelta::seconds(1), 10))
        .await
        .expect("claimed");
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    let push = claimed.into_iter().next().expect("one push");
    let handler = c.handler.id.clone();
    let devices = db
        .run(move |conn| repo::devices_of(conn, &handler))
        .await
        .expect("devices");
    assert_eq!(devices.len(), 1);
    let message = PushMessage {
        message_id: push.id.clone(),
        token: devices[0].token.clone(),
        platform: Platform::Android,
        title: push.title.clone(),
        body: push.body.clone(),
        data: BTreeMap::from([("topic".to_owned(), push.topic.clone())]),
    };
    let outcome = rig.sender(4).send(&message).await;
    assert!(
        matches!(outcome, PushOutcome::Delivered { .. }),
        "{outcome:?}"
    );
    // …and dies before recording it: the push is still pending.
    let pending = outbox(app, "pending").await;
    assert_eq!(ids(&pending), BTreeSet::from([push.id.clone()]));
    assert_eq!(pending[0]["attempts"], 0);

    let worker = Worker::start(
        app,
        rig.sender(4),
        DeliverySettings {
            poll: Duration::from_millis(100),
            ..DeliverySettings::default()
        },
    );
    eventually(
        "the push is recorded as sent",
        Duration::from_secs(5),
        || async { (outbox(app, "sent").await.len() == 1).then_some(()) },
    )
    .await;
    worker.stop().await;

    let deliveries = fcm.deliveries();
    assert_eq!(deliveries.len(), 2, "sent again: at least once");
    assert!(
        deliveries.iter().all(|d| message_id(d) == push.id),
        "with the same id, for the phone to drop the repeat"
    );
    assert!(
        deliveries
            .iter()
            .all(|d| d.message["android"]["notification"]["tag"] == push.id.as_str())
    );
    let retaken = deliveries[1].at.duration_since(claimed_at);
    assert!(
        retaken >= Duration::from_secs(1),
        "not before the lease lapsed: {retaken:?}"
    );
    let sent = outbox(app, "sent").await;
    assert_eq!(sent[0]["id"], push.id.as_str());
    assert_eq!(
        sent[0]["attempts"], 1,
        "the crashed attempt left no trace: {}",
        sent[0]
    );
    assert_eq!(outbox(app, "pending").await, Vec::<Value>::new());
    rig.stop().await;
}

macro_rules! on_both_backends_with_fcm {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(gridops_tests::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(gridops_tests::Backend::Postgres).await;
            }
        }
    )*};
}

on_both_backends_with_fcm!(
    a_throttled_push_waits_for_retry_after,
    server_errors_are_retried_until_delivered,
    an_unregistered_token_is_forgotten_and_the_push_settled,
    a_refused_push_is_dead_lettered_after_one_attempt,
    a_backlog_built_while_fcm_is_down_drains_when_it_returns,
    a_change_that_rolls_back_notifies_nobody,
    a_push_sent_but_not_recorded_is_sent_again_with_the_same_id,
);

/// Residents of Guanlan with a phone each, straight into the database.
pub(crate) async fn residents_with_phones(app: &TestApp, n: usize) -> Vec<String> {
    app.open_db()
        .write(move |conn| {
            let mut tokens = Vec::with_capacity(n);
            for i in 0..n {
                let user = NewUser {
                    username: format!("resident.guanlan.{i:04}"),
                    display_name: format!("居民{i}"),
                    phone: None,
                    locale: "zh-CN".into(),
                    // Not a hash of anything: these accounts never sign in.
                    password_hash: "!".into(),
                };
                let grant = RoleGrant {
                    role: Role::Resident,
                    area_code: Some(GUANLAN_COMMUNITY.into()),
                    party_code: None,
                };
                let id = users::insert(conn, &user, &grant)?.to_string();
                let device = NewDevice {
                    token: format!("fcm-token-guanlan-resident-{i:06}"),
                    platform: "android".into(),
                    locale: "zh-CN".into(),
                    app_version: None,
                };
                repo::register_device(conn, &id, &device, now())?;
                tokens.push(device.token);
            }
            Ok(tokens)
        })
        .await
        .expect("residents stored")
}

// ── Backend-independent ────────────────────────────────────────────────────────────────

mod a_worker_whose_owner_is_gone_ends_instead_of_spinning {
    use super::*;

    /// A worker's stop switch dropped without being thrown (its owner
    /// panicked, or the application was built and never run) ends the
    /// worker; it must not go on claiming in a busy loop.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let Some(rig) = Rig::start(Backend::Sqlite, |push| push.workers = 0).await else {
            return;
        };
        let Worker {
            stop,
            task,
            signals,
            ..
        } = Worker::start(
            &rig.app,
            rig.sender(1),
            DeliverySettings {
                poll: Duration::from_millis(100),
                ..DeliverySettings::default()
            },
        );
        drop(stop);
        let ended = tokio::time::timeout(Duration::from_secs(2), task).await;
        signals.stop();
        assert!(
            matches!(ended, Ok(Ok(()))),
            "the worker still runs with nobody left to stop it"
        );
        rig.stop().await;
    }
}
