//! The seeds' blizzard, end to end: a red blizzard warning for 中原区 starts
//! the blizzard checklist in every grid of the district; in a 林山寨 grid the
//! worker fixes the sheds on the spot with a photo, finds the eaves fine,
//! raises a branch broken by the snow over a path (routed as the rules say)
//! and clears the rest; the campaign shows that grid done, the others
//! pending.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use gridops_tests::{TestApp, json, json_of, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incident_photos::phone_jpeg;
use crate::incidents::{User, centre_of, new_user, seen, sign_in, text};
use crate::notifications::eventually;

/// A grid of 百花社区, 林山寨街道 (410102001).
const LINSHANZHAI_GRID: &str = "410102001001001";
const ZHONGYUAN: &str = "410102";

async fn template_named(app: &TestApp, who: &User, name_zh: &str) -> Value {
    let (status, list) = json_of(
        who.client
            .get(app.url("/api/v1/checklist-templates"))
            .send()
            .await
            .expect("templates read"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["name_zh"] == name_zh)
        .cloned()
        .unwrap_or_else(|| panic!("a demo template {name_zh}: {list}"))
}

async fn answer(app: &TestApp, who: &User, task: &str, item: &str, body: Value) -> Value {
    let (status, answered) = json_of(
        who.client
            .post(app.url(&format!("/api/v1/checks/{task}/items/{item}")))
            .json(&body)
            .send()
            .await
            .expect("answer sent"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{item}: {answered}");
    answered
}

async fn campaign(app: &TestApp, who: &User, id: &str) -> Value {
    let (status, view) = json_of(
        who.client
            .get(app.url(&format!("/api/v1/campaigns/{id}")))
            .send()
            .await
            .expect("campaign read"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

fn grid_of<'a>(view: &'a Value, grid: &str) -> &'a Value {
    view["grids"]
        .as_array()
        .expect("grids")
        .iter()
        .find(|g| g["grid"] == grid)
        .unwrap_or_else(|| panic!("{grid} in the campaign: {view}"))
}

on_both_backends! {
    settings => gridops_tests::with_demo_routing;

    async fn a_red_blizzard_warning_checks_every_grid_of_the_district(app) {
        let admin = sign_in(app, "admin").await;
        let worker = new_user(app, "worker.baihua", "grid_worker", Some(LINSHANZHAI_GRID), None).await;
        let blizzard = template_named(app, &admin, "暴雪隐患排查").await;
        let due = (Utc::now() + Duration::hours(6)).to_rfc3339();
        let (status, started) = json_of(
            admin.client
                .post(app.url("/api/v1/campaigns"))
                .header("Idempotency-Key", "blizzard-red-410102")
                .json(&json!({
                    "template": blizzard["id"], "area": ZHONGYUAN, "due_at": due,
                    "trigger": {"kind": "weather_warning", "signal": "blizzard", "level": "red"},
                }))
                .send()
                .await
                .expect("campaign started"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let id = text(&started["id"]);

        // Every grid of the district has its checklist.
        let view = campaign(app, &admin, &id).await;
        let grids = view["grids"].as_array().expect("grids");
        assert!(grids.len() > 10, "{} grids", grids.len());
        assert!(grids.iter().all(|g| text(&g["grid"]).starts_with(ZHONGYUAN)));
        assert!(grids.iter().all(|g| g["state"] == "not_started"));
        let ours = grid_of(&view, LINSHANZHAI_GRID);
        let task = text(&ours["task"]["id"]);
        let items: Vec<String> = ours["task"]["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| text(&i["id"]))
            .collect();
        for wanted in ["sheds", "eaves", "branches"] {
            assert!(items.contains(&wanted.to_owned()), "{wanted} in {items:?}");
        }

        // The worker of the grid was told, and finds it in the catch-up feed
        // (on PostgreSQL once no older transaction is still running).
        eventually("the task in the worker's feed", || async {
            let (_, feed) = json_of(
                worker.client.get(app.url("/api/v1/me/feed")).send().await.expect("feed"),
            )
            .await;
            feed.to_string().contains(&task)
        })
        .await;

        // Sheds: fixed on the spot, with the after photo.
        let at = centre_of(LINSHANZHAI_GRID);
        let photo = STANDARD.encode(phone_jpeg(1, at));
        let fixed = answer(app, &worker, &task, "sheds", json!({
            "answer": "fixed", "result": "已清扫车棚顶积雪", "photo": photo,
        }))
        .await;
        let fixed_case = seen(app, &worker, &text(&fixed["incident"]["id"])).await;
        assert_eq!(fixed_case["status"], "resolved", "{fixed_case}");
        assert_eq!(fixed_case["category"], "public_safety.snow_ice.snow_on_sheds");
        assert!(
            fixed_case["photos"].as_array().expect("photos").iter().any(|p| p["kind"] == "after"),
            "{fixed_case}"
        );

        // Eaves: fine.
        let ok = answer(app, &worker, &task, "eaves", json!({"answer": "ok"})).await;
        assert_eq!(ok["incident"], Value::Null);

        // A branch broken by the snow over a path: a case, routed by the rules.
        let raised = answer(app, &worker, &task, "branches", json!({
            "answer": "raise",
            "description": "小区主干道上方树枝被雪压断，悬在路上",
            "location": {"type": "Point", "coordinates": at},
        }))
        .await;
        let branch = seen(app, &admin, &text(&raised["incident"]["id"])).await;
        assert_eq!(branch["category"], "public_safety.snow_ice.broken_branches", "{branch}");
        let (status, routing) = json_of(
            admin.client
                .get(app.url(&format!("/api/v1/incidents/{}/routing", text(&branch["id"]))))
                .send()
                .await
                .expect("routing read"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{routing}");
        // The demo rules send snow and ice to the grid's own workers.
        assert_eq!(routing["decisions"][0]["rule"]["id"], "demo-snow", "{routing}");

        // The rest is fine; the grid is done, the others still pending.
        let view = campaign(app, &admin, &id).await;
        let remaining: Vec<String> = grid_of(&view, LINSHANZHAI_GRID)["task"]["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["answer"].is_null())
            .map(|i| text(&i["id"]))
            .collect();
        for item in remaining {
            answer(app, &worker, &task, &item, json!({"answer": "ok"})).await;
        }
        let view = campaign(app, &admin, &id).await;
        let ours = grid_of(&view, LINSHANZHAI_GRID);
        assert_eq!(ours["state"], "done", "{ours}");
        assert_eq!((ours["fixed"].as_u64(), ours["raised"].as_u64()), (Some(1), Some(1)));
        let others = view["grids"].as_array().expect("grids").iter().filter(|g| g["grid"] != LINSHANZHAI_GRID);
        assert!(others.clone().all(|g| g["state"] == "not_started"), "{view}");
    }
}
