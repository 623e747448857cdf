//! Checklist templates and campaigns (未诉先办): an administrator keeps the
//! checklists; a dispatcher starts one over their subdistrict after a
//! blizzard warning, every grid gets a task, its workers and chief are told
//! on their phones and in their feed, and the campaign shows each grid's
//! progress until it is due, overdue, or called off.

use std::time::Duration;

use gridops_tests::reqwest::StatusCode;
use gridops_tests::{
    Backend, DEMO_PASSWORD, expect_problem, json, json_of, on_both_backends, problem_fields,
};
use serde_json::Value;

use crate::incidents::{GUANLAN_GRID, User, cast, sign_in, text};
use crate::notifications::{WithFcm, eventually, register_device, spawn_with_fcm};

/// The subdistrict of `dispatcher.hanghaixilu` (航海西路街道).
const HANGHAIXILU: &str = "410102003";

fn item(id: &str, category: &str) -> Value {
    json!({"id": id, "text_zh": "检查", "text_en": "Check", "category": category, "photo_required": false})
}

async fn send(
    who: &User,
    method: reqwest::Method,
    url: String,
    body: Option<&Value>,
    key: Option<&str>,
) -> reqwest::Response {
    let mut request = who.client.request(method, url);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.expect("sent")
}

/// `POST /api/v1/campaigns` with a fresh key.
pub(crate) async fn start(
    app: &gridops_tests::TestApp,
    who: &User,
    body: &Value,
) -> reqwest::Response {
    let key = uuid::Uuid::now_v7().to_string();
    send(
        who,
        reqwest::Method::POST,
        app.url("/api/v1/campaigns"),
        Some(body),
        Some(&key),
    )
    .await
}

fn in_secs(secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(secs)).to_rfc3339()
}

on_both_backends! {
    async fn administrators_keep_the_checklists_and_staff_read_them(app) {
        let c = cast(app).await;
        let url = app.url("/api/v1/checklist-templates");
        // The demo's three, the blizzard one as the seeds have it.
        let (status, list) = json_of(send(&c.worker, reqwest::Method::GET, url.clone(), None, None).await).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let blizzard = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|t| t["id"] == "demo-blizzard")
            .cloned()
            .expect("the demo blizzard checklist");
        assert_eq!(blizzard["name_zh"], "暴雪隐患排查");
        let ids: Vec<String> = blizzard["items"].as_array().expect("items").iter().map(|i| text(&i["id"])).collect();
        assert_eq!(ids, ["sheds", "eaves", "branches", "flying_wires", "icy_steps"]);
        assert_eq!(blizzard["items"][0]["photo_required"], true);
        assert_eq!(list["items"].as_array().map(Vec::len), Some(3), "{list}");
        // Residents read none; only administrators write.
        let response = send(&c.resident, reqwest::Method::GET, url.clone(), None, None).await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        let good = json!({"name_zh": "寒潮排查", "name_en": "Cold wave check", "items": [
            item("pipes", "utilities.heating"),
            item("elderly", "social_aid.elderly_visit"),
            item("sheds", "public_safety.snow_ice.snow_on_sheds"),
        ]});
        let response = send(&c.dispatcher, reqwest::Method::POST, url.clone(), Some(&good), None).await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        // Each bad field named.
        let mut not_a_leaf = good.clone();
        not_a_leaf["items"][2]["category"] = json!("public_safety.snow_ice");
        let mut twice = good.clone();
        twice["items"][1]["id"] = json!("pipes");
        let mut blank = good.clone();
        blank["name_en"] = json!("  ");
        let mut no_items = good.clone();
        no_items["items"] = json!([]);
        for (body, field) in [
            (not_a_leaf, "items[2].category"),
            (twice, "items[1].id"),
            (blank, "name_en"),
            (no_items, "items"),
        ] {
            let response = send(&c.admin, reqwest::Method::POST, url.clone(), Some(&body), None).await;
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "{problem}");
        }
        // Create, read, change, delete.
        let (status, created) = json_of(send(&c.admin, reqwest::Method::POST, url.clone(), Some(&good), None).await).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let one = app.url(&format!("/api/v1/checklist-templates/{}", text(&created["id"])));
        let (status, read) = json_of(send(&c.chief, reqwest::Method::GET, one.clone(), None, None).await).await;
        assert_eq!((status, &read["items"][1]["category"]), (StatusCode::OK, &json!("social_aid.elderly_visit")));
        let mut changed = good.clone();
        changed["name_en"] = json!("Cold wave hazard check");
        let response = send(&c.dispatcher, reqwest::Method::PUT, one.clone(), Some(&changed), None).await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        let (status, saved) = json_of(send(&c.admin, reqwest::Method::PUT, one.clone(), Some(&changed), None).await).await;
        assert_eq!((status, &saved["name_en"]), (StatusCode::OK, &json!("Cold wave hazard check")), "{saved}");
        let response = send(&c.admin, reqwest::Method::DELETE, one.clone(), None, None).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
            let response = send(&c.admin, method, one.clone(), None, None).await;
            expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        }
        let response = send(&c.admin, reqwest::Method::PUT, one.clone(), Some(&changed), None).await;
        expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        // A deleted template starts no campaign.
        let response = start(app, &c.dispatcher, &json!({"template": text(&created["id"]), "area": HANGHAIXILU, "due_at": in_secs(3600)})).await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["template"]);
    }
}

/// A red blizzard warning: the subdistrict's dispatcher starts the blizzard
/// checklist over 航海西路街道; every grid gets a task; Guanlan's worker
/// (English phone) and chief (Chinese phone) are pushed and find it in
/// their inbox and feed; the campaign shows every grid not started, then
/// overdue, then nothing overdue once called off.
async fn a_blizzard_campaign_reaches_every_grid_of_the_subdistrict(backend: Backend) {
    let Some(with) = spawn_with_fcm(backend).await else {
        return;
    };
    let WithFcm { app, fcm, .. } = &with;
    let c = cast(app).await;
    const WORKER_PHONE: &str = "fcm-token-worker-guanlan-campaign-0001";
    const CHIEF_PHONE: &str = "fcm-token-chief-guanlan-campaign-0002";
    // A second worker of the grid, who reads English.
    let (status, created) = app
        .post_json(
            "/api/v1/users",
            &json!({"username": "worker.guanlan.en", "password": DEMO_PASSWORD, "role": "grid_worker", "area": GUANLAN_GRID, "locale": "en"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let english = sign_in(app, "worker.guanlan.en").await;
    for (who, phone) in [(&english, WORKER_PHONE), (&c.chief, CHIEF_PHONE)] {
        let (status, device) = register_device(app, who, phone, "zh-CN").await;
        assert_eq!(status, StatusCode::CREATED, "{device}");
    }

    let trigger = json!({"kind": "weather_warning", "signal": "blizzard", "level": "red"});
    let body = |due_at: String| json!({"template": "demo-blizzard", "area": HANGHAIXILU, "due_at": due_at, "trigger": trigger});
    // Refusals, each naming what is wrong; none starts anything.
    let response = start(app, &c.gongyi, &body(in_secs(3600))).await;
    expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let response = start(app, &c.worker, &body(in_secs(3600))).await;
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let mut unknown_area = body(in_secs(3600));
    unknown_area["area"] = json!("410102999");
    let response = start(app, &c.dispatcher, &unknown_area).await;
    expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let mut bad_level = body(in_secs(3600));
    bad_level["trigger"]["level"] = json!("purple");
    let mut bad_signal = body(in_secs(3600));
    bad_signal["trigger"]["signal"] = json!("Big Snow!");
    let mut no_template = body(in_secs(3600));
    no_template["template"] = json!("no-such-template");
    for (sent, field) in [
        (body(in_secs(-60)), "due_at"),
        (no_template, "template"),
        (bad_signal, "trigger.signal"),
    ] {
        let response = start(app, &c.dispatcher, &sent).await;
        let problem = expect_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(problem_fields(&problem), [field], "{problem}");
    }
    let response = start(app, &c.dispatcher, &bad_level).await;
    let problem = expect_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        problem_fields(&problem)[0].starts_with("trigger"),
        "{problem}"
    );
    assert!(fcm.delivered().is_empty(), "nothing was pushed");

    // Started, due in a few seconds; the same key again is the same campaign.
    let key = uuid::Uuid::now_v7().to_string();
    let sent = body(in_secs(4));
    let url = app.url("/api/v1/campaigns");
    let (status, campaign) = json_of(
        send(
            &c.dispatcher,
            reqwest::Method::POST,
            url.clone(),
            Some(&sent),
            Some(&key),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{campaign}");
    let id = text(&campaign["id"]);
    assert_eq!(campaign["status"], "running");
    assert_eq!(campaign["trigger"], trigger);
    assert_eq!(campaign["name_zh"], "暴雪隐患排查");
    let grids = campaign["totals"]["grids"].as_i64().expect("grids");
    assert!(grids >= 4, "every grid of the subdistrict: {campaign}");
    assert_eq!(campaign["totals"]["not_started"], grids);
    let (status, again) = json_of(
        send(
            &c.dispatcher,
            reqwest::Method::POST,
            url,
            Some(&sent),
            Some(&key),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, &again["id"]),
        (StatusCode::CREATED, &campaign["id"])
    );

    // One task per grid, every grid of the subdistrict, none started.
    let one = app.url(&format!("/api/v1/campaigns/{id}"));
    let (status, detail) =
        json_of(send(&c.dispatcher, reqwest::Method::GET, one.clone(), None, None).await).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let rows = detail["grids"].as_array().expect("grids").clone();
    assert_eq!(rows.len() as i64, grids);
    let codes: Vec<String> = rows.iter().map(|g| text(&g["grid"])).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(codes, sorted, "one task per grid, in grid code order");
    assert!(codes.iter().all(|g| g.starts_with(HANGHAIXILU)));
    for row in &rows {
        assert_eq!(row["state"], "not_started", "{row}");
        assert_eq!(row["overdue"], false, "{row}");
        assert_eq!(row["task"]["items"].as_array().map(Vec::len), Some(5));
        assert_eq!(row["task"]["items"][0]["answer"], Value::Null);
    }
    let guanlan = rows
        .iter()
        .find(|g| g["grid"] == GUANLAN_GRID)
        .expect("Guanlan's grid");
    let task = text(&guanlan["task"]["id"]);
    assert_eq!(guanlan["task"]["items"][0]["id"], "sheds");

    // Guanlan's worker and chief on their phones, each in their language.
    eventually("both phones of Guanlan get the task", || async {
        let tokens: Vec<String> = fcm.delivered().iter().map(|m| text(&m["token"])).collect();
        tokens.iter().any(|t| t == WORKER_PHONE) && tokens.iter().any(|t| t == CHIEF_PHONE)
    })
    .await;
    for message in fcm.delivered() {
        assert_eq!(message["data"]["topic"], "check_task", "{message}");
        assert_eq!(message["data"]["check_task_id"], task.as_str(), "{message}");
        let title = text(&message["notification"]["title"]);
        if message["token"] == WORKER_PHONE {
            assert!(
                title.starts_with("Blizzard hazard check: finish your grid's checklist by "),
                "{title}"
            );
        } else {
            assert!(title.starts_with("暴雪隐患排查：请于"), "{title}");
            assert!(title.ends_with("前完成本网格检查"), "{title}");
        }
    }
    assert_eq!(fcm.delivered().len(), 2, "each phone once");

    // In their inbox and their catch-up feed (a worker without a phone too).
    for who in [&c.worker, &english, &c.chief] {
        let (status, feed) = json_of(
            send(
                who,
                reqwest::Method::GET,
                app.url("/api/v1/me/feed"),
                None,
                None,
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{feed}");
        let entry = feed["inbox"]
            .as_array()
            .expect("inbox")
            .iter()
            .find(|e| e["topic"] == "check_task")
            .cloned()
            .unwrap_or_else(|| panic!("{} sees the task in the feed: {feed}", who.name));
        assert_eq!(entry["check_task_id"], task.as_str());
        assert_eq!(entry["incident_id"], Value::Null);
        let (_, inbox) = json_of(
            send(
                who,
                reqwest::Method::GET,
                app.url("/api/v1/notifications"),
                None,
                None,
            )
            .await,
        )
        .await;
        assert_eq!(inbox["items"][0]["check_task_id"], task.as_str(), "{inbox}");
    }

    // Only those who run it over their area see it.
    let response = send(&c.gongyi, reqwest::Method::GET, one.clone(), None, None).await;
    expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let response = send(&c.worker, reqwest::Method::GET, one.clone(), None, None).await;
    expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let listed_in = |who: &User, query: &str| {
        let url = app.url(&format!("/api/v1/campaigns{query}"));
        let client = who.client.clone();
        async move { json_of(client.get(url).send().await.expect("listed")).await }
    };
    let (status, page) = listed_in(&c.dispatcher, &format!("?area={HANGHAIXILU}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["items"][0]["id"], id.as_str(), "{page}");
    assert_eq!(page["items"][0]["totals"]["grids"], grids);
    let (status, page) = listed_in(&c.gongyi, "").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page["items"].as_array().is_some_and(Vec::is_empty),
        "{page}"
    );
    let (status, _) = listed_in(&c.gongyi, &format!("?area={HANGHAIXILU}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, page) = listed_in(&c.admin, "?limit=1").await;
    assert_eq!(page["items"][0]["id"], id.as_str(), "newest first: {page}");

    // Past the due time nothing was done: every grid overdue, in red.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (_, detail) =
        json_of(send(&c.dispatcher, reqwest::Method::GET, one.clone(), None, None).await).await;
    assert_eq!(detail["totals"]["overdue"], grids, "{}", detail["totals"]);
    assert!(
        detail["grids"]
            .as_array()
            .expect("grids")
            .iter()
            .all(|g| g["overdue"] == true && g["state"] == "not_started")
    );

    // Called off (twice: the same answer); nothing is overdue any more.
    let cancel = app.url(&format!("/api/v1/campaigns/{id}/cancel"));
    let response = send(&c.gongyi, reqwest::Method::POST, cancel.clone(), None, None).await;
    expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    for _ in 0..2 {
        let (status, cancelled) = json_of(
            send(
                &c.dispatcher,
                reqwest::Method::POST,
                cancel.clone(),
                None,
                None,
            )
            .await,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{cancelled}");
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(cancelled["cancelled_by"], c.dispatcher.id.as_str());
        assert_eq!(cancelled["totals"]["overdue"], 0);
    }
    let (_, detail) =
        json_of(send(&c.dispatcher, reqwest::Method::GET, one, None, None).await).await;
    assert_eq!(detail["status"], "cancelled");
    assert_eq!(detail["totals"]["overdue"], 0);
}

mod campaign_fan_out {
    #[tokio::test]
    async fn sqlite() {
        super::a_blizzard_campaign_reaches_every_grid_of_the_subdistrict(
            gridops_tests::Backend::Sqlite,
        )
        .await;
    }

    #[tokio::test]
    async fn postgres() {
        super::a_blizzard_campaign_reaches_every_grid_of_the_subdistrict(
            gridops_tests::Backend::Postgres,
        )
        .await;
    }
}
