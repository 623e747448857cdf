//! Duty rosters 值班 as the grid meets them: the roster of a grid or a
//! community kept by the dispatchers over it and read by those who work it;
//! and the seed story — a dog barking at 01:10 reaches the grid worker on
//! duty that night, by push, not an office that opens at 8:30; with that
//! worker off that night it reaches the grid chief; a worker walking a
//! patrol of the grid is on duty by being there.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{Duration as Days, NaiveDate, Timelike, Utc};
use gridops_tests::fake_fcm::FakeFcm;
use gridops_tests::reqwest::StatusCode;
use gridops_tests::{Backend, TestApp, json, json_of, on_both_backends, problem_fields};
use serde_json::Value;

use crate::incidents::{
    DOG_NOISE, GUANLAN_COMMUNITY, GUANLAN_GRID, GUANLAN_GRID_1, User, new_user, report_in, seen,
    sign_in, step, text,
};
use crate::notifications::{eventually, inbox, register_device};

fn roster_url(app: &TestApp, area: &str, rest: &str) -> String {
    app.url(&format!("/api/v1/rosters/{area}{rest}"))
}

async fn roster(app: &TestApp, who: &User, area: &str) -> (StatusCode, Value) {
    json_of(
        who.client
            .get(roster_url(app, area, ""))
            .send()
            .await
            .expect("roster read"),
    )
    .await
}

async fn add_shift(app: &TestApp, who: &User, area: &str, body: &Value) -> (StatusCode, Value) {
    json_of(
        who.client
            .post(roster_url(app, area, "/shifts"))
            .json(body)
            .send()
            .await
            .expect("shift sent"),
    )
    .await
}

async fn put_day(app: &TestApp, who: &User, area: &str, body: &Value) -> (StatusCode, Value) {
    json_of(
        who.client
            .put(roster_url(app, area, "/exceptions"))
            .json(body)
            .send()
            .await
            .expect("exception sent"),
    )
    .await
}

async fn delete(app: &TestApp, who: &User, area: &str, rest: &str) -> StatusCode {
    who.client
        .delete(roster_url(app, area, rest))
        .send()
        .await
        .expect("delete sent")
        .status()
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| text(&i["id"]))
        .collect()
}

fn on_duty_users(view: &Value) -> Vec<(String, String)> {
    view["on_duty"]
        .as_array()
        .expect("on_duty")
        .iter()
        .map(|d| (text(&d["user"]["id"]), text(&d["why"]["kind"])))
        .collect()
}

/// Moves the working calendar's clock so that it is 01:10 there now; the
/// local date now.
async fn ten_past_one_there(app: &TestApp, admin: &User) -> NaiveDate {
    let now = Utc::now();
    let minutes = i32::try_from(now.hour() * 60 + now.minute()).expect("minutes");
    let mut offset = 70 - minutes;
    if offset < -720 {
        offset += 24 * 60;
    }
    let (status, week) = json_of(
        admin
            .client
            .put(app.url("/api/v1/calendar/week"))
            .json(&json!({
                "periods": ["08:30-12:00", "14:00-17:30"],
                "weekdays": [1, 2, 3, 4, 5],
                "utc_offset_minutes": offset,
            }))
            .send()
            .await
            .expect("calendar sent"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{week}");
    (now + Days::minutes(i64::from(offset))).date_naive()
}

on_both_backends! {
    async fn a_roster_is_kept_by_the_dispatchers_over_it_and_read_by_its_grid(app) {
        let admin = sign_in(app, "admin").await;
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
        let gongyi = sign_in(app, "dispatcher.gongyi").await;
        let worker = sign_in(app, "worker.guanlan").await;
        let chief = sign_in(app, "chief.guanlan").await;
        let resident = sign_in(app, "resident.guanlan").await;
        let neighbour =
            new_user(app, "worker.duty.neighbour", "grid_worker", Some(GUANLAN_GRID_1), None).await;

        // The demo puts worker.guanlan on nights in the Guanlan grid.
        let (status, view) = roster(app, &dispatcher, GUANLAN_GRID).await;
        assert_eq!(status, StatusCode::OK, "{view}");
        assert_eq!(view["level"], "grid");
        let demo = &view["shifts"][0];
        assert_eq!(demo["user"]["id"], worker.id.as_str(), "{view}");
        assert_eq!((text(&demo["starts"]), text(&demo["ends"])), ("22:00".into(), "08:00".into()));
        assert_eq!(demo["weekdays"], json!([1, 2, 3, 4, 5, 6, 7]));

        // The dispatcher over it adds a day shift, and the chief to a
        // community's roster, which covers its grids.
        let (status, day) = add_shift(app, &dispatcher, GUANLAN_GRID, &json!({
            "user": worker.id, "weekdays": [6, 7], "starts": "08:00", "ends": "17:00",
        })).await;
        assert_eq!(status, StatusCode::CREATED, "{day}");
        assert_eq!(day["weekdays"], json!([6, 7]));
        assert_eq!(day["user"]["name"], "观澜社区网格员");
        let (status, community) = add_shift(app, &admin, GUANLAN_COMMUNITY, &json!({
            "user": chief.id, "weekdays": [1], "starts": "12:00", "ends": "13:00",
        })).await;
        assert_eq!(status, StatusCode::CREATED, "{community}");
        let shown = ids(&roster(app, &worker, GUANLAN_GRID).await.1["shifts"]);
        assert!(shown.contains(&text(&day["id"])) && shown.contains(&text(&community["id"])), "{shown:?}");
        let (status, community_view) = roster(app, &dispatcher, GUANLAN_COMMUNITY).await;
        assert_eq!(status, StatusCode::OK, "{community_view}");
        assert_eq!(community_view["level"], "community");
        assert_eq!(ids(&community_view["shifts"]).len(), 3, "{community_view}");

        // A day off, set twice: the second replaces the first.
        let off = json!({"user": worker.id, "date": "2030-02-01", "on_duty": true});
        let (status, first) = put_day(app, &dispatcher, GUANLAN_GRID, &off).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        let (status, second) = put_day(app, &dispatcher, GUANLAN_GRID,
            &json!({"user": worker.id, "date": "2030-02-01", "on_duty": false})).await;
        assert_eq!(status, StatusCode::OK, "{second}");
        assert_eq!(first["id"], second["id"]);
        assert_eq!(second["on_duty"], false);
        let view = roster(app, &chief, GUANLAN_GRID).await.1;
        assert_eq!(ids(&view["exceptions"]), [text(&second["id"])], "{view}");

        // Bad input names the field.
        let bad = [
            (GUANLAN_GRID, json!({"user": worker.id, "weekdays": [1], "starts": "22:00", "ends": "22:00"}), "ends"),
            (GUANLAN_GRID, json!({"user": worker.id, "weekdays": [0, 8], "starts": "22:00", "ends": "06:00"}), "weekdays"),
            (GUANLAN_GRID, json!({"user": worker.id, "weekdays": [1, 1], "starts": "22:00", "ends": "06:00"}), "weekdays"),
            (GUANLAN_GRID, json!({"user": worker.id, "weekdays": [1], "starts": "25:00", "ends": "06:00"}), "starts"),
            // Not a worker or chief of this grid: of another grid, a dispatcher, nobody.
            (GUANLAN_GRID, json!({"user": neighbour.id, "weekdays": [1], "starts": "22:00", "ends": "06:00"}), "user"),
            (GUANLAN_GRID, json!({"user": dispatcher.id, "weekdays": [1], "starts": "22:00", "ends": "06:00"}), "user"),
            (GUANLAN_GRID, json!({"user": "no-such-user", "weekdays": [1], "starts": "22:00", "ends": "06:00"}), "user"),
            // A subdistrict keeps no roster.
            ("410102003", json!({"user": worker.id, "weekdays": [1], "starts": "22:00", "ends": "06:00"}), "area"),
        ];
        for (area, body, field) in bad {
            let (status, problem) = add_shift(app, &admin, area, &body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
            assert_eq!(problem_fields(&problem), [field], "{body}: {problem}");
        }
        let (status, problem) = put_day(app, &admin, GUANLAN_GRID,
            &json!({"user": worker.id, "date": "2030-02-30", "on_duty": true})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem_fields(&problem), ["date"]);
        let (status, problem) = put_day(app, &admin, GUANLAN_GRID,
            &json!({"user": neighbour.id, "date": "2030-02-03", "on_duty": true})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem_fields(&problem), ["user"]);
        let (status, problem) = roster(app, &admin, "410102003").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

        // Who may: the grid's worker reads but does not change it; a worker
        // of another grid, a dispatcher elsewhere, a resident know of none.
        let shift = json!({"user": worker.id, "weekdays": [3], "starts": "09:00", "ends": "10:00"});
        assert_eq!(add_shift(app, &worker, GUANLAN_GRID, &shift).await.0, StatusCode::FORBIDDEN);
        assert_eq!(add_shift(app, &chief, GUANLAN_GRID, &shift).await.0, StatusCode::FORBIDDEN);
        assert_eq!(delete(app, &worker, GUANLAN_GRID, &format!("/shifts/{}", text(&day["id"]))).await, StatusCode::FORBIDDEN);
        for outsider in [&neighbour, &gongyi, &resident] {
            assert_eq!(roster(app, outsider, GUANLAN_GRID).await.0, StatusCode::NOT_FOUND, "{}", outsider.name);
            assert_eq!(add_shift(app, outsider, GUANLAN_GRID, &shift).await.0, StatusCode::NOT_FOUND, "{}", outsider.name);
        }
        // The neighbour reads their own grid's roster and their community's.
        assert_eq!(roster(app, &neighbour, GUANLAN_GRID_1).await.0, StatusCode::OK);

        // Lines and days come off; another area's id is not there.
        assert_eq!(delete(app, &dispatcher, GUANLAN_COMMUNITY, &format!("/shifts/{}", text(&day["id"]))).await, StatusCode::NOT_FOUND);
        assert_eq!(delete(app, &dispatcher, GUANLAN_GRID, &format!("/shifts/{}", text(&day["id"]))).await, StatusCode::NO_CONTENT);
        assert_eq!(delete(app, &dispatcher, GUANLAN_GRID, &format!("/shifts/{}", text(&day["id"]))).await, StatusCode::NOT_FOUND);
        assert_eq!(delete(app, &dispatcher, GUANLAN_GRID, &format!("/exceptions/{}", text(&second["id"]))).await, StatusCode::NO_CONTENT);
        let view = roster(app, &dispatcher, GUANLAN_GRID).await.1;
        assert!(!ids(&view["shifts"]).contains(&text(&day["id"])), "{view}");
        assert!(ids(&view["exceptions"]).is_empty(), "{view}");
    }
}

/// A server with the demo routing table whose pushes go to a fake Firebase.
async fn spawn_story(backend: Backend) -> Option<(TestApp, FakeFcm, tempfile::TempDir)> {
    let fcm = FakeFcm::start().await;
    let dir = tempfile::tempdir().expect("a directory for the service account");
    let account: PathBuf = fcm.write_service_account(dir.path());
    let endpoint = fcm.endpoint();
    let app = TestApp::spawn_with(backend, move |s| {
        gridops_tests::with_demo_routing(s);
        s.push.fcm_service_account = Some(account);
        s.push.fcm_endpoint = Some(endpoint);
        s.push.delivery.poll = Duration::from_millis(100);
    })
    .await?;
    Some((app, fcm, dir))
}

const WORKER_PHONE: &str = "fcm-token-worker-guanlan-night-phone-01";

/// A resident's report of dogs barking in the Guanlan grid, checked and
/// registered by the grid chief (the category is checked on site first),
/// so routing takes it: the newest routing decision, in `lang`.
async fn dogs_barking(app: &TestApp, chief: &User, lang: &str) -> (String, Value) {
    let resident = sign_in(app, "resident.guanlan").await;
    let id = report_in(
        app,
        &resident,
        GUANLAN_GRID,
        DOG_NOISE,
        "楼下的狗叫了一个小时",
    )
    .await;
    step(app, chief, &id, "accept", Some(json!({"note": "已核实"}))).await;
    let (status, history) = json_of(
        chief
            .client
            .get(app.url(&format!("/api/v1/incidents/{id}/routing?lang={lang}")))
            .send()
            .await
            .expect("routing read"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let decision = history["decisions"]
        .as_array()
        .and_then(|d| d.last())
        .cloned()
        .expect("a decision");
    (id, decision)
}

fn recipients(decision: &Value) -> (String, Vec<String>) {
    let recipient = &decision["recipient"];
    (
        text(&recipient["role"]),
        recipient["users"]
            .as_array()
            .map(|u| u.iter().map(|x| text(&x["code"])).collect())
            .unwrap_or_default(),
    )
}

async fn dogs_at_night_reach_whoever_is_on_duty(backend: Backend) {
    let Some((app, fcm, _dir)) = spawn_story(backend).await else {
        return;
    };
    let admin = sign_in(&app, "admin").await;
    let chief = sign_in(&app, "chief.guanlan").await;
    let worker = sign_in(&app, "worker.guanlan").await;
    let dispatcher = sign_in(&app, "dispatcher.hanghaixilu").await;
    let today = ten_past_one_there(&app, &admin).await;
    let (status, device) = register_device(&app, &worker, WORKER_PHONE, "zh-CN").await;
    assert_eq!(status, StatusCode::CREATED, "{device}");

    // 01:10: the demo roster has worker.guanlan on last night's shift.
    let view = roster(&app, &chief, GUANLAN_GRID).await.1;
    assert_eq!(
        view["local_time"].as_str().map(|t| &t[..4]),
        Some("01:1"),
        "{view}"
    );
    assert_eq!(
        on_duty_users(&view),
        [(worker.id.clone(), "shift".to_owned())],
        "{view}"
    );

    let (id, decision) = dogs_barking(&app, &chief, "en").await;
    // The on-site check at night wakes the worker on duty, not the chief.
    let told = |page: Value| {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|n| n["incident_id"] == id.as_str() && n["topic"] == "reported")
    };
    assert!(
        told(inbox(&app, &worker, "").await),
        "the worker on duty is told"
    );
    assert!(!told(inbox(&app, &chief, "").await), "the chief sleeps");
    assert_eq!(decision["rule"]["id"], "demo-dog-noise-night", "{decision}");
    assert_eq!(decision["target"]["kind"], "on_duty", "{decision}");
    assert_eq!(decision["mode"], "auto_dispatch");
    assert_eq!(
        recipients(&decision),
        ("grid_worker".to_owned(), vec![worker.id.clone()])
    );
    let yesterday = today - Days::days(1);
    let weekday = yesterday.format("%a").to_string();
    let outcome = text(&decision["explanation"][0]);
    assert!(
        outcome.contains(&format!(
            "on duty: 观澜社区网格员 (roster {weekday} 22:00–08:00)"
        )),
        "{outcome}"
    );
    let zh = dogs_barking(&app, &chief, "zh-CN").await.1;
    let outcome = text(&zh["explanation"][0]);
    assert!(
        outcome.contains("值班网格员 观澜社区网格员（周")
            && outcome.contains(" 22:00–08:00 排班）"),
        "{outcome}"
    );

    // The worker on duty is told on the phone: once to check it on site,
    // once when routing hands it to them.
    eventually(
        "the worker on duty gets the routed case on the phone",
        || async {
            fcm.delivered()
                .iter()
                .filter(|m| m["token"] == WORKER_PHONE && m["data"]["incident_id"] == id.as_str())
                .count()
                == 2
        },
    )
    .await;
    let pushed = fcm.delivered();
    assert!(
        pushed.iter().all(|m| m["data"]["topic"] == "reported"),
        "{pushed:?}"
    );
    assert!(seen(&app, &worker, &id).await["id"] == id.as_str());

    // Off that night (the night belongs to the day it started): the chief.
    let (status, off) = put_day(
        &app,
        &dispatcher,
        GUANLAN_GRID,
        &json!({
            "user": worker.id, "date": yesterday.format("%Y-%m-%d").to_string(), "on_duty": false,
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{off}");
    assert!(on_duty_users(&roster(&app, &chief, GUANLAN_GRID).await.1).is_empty());
    let decision = dogs_barking(&app, &chief, "en").await.1;
    assert_eq!(
        recipients(&decision),
        ("grid_chief".to_owned(), vec![chief.id.clone()])
    );
    let outcome = text(&decision["explanation"][0]);
    assert!(
        outcome.contains("no one on duty: the grid chief of"),
        "{outcome}"
    );

    // A worker walking a patrol of the grid is on duty by being there.
    let walker = new_user(
        &app,
        "worker.duty.walker",
        "grid_worker",
        Some(GUANLAN_GRID),
        None,
    )
    .await;
    let (status, patrol) = json_of(
        walker
            .client
            .post(app.url("/api/v1/patrols"))
            .header("Idempotency-Key", "duty-walker-patrol")
            .json(&json!({"grids": [GUANLAN_GRID]}))
            .send()
            .await
            .expect("patrol started"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{patrol}");
    assert_eq!(
        on_duty_users(&roster(&app, &chief, GUANLAN_GRID).await.1),
        [(walker.id.clone(), "patrolling".to_owned())]
    );
    let decision = dogs_barking(&app, &chief, "en").await.1;
    assert_eq!(
        recipients(&decision),
        ("grid_worker".to_owned(), vec![walker.id.clone()])
    );
    assert_eq!(
        decision["on_duty"][0]["why"]["kind"], "patrolling",
        "{decision}"
    );
    let outcome = text(&decision["explanation"][0]);
    assert!(
        outcome.contains("worker.duty.walker (on patrol)"),
        "{outcome}"
    );
    app.stop().await;
}

mod story {
    #[tokio::test]
    async fn sqlite() {
        super::dogs_at_night_reach_whoever_is_on_duty(gridops_tests::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        super::dogs_at_night_reach_whoever_is_on_duty(gridops_tests::Backend::Postgres).await;
    }
}
