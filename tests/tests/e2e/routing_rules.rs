//! The routing table as an administrator keeps it, and the preview a
//! dispatcher reads: rules saved, refused when they tie or name what does
//! not exist, and explained in Chinese and English.

use gridops_tests::reqwest::StatusCode;
use gridops_tests::{TestApp, expect_problem, json, json_of, on_both_backends, problem_fields};
use serde_json::Value;

use crate::incidents::{GUANLAN_COMMUNITY, GUANLAN_GRID, User, centre_of, report_in, sign_in};

/// A category with no demo rule, so these tests own its routing.
const NO_MANAGEMENT: &str = "property.no_management";

fn rule_body(name: &str, window: Option<(&str, &str)>, target: Value) -> Value {
    let mut body = json!({
        "name": name,
        "category": NO_MANAGEMENT,
        "area": GUANLAN_COMMUNITY,
        "target": target,
        "mode": "auto_dispatch",
    });
    if let Some((from, to)) = window {
        body["window"] = json!({"from": from, "to": to});
    }
    body
}

fn committee() -> Value {
    json!({"kind": "party", "party": "zy-guanlan-committee"})
}

async fn post_rule(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/routing-rules"))
        .json(body)
        .send()
        .await
        .expect("rule posted")
}

/// Saves a rule as the administrator; its id.
async fn saved(app: &TestApp, body: &Value) -> String {
    let (status, rule) = json_of(post_rule(app, body).await).await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    rule["id"].as_str().expect("an id").to_owned()
}

async fn preview(app: &TestApp, who: &User, body: &Value, lang: &str) -> Value {
    let (status, answer) = json_of(
        who.client
            .post(app.url(&format!("/api/v1/routing/preview?lang={lang}")))
            .json(body)
            .send()
            .await
            .expect("preview sent"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

fn case_at(category: &str, at: &str) -> Value {
    json!({
        "category": category,
        "location": {"type": "Point", "coordinates": centre_of(GUANLAN_GRID)},
        "at": at,
    })
}

/// The words said about rule `id` in a preview.
fn said_about<'a>(answer: &'a Value, id: &str) -> &'a str {
    answer["considered"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["rule"]["id"] == id))
        .and_then(|c| c["text"].as_str())
        .unwrap_or_else(|| panic!("nothing said about {id}: {answer}"))
}

on_both_backends! {
    settings => gridops_tests::with_demo_routing;

    async fn an_administrator_keeps_a_rule_from_creation_to_deletion(app) {
        let body = json!({
            "name": "无物业小区：社区居委会，调解委员会协助",
            "category": NO_MANAGEMENT,
            "area": GUANLAN_COMMUNITY,
            "priority": "normal",
            "target": committee(),
            "assists": [{"kind": "party_of_kind", "party_kind": "mediation_committee"}],
            "mode": "triage",
        });
        let response = post_rule(app, &body).await;
        let location = response.headers()["location"].to_str().expect("a Location").to_owned();
        assert_eq!(response.headers()["etag"], "\"1\"");
        let (status, created) = json_of(response).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().expect("an id").to_owned();
        assert_eq!(location, format!("/api/v1/routing-rules/{id}"));
        assert_eq!(created["target"], committee());
        assert_eq!(created["assists"][0]["party_kind"], "mediation_committee");
        assert_eq!(created["mode"], "triage");
        assert_eq!(created["priority"], "normal");

        // Dispatchers read the table; the demo rules are in it too.
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;
        let (status, list) = json_of(
            dispatcher.client.get(app.url("/api/v1/routing-rules")).send().await.expect("listed"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let ids: Vec<&str> = list["items"].as_array().expect("items").iter()
            .filter_map(|r| r["id"].as_str()).collect();
        assert!(ids.contains(&id.as_str()) && ids.contains(&"demo-heating"), "{list}");

        let mut changed = body.clone();
        changed["name"] = json!("无物业小区：社区兜底");
        changed["window"] = json!({"from": "08:30", "to": "17:30"});
        let response = app.client.put(app.url(&location)).header("If-Match", "\"1\"")
            .json(&changed).send().await.expect("PUT sent");
        assert_eq!(response.headers()["etag"], "\"2\"");
        let (status, updated) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(updated["name"], "无物业小区：社区兜底");
        assert_eq!(updated["window"], json!({"from": "08:30", "to": "17:30"}));

        // Someone who read version 1 cannot overwrite version 2.
        let response = app.client.put(app.url(&location)).header("If-Match", "\"1\"")
            .json(&body).send().await.expect("PUT sent");
        assert_eq!(response.headers()["etag"], "\"2\"");
        expect_problem(response, StatusCode::PRECONDITION_FAILED, "stale_version").await;

        // Only administrators write.
        for response in [
            dispatcher.client.post(app.url("/api/v1/routing-rules")).json(&body).send().await,
            dispatcher.client.put(app.url(&location)).json(&body).send().await,
            dispatcher.client.delete(app.url(&location)).send().await,
        ] {
            expect_problem(response.expect("sent"), StatusCode::FORBIDDEN, "forbidden").await;
        }
        let worker = sign_in(app, "worker.guanlan").await;
        let response = worker.client.get(app.url("/api/v1/routing-rules")).send().await.expect("sent");
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;

        let response = app.client.delete(app.url(&location)).send().await.expect("deleted");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let response = app.get(&location).await;
        expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }

    async fn a_rule_that_ties_with_a_saved_one_is_refused_naming_both(app) {
        let night = saved(app, &rule_body("夜间：调解委员会", Some(("22:00", "07:00")), json!({"kind": "mediator"}))).await;
        let tie = rule_body("早班：社区居委会", Some(("06:00", "09:00")), committee());
        let problem = expect_problem(post_rule(app, &tie).await, StatusCode::CONFLICT, "rule_conflict").await;
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("夜间：调解委员会") && detail.contains("早班：社区居委会"), "{detail}");
        assert!(detail.contains(&night), "{detail}");
        assert_eq!(problem["existing_rule"]["id"], night.as_str());
        assert_eq!(problem["existing_rule"]["name"], "夜间：调解委员会");
        assert_eq!(problem["new_rule"]["name"], "早班：社区居委会");

        // Windows that only meet at 07:00 never match the same case.
        saved(app, &rule_body("白天：社区居委会", Some(("07:00", "22:00")), committee())).await;
        // Nor does a rule for the whole day tie with one for some hours.
        saved(app, &rule_body("全天：社区居委会", None, committee())).await;
        // But a second all-day rule does.
        expect_problem(
            post_rule(app, &rule_body("全天：网格员", None, json!({"kind": "grid_workers"}))).await,
            StatusCode::CONFLICT,
            "rule_conflict",
        )
        .await;
    }

    async fn each_bad_field_of_a_rule_is_named(app) {
        let base = rule_body("坏规则", None, committee());
        let with = |field: &str, value: Value| {
            let mut body = base.clone();
            body[field] = value;
            body
        };
        let rows: Vec<(&str, Value, &str)> = vec![
            ("an unknown category", with("category", json!("property.no_such_thing")), "category"),
            ("an unknown area", with("area", json!("410102999")), "area"),
            ("an unknown party", with("target", json!({"kind": "party", "party": "no-such-party"})), "target.party"),
            ("an hour past 23", with("window", json!({"from": "25:00", "to": "07:00"})), "window.from"),
            ("a window of no length", with("window", json!({"from": "07:00", "to": "07:00"})), "window"),
            ("the grid chief as an assist", with("assists", json!([{"kind": "grid_chief"}])), "assists"),
            ("an unknown party as an assist", with("assists", json!([{"kind": "party", "party": "nobody"}])), "assists[0].party"),
            ("no name", with("name", json!("")), "name"),
            ("a target of no kind", with("target", json!({"kind": "grid_boss"})), "target.kind"),
        ];
        for (what, body, field) in rows {
            let problem = expect_problem(post_rule(app, &body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "{what}: {problem}");
        }
        // Nothing was saved.
        let (_, list) = app.get_json("/api/v1/routing-rules").await;
        assert!(list["items"].as_array().expect("items").iter().all(|r| r["name"] != "坏规则"), "{list}");
    }

    async fn the_preview_explains_the_winner_and_why_the_others_lost(app) {
        let day = saved(app, &rule_body("白天：社区居委会", None, committee())).await;
        let night = saved(app, &rule_body("夜间：调解委员会", Some(("22:00", "07:00")), json!({"kind": "mediator"}))).await;
        let mut district = rule_body("全区：网格员", None, json!({"kind": "grid_workers"}));
        district["area"] = json!("410102");
        let district = saved(app, &district).await;
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;

        let late = preview(app, &dispatcher, &case_at(NO_MANAGEMENT, "23:30"), "en").await;
        assert_eq!(late["rule"]["id"], night.as_str(), "{late}");
        assert_eq!(late["grid"]["code"], GUANLAN_GRID);
        assert_eq!(late["at"], "23:30");
        assert_eq!(late["recipient"]["kind"], "party");
        assert_eq!(late["target"], json!({"kind": "mediator"}));
        let outcome = late["explanation"][0].as_str().unwrap_or_default();
        assert!(outcome.starts_with("Routed to ") && outcome.contains("夜间：调解委员会"), "{outcome}");
        assert!(said_about(&late, &night).contains("chosen"), "{late}");
        assert!(said_about(&late, &day).contains("more specific (it has hours)"), "{late}");
        assert!(said_about(&late, &district).contains("more specific (a smaller area)"), "{late}");

        let noon = preview(app, &dispatcher, &case_at(NO_MANAGEMENT, "12:00"), "en").await;
        assert_eq!(noon["rule"]["id"], day.as_str(), "{noon}");
        assert_eq!(noon["recipient"]["party"]["code"], "zy-guanlan-committee");
        assert!(said_about(&noon, &night).contains("12:00 is outside its hours 22:00–07:00"), "{noon}");
        let verdict = noon["considered"].as_array().and_then(|all| all.iter().find(|c| c["rule"]["id"] == night.as_str())).map(|c| c["verdict"].clone());
        assert_eq!(verdict, Some(json!({"kind": "outside_window", "window": {"from": "22:00", "to": "07:00"}, "at": "12:00"})));

        let zh = preview(app, &dispatcher, &case_at(NO_MANAGEMENT, "12:00"), "zh-CN").await;
        let outcome = zh["explanation"][0].as_str().unwrap_or_default();
        assert!(outcome.starts_with("分拨给「") && outcome.contains("「白天：社区居委会」"), "{outcome}");
        assert!(said_about(&zh, &day).contains("选中"), "{zh}");
        assert!(said_about(&zh, &district).contains("区域更小"), "{zh}");
        assert!(said_about(&zh, &night).contains("12:00 不在其时段 22:00–07:00 内"), "{zh}");
    }

    async fn a_case_no_rule_takes_falls_to_the_subdistrict_dispatchers(app) {
        let answer = preview(app, &sign_in(app, "admin").await, &case_at("public_service.lost_and_found", "10:00"), "en").await;
        assert_eq!(answer["rule"], Value::Null, "{answer}");
        assert_eq!(answer["mode"], "triage");
        assert_eq!(answer["recipient"]["kind"], "queue");
        assert_eq!(answer["recipient"]["area"]["code"], "410102003");
        assert!(answer["explanation"][0].as_str().unwrap_or_default().starts_with("No rule can take this case"), "{answer}");

        let zh = preview(app, &sign_in(app, "admin").await, &case_at("public_service.lost_and_found", "10:00"), "zh-CN").await;
        assert!(zh["explanation"][0].as_str().unwrap_or_default().contains("属地兜底"), "{zh}");
    }

    async fn the_demo_routes_a_homeless_person_to_the_community_with_the_rescue_station(app) {
        let answer = preview(app, &sign_in(app, "dispatcher.hanghaixilu").await, &case_at("social_aid.homeless", "15:00"), "zh-CN").await;
        assert_eq!(answer["rule"]["id"], "demo-homeless", "{answer}");
        assert_eq!(answer["mode"], "auto_dispatch");
        assert_eq!(answer["recipient"]["party"]["code"], "zy-guanlan-committee");
        let assists: Vec<&str> = answer["assists"].as_array().expect("assists").iter().filter_map(|a| a["code"].as_str()).collect();
        assert_eq!(assists, ["zy-rescue-station"]);
        assert!(answer["explanation"][0].as_str().unwrap_or_default().contains("协办"), "{answer}");

        let heating = preview(app, &sign_in(app, "admin").await, &case_at("utilities.heating", "15:00"), "en").await;
        assert_eq!(heating["rule"]["id"], "demo-heating", "{heating}");
        assert_eq!(heating["recipient"]["party"]["code"], "zy-heating");
    }

    async fn the_preview_is_for_administrators_and_dispatchers_and_checks_its_input(app) {
        let resident = sign_in(app, "resident.guanlan").await;
        let response = resident.client.post(app.url("/api/v1/routing/preview"))
            .json(&case_at(NO_MANAGEMENT, "10:00")).send().await.expect("sent");
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        let rows = [
            (case_at("no.such_category", "10:00"), "category"),
            (case_at(NO_MANAGEMENT, "10h"), "at"),
            (json!({"category": NO_MANAGEMENT, "location": {"type": "Point", "coordinates": [0.0, 0.0]}}), "location"),
        ];
        for (body, field) in rows {
            let response = app.client.post(app.url("/api/v1/routing/preview")).json(&body).send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "{problem}");
        }
    }

    async fn whoever_sees_an_incident_reads_how_it_was_routed(app) {
        let resident = sign_in(app, "resident.guanlan").await;
        let id = report_in(app, &resident, GUANLAN_GRID, "social_aid.homeless", "路口有人睡在长椅上").await;
        let path = format!("/api/v1/incidents/{id}/routing?lang=en");
        let (status, history) = json_of(resident.client.get(app.url(&path)).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK, "{history}");
        let decisions = history["decisions"].as_array().expect("decisions");
        // Routing on report is wired in by the lifecycle: when it is, the
        // first decision is the report's, explained in the reader's words.
        if let Some(first) = decisions.first() {
            assert_eq!(first["cause"], "report", "{history}");
            assert!(first["explanation"][0].as_str().unwrap_or_default().starts_with("Routed to"), "{history}");
        }
        let stranger = sign_in(app, "dispatcher.gongyi").await;
        let response = stranger.client.get(app.url(&path)).send().await.expect("sent");
        expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
}
