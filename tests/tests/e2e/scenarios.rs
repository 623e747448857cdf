//! The stories of the field reports (`shared/seeds/004_*.txt`), walked
//! through the API with the demo data: who reports, who acts, and what each
//! of them sees at every step.

use gridops_tests::{TestApp, expect_problem, json, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incident_photos::{download, phone_jpeg, uploaded};
use crate::incidents::{
    GUANLAN_GRID, User, cast, centre_of, epoch_micros, list_ids, list_page, moved, new_user,
    report, report_of, seen, send_step, step, strings, text, timeline_of,
};

/// The one party of `kind` serving `area`, as a dispatcher would look it up.
async fn party_serving(app: &TestApp, who: &User, kind: &str, area: &str) -> Value {
    let response = who
        .client
        .get(app.url(&format!("/api/v1/parties?kind={kind}&area={area}")))
        .send()
        .await
        .expect("sent");
    let (status, page) = gridops_tests::json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "one {kind} serves {area}: {page}");
    items[0].clone()
}

on_both_backends! {
    // 桐柏路街道城开社区: on patrol, a grid worker finds a stranger in rags
    // sleeping rough on a cold night; the community gives him hot water and
    // a coat, he agrees to be helped, and he is driven to the rescue station.
    async fn a_homeless_man_on_a_cold_night_is_taken_to_the_rescue_station(app) {
        const CHENGKAI_GRID: &str = "410102002002001";
        let c = cast(app).await;
        let worker = new_user(app, "worker.chengkai", "grid_worker", Some(CHENGKAI_GRID), None).await;
        let chief = new_user(app, "chief.chengkai", "grid_chief", Some(CHENGKAI_GRID), None).await;
        let dispatcher = new_user(app, "dispatcher.tongbailu", "dispatcher", Some("410102002"), None).await;
        let rescuer = new_user(app, "handler.rescue", "handler", None, Some("zy-rescue-station")).await;

        // The worker logs him from the street.
        let mut body = report_of("social_aid.homeless", centre_of(CHENGKAI_GRID),
            "街边发现一名衣着破烂的陌生男子，山东籍，无家可归，愿意接受救助");
        body["address"] = json!("城开社区临时救助点");
        let found = report(app, &worker, &body).await;
        let id = text(&found["id"]);
        assert_eq!(found["status"], "reported");
        assert_eq!(found["source"], "patrol");
        assert_eq!(found["priority"], "urgent", "a night in the cold cannot wait");
        assert_eq!(found["grid"], CHENGKAI_GRID);
        assert!(text(&found["reference"]).starts_with("410102-"));
        // Round the clock: acknowledged within an hour, settled within six.
        const HOUR: i64 = 3_600_000_000;
        let created = epoch_micros(&found["created_at"]);
        assert_eq!(epoch_micros(&found["acknowledge_due"]) - created, HOUR);
        assert_eq!(epoch_micros(&found["resolve_due"]) - created, 6 * HOUR);
        let warmed = step(app, &worker, &id, "comment", Some(json!({"text": "已送上热水和御寒大衣"}))).await;
        assert_eq!(warmed["status"], "reported");

        // The subdistrict's dispatcher has it at the top of the queue; the
        // Guanlan dispatcher next door does not.
        let queue = list_page(app, &dispatcher, "status=reported").await;
        assert_eq!(queue["items"][0]["id"], id.as_str());
        assert!(list_ids(app, &c.dispatcher, "").await.is_empty());
        step(app, &dispatcher, &id, "accept", None).await;
        let station = party_serving(app, &dispatcher, "rescue_station", CHENGKAI_GRID).await;
        assert_eq!(station["code"], "zy-rescue-station");
        assert_eq!(station["name"], "中原区救助站");
        let sent = step(app, &dispatcher, &id, "dispatch",
            Some(json!({"party": "zy-rescue-station", "assignee": rescuer.id, "note": "请救助站派车接人"}))).await;
        assert_eq!(sent["status"], "dispatched");
        assert_eq!(sent["party"], "zy-rescue-station");

        // The rescue station sees its task, and only that.
        assert_eq!(list_ids(app, &rescuer, "assignee=me").await, [id.as_str()]);
        assert!(list_ids(app, &c.handler, "").await.is_empty(), "not the heating company's");
        let task = seen(app, &rescuer, &id).await;
        assert_eq!(task["address"], "城开社区临时救助点");
        assert_eq!(strings(&task["allowed_actions"]), ["acknowledge", "return", "comment"]);
        step(app, &rescuer, &id, "acknowledge", Some(json!({"note": "车已出发"}))).await;
        let settled = step(app, &rescuer, &id, "resolve",
            Some(json!({"result": "已接至救助站，妥善安置"}))).await;
        assert_eq!(settled["status"], "resolved");

        // The grid chief checks and closes.
        assert_eq!(strings(&seen(app, &chief, &id).await["allowed_actions"]), ["verify", "reopen", "comment"]);
        let closed = step(app, &chief, &id, "verify", Some(json!({"note": "已电话回访救助站"}))).await;
        assert_eq!(closed["status"], "closed");

        // The worker who found him sees how it ended.
        let story = seen(app, &worker, &id).await;
        assert_eq!(story["status"], "closed");
        assert_eq!(story["result"], "已接至救助站，妥善安置");
        assert_eq!(story["party"], "zy-rescue-station");
        assert_eq!(story["rework_count"], 0);
        let steps: Vec<(String, String)> = timeline_of(&story).into_iter().map(|e| (e.1, e.4)).collect();
        let by = |action: &str, who: &User| (action.to_owned(), who.id.clone());
        assert_eq!(steps, [
            by("report", &worker), by("comment", &worker), by("accept", &dispatcher),
            by("dispatch", &dispatcher), by("acknowledge", &rescuer), by("resolve", &rescuer),
            by("verify", &chief),
        ]);
    }

    // 航海西路街道观澜社区: Ms Li of 7号院2号楼 complains that the dog
    // upstairs barks on the balcony every night; the community mediator
    // (with the grid worker) talks to the owner, the dog is moved to
    // another room, and Ms Li is satisfied.
    async fn a_barking_dog_is_settled_by_the_community_mediator(app) {
        let c = cast(app).await;
        let mediator = new_user(app, "mediator.guanlan", "handler", None, Some("zy-guanlan-mediation")).await;

        let mut body = report_of("neighbourhood.dog_noise", centre_of(GUANLAN_GRID),
            "楼上业主的小狗每天晚上在阳台乱叫，孩子无法写作业，老人无法休息；多次上门，楼上经常没人");
        body["address"] = json!("观澜社区7号院2号楼");
        let complaint = report(app, &c.resident, &body).await;
        let id = text(&complaint["id"]);
        assert_eq!(complaint["source"], "resident");
        assert_eq!(complaint["priority"], "normal");
        assert_eq!(strings(&complaint["allowed_actions"]), ["comment"]);
        let created = epoch_micros(&complaint["created_at"]);
        let (acknowledge_by, resolve_by) = (epoch_micros(&complaint["acknowledge_due"]), epoch_micros(&complaint["resolve_due"]));
        assert!(created < acknowledge_by && acknowledge_by < resolve_by, "{complaint}");
        // Five working days after today, closing time: four days and more.
        assert!(resolve_by - created > 4 * 86_400_000_000, "{complaint}");

        // The grid sees it at once, the dispatcher registers it and sends it
        // to the mediation committee of the community.
        assert_eq!(list_ids(app, &c.worker, "status=reported").await, [id.as_str()]);
        step(app, &c.dispatcher, &id, "accept", None).await;
        let committee = party_serving(app, &c.dispatcher, "mediation_committee", GUANLAN_GRID).await;
        assert_eq!(committee["code"], "zy-guanlan-mediation");
        step(app, &c.dispatcher, &id, "dispatch",
            Some(json!({"party": "zy-guanlan-mediation", "assignee": mediator.id}))).await;
        assert_eq!(seen(app, &c.resident, &id).await["status"], "dispatched", "Ms Li follows it");

        step(app, &mediator, &id, "acknowledge", None).await;
        step(app, &c.worker, &id, "comment", Some(json!({"text": "与调解员一同上门，讲解文明养犬的规定"}))).await;
        let resolved = step(app, &mediator, &id, "resolve", Some(json!({
            "result": "业主夜里上班家中无人，已将狗从阳台移到其他房间，不再乱叫，并向邻居致歉",
        }))).await;
        assert_eq!(resolved["status"], "resolved");
        // Not closed yet: nothing to rate.
        let early = send_step(app, &c.resident, &id, "rate", Some(&json!({"rating": "satisfied"}))).await;
        expect_problem(early, StatusCode::CONFLICT, "invalid_transition").await;

        step(app, &c.chief, &id, "verify", Some(json!({"note": "回访李女士，夜里已安静"}))).await;
        let seen_by_her = seen(app, &c.resident, &id).await;
        assert_eq!(seen_by_her["status"], "closed");
        assert_eq!(strings(&seen_by_her["allowed_actions"]), ["rate", "comment"]);
        let rated = step(app, &c.resident, &id, "rate", Some(json!({"rating": "satisfied", "comment": "对处理结果表示满意"}))).await;
        assert_eq!(rated["rating"], json!({"rating": "satisfied", "comment": "对处理结果表示满意"}));
        assert_eq!(strings(&rated["allowed_actions"]), ["comment"]);

        let mine = list_page(app, &c.resident, "reporter=me").await;
        assert_eq!(mine["items"].as_array().expect("items").len(), 1);
        assert_eq!(mine["items"][0]["status"], "closed");
        assert_eq!(mine["items"][0]["rating"]["rating"], "satisfied");
        let actions: Vec<String> = timeline_of(&seen(app, &c.chief, &id).await).into_iter().map(|e| e.1).collect();
        assert_eq!(actions, ["report", "accept", "dispatch", "acknowledge", "comment", "resolve", "verify", "rate"]);
    }

    // 林山寨街道一中社区: before the blizzard the grid teams check bike
    // sheds and eaves and clear the snow themselves (小事不出网格); the
    // grid chief checks the result.
    async fn snow_on_bike_shed_roofs_is_cleared_on_the_spot(app) {
        const YIZHONG_GRID: &str = "410102001003001";
        let worker = new_user(app, "worker.yizhong", "grid_worker", Some(YIZHONG_GRID), None).await;
        let chief = new_user(app, "chief.yizhong", "grid_chief", Some(YIZHONG_GRID), None).await;
        let shed = moved(centre_of(YIZHONG_GRID), -15.0, 10.0);

        let found = report(app, &worker, &report_of("public_safety.snow_ice.snow_on_sheds", shed,
            "3号楼车棚顶积雪较厚，有压塌风险")).await;
        let id = text(&found["id"]);
        assert_eq!(found["priority"], "high");
        assert_eq!(found["source"], "patrol");
        assert_eq!(strings(&found["allowed_actions"]), ["resolve_on_spot", "comment"]);
        let before = uploaded(app, &worker, &id, "before", &phone_jpeg(0, shed)).await;
        assert_eq!(before["kind"], "before");

        let after = uploaded(app, &worker, &id, "after", &phone_jpeg(1, shed)).await;
        let coordinates = after["taken_location"]["coordinates"].as_array().expect("where it was taken");
        assert!((coordinates[0].as_f64().expect("lng") - shed[0]).abs() < 1e-6);
        let cleared = step(app, &worker, &id, "resolve_on_spot", Some(json!({
            "result": "已清理车棚顶积雪", "photos": [after["key"]],
        }))).await;
        assert_eq!(cleared["status"], "resolved");
        assert_eq!(cleared["party"], serde_json::Value::Null, "never left the grid");

        let checked = seen(app, &chief, &id).await;
        assert_eq!(strings(&checked["allowed_actions"]), ["verify", "reopen", "comment"]);
        let kinds: Vec<String> = checked["photos"].as_array().expect("photos").iter().map(|p| text(&p["kind"])).collect();
        assert_eq!(kinds, ["before", "after"], "a before/after pair");
        let (status, _, _) = download(app, &chief, &text(&after["url"])).await;
        assert_eq!(status, StatusCode::OK);
        let closed = step(app, &chief, &id, "verify", Some(json!({"note": "现场核查，积雪已清"}))).await;
        assert_eq!(closed["status"], "closed");

        let story = seen(app, &worker, &id).await;
        let timeline = story["timeline"].as_array().expect("timeline");
        let actions: Vec<String> = timeline.iter().map(|e| text(&e["action"])).collect();
        assert_eq!(actions, ["report", "resolve_on_spot", "verify"]);
        assert_eq!(timeline[1]["attachments"], json!([after["key"]]));
        assert_eq!(timeline[1]["actor_id"], worker.id.as_str());
        assert_eq!(timeline[2]["actor_id"], chief.id.as_str());
        assert_eq!(list_ids(app, &chief, "status=closed").await, [id]);
    }
}
