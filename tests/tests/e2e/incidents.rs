//! Incidents over HTTP: the whole loop and its detours (on-the-spot fixes,
//! returns, rework), refusals, versions, idempotent reporting, possible
//! duplicates, and who lists what.
//!
//! The helpers at the top are shared with `incident_photos`, `scenarios`
//! and `access_matrix`.

use std::collections::BTreeSet;

use gridops_infra::demo::areas::demo_point_in_grid;
use gridops_tests::{
    DEMO_PASSWORD, TestApp, expect_problem, json, json_of, on_both_backends, problem_fields,
};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::task::JoinSet;

/// The grid of `chief.guanlan` and `worker.guanlan`, in the subdistrict of
/// `dispatcher.hanghaixilu` (410102003). Guanlan's four grids tile its
/// community two by two: 1 north-west, 2 north-east, 3 south-west, 4 south-east.
pub(crate) const GUANLAN_GRID: &str = "410102003001002";
pub(crate) const GUANLAN_GRID_1: &str = "410102003001001";
pub(crate) const GUANLAN_GRID_3: &str = "410102003001003";
/// The community of `resident.guanlan`.
pub(crate) const GUANLAN_COMMUNITY: &str = "410102003001";
/// A grid in the district of `dispatcher.gongyi` (410181).
pub(crate) const GONGYI_GRID: &str = "410181001001001";

pub(crate) const HEATING: &str = "utilities.heating";
pub(crate) const DOG_NOISE: &str = "neighbourhood.dog_noise";
pub(crate) const SNOW_ON_SHEDS: &str = "public_safety.snow_ice.snow_on_sheds";
pub(crate) const STREET_VENDING: &str = "city_appearance.street_vending";

/// A signed-in user: their name (for messages), id and client.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub(crate) name: String,
    pub(crate) id: String,
    pub(crate) client: reqwest::Client,
}

/// Signs `username` in (password `gridops-demo`) and reads their id.
pub(crate) async fn sign_in(app: &TestApp, username: &str) -> User {
    let client = app.client_for(&app.login(username).await.access_token);
    let (status, me) = json_of(
        client
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .expect("GET /me sent"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{username}: {me}");
    User {
        name: username.to_owned(),
        id: text(&me["id"]),
        client,
    }
}

/// Creates an account with one role as the administrator (password
/// `gridops-demo`) and signs it in.
pub(crate) async fn new_user(
    app: &TestApp,
    username: &str,
    role: &str,
    area: Option<&str>,
    party: Option<&str>,
) -> User {
    let (status, user) = app
        .post_json(
            "/api/v1/users",
            &json!({
                "username": username, "password": DEMO_PASSWORD,
                "role": role, "area": area, "party": party,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{username} created: {user}");
    sign_in(app, username).await
}

/// The demo users, signed in.
pub(crate) struct Cast {
    pub(crate) admin: User,
    /// `dispatcher.hanghaixilu`: subdistrict 410102003, Guanlan's.
    pub(crate) dispatcher: User,
    /// `dispatcher.gongyi`: district 410181.
    pub(crate) gongyi: User,
    pub(crate) chief: User,
    pub(crate) worker: User,
    /// `handler.heating`, of party `zy-heating`.
    pub(crate) handler: User,
    pub(crate) resident: User,
}

pub(crate) async fn cast(app: &TestApp) -> Cast {
    Cast {
        admin: sign_in(app, "admin").await,
        dispatcher: sign_in(app, "dispatcher.hanghaixilu").await,
        gongyi: sign_in(app, "dispatcher.gongyi").await,
        chief: sign_in(app, "chief.guanlan").await,
        worker: sign_in(app, "worker.guanlan").await,
        handler: sign_in(app, "handler.heating").await,
        resident: sign_in(app, "resident.guanlan").await,
    }
}

pub(crate) fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a string, not {value}"))
        .to_owned()
}

pub(crate) fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `[lng, lat]` of the centre of a demo grid.
pub(crate) fn centre_of(grid: &str) -> [f64; 2] {
    let (lng, lat) = demo_point_in_grid(grid).unwrap_or_else(|| panic!("{grid} is a demo grid"));
    [lng, lat]
}

/// `point` moved by metres east and north.
pub(crate) fn moved(point: [f64; 2], east_m: f64, north_m: f64) -> [f64; 2] {
    [
        point[0] + east_m / (111_320.0 * point[1].to_radians().cos()),
        point[1] + north_m / 110_574.0,
    ]
}

/// Great-circle distance in metres.
pub(crate) fn metres_between(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (lat1, lat2) = (a[1].to_radians(), b[1].to_radians());
    let (dlat, dlng) = ((b[1] - a[1]).to_radians(), (b[0] - a[0]).to_radians());
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// A report body: `category` at `at` (`[lng, lat]`, WGS-84).
pub(crate) fn report_of(category: &str, at: [f64; 2], description: &str) -> Value {
    json!({
        "category": category,
        "description": description,
        "location": {"type": "Point", "coordinates": at},
    })
}

/// `POST /api/v1/incidents`, with `key` as the Idempotency-Key if any.
pub(crate) async fn send_report(
    app: &TestApp,
    who: &User,
    key: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = who.client.post(app.url("/api/v1/incidents")).json(body);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.expect("report sent")
}

/// Reports with a fresh key, expecting 201; the incident as answered.
pub(crate) async fn report(app: &TestApp, who: &User, body: &Value) -> Value {
    let key = uuid::Uuid::now_v7().to_string();
    let (status, view) = json_of(send_report(app, who, Some(&key), body).await).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{} reports {body}: {view}",
        who.name
    );
    view
}

/// Reports `category` at the centre of `grid`; the new incident's id.
pub(crate) async fn report_in(
    app: &TestApp,
    who: &User,
    grid: &str,
    category: &str,
    description: &str,
) -> String {
    text(&report(app, who, &report_of(category, centre_of(grid), description)).await["id"])
}

/// `POST /api/v1/incidents/{id}/{action}`; no body when `body` is `None`.
pub(crate) async fn send_step(
    app: &TestApp,
    who: &User,
    id: &str,
    action: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = who
        .client
        .post(app.url(&format!("/api/v1/incidents/{id}/{action}")));
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("step sent")
}

/// Takes a step expecting 200; the incident after it.
pub(crate) async fn step(
    app: &TestApp,
    who: &User,
    id: &str,
    action: &str,
    body: Option<Value>,
) -> Value {
    let (status, view) = json_of(send_step(app, who, id, action, body.as_ref()).await).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{} takes {action} on {id}: {view}",
        who.name
    );
    view
}

/// `GET /api/v1/incidents/{id}`: status, body and ETag.
pub(crate) async fn fetch(
    app: &TestApp,
    who: &User,
    id: &str,
) -> (StatusCode, Value, Option<String>) {
    let response = who
        .client
        .get(app.url(&format!("/api/v1/incidents/{id}")))
        .send()
        .await
        .expect("GET sent");
    let etag = header(&response, "etag");
    let (status, body) = json_of(response).await;
    (status, body, etag)
}

/// The incident as `who` sees it, expecting 200.
pub(crate) async fn seen(app: &TestApp, who: &User, id: &str) -> Value {
    let (status, body, _) = fetch(app, who, id).await;
    assert_eq!(status, StatusCode::OK, "{} reads {id}: {body}", who.name);
    body
}

/// One page of `GET /api/v1/incidents?{query}`, expecting 200.
pub(crate) async fn list_page(app: &TestApp, who: &User, query: &str) -> Value {
    let (status, page) = json_of(
        who.client
            .get(app.url(&format!("/api/v1/incidents?{query}")))
            .send()
            .await
            .expect("list sent"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{} lists ?{query}: {page}",
        who.name
    );
    page
}

/// Every id of `GET /api/v1/incidents?{query}`, following the cursor, in order.
pub(crate) async fn list_ids(app: &TestApp, who: &User, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let query = match &cursor {
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_owned(),
        };
        let page = list_page(app, who, &query).await;
        let items = page["items"].as_array().expect("items");
        ids.extend(items.iter().map(|i| text(&i["id"])));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
    panic!("{} lists ?{query}: more than 100 pages", who.name)
}

/// Microseconds since the epoch of an RFC 3339 UTC time as the API writes
/// it (`2026-01-05T22:30:00Z`, `…:00.123Z`, `…:00.123456Z`): comparable,
/// where the strings are not (`…:00Z` sorts after `…:00.5Z`).
pub(crate) fn epoch_micros(time: &Value) -> i64 {
    let time = text(time);
    let bad = || -> ! { panic!("an RFC 3339 UTC time: {time}") };
    let number = |range: std::ops::Range<usize>| -> i64 {
        time.get(range)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| bad())
    };
    let (y, m, d) = (number(0..4), number(5..7), number(8..10));
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + number(11..13) * 3_600 + number(14..16) * 60 + number(17..19);
    let fraction = time
        .get(19..)
        .and_then(|rest| rest.strip_suffix('Z'))
        .unwrap_or_else(|| bad());
    let micros = match fraction.strip_prefix('.') {
        None if fraction.is_empty() => 0,
        Some(digits) if (1..=9).contains(&digits.len()) => {
            let padded = format!("{digits:0<9}");
            padded[..6].parse::<i64>().unwrap_or_else(|_| bad())
        }
        _ => bad(),
    };
    seconds * 1_000_000 + micros
}

/// (seq, action, from, to, actor) of each timeline event.
pub(crate) fn timeline_of(view: &Value) -> Vec<(i64, String, Option<String>, String, String)> {
    view["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("a timeline: {view}"))
        .iter()
        .map(|e| {
            (
                e["seq"].as_i64().expect("seq"),
                text(&e["action"]),
                e["from"].as_str().map(str::to_owned),
                text(&e["to"]),
                text(&e["actor_id"]),
            )
        })
        .collect()
}

/// The actions of the timeline, in order.
pub(crate) fn actions_of(view: &Value) -> Vec<String> {
    timeline_of(view).into_iter().map(|e| e.1).collect()
}

pub(crate) fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("an array, not {value}"))
        .iter()
        .map(text)
        .collect()
}

fn set<S: AsRef<str>>(ids: impl IntoIterator<Item = S>) -> BTreeSet<String> {
    ids.into_iter().map(|id| id.as_ref().to_owned()).collect()
}

fn event(
    seq: i64,
    action: &str,
    from: Option<&str>,
    to: &str,
    actor: &User,
) -> (i64, String, Option<String>, String, String) {
    (
        seq,
        action.to_owned(),
        from.map(str::to_owned),
        to.to_owned(),
        actor.id.clone(),
    )
}

/// Reported, accepted and dispatched to `party` by `dispatcher.hanghaixilu`.
async fn dispatched_to(app: &TestApp, c: &Cast, reporter: &User, party: &str) -> String {
    let id = report_in(
        app,
        reporter,
        GUANLAN_GRID,
        HEATING,
        "暖气片冰凉，家里只有十四度",
    )
    .await;
    step(app, &c.dispatcher, &id, "accept", None).await;
    step(
        app,
        &c.dispatcher,
        &id,
        "dispatch",
        Some(json!({"party": party})),
    )
    .await;
    id
}

on_both_backends! {
    async fn a_report_goes_round_the_whole_loop_to_its_rating(app) {
        let c = cast(app).await;
        let body = report_of(HEATING, centre_of(GUANLAN_GRID), "暖气片冰凉，家里只有十四度");
        let response = send_report(app, &c.resident, Some("loop-1"), &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(header(&response, "etag").as_deref(), Some("\"1\""));
        let location = header(&response, "location");
        let (_, created) = json_of(response).await;
        let id = text(&created["id"]);
        assert_eq!(location, Some(format!("/api/v1/incidents/{id}")));
        assert_eq!(created["status"], "reported");
        assert_eq!(created["version"], 1);
        assert_eq!(created["source"], "resident");
        assert_eq!(created["category"], HEATING);
        assert_eq!(created["priority"], "high", "the category's priority");
        assert_eq!(created["grid"], GUANLAN_GRID);
        assert_eq!(created["reporter_id"], c.resident.id.as_str());
        assert_eq!(created["party"], Value::Null);
        assert_eq!(created["rework_count"], 0);
        assert_eq!(created["possible_duplicates"], json!([]));
        assert_eq!(strings(&created["allowed_actions"]), ["comment"]);
        assert!(text(&created["reference"]).starts_with("410102-"), "{created}");
        assert!(created["acknowledge_due"].is_string() && created["resolve_due"].is_string(), "{created}");

        let (status, triage, etag) = fetch(app, &c.dispatcher, &id).await;
        assert_eq!(status, StatusCode::OK, "{triage}");
        assert_eq!(etag.as_deref(), Some("\"1\""));
        assert_eq!(strings(&triage["allowed_actions"]), ["accept", "reject", "comment"]);

        let steps: [(&User, &str, Option<Value>, &str); 6] = [
            (&c.dispatcher, "accept", None, "accepted"),
            (&c.dispatcher, "dispatch", Some(json!({"party": "zy-heating", "note": "请热力公司上门"})), "dispatched"),
            (&c.handler, "acknowledge", None, "in_progress"),
            (&c.handler, "resolve", Some(json!({"result": "更换了堵塞的阀门，室温二十度"})), "resolved"),
            (&c.chief, "verify", Some(json!({"note": "上门核查，暖气已热"})), "closed"),
            (&c.resident, "rate", Some(json!({"rating": "satisfied", "comment": "谢谢"})), "closed"),
        ];
        let mut last_update = epoch_micros(&created["updated_at"]);
        for (i, (who, action, body, to)) in steps.into_iter().enumerate() {
            let response = send_step(app, who, &id, action, body.as_ref()).await;
            let etag = header(&response, "etag");
            let (status, view) = json_of(response).await;
            assert_eq!(status, StatusCode::OK, "{action}: {view}");
            let version = i + 2;
            assert_eq!(view["status"], to, "{action}: {view}");
            assert_eq!(view["version"], version, "{action}: {view}");
            assert_eq!(etag, Some(format!("\"{version}\"")), "{action}");
            let updated = epoch_micros(&view["updated_at"]);
            assert!(updated >= last_update, "{action}: updated_at moves on");
            last_update = updated;
            match action {
                "dispatch" => {
                    assert_eq!(view["party"], "zy-heating");
                    assert_eq!(strings(&seen(app, &c.handler, &id).await["allowed_actions"]),
                        ["acknowledge", "return", "comment"]);
                }
                "resolve" => assert_eq!(view["result"], "更换了堵塞的阀门，室温二十度"),
                "verify" => assert_eq!(strings(&seen(app, &c.resident, &id).await["allowed_actions"]),
                    ["rate", "comment"]),
                _ => {}
            }
        }

        let (status, done, etag) = fetch(app, &c.resident, &id).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(etag.as_deref(), Some("\"7\""));
        assert_eq!(done["status"], "closed");
        assert_eq!(done["rating"], json!({"rating": "satisfied", "comment": "谢谢"}));
        assert_eq!(strings(&done["allowed_actions"]), ["comment"], "rated once");
        assert_eq!(timeline_of(&done), vec![
            event(1, "report", None, "reported", &c.resident),
            event(2, "accept", Some("reported"), "accepted", &c.dispatcher),
            event(3, "dispatch", Some("accepted"), "dispatched", &c.dispatcher),
            event(4, "acknowledge", Some("dispatched"), "in_progress", &c.handler),
            event(5, "resolve", Some("in_progress"), "resolved", &c.handler),
            event(6, "verify", Some("resolved"), "closed", &c.chief),
            event(7, "rate", Some("closed"), "closed", &c.resident),
        ]);
        let notes: Vec<Value> = done["timeline"].as_array().expect("timeline").iter().map(|e| e["note"].clone()).collect();
        assert_eq!(notes, [
            Value::Null, Value::Null, json!("请热力公司上门"), Value::Null,
            json!("更换了堵塞的阀门，室温二十度"), json!("上门核查，暖气已热"), json!("谢谢"),
        ]);
        let times: Vec<i64> = done["timeline"].as_array().expect("timeline").iter().map(|e| epoch_micros(&e["at"])).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first: {times:?}");

        // A second rating is refused.
        let again = send_step(app, &c.resident, &id, "rate", Some(&json!({"rating": "dissatisfied"}))).await;
        let problem = expect_problem(again, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["rating"]);
    }

    async fn a_grid_worker_resolves_a_small_thing_on_the_spot(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "3号楼车棚顶积雪二十厘米").await;
        let created = seen(app, &c.worker, &id).await;
        assert_eq!(created["source"], "patrol");
        assert_eq!(strings(&created["allowed_actions"]), ["resolve_on_spot", "comment"]);

        // A result is required.
        let empty = send_step(app, &c.worker, &id, "resolve_on_spot", None).await;
        let problem = expect_problem(empty, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["result"]);

        let fixed = step(app, &c.worker, &id, "resolve_on_spot", Some(json!({"result": "已清扫车棚积雪"}))).await;
        assert_eq!(fixed["status"], "resolved");
        assert_eq!(fixed["version"], 2);
        assert_eq!(fixed["party"], Value::Null, "never dispatched");
        assert_eq!(fixed["result"], "已清扫车棚积雪");
        assert_eq!(strings(&fixed["allowed_actions"]), ["comment"], "a worker does not verify");

        assert_eq!(strings(&seen(app, &c.chief, &id).await["allowed_actions"]), ["verify", "reopen", "comment"]);
        let closed = step(app, &c.chief, &id, "verify", None).await;
        assert_eq!(closed["status"], "closed");
        assert_eq!(closed["version"], 3);
        assert_eq!(timeline_of(&seen(app, &c.worker, &id).await), vec![
            event(1, "report", None, "reported", &c.worker),
            event(2, "resolve_on_spot", Some("reported"), "resolved", &c.worker),
            event(3, "verify", Some("resolved"), "closed", &c.chief),
        ]);
    }

    async fn a_returned_case_goes_back_to_triage_and_on_to_another_party(app) {
        let c = cast(app).await;
        let urban = new_user(app, "handler.urban", "handler", None, Some("zy-urban-management")).await;
        let id = dispatched_to(app, &c, &c.resident, "zy-heating").await;
        step(app, &c.handler, &id, "acknowledge", None).await;

        // A return needs a reason.
        let bare = send_step(app, &c.handler, &id, "return", None).await;
        let problem = expect_problem(bare, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["reason"]);

        let returned = step(app, &c.handler, &id, "return",
            Some(json!({"reason": "楼内管道属于物业，不归热力公司"}))).await;
        assert_eq!(returned["status"], "accepted");
        assert_eq!(returned["party"], Value::Null, "the party is cleared");
        assert_eq!(returned["assignee"], Value::Null);
        assert_eq!(strings(&returned["returned_by"]), ["zy-heating"]);
        assert_eq!(returned["version"], 5);
        // The party that returned it no longer sees it.
        let (status, body, _) = fetch(app, &c.handler, &id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(strings(&seen(app, &c.dispatcher, &id).await["allowed_actions"]), ["dispatch", "comment"]);

        let redispatched = step(app, &c.dispatcher, &id, "dispatch",
            Some(json!({"party": "zy-urban-management", "assignee": urban.id}))).await;
        assert_eq!(redispatched["status"], "dispatched");
        assert_eq!(redispatched["party"], "zy-urban-management");
        assert_eq!(redispatched["assignee"], urban.id.as_str());
        let acknowledged = step(app, &urban, &id, "acknowledge", None).await;
        assert_eq!(acknowledged["status"], "in_progress");
        assert_eq!(strings(&acknowledged["returned_by"]), ["zy-heating"], "the return is remembered");

        let view = seen(app, &c.dispatcher, &id).await;
        let timeline = timeline_of(&view);
        assert_eq!(timeline[4], event(5, "return", Some("in_progress"), "accepted", &c.handler));
        assert_eq!(view["timeline"][4]["note"], "楼内管道属于物业，不归热力公司");
        assert_eq!(timeline[5], event(6, "dispatch", Some("accepted"), "dispatched", &c.dispatcher));
        assert_eq!(timeline[6], event(7, "acknowledge", Some("dispatched"), "in_progress", &urban));
    }

    async fn a_result_below_standard_is_reopened_for_rework(app) {
        let c = cast(app).await;
        let id = dispatched_to(app, &c, &c.resident, "zy-heating").await;
        step(app, &c.handler, &id, "acknowledge", None).await;
        step(app, &c.handler, &id, "resolve", Some(json!({"result": "已放气"}))).await;

        let bare = send_step(app, &c.chief, &id, "reopen", Some(&json!({}))).await;
        let problem = expect_problem(bare, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["reason"]);

        let reopened = step(app, &c.chief, &id, "reopen", Some(json!({"reason": "复查仍只有十六度"}))).await;
        assert_eq!(reopened["status"], "in_progress");
        assert_eq!(reopened["rework_count"], 1);
        assert_eq!(reopened["party"], "zy-heating", "back to the same party");
        assert_eq!(reopened["result"], Value::Null);
        step(app, &c.handler, &id, "resolve", Some(json!({"result": "更换了循环泵"}))).await;
        let closed = step(app, &c.dispatcher, &id, "verify", None).await;
        assert_eq!(closed["status"], "closed");
        assert_eq!(closed["rework_count"], 1);
        assert_eq!(closed["result"], "更换了循环泵");
        assert_eq!(actions_of(&seen(app, &c.resident, &id).await),
            ["report", "accept", "dispatch", "acknowledge", "resolve", "reopen", "resolve", "verify"]);

        // Something fixed on the spot has no party to go back to: it is
        // dispatched again.
        let on_spot = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "车棚积雪").await;
        step(app, &c.worker, &on_spot, "resolve_on_spot", Some(json!({"result": "扫了一半"}))).await;
        let again = step(app, &c.chief, &on_spot, "reopen", Some(json!({"reason": "另一半还压着"}))).await;
        assert_eq!(again["status"], "accepted");
        assert_eq!(again["rework_count"], 1);
    }

    async fn steps_out_of_turn_out_of_role_or_out_of_sight_are_refused(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;

        // Out of turn: 409 naming the state and what may be done instead.
        let early = send_step(app, &c.dispatcher, &id, "verify", None).await;
        let problem = expect_problem(early, StatusCode::CONFLICT, "invalid_transition").await;
        assert_eq!(problem["current_status"], "reported");
        assert_eq!(strings(&problem["allowed_actions"]), ["accept", "reject", "comment"]);
        let rate = send_step(app, &c.resident, &id, "rate", Some(&json!({"rating": "satisfied"}))).await;
        let problem = expect_problem(rate, StatusCode::CONFLICT, "invalid_transition").await;
        assert_eq!(strings(&problem["allowed_actions"]), ["comment"]);

        // Out of role: 403.
        for (who, action, body) in [
            (&c.resident, "dispatch", json!({"party": "zy-heating"})),
            (&c.resident, "accept", json!({})),
            (&c.worker, "accept", json!({})),
            (&c.admin, "accept", json!({})),
            (&c.admin, "resolve_on_spot", json!({"result": "done"})),
        ] {
            let refused = send_step(app, who, &id, action, Some(&body)).await;
            expect_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
        }
        // Administrators may comment, handlers and administrators may not report.
        let commented = step(app, &c.admin, &id, "comment", Some(json!({"text": "请尽快处理"}))).await;
        assert_eq!(commented["status"], "reported");
        assert_eq!(commented["version"], 2);
        for who in [&c.handler, &c.admin] {
            let refused = send_report(app, who, Some("k"), &report_of(HEATING, centre_of(GUANLAN_GRID), "x")).await;
            expect_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
        }

        // Out of sight: 404, for reading and for every step.
        let (status, body, _) = fetch(app, &c.gongyi, &id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        expect_problem(send_step(app, &c.gongyi, &id, "accept", None).await, StatusCode::NOT_FOUND, "not_found").await;
        expect_problem(send_step(app, &c.handler, &id, "comment", Some(&json!({"text": "?"}))).await,
            StatusCode::NOT_FOUND, "not_found").await;
        let neighbour = new_user(app, "resident.neighbour", "resident", Some(GUANLAN_COMMUNITY), None).await;
        let (status, body, _) = fetch(app, &neighbour, &id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a resident does not see another's report: {body}");
        let patrol = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "车棚积雪").await;
        let (status, body, _) = fetch(app, &c.resident, &patrol).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "nor a grid worker's: {body}");
        let missing = uuid::Uuid::now_v7().to_string();
        let (status, body, _) = fetch(app, &c.admin, &missing).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        expect_problem(send_step(app, &c.dispatcher, &missing, "accept", None).await, StatusCode::NOT_FOUND, "not_found").await;
        let anonymous = app.anonymous.get(app.url(&format!("/api/v1/incidents/{id}"))).send().await.expect("sent");
        expect_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;

        // Nothing refused left a trace.
        let view = seen(app, &c.dispatcher, &id).await;
        assert_eq!(view["version"], 2);
        assert_eq!(actions_of(&view), ["report", "comment"]);
    }

    async fn if_match_refuses_a_stale_version_and_lets_a_current_one_through(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
        let (_, _, etag) = fetch(app, &c.dispatcher, &id).await;
        assert_eq!(etag.as_deref(), Some("\"1\""));

        // Someone else comments meanwhile.
        step(app, &c.resident, &id, "comment", Some(json!({"text": "今天更冷了"}))).await;

        let stale = c.dispatcher.client.post(app.url(&format!("/api/v1/incidents/{id}/accept")))
            .header("If-Match", "\"1\"").send().await.expect("sent");
        assert_eq!(header(&stale, "etag").as_deref(), Some("\"2\""), "the current version");
        expect_problem(stale, StatusCode::PRECONDITION_FAILED, "stale_version").await;
        assert_eq!(seen(app, &c.dispatcher, &id).await["status"], "reported", "nothing changed");

        let garbled = c.dispatcher.client.post(app.url(&format!("/api/v1/incidents/{id}/accept")))
            .header("If-Match", "version two").send().await.expect("sent");
        expect_problem(garbled, StatusCode::BAD_REQUEST, "malformed_request").await;

        let current = c.dispatcher.client.post(app.url(&format!("/api/v1/incidents/{id}/accept")))
            .header("If-Match", "\"2\"").send().await.expect("sent");
        assert_eq!(current.status(), StatusCode::OK);
        assert_eq!(header(&current, "etag").as_deref(), Some("\"3\""));
        let (_, accepted) = json_of(current).await;
        assert_eq!(accepted["status"], "accepted");
        assert_eq!(accepted["version"], 3);
    }

    async fn two_dispatchers_accepting_at_once_accept_it_once(app) {
        let c = cast(app).await;
        let district = new_user(app, "dispatcher.zhongyuan", "dispatcher", Some("410102"), None).await;
        // Several rounds, so that a race lost only sometimes still shows.
        for round in 0..4 {
            let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, &format!("暖气不热 {round}")).await;
            let mut racing = JoinSet::new();
            for who in [c.dispatcher.clone(), district.clone()] {
                let url = app.url(&format!("/api/v1/incidents/{id}/accept"));
                racing.spawn(async move {
                    json_of(who.client.post(url).send().await.expect("accept sent")).await
                });
            }
            let answers: Vec<(StatusCode, Value)> = racing.join_all().await;
            let accepted = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
            assert_eq!(accepted, 1, "round {round}: exactly one accept succeeds: {answers:?}");
            let (status, loser) = answers.iter().find(|(s, _)| *s != StatusCode::OK).expect("a loser");
            assert!(
                (*status == StatusCode::CONFLICT && loser["code"] == "invalid_transition")
                    || (*status == StatusCode::PRECONDITION_FAILED && loser["code"] == "stale_version"),
                "round {round}: the other hears 409 or 412: {status} {loser}"
            );
            let view = seen(app, &c.admin, &id).await;
            assert_eq!(view["status"], "accepted");
            assert_eq!(view["version"], 2);
            assert_eq!(actions_of(&view), ["report", "accept"], "round {round}: one accept on the timeline");
        }
    }

    async fn a_retried_report_is_one_incident(app) {
        let c = cast(app).await;
        let body = report_of(HEATING, centre_of(GUANLAN_GRID), "暖气不热");
        let first = send_report(app, &c.resident, Some("retry-1"), &body).await;
        assert_eq!(first.status(), StatusCode::CREATED);
        assert_eq!(header(&first, "idempotent-replayed"), None);
        let (_, first) = json_of(first).await;
        // No key at all.
        let keyless = send_report(app, &c.resident, None, &body).await;
        expect_problem(keyless, StatusCode::BAD_REQUEST, "malformed_request").await;
        // Keys belong to their user.
        let theirs = send_report(app, &c.worker, Some("retry-1"), &body).await;
        assert_eq!(theirs.status(), StatusCode::CREATED);
        assert_eq!(header(&theirs, "idempotent-replayed"), None);

        let again = send_report(app, &c.resident, Some("retry-1"), &body).await;
        assert_eq!(again.status(), StatusCode::CREATED);
        assert_eq!(header(&again, "idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(header(&again, "etag").as_deref(), Some("\"1\""));
        assert_eq!(header(&again, "location"), Some(format!("/api/v1/incidents/{}", text(&first["id"]))));
        let (_, again) = json_of(again).await;
        assert_eq!(again, first, "the same answer");
        assert_eq!(list_ids(app, &c.resident, "reporter=me").await, [text(&first["id"])]);

        // The same key for something else is a client bug.
        let other = report_of(HEATING, centre_of(GUANLAN_GRID), "暖气还是不热");
        let reused = send_report(app, &c.resident, Some("retry-1"), &other).await;
        expect_problem(reused, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
        // A refusal is replayed too.
        let unknown = report_of("no.such.category", centre_of(GUANLAN_GRID), "x");
        for replayed in [None, Some("true")] {
            let refused = send_report(app, &c.resident, Some("retry-2"), &unknown).await;
            assert_eq!(header(&refused, "idempotent-replayed").as_deref(), replayed);
            expect_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        }
        assert_eq!(list_ids(app, &c.resident, "reporter=me").await.len(), 1);
    }

    async fn eight_simultaneous_sends_with_one_key_make_one_incident(app) {
        let c = cast(app).await;
        let body = report_of(HEATING, centre_of(GUANLAN_GRID), "暖气不热，手机信号差一直重发");
        let mut sends = JoinSet::new();
        for _ in 0..8 {
            let (who, url, body) = (c.resident.clone(), app.url("/api/v1/incidents"), body.clone());
            sends.spawn(async move {
                let response = who.client.post(url).header("Idempotency-Key", "storm-1")
                    .json(&body).send().await.expect("report sent");
                json_of(response).await
            });
        }
        let answers: Vec<(StatusCode, Value)> = sends.join_all().await;
        let created: BTreeSet<String> = answers.iter()
            .filter(|(s, _)| *s == StatusCode::CREATED).map(|(_, v)| text(&v["id"])).collect();
        assert_eq!(created.len(), 1, "one id among the 201s: {answers:?}");
        assert_eq!(set(&list_ids(app, &c.resident, "reporter=me").await), created, "exactly one incident");
        assert_eq!(list_ids(app, &c.admin, "").await.len(), 1);
        for (status, body) in &answers {
            assert!(
                *status == StatusCode::CREATED
                    || (*status == StatusCode::CONFLICT && body["code"] == "request_in_progress"),
                "201 or 409 request_in_progress, not {status} {body}"
            );
        }
    }

    async fn a_report_is_checked_before_it_is_stored(app) {
        let c = cast(app).await;
        let here = centre_of(GUANLAN_GRID);

        // The phone's own id is kept; the same id again is a conflict.
        let chosen = uuid::Uuid::now_v7().to_string();
        let mut body = report_of(HEATING, here, "离线时记下的");
        body["id"] = json!(chosen);
        body["address"] = json!("观澜社区7号院2号楼");
        // Seen last night, sent this morning.
        let seen_at = (chrono::Utc::now() - chrono::Duration::hours(10)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        body["occurred_at"] = json!(seen_at);
        let created = report(app, &c.worker, &body).await;
        assert_eq!(created["id"], chosen.as_str());
        assert_eq!(created["address"], "观澜社区7号院2号楼");
        assert_eq!(created["occurred_at"], seen_at.as_str());
        let location = &created["location"];
        assert_eq!(location["type"], "Point");
        assert!((location["coordinates"][0].as_f64().expect("lng") - here[0]).abs() < 1e-9, "{location}");
        assert!((location["coordinates"][1].as_f64().expect("lat") - here[1]).abs() < 1e-9, "{location}");
        assert_eq!(seen(app, &c.worker, &chosen).await["id"], chosen.as_str());
        let taken = send_report(app, &c.worker, Some("another key"), &body).await;
        expect_problem(taken, StatusCode::CONFLICT, "conflict").await;

        let mut priority = report_of(HEATING, here, "很急");
        priority["priority"] = json!("urgent");
        let mut future = report_of(HEATING, here, "明天的事");
        future["occurred_at"] = json!("2999-01-01T00:00:00Z");
        let mut ancient = report_of(HEATING, here, "很久以前");
        ancient["occurred_at"] = json!("0001-01-01T00:00:00Z");
        for (body, field) in [
            (report_of(HEATING, [0.0, 0.0], "几内亚湾"), "location"),
            (report_of("no.such.category", here, "?"), "category"),
            (report_of(HEATING, here, "   "), "description"),
            (priority.clone(), "priority"),
            (future, "occurred_at"),
            (ancient, "occurred_at"),
        ] {
            let refused = send_report(app, &c.resident, Some(&uuid::Uuid::now_v7().to_string()), &body).await;
            let problem = expect_problem(refused, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "{body}: {problem}");
        }
        assert!(list_ids(app, &c.resident, "reporter=me").await.is_empty(), "nothing stored");

        // A dispatcher sets the priority; a hotline call says so.
        priority["hotline"] = json!(true);
        let urgent = report(app, &c.dispatcher, &priority).await;
        assert_eq!(urgent["priority"], "urgent");
        assert_eq!(urgent["source"], "hotline");
    }

    async fn a_nearby_report_of_the_same_thing_is_flagged_and_can_be_merged(app) {
        let c = cast(app).await;
        let neighbour = new_user(app, "resident.neighbour", "resident", Some(GUANLAN_COMMUNITY), None).await;
        let here = centre_of(GUANLAN_GRID);
        let first = report(app, &neighbour, &report_of(DOG_NOISE, here, "7号院2号楼的狗整夜叫")).await;
        assert_eq!(first["possible_duplicates"], json!([]));
        let first_id = text(&first["id"]);

        // 100 m south (in the grid below): the same category is flagged…
        let near = moved(here, 0.0, -100.0);
        let second = report(app, &c.resident, &report_of(DOG_NOISE, near, "楼上的狗在阳台叫")).await;
        let flagged = second["possible_duplicates"].as_array().expect("possible_duplicates");
        assert_eq!(flagged.len(), 1, "{second}");
        assert_eq!(flagged[0]["id"], first_id.as_str());
        assert_eq!(flagged[0]["reference"], first["reference"]);
        assert_eq!(flagged[0]["status"], "reported");
        let distance = flagged[0]["distance_m"].as_f64().expect("distance_m");
        assert!((95.0..=105.0).contains(&distance), "about 100 m: {distance}");
        // …another category is not…
        let other = report(app, &c.resident, &report_of(HEATING, near, "暖气不热")).await;
        assert_eq!(other["possible_duplicates"], json!([]));
        // …nor the same category 1 km away (two communities of Tongbailu).
        let (west, east) = (centre_of("410102002001002"), centre_of("410102002003002"));
        let far_apart = metres_between(west, east);
        assert!((900.0..=1100.0).contains(&far_apart), "{far_apart}");
        report(app, &c.worker, &report_of(DOG_NOISE, west, "狗叫")).await;
        let far = report(app, &c.worker, &report_of(DOG_NOISE, east, "狗叫")).await;
        assert_eq!(far["possible_duplicates"], json!([]), "{far_apart} m apart");

        // Merged: the later reporter follows the first report from now on.
        let second_id = text(&second["id"]);
        let (status, body, _) = fetch(app, &c.resident, &first_id).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "not yet: {body}");
        let bare = send_step(app, &c.dispatcher, &second_id, "reject", Some(&json!({"reason": "duplicate"}))).await;
        let problem = expect_problem(bare, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["duplicate_of"]);
        let unknown = send_step(app, &c.dispatcher, &second_id, "reject",
            Some(&json!({"reason": "duplicate", "duplicate_of": uuid::Uuid::now_v7().to_string()}))).await;
        let problem = expect_problem(unknown, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["duplicate_of"]);
        let rejected = step(app, &c.dispatcher, &second_id, "reject",
            Some(json!({"reason": "duplicate", "duplicate_of": first_id}))).await;
        assert_eq!(rejected["status"], "rejected");
        assert_eq!(rejected["duplicate_of"], first_id.as_str());

        let followed = seen(app, &c.resident, &first_id).await;
        assert_eq!(followed["reporter_id"], neighbour.id.as_str());
        assert_eq!(followed["status"], "reported");
        assert_eq!(strings(&followed["allowed_actions"]), ["comment"], "a follower may comment");
        let commented = step(app, &c.resident, &first_id, "comment", Some(json!({"text": "我也听到了"}))).await;
        assert_eq!(commented["version"], followed["version"].as_i64().map(|v| v + 1).unwrap_or_default());
        assert_eq!(set(&list_ids(app, &c.resident, "").await),
            set([&first_id, &second_id, &text(&other["id"])]));
        assert_eq!(set(&list_ids(app, &c.resident, "reporter=me").await),
            set([second_id, text(&other["id"])]), "reporter=me: their own only");
        let (status, body, _) = fetch(app, &neighbour, &text(&other["id"])).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "the first reporter gains nothing: {body}");
    }

    async fn each_role_lists_what_it_may_see(app) {
        let c = cast(app).await;
        let neighbour = new_user(app, "resident.neighbour", "resident", Some(GUANLAN_COMMUNITY), None).await;
        let gongyi_worker = new_user(app, "worker.gongyi", "grid_worker", Some(GONGYI_GRID), None).await;
        // A district dispatcher: too many grids to read one by one.
        let district = new_user(app, "dispatcher.zhongyuan", "dispatcher", Some("410102"), None).await;
        let a = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "A 暖气不热").await;
        let b = report_in(app, &c.worker, GUANLAN_GRID, SNOW_ON_SHEDS, "B 车棚积雪").await;
        let cc = report_in(app, &neighbour, GUANLAN_GRID_1, DOG_NOISE, "C 狗叫").await;
        let d = report_in(app, &gongyi_worker, GONGYI_GRID, HEATING, "D 钢苑小区暖气不热").await;
        let e = report_in(app, &c.dispatcher, GUANLAN_GRID_3, STREET_VENDING, "E 占道经营").await;
        step(app, &c.dispatcher, &b, "accept", None).await;
        step(app, &c.dispatcher, &b, "dispatch", Some(json!({"party": "zy-heating"}))).await;

        for (who, expected) in [
            (&c.admin, set([&a, &b, &cc, &d, &e])),
            (&c.resident, set([&a])),
            (&neighbour, set([&cc])),
            (&c.worker, set([&a, &b])),
            (&c.chief, set([&a, &b])),
            (&c.dispatcher, set([&a, &b, &cc, &e])),
            (&district, set([&a, &b, &cc, &e])),
            (&c.gongyi, set([&d])),
            (&gongyi_worker, set([&d])),
            (&c.handler, set([&b])),
        ] {
            let listed = list_ids(app, who, "").await;
            assert_eq!(listed.len(), expected.len(), "{} lists no incident twice: {listed:?}", who.name);
            assert_eq!(set(&listed), expected, "{} lists", who.name);
            // A page at a time, the same incidents in the same order: the
            // caller's relations are read apart and merged.
            for sort in ["created_desc", "created_asc", "updated_desc"] {
                let whole = list_ids(app, who, &format!("sort={sort}")).await;
                let paged = list_ids(app, who, &format!("sort={sort}&limit=1")).await;
                assert_eq!(paged, whole, "{} pages through ?sort={sort}", who.name);
            }
            // And each of them opens.
            for id in &listed {
                seen(app, who, id).await;
            }
        }
        // Each item says what its reader may do with it.
        let page = list_page(app, &c.handler, "").await;
        assert_eq!(strings(&page["items"][0]["allowed_actions"]), ["acknowledge", "return", "comment"]);
        assert!(page["items"][0].get("timeline").is_none(), "no timeline in lists");
    }

    async fn lists_filter_sort_and_page(app) {
        let c = cast(app).await;
        let neighbour = new_user(app, "resident.neighbour", "resident", Some(GUANLAN_COMMUNITY), None).await;
        let gongyi_worker = new_user(app, "worker.gongyi", "grid_worker", Some(GONGYI_GRID), None).await;
        let a = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "A 暖气不热").await;
        let b = report(app, &c.worker, &report_of(SNOW_ON_SHEDS, moved(centre_of(GUANLAN_GRID), 20.0, 0.0), "B 车棚积雪")).await;
        let b = text(&b["id"]);
        let cc = report_in(app, &neighbour, GUANLAN_GRID_1, DOG_NOISE, "C 狗叫，50% 的夜里睡不着").await;
        let d = report_in(app, &gongyi_worker, GONGYI_GRID, HEATING, "D 钢苑小区暖气不热").await;
        let e = report_in(app, &c.dispatcher, GUANLAN_GRID_3, STREET_VENDING, "E 占道经营").await;
        step(app, &c.dispatcher, &b, "accept", None).await;
        step(app, &c.dispatcher, &b, "dispatch", Some(json!({"party": "zy-heating", "assignee": c.handler.id}))).await;
        let ids = |list: &[&String]| list.iter().map(|s| (*s).clone()).collect::<Vec<String>>();

        let here = centre_of(GUANLAN_GRID);
        let bbox = format!("{},{},{},{}", here[0] - 0.0007, here[1] - 0.0005, here[0] + 0.0007, here[1] + 0.0005);
        let filters: Vec<(&User, String, Vec<String>)> = vec![
            (&c.admin, "status=reported".into(), ids(&[&a, &cc, &d, &e])),
            (&c.admin, "status=accepted,dispatched".into(), ids(&[&b])),
            (&c.admin, "status=closed".into(), vec![]),
            (&c.admin, "category=utilities".into(), ids(&[&a, &d])),
            (&c.admin, "category=utilities.heating".into(), ids(&[&a, &d])),
            (&c.admin, "category=public_safety".into(), ids(&[&b])),
            (&c.admin, "category=public_safety.snow_ice".into(), ids(&[&b])),
            (&c.admin, "category=public_safety.snow".into(), vec![]),
            (&c.admin, format!("area={GUANLAN_GRID}"), ids(&[&a, &b])),
            (&c.admin, format!("area={GUANLAN_COMMUNITY}"), ids(&[&a, &b, &cc, &e])),
            (&c.admin, "area=410181".into(), ids(&[&d])),
            (&c.admin, format!("bbox={bbox}"), ids(&[&a, &b])),
            (&c.dispatcher, format!("bbox={bbox}"), ids(&[&a, &b])),
            (&c.gongyi, format!("bbox={bbox}"), vec![]),
            // The Atlantic: no grid there.
            (&c.admin, "bbox=-30,0,-29,1".into(), vec![]),
            // A party the handler serves: their whole caseload, no other.
            (&c.handler, "party=zy-heating".into(), ids(&[&b])),
            (&c.gongyi, "party=zy-heating".into(), vec![]),
            (&c.admin, "q=暖气".into(), ids(&[&a, &d])),
            (&c.admin, "q=50%25".into(), ids(&[&cc])),
            (&c.admin, "q=%25".into(), ids(&[&cc])),
            (&c.admin, "party=zy-heating".into(), ids(&[&b])),
            (&c.handler, "assignee=me".into(), ids(&[&b])),
            (&c.admin, format!("assignee={}", c.handler.id), ids(&[&b])),
            (&c.dispatcher, "assignee=me".into(), vec![]),
            (&c.dispatcher, "reporter=me".into(), ids(&[&e])),
            (&c.worker, "reporter=me".into(), ids(&[&b])),
            (&c.dispatcher, "category=utilities".into(), ids(&[&a])),
            (&c.gongyi, format!("area={GUANLAN_COMMUNITY}"), vec![]),
            (&c.admin, "overdue=true".into(), vec![]),
            (&c.admin, "overdue=false".into(), ids(&[&a, &b, &cc, &d, &e])),
            (&c.admin, "created_from=2999-01-01T00:00:00Z".into(), vec![]),
            (&c.admin, "created_to=2000-01-01T00:00:00Z".into(), vec![]),
            (&c.admin, "created_from=2000-01-01T00:00:00Z&created_to=2999-01-01T00:00:00Z".into(), ids(&[&a, &b, &cc, &d, &e])),
            (&c.admin, "updated_from=2999-01-01T00:00:00Z".into(), vec![]),
            (&c.admin, "status=reported&category=utilities&area=410102".into(), ids(&[&a])),
        ];
        for (who, query, expected) in filters {
            let listed = list_ids(app, who, &query).await;
            assert_eq!(set(&listed), set(&expected), "{} lists ?{query}", who.name);
            assert_eq!(listed.len(), expected.len(), "?{query}: no repeats");
        }

        // Sorted, newest first by default; B changed last.
        let oldest_first = ids(&[&a, &b, &cc, &d, &e]);
        let newest_first: Vec<String> = oldest_first.iter().rev().cloned().collect();
        assert_eq!(list_ids(app, &c.admin, "").await, newest_first);
        assert_eq!(list_ids(app, &c.admin, "sort=created_desc").await, newest_first);
        assert_eq!(list_ids(app, &c.admin, "sort=created_asc").await, oldest_first);
        assert_eq!(list_ids(app, &c.admin, "sort=updated_desc").await, ids(&[&b, &e, &d, &cc, &a]));

        // Paged two at a time: the same order, nothing twice, nothing left out.
        for (sort, expected) in [
            ("created_desc", newest_first.clone()),
            ("created_asc", oldest_first.clone()),
            ("updated_desc", ids(&[&b, &e, &d, &cc, &a])),
        ] {
            let first = list_page(app, &c.admin, &format!("sort={sort}&limit=2")).await;
            assert_eq!(first["items"].as_array().expect("items").len(), 2);
            assert!(first["next_cursor"].is_string(), "{first}");
            assert_eq!(list_ids(app, &c.admin, &format!("sort={sort}&limit=2")).await, expected, "sort={sort}");
        }
        let last = list_page(app, &c.admin, "limit=5").await;
        assert_eq!(last["next_cursor"], Value::Null, "no cursor after the last page");

        for (query, field) in [
            ("status=open", "status"),
            ("bbox=1,2,3", "bbox"),
            ("cursor=not-a-cursor", "cursor"),
            ("limit=0", "limit"),
        ] {
            let response = c.admin.client.get(app.url(&format!("/api/v1/incidents?{query}"))).send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "?{query}");
        }
    }
}

/// The helper the time assertions rest on.
#[test]
fn epoch_micros_reads_the_times_the_api_writes() {
    for (time, micros) in [
        ("1970-01-01T00:00:00Z", 0),
        ("2000-03-01T00:00:00.5Z", 951_868_800_500_000),
        ("2024-02-29T23:59:59.123Z", 1_709_251_199_123_000),
        ("2026-11-24T22:40:49.180212Z", 1_795_560_049_180_212),
        ("2026-11-24T22:40:49.180212345Z", 1_795_560_049_180_212),
    ] {
        assert_eq!(epoch_micros(&json!(time)), micros, "{time}");
    }
}
