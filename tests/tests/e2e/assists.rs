//! Lead and assist 吹哨报到 over HTTP: a dispatcher calls other parties onto
//! a case beside its lead; they see it, acknowledge and report on their own
//! clocks; the lead resolves only once every one has reported.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_infra::schema::deadlines;
use gridops_tests::{TestApp, expect_problem, json, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incidents::{
    Cast, GUANLAN_GRID, HEATING, User, actions_of, cast, fetch, header, list_ids, new_user,
    report_in, seen, send_step, step, strings, text,
};
use crate::notifications::{inbox, topics};

const URBAN: &str = "zy-urban-management";
const COMMITTEE: &str = "zy-guanlan-committee";

/// `POST /api/v1/incidents/{id}/{path}` as `who`.
async fn post(app: &TestApp, who: &User, id: &str, path: &str, body: Value) -> reqwest::Response {
    who.client
        .post(app.url(&format!("/api/v1/incidents/{id}/{path}")))
        .json(&body)
        .send()
        .await
        .expect("sent")
}

/// Takes an assist step expecting 200; the incident after it, checked to
/// carry its version as ETag.
async fn assist_step(app: &TestApp, who: &User, id: &str, path: &str, body: Value) -> Value {
    let response = post(app, who, id, path, body).await;
    let etag = header(&response, "etag");
    let (status, view) = gridops_tests::json_of(response).await;
    assert_eq!(status, StatusCode::OK, "{} {path}: {view}", who.name);
    assert_eq!(etag, Some(format!("\"{}\"", view["version"])), "{view}");
    view
}

/// (party, state) of each assist of the view.
fn assists_of(view: &Value) -> Vec<(String, String)> {
    view["assists"]
        .as_array()
        .unwrap_or_else(|| panic!("assists: {view}"))
        .iter()
        .map(|a| (text(&a["party"]), text(&a["state"])))
        .collect()
}

fn pair(party: &str, state: &str) -> (String, String) {
    (party.to_owned(), state.to_owned())
}

/// A heating fault in Guanlan, dispatched to zy-heating and acknowledged.
async fn in_progress_heating_case(app: &TestApp, c: &Cast) -> String {
    let id = report_in(
        app,
        &c.resident,
        GUANLAN_GRID,
        HEATING,
        "3号楼暖气漏水，楼道结冰",
    )
    .await;
    step(app, &c.dispatcher, &id, "accept", None).await;
    step(
        app,
        &c.dispatcher,
        &id,
        "dispatch",
        Some(json!({"party": "zy-heating"})),
    )
    .await;
    step(app, &c.handler, &id, "acknowledge", None).await;
    id
}

/// A case of `GUANLAN_GRID` that `dispatcher` dispatched to zy-urban-management
/// and called zy-heating (`handler`'s party) to assist on, that assist
/// acknowledged by `handler` if `acknowledged`: for the access matrix.
pub(crate) async fn heating_assists(
    app: &TestApp,
    reporter: &User,
    dispatcher: &User,
    handler: &User,
    acknowledged: bool,
) -> String {
    let id = report_in(app, reporter, GUANLAN_GRID, HEATING, "矩阵测试").await;
    step(app, dispatcher, &id, "accept", None).await;
    step(
        app,
        dispatcher,
        &id,
        "dispatch",
        Some(json!({"party": URBAN})),
    )
    .await;
    assist_step(
        app,
        dispatcher,
        &id,
        "assists",
        json!({"parties": ["zy-heating"]}),
    )
    .await;
    if acknowledged {
        assist_step(
            app,
            handler,
            &id,
            "assists/zy-heating/acknowledge",
            json!({}),
        )
        .await;
    }
    id
}

/// (party, state, ended) of the incident's `report` clocks.
async fn report_clocks(app: &TestApp, id: &str) -> Vec<(Option<String>, String, bool)> {
    let id = id.to_owned();
    app.open_db()
        .run(move |conn| {
            let rows: Vec<(Option<String>, String, Option<NaiveDateTime>)> = deadlines::table
                .filter(deadlines::incident_id.eq(&id))
                .filter(deadlines::step.eq("report"))
                .order(deadlines::party_code.asc())
                .select((deadlines::party_code, deadlines::state, deadlines::ended_at))
                .load(conn)?;
            Ok(rows
                .into_iter()
                .map(|(party, state, ended)| (party, state, ended.is_some()))
                .collect())
        })
        .await
        .expect("clocks read")
}

on_both_backends! {
    async fn the_lead_resolves_once_every_assisting_party_has_reported(app) {
        let c = cast(app).await;
        let urban = new_user(app, "handler.urban", "handler", None, Some(URBAN)).await;
        let committee = new_user(app, "handler.committee", "handler", None, Some(COMMITTEE)).await;
        let id = in_progress_heating_case(app, &c).await;
        let (_, before, _) = fetch(app, &urban, &id).await;
        assert_eq!(before["code"], "not_found", "not before it is called: {before}");

        let called = assist_step(
            app,
            &c.dispatcher,
            &id,
            "assists",
            json!({"parties": [URBAN, COMMITTEE], "note": "楼道结冰，请城管和社区协助"}),
        )
        .await;
        // Parties called together are listed by their code.
        assert_eq!(
            assists_of(&called),
            [pair(COMMITTEE, "called"), pair(URBAN, "called")]
        );
        assert_eq!(called["status"], "in_progress", "the status stays");
        assert_eq!(called["assists"][0]["called_by"], c.dispatcher.id.as_str());
        assert!(
            !strings(&called["allowed_actions"]).contains(&"resolve".to_owned()),
            "{called}"
        );

        // The assisting handlers see the case, in their list too, and may
        // only comment on it; they hear they were called.
        for who in [&urban, &committee] {
            let view = seen(app, who, &id).await;
            assert_eq!(strings(&view["allowed_actions"]), ["comment"], "{}", who.name);
            assert!(list_ids(app, who, "").await.contains(&id), "{}", who.name);
            assert_eq!(topics(&inbox(app, who, "").await), ["assist_called"], "{}", who.name);
        }
        step(app, &urban, &id, "comment", Some(json!({"text": "城管下午到场"}))).await;
        let refused = send_step(app, &urban, &id, "resolve", Some(&json!({"result": "done"}))).await;
        expect_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;

        // The lead may not resolve yet: both are still to report.
        let resolve = json!({"result": "管道已修复"});
        let problem = expect_problem(
            send_step(app, &c.handler, &id, "resolve", Some(&resolve)).await,
            StatusCode::CONFLICT,
            "assists_pending",
        )
        .await;
        assert_eq!(strings(&problem["pending_parties"]), [COMMITTEE, URBAN]);

        // Each in turn: acknowledge, then report; not out of turn, not for another party.
        let early = post(app, &committee, &id, &format!("assists/{COMMITTEE}/report"), json!({"result": "已清冰"})).await;
        expect_problem(early, StatusCode::CONFLICT, "assist_out_of_turn").await;
        let other = post(app, &urban, &id, &format!("assists/{COMMITTEE}/acknowledge"), json!({})).await;
        expect_problem(other, StatusCode::FORBIDDEN, "forbidden").await;
        let lead = post(app, &c.handler, &id, &format!("assists/{URBAN}/acknowledge"), json!({})).await;
        expect_problem(lead, StatusCode::FORBIDDEN, "forbidden").await;
        assist_step(app, &urban, &id, &format!("assists/{URBAN}/acknowledge"), json!({})).await;
        let blank = post(app, &urban, &id, &format!("assists/{URBAN}/report"), json!({"result": " "})).await;
        let problem = expect_problem(blank, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["result"]);
        let reported = assist_step(
            app,
            &urban,
            &id,
            &format!("assists/{URBAN}/report"),
            json!({"result": "已撒融雪剂并设置警示"}),
        )
        .await;
        assert_eq!(
            assists_of(&reported),
            [pair(COMMITTEE, "called"), pair(URBAN, "reported")]
        );
        assert_eq!(reported["assists"][1]["report"], "已撒融雪剂并设置警示");
        assert!(reported["assists"][1]["reported_at"].is_string(), "{reported}");
        assert_eq!(topics(&inbox(app, &c.handler, "").await)[0], "assist_reported");

        let problem = expect_problem(
            send_step(app, &c.handler, &id, "resolve", Some(&resolve)).await,
            StatusCode::CONFLICT,
            "assists_pending",
        )
        .await;
        assert_eq!(strings(&problem["pending_parties"]), [COMMITTEE]);

        assist_step(app, &committee, &id, &format!("assists/{COMMITTEE}/acknowledge"), json!({"note": "社区网格员已出发"})).await;
        assist_step(app, &committee, &id, &format!("assists/{COMMITTEE}/report"), json!({"result": "已通知住户绕行"})).await;
        let resolved = step(app, &c.handler, &id, "resolve", Some(resolve)).await;
        assert_eq!(resolved["status"], "resolved");

        // Each assist ran on its own clock, met when it reported.
        assert_eq!(
            report_clocks(app, &id).await,
            [
                (Some(COMMITTEE.to_owned()), "met".to_owned(), true),
                (Some(URBAN.to_owned()), "met".to_owned(), true),
            ]
        );
        let timeline = seen(app, &c.dispatcher, &id).await;
        let actions = actions_of(&timeline);
        assert_eq!(
            actions[actions.len() - 8..],
            [
                "assist_called", "assist_called", "comment", "assist_acknowledged",
                "assist_reported", "assist_acknowledged", "assist_reported", "resolve",
            ]
        );
        let notes: Vec<String> = timeline["timeline"]
            .as_array()
            .expect("a timeline")
            .iter()
            .filter(|e| e["action"] == "assist_reported")
            .map(|e| text(&e["note"]))
            .collect();
        assert_eq!(notes, [format!("{URBAN}: 已撒融雪剂并设置警示"), format!("{COMMITTEE}: 已通知住户绕行")]);
    }

    async fn calls_name_existing_parties_other_than_the_lead(app) {
        let c = cast(app).await;
        let id = in_progress_heating_case(app, &c).await;
        for (parties, said) in [
            (json!(["zy-no-such-party"]), "no party zy-no-such-party"),
            (json!(["zy-heating"]), "zy-heating leads this incident"),
            (json!([URBAN, URBAN]), "zy-urban-management is named twice"),
            (json!([]), "1 to 10 parties"),
        ] {
            let response = post(app, &c.dispatcher, &id, "assists", json!({"parties": parties})).await;
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), ["parties"], "{problem}");
            assert!(problem.to_string().contains(said), "{said}: {problem}");
        }
        assist_step(app, &c.dispatcher, &id, "assists", json!({"parties": [URBAN]})).await;
        let again = post(app, &c.dispatcher, &id, "assists", json!({"parties": [URBAN]})).await;
        expect_problem(again, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(
            report_clocks(app, &id).await,
            [(Some(URBAN.to_owned()), "running".to_owned(), false)]
        );

        // Only while dispatched or in progress; an old ETag is 412.
        let reported = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
        let early = post(app, &c.dispatcher, &reported, "assists", json!({"parties": [URBAN]})).await;
        expect_problem(early, StatusCode::CONFLICT, "assist_out_of_turn").await;
        let stale = c
            .dispatcher
            .client
            .post(app.url(&format!("/api/v1/incidents/{id}/assists")))
            .header("If-Match", "\"1\"")
            .json(&json!({"parties": [COMMITTEE]}))
            .send()
            .await
            .expect("sent");
        expect_problem(stale, StatusCode::PRECONDITION_FAILED, "stale_version").await;
        let handler = post(app, &c.handler, &id, "assists", json!({"parties": [COMMITTEE]})).await;
        expect_problem(handler, StatusCode::FORBIDDEN, "forbidden").await;
        let stranger = post(app, &c.gongyi, &id, "assists", json!({"parties": [COMMITTEE]})).await;
        expect_problem(stranger, StatusCode::NOT_FOUND, "not_found").await;
    }
}
