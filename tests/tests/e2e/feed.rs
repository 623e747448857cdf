//! `GET /api/v1/me/feed`: a phone back in signal catches up in a few calls.
//! The first call lists the caller's open incidents and newest inbox
//! entries; later calls give what changed since the cursor, each change
//! once, none skipped, with writes landing between pages; a case taken
//! away from a party leaves its handlers' lists; notices come with their
//! area.

use std::collections::BTreeSet;
use std::time::Duration;

use gridops_tests::{TestApp, expect_problem, json, json_of, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incidents::{
    DOG_NOISE, GONGYI_GRID, GUANLAN_COMMUNITY, GUANLAN_GRID, GUANLAN_GRID_1, GUANLAN_GRID_3,
    HEATING, User, cast, report_in, seen, step, text,
};

/// How long a test waits for a change to reach the feed: on PostgreSQL a
/// change waits while any older write transaction of the cluster (other
/// tests' included) is still running.
const WAIT: Duration = Duration::from_secs(15);

/// One page of `who`'s feed, expecting 200.
async fn page(app: &TestApp, who: &User, since: Option<&str>, limit: Option<u32>) -> Value {
    let mut query = Vec::new();
    if let Some(since) = since {
        query.push(format!("since={since}"));
    }
    if let Some(limit) = limit {
        query.push(format!("limit={limit}"));
    }
    let (status, body) = json_of(
        who.client
            .get(app.url(&format!("/api/v1/me/feed?{}", query.join("&"))))
            .send()
            .await
            .expect("feed read"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{} reads the feed: {body}",
        who.name
    );
    body
}

fn items<'a>(page: &'a Value, part: &str) -> &'a [Value] {
    page[part]
        .as_array()
        .unwrap_or_else(|| panic!("{part} in {page}"))
}

/// `"<tx>-<seq>"` as a pair, to compare order.
fn position(entry: &Value) -> (i64, i64) {
    let text = text(&entry["position"]);
    let (tx, seq) = text.split_once('-').expect("a position <tx>-<seq>");
    (
        tx.parse().expect("a number"),
        seq.parse().expect("a number"),
    )
}

fn next(page: &Value) -> String {
    text(&page["next_cursor"])
}

fn more(page: &Value) -> bool {
    page["more"].as_bool().expect("more")
}

fn ids(entries: &[Value]) -> Vec<String> {
    entries.iter().map(|e| text(&e["id"])).collect()
}

fn actions(entry: &Value) -> Vec<String> {
    entry["allowed_actions"]
        .as_array()
        .expect("allowed_actions")
        .iter()
        .map(text)
        .collect()
}

/// Everything read from a cursor on until the feed said it was caught up.
#[derive(Debug, Default)]
struct Caught {
    incidents: Vec<Value>,
    inbox: Vec<Value>,
    cursor: String,
}

/// Follows `more` from `since`; when the feed says it is caught up before
/// `done` holds (a change held back behind another transaction), asks
/// again a little later, as a phone would.
async fn catch_up(
    app: &TestApp,
    who: &User,
    since: &str,
    limit: Option<u32>,
    done: impl Fn(&Caught) -> bool,
) -> Caught {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut caught = Caught {
        cursor: since.to_owned(),
        ..Caught::default()
    };
    loop {
        let body = page(app, who, Some(&caught.cursor), limit).await;
        caught
            .incidents
            .extend(items(&body, "incidents").iter().cloned());
        caught.inbox.extend(items(&body, "inbox").iter().cloned());
        caught.cursor = next(&body);
        if !more(&body) {
            if done(&caught) {
                return caught;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} never caught up: {caught:#?}",
                who.name
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The first call, followed to its end: the cursor of "now".
async fn start(app: &TestApp, who: &User) -> String {
    let mut body = page(app, who, None, None).await;
    while more(&body) {
        body = page(app, who, Some(&next(&body)), None).await;
    }
    next(&body)
}

fn has(id: &str) -> impl Fn(&Caught) -> bool + '_ {
    move |caught| caught.incidents.iter().any(|e| e["id"] == id)
}

on_both_backends! {
    async fn the_first_call_lists_the_open_incidents_then_only_what_changed(app) {
        let c = cast(app).await;
        // In the worker's grid: five open, one already rejected; one in
        // another grid of the community, which the worker does not see.
        let mut open = Vec::new();
        for i in 1..=5 {
            open.push(report_in(app, &c.resident, GUANLAN_GRID, HEATING, &format!("{i}号楼暖气不热")).await);
        }
        let rejected = report_in(app, &c.resident, GUANLAN_GRID, DOG_NOISE, "狗叫").await;
        step(app, &c.dispatcher, &rejected, "reject", Some(json!({"reason": "invalid"}))).await;
        let elsewhere = report_in(app, &c.resident, GUANLAN_GRID_1, DOG_NOISE, "别的网格").await;

        // Two at a time, newest first, each with what the worker may do.
        let first = page(app, &c.worker, None, Some(2)).await;
        assert_eq!(ids(items(&first, "incidents")), [open[4].clone(), open[3].clone()], "{first}");
        assert!(more(&first), "three more open incidents: {first}");
        for entry in items(&first, "incidents") {
            assert_eq!(actions(entry), ["resolve_on_spot", "comment"], "{entry}");
            assert_eq!(entry["incident"]["status"], "reported");
            assert_eq!(entry["incident"]["allowed_actions"], entry["allowed_actions"]);
            assert_eq!(entry["incident"]["grid"], GUANLAN_GRID);
        }

        // While the phone pages: an incident not yet listed is rejected, a
        // listed one accepted (no step of the worker's left), a new report.
        step(app, &c.dispatcher, &open[0], "reject", Some(json!({"reason": "invalid"}))).await;
        step(app, &c.dispatcher, &open[4], "accept", None).await;
        let new = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "新的报修").await;

        // The last two open ones end the list; the changes made meanwhile
        // follow on the same page and the next ones, none lost. (A change
        // committed just before the first call may come again among them
        // on PostgreSQL.)
        let second = page(app, &c.worker, Some(&next(&first)), Some(2)).await;
        let (listed_then, changed_then) = items(&second, "incidents").split_at(2);
        assert_eq!(ids(listed_then), [open[2].clone(), open[1].clone()], "{second}");
        let so_far = changed_then.to_vec();
        let rest = catch_up(app, &c.worker, &next(&second), Some(2), |caught| {
            let all = Caught { incidents: [so_far.clone(), caught.incidents.clone()].concat(), ..Caught::default() };
            has(&open[0])(&all) && has(&open[4])(&all) && has(&new)(&all)
        })
        .await;
        let changes = [so_far, rest.incidents].concat();

        // The open incidents came once each, newest first, and the
        // rejected and the other grid's not at all.
        let listed: Vec<String> = [ids(items(&first, "incidents")), ids(listed_then)].concat();
        assert_eq!(listed, [&open[4], &open[3], &open[2], &open[1]].map(String::clone));
        assert!(!listed.contains(&rejected), "closed before the first call: not on the list");
        assert!(!changes.iter().any(|e| e["id"] == elsewhere.as_str()), "not the worker's grid");
        let last = |id: &str| changes.iter().rev().find(|e| e["id"] == id).cloned().expect("in the changes");
        assert_eq!(last(&open[0])["incident"]["status"], "rejected");
        assert_eq!(actions(&last(&open[0])), ["comment"]);
        assert_eq!(last(&open[4])["incident"]["status"], "accepted");
        assert_eq!(actions(&last(&open[4])), ["comment"], "nothing for the worker to do");
        assert_eq!(last(&new)["incident"]["status"], "reported");
        assert_eq!(actions(&last(&new)), ["resolve_on_spot", "comment"]);

        // Caught up: the next call has nothing, until something changes.
        let quiet = page(app, &c.worker, Some(&rest.cursor), None).await;
        assert_eq!(items(&quiet, "incidents").len(), 0, "{quiet}");
        assert!(!more(&quiet));
        step(app, &c.dispatcher, &new, "comment", Some(json!({"text": "已联系物业"}))).await;
        let after = catch_up(app, &c.worker, &next(&quiet), None, has(&new)).await;
        assert_eq!(ids(&after.incidents), [new.as_str()]);
        assert_eq!(after.incidents[0]["incident"]["version"], seen(app, &c.worker, &new).await["version"]);
    }

    async fn no_change_is_skipped_or_repeated_across_pages_with_writes_between(app) {
        let c = cast(app).await;
        let since = start(app, &c.dispatcher).await;
        let a = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
        let b = report_in(app, &c.resident, GUANLAN_GRID_1, DOG_NOISE, "狗叫").await;
        // Not the Hanghaixilu dispatcher's: read past, never shown.
        let hidden = report_in(app, &c.gongyi, GONGYI_GRID, DOG_NOISE, "巩义的狗叫").await;
        step(app, &c.dispatcher, &a, "accept", None).await;
        let mut mine = vec![a.clone(), b.clone()];

        // One timeline row a page: each change the dispatcher sees is
        // exactly one entry, and writes keep landing between pages.
        let (mut cursor, mut entries, mut inbox, mut pages) = (since, Vec::<Value>::new(), Vec::<Value>::new(), 0);
        let mut expected: Option<usize> = None;
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let body = page(app, &c.dispatcher, Some(&cursor), Some(1)).await;
            pages += 1;
            let got = items(&body, "incidents");
            assert!(got.len() <= 1, "one timeline row read, at most one incident: {body}");
            entries.extend(got.iter().cloned());
            inbox.extend(items(&body, "inbox").iter().cloned());
            cursor = next(&body);
            match pages {
                1 => { step(app, &c.dispatcher, &b, "accept", None).await; }
                2 => { step(app, &c.dispatcher, &a, "comment", Some(json!({"text": "已派人查看"}))).await; }
                3 => { mine.push(report_in(app, &c.resident, GUANLAN_GRID_3, HEATING, "楼道暖气漏水").await); }
                4 => { step(app, &c.gongyi, &hidden, "accept", None).await; }
                5 => {
                    step(app, &c.dispatcher, &b, "dispatch", Some(json!({"party": "zy-heating"}))).await;
                    // No more writes: every change the dispatcher sees.
                    let mut total = 0;
                    for id in &mine {
                        total += seen(app, &c.dispatcher, id).await["timeline"].as_array().expect("timeline").len();
                    }
                    expected = Some(total);
                }
                _ => {}
            }
            if let Some(total) = expected {
                assert!(entries.len() <= total, "a change given twice: {entries:#?}");
                if !more(&body) && entries.len() == total {
                    break;
                }
            }
            assert!(tokio::time::Instant::now() < deadline, "never caught up: {entries:#?}");
            if !more(&body) {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        let positions: Vec<(i64, i64)> = entries.iter().map(position).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "in stream order, none twice: {positions:?}");
        assert!(entries.iter().all(|e| e["id"] != hidden.as_str()), "another district's case never shows");
        for id in &mine {
            let now = seen(app, &c.dispatcher, id).await;
            let last = entries.iter().rev().find(|e| e["id"] == id.as_str()).expect("every incident came");
            assert_eq!(last["incident"]["version"], now["version"], "the last entry is the state now: {last}");
            assert_eq!(last["allowed_actions"], now["allowed_actions"]);
        }

        // The inbox too: what the dispatcher was told, each once.
        let told: Vec<String> = ids(&inbox);
        let unique: BTreeSet<&String> = told.iter().collect();
        assert_eq!(unique.len(), told.len(), "an inbox entry given twice: {told:?}");
        let (status, listed) = json_of(
            c.dispatcher.client.get(app.url("/api/v1/notifications?limit=500")).send().await.expect("sent"),
        ).await;
        assert_eq!(status, StatusCode::OK);
        let all: BTreeSet<String> = ids(items(&listed, "items")).into_iter().collect();
        assert_eq!(unique.into_iter().cloned().collect::<BTreeSet<_>>(), all, "the whole inbox since the cursor");
    }

    async fn a_returned_case_leaves_the_handlers_list(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "3号楼暖气不热").await;
        step(app, &c.dispatcher, &id, "accept", None).await;
        step(app, &c.dispatcher, &id, "dispatch", Some(json!({"party": "zy-heating"}))).await;

        let first = page(app, &c.handler, None, None).await;
        let listed = items(&first, "incidents");
        assert_eq!(ids(listed), [id.as_str()], "{first}");
        assert_eq!(actions(&listed[0]), ["acknowledge", "return", "comment"]);

        step(app, &c.handler, &id, "return", Some(json!({"reason": "不归我们管"}))).await;
        let gone = catch_up(app, &c.handler, &next(&first), None, has(&id)).await;
        assert!(!gone.incidents.is_empty());
        for entry in &gone.incidents {
            assert_eq!(entry["id"], id.as_str());
            assert_eq!(actions(entry), Vec::<String>::new(), "off the handler's list");
            assert_eq!(entry["incident"], Value::Null, "nothing of a case they no longer see: {entry}");
        }
        let (status, ..) = crate::incidents::fetch(app, &c.handler, &id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "as the incident itself answers");

        // What happens to it afterwards is none of the handler's business:
        // at most the same word again, never its state.
        step(app, &c.dispatcher, &id, "dispatch", Some(json!({"party": "zy-urban-management"}))).await;
        step(app, &c.dispatcher, &id, "comment", Some(json!({"text": "改派城管"}))).await;
        let mut cursor = gone.cursor;
        let until = tokio::time::Instant::now() + Duration::from_secs(2);
        while tokio::time::Instant::now() < until {
            let later = page(app, &c.handler, Some(&cursor), None).await;
            for entry in items(&later, "incidents") {
                assert_eq!((entry["incident"].clone(), actions(entry).len()), (Value::Null, 0), "{later}");
            }
            cursor = next(&later);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn a_case_handled_on_the_spot_leaves_the_handlers_list(app) {
        let c = cast(app).await;
        // The worker's own finding, dispatched to the heating company.
        let id = report_in(app, &c.worker, GUANLAN_GRID, HEATING, "井盖旁暖气管漏水").await;
        if seen(app, &c.dispatcher, &id).await["status"] == "reported" {
            step(app, &c.dispatcher, &id, "accept", None).await;
        }
        step(app, &c.dispatcher, &id, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        let first = page(app, &c.handler, None, None).await;
        assert_eq!(ids(items(&first, "incidents")), [id.as_str()], "{first}");

        // The worker fixes it there and then: the party stands down.
        step(app, &c.worker, &id, "resolve_on_spot", Some(json!({"result": "已关阀门并修好"}))).await;
        let gone = catch_up(app, &c.handler, &next(&first), None, has(&id)).await;
        assert_eq!(ids(&gone.incidents), [id.as_str()]);
        assert_eq!(actions(&gone.incidents[0]), Vec::<String>::new(), "off the handler's list");
        assert_eq!(gone.incidents[0]["incident"], Value::Null);
        // The worker, who still sees it, gets it resolved.
        let worker = catch_up(app, &c.worker, &start(app, &c.worker).await, None, |_| true).await;
        assert!(worker.incidents.is_empty(), "resolved is not open: {:#?}", worker.incidents);
    }

    async fn inbox_entries_come_with_their_notices(app) {
        let c = cast(app).await;
        let notice = |n: u32| {
            let client = c.dispatcher.client.clone();
            let url = app.url("/api/v1/notices");
            async move {
                let (status, body) = json_of(
                    client
                        .post(url)
                        .header("Idempotency-Key", format!("feed-notice-{n}"))
                        .json(&json!({
                            "area": GUANLAN_COMMUNITY, "audience": ["residents"],
                            "title": format!("通知{n}"), "body": format!("第{n}条：今夜有大雪"),
                        }))
                        .send()
                        .await
                        .expect("notice sent"),
                )
                .await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
                text(&body["id"])
            }
        };
        let mut notices = Vec::new();
        for n in 1..=3 {
            notices.push(notice(n).await);
        }
        let (status, area) = app.get_json(&format!("/api/v1/areas/{GUANLAN_COMMUNITY}")).await;
        assert_eq!(status, StatusCode::OK);

        // The first call: the newest two, oldest first; the badge counts all.
        // (On PostgreSQL an entry behind another transaction still running
        // waits for a later call: a phone starting then would get it next.)
        let deadline = tokio::time::Instant::now() + WAIT;
        let first = loop {
            let first = page(app, &c.resident, None, Some(2)).await;
            if items(&first, "inbox").iter().any(|e| e["notice_id"] == notices[2].as_str()) {
                break first;
            }
            assert!(tokio::time::Instant::now() < deadline, "the newest notice never came: {first}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let inbox = items(&first, "inbox");
        let announced: Vec<String> = inbox.iter().map(|e| text(&e["notice"]["id"])).collect();
        assert_eq!(announced, [notices[1].clone(), notices[2].clone()], "{first}");
        assert_eq!(first["unread"], 3);
        for entry in inbox {
            assert_eq!(entry["topic"], "notice");
            assert_eq!(entry["notice_id"], entry["notice"]["id"]);
            assert_eq!(entry["notice"]["area"], GUANLAN_COMMUNITY);
            assert_eq!(entry["notice"]["area_name"], area["name"]);
            assert_eq!(entry["notice"]["title"], entry["title"]);
            assert!(entry["notice"]["body"].as_str().is_some_and(|b| b.contains("今夜有大雪")), "{entry}");
            assert_eq!(entry["read_at"], Value::Null);
        }

        // Only what is new after that; reading one is not news.
        let fourth = notice(4).await;
        let (status, _) = json_of(
            c.resident.client.post(app.url(&format!("/api/v1/notifications/{}/read", text(&inbox[0]["id"])))).send().await.expect("sent"),
        ).await;
        assert_eq!(status, StatusCode::OK);
        let newer = catch_up(app, &c.resident, &next(&first), None, |caught| !caught.inbox.is_empty()).await;
        let announced: Vec<String> = newer.inbox.iter().map(|e| text(&e["notice"]["id"])).collect();
        assert_eq!(announced, [fourth]);
        let again = page(app, &c.resident, Some(&newer.cursor), None).await;
        assert_eq!(items(&again, "inbox").len(), 0, "{again}");
        assert_eq!(again["unread"], 3);
    }

    async fn a_cursor_the_feed_did_not_make_is_refused_naming_since(app) {
        let c = cast(app).await;
        let response = app.anonymous.get(app.url("/api/v1/me/feed")).send().await.expect("sent");
        expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let good = start(app, &c.worker).await;
        // Not base64; base64 of `e1-2.n3-x` and of `e1-2.n3-4.s12_`; a good one spoilt.
        for bad in ["", "yesterday", "0-12", "ZTEtMi5uMy14", "ZTEtMi5uMy00LnMxMl8", &format!("{good}!!")] {
            let response = c.worker.client.get(app.url(&format!("/api/v1/me/feed?since={bad}"))).send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), ["since"], "{bad}: {problem}");
        }
        for bad in ["0", "501", "many"] {
            let response = c.worker.client.get(app.url(&format!("/api/v1/me/feed?limit={bad}"))).send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), ["limit"], "{bad}: {problem}");
        }
    }
}

/// An inbox entry written by a transaction that began before another but
/// commits after it: a reader that had passed the later one would skip it
/// for good. The feed holds the later one back until the earlier one ends,
/// then hands out both, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_inbox_commit_is_not_skipped() {
    use diesel::sql_types::Text;
    use diesel::{Connection, RunQueryDsl};

    let Some(app) = TestApp::spawn(gridops_tests::Backend::Postgres).await else {
        return;
    };
    let c = cast(&app).await;
    let since = start(&app, &c.resident).await;

    // Another writer's transaction puts an entry in the inbox and stays open.
    let (written_tx, written_rx) = tokio::sync::oneshot::channel::<()>();
    let (commit_tx, commit_rx) = std::sync::mpsc::channel::<()>();
    let (url, resident) = (app.database_url.clone(), c.resident.id.clone());
    let slow_id = uuid::Uuid::now_v7().to_string();
    let slow_entry = slow_id.clone();
    let slow = tokio::task::spawn_blocking(move || {
        let mut conn = diesel::pg::PgConnection::establish(&url).expect("a connection");
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            diesel::sql_query(
                "INSERT INTO notifications (id, user_id, topic, title, body, created_at) \
                 VALUES ($1, $2, 'notice', '慢的', '慢的通知', LOCALTIMESTAMP)",
            )
            .bind::<Text, _>(&slow_entry)
            .bind::<Text, _>(&resident)
            .execute(conn)?;
            written_tx.send(()).expect("the test waits");
            commit_rx.recv().expect("the test says when");
            Ok(())
        })
        .expect("the slow transaction commits");
    });
    written_rx.await.expect("the slow writer wrote");

    // A later transaction commits first: a notice to the resident.
    let (status, notice) = json_of(
        c.dispatcher
            .client
            .post(app.url("/api/v1/notices"))
            .header("Idempotency-Key", "feed-late-commit")
            .json(&json!({
                "area": GUANLAN_COMMUNITY, "audience": ["residents"],
                "title": "快的", "body": "快的通知",
            }))
            .send()
            .await
            .expect("notice sent"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{notice}");
    let waiting = page(&app, &c.resident, Some(&since), None).await;
    assert_eq!(
        items(&waiting, "inbox").len(),
        0,
        "the notice waits for the older transaction: {waiting}"
    );
    assert_eq!(next(&waiting), since, "the cursor does not move past it");
    assert_eq!(
        waiting["pending"], true,
        "the phone is told to come back soon: {waiting}"
    );

    commit_tx.send(()).expect("the slow writer waits");
    slow.await.expect("the slow writer");
    let caught = catch_up(&app, &c.resident, &since, None, |caught| {
        caught.inbox.len() >= 2
    })
    .await;
    assert_eq!(
        ids(&caught.inbox),
        [slow_id, ids(&caught.inbox)[1].clone()],
        "the older transaction's entry first"
    );
    assert_eq!(caught.inbox[1]["notice_id"], notice["id"]);
    assert_eq!(caught.inbox.len(), 2, "{:#?}", caught.inbox);
    app.stop().await;
}
