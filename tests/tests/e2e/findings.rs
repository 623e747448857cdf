//! What a grid worker finds and handles at once (小事不出网格), with the demo
//! routing rules on: a finding logged handled in one request is stored
//! resolved and never routed; a finding the rules dispatched in the request
//! that stored it is still the worker's to resolve on the spot until a party
//! acknowledges it, and the parties it went to are told and stand down.

use chrono::{Timelike, Utc};
use gridops_tests::{TestApp, expect_problem, json, json_of, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incident_photos::{phone_jpeg, upload, uploaded};
use crate::incidents::{
    DOG_NOISE, GUANLAN_GRID, HEATING, User, actions_of, cast, centre_of, header, list_ids, moved,
    new_user, report, report_of, seen, send_report, send_step, step, strings, text, timeline_of,
};
use crate::notifications::{inbox, topics};

const MEDIATION: &str = "zy-guanlan-mediation";
const COMMITTEE: &str = "zy-guanlan-committee";
const FLYING_WIRE: &str = "public_safety.flying_wire_charging";

/// Moves the working calendar's clock so that it is about noon there now:
/// the demo dog-noise rule dispatches to the community's mediators by day,
/// and leaves the case to a dispatcher between 22:00 and 07:00.
async fn noon_there(app: &TestApp, admin: &User) {
    let now = Utc::now();
    let minutes = i64::from(now.hour() * 60 + now.minute());
    let (status, week) = json_of(
        admin
            .client
            .put(app.url("/api/v1/calendar/week"))
            .json(&json!({
                "periods": ["08:30-12:00", "14:00-17:30"],
                "weekdays": [1, 2, 3, 4, 5],
                "utc_offset_minutes": 12 * 60 - minutes,
            }))
            .send()
            .await
            .expect("calendar sent"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{week}");
}

/// `GET /api/v1/incidents/{id}/{path}` as `who`, expecting 200.
async fn read(app: &TestApp, who: &User, id: &str, path: &str) -> Value {
    let (status, body) = json_of(
        who.client
            .get(app.url(&format!("/api/v1/incidents/{id}/{path}")))
            .send()
            .await
            .expect("read sent"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{} reads {path}: {body}", who.name);
    body
}

/// (step, party, state) of each of the incident's clocks, by step and party.
async fn clocks(app: &TestApp, who: &User, id: &str) -> Vec<(String, Option<String>, String)> {
    let mut clocks: Vec<_> = read(app, who, id, "deadlines").await["items"]
        .as_array()
        .expect("clocks")
        .iter()
        .map(|c| {
            (
                text(&c["step"]),
                c["party"].as_str().map(str::to_owned),
                text(&c["state"]),
            )
        })
        .collect();
    clocks.sort();
    clocks
}

fn clock(step: &str, party: Option<&str>, state: &str) -> (String, Option<String>, String) {
    (step.to_owned(), party.map(str::to_owned), state.to_owned())
}

/// How many routing decisions were taken for the incident.
async fn decisions(app: &TestApp, who: &User, id: &str) -> usize {
    read(app, who, id, "routing?lang=en").await["decisions"]
        .as_array()
        .expect("decisions")
        .len()
}

on_both_backends! {
    settings => gridops_tests::with_demo_routing;

    // 观澜社区: on patrol the grid worker hears the dog at 7号院 barking on
    // its balcony and logs it; the rules send it to the community's
    // mediators at once, but the owner is at home and moves the dog inside
    // while the worker is still at the door.
    async fn a_workers_finding_the_rules_dispatched_is_resolved_on_the_spot(app) {
        let c = cast(app).await;
        noon_there(app, &c.admin).await;
        let mediator = new_user(app, "mediator.guanlan", "handler", None, Some(MEDIATION)).await;

        let found = report(app, &c.worker, &report_of(DOG_NOISE, centre_of(GUANLAN_GRID),
            "7号院2号楼阳台小狗一直叫")).await;
        let id = text(&found["id"]);
        assert_eq!(found["status"], "dispatched", "the day rule dispatches at once: {found}");
        assert_eq!(found["party"], MEDIATION);
        assert_eq!(strings(&found["allowed_actions"]), ["resolve_on_spot", "comment"]);
        assert_eq!(topics(&inbox(app, &mediator, "").await), ["dispatched"]);
        // Not the chief's own report: past triage it is the mediators' now.
        assert!(!strings(&seen(app, &c.chief, &id).await["allowed_actions"])
            .contains(&"resolve_on_spot".to_owned()));
        let refused = send_step(app, &c.chief, &id, "resolve_on_spot",
            Some(&json!({"result": "已处理"}))).await;
        expect_problem(refused, StatusCode::CONFLICT, "invalid_transition").await;

        let handled = step(app, &c.worker, &id, "resolve_on_spot", Some(json!({
            "result": "已上门提醒犬主，狗已牵回室内，不再吠叫",
        }))).await;
        assert_eq!(handled["status"], "resolved", "{handled}");
        assert!(handled["party"].is_null(), "the mediators stand down: {handled}");
        assert_eq!(handled["result"], "已上门提醒犬主，狗已牵回室内，不再吠叫");

        // The mediators hear that it is handled, and owe nothing any more.
        let told = inbox(app, &mediator, "").await;
        assert_eq!(topics(&told), ["handled_on_spot", "dispatched"]);
        assert_eq!(told["items"][0]["incident_id"], id.as_str());
        assert_eq!(told["items"][0]["title"], "案件已由网格员就地处置，无需再处置");
        assert_eq!(clocks(app, &c.chief, &id).await, [
            clock("acknowledge", Some(MEDIATION), "cancelled"),
            clock("resolve", Some(MEDIATION), "cancelled"),
            clock("triage", None, "met"),
        ]);
        // Like a party that returned a case, it no longer holds it.
        let (status, _) = json_of(mediator.client
            .get(app.url(&format!("/api/v1/incidents/{id}"))).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The grid chief checks it, as any case resolved on the spot.
        let checked = seen(app, &c.chief, &id).await;
        assert_eq!(strings(&checked["allowed_actions"]), ["verify", "reopen", "comment"]);
        let steps: Vec<(String, String)> =
            timeline_of(&checked).into_iter().map(|e| (e.1, e.4)).collect();
        let by = |action: &str, who: &str| (action.to_owned(), who.to_owned());
        assert_eq!(steps, [
            by("report", &c.worker.id), by("dispatch", "system"),
            by("resolve_on_spot", &c.worker.id),
        ]);
        let closed = step(app, &c.chief, &id, "verify", Some(json!({"note": "回访邻居，已安静"}))).await;
        assert_eq!(closed["status"], "closed");
        assert_eq!(topics(&inbox(app, &mediator, "").await).len(), 2, "nothing more for them");

        // Once the mediators acknowledged a finding, it is theirs to settle.
        let other = report(app, &c.worker, &report_of(DOG_NOISE,
            moved(centre_of(GUANLAN_GRID), 40.0, 0.0), "9号院门口的狗见人就叫")).await;
        let other = text(&other["id"]);
        step(app, &mediator, &other, "acknowledge", None).await;
        let late = send_step(app, &c.worker, &other, "resolve_on_spot",
            Some(&json!({"result": "已劝导"}))).await;
        let problem = expect_problem(late, StatusCode::CONFLICT, "invalid_transition").await;
        assert_eq!(problem["current_status"], "in_progress");
        assert_eq!(strings(&problem["allowed_actions"]), ["comment"]);
    }

    // The same for a finding the rules send to a lead with a party assisting:
    // a heating valve at 3号楼 closed by mistake, opened by the worker.
    async fn the_parties_called_to_assist_stand_down_too(app) {
        let c = cast(app).await;
        let committee = new_user(app, "handler.committee", "handler", None, Some(COMMITTEE)).await;

        let found = report(app, &c.worker, &report_of(HEATING, centre_of(GUANLAN_GRID),
            "3号楼单元入口供暖阀门被误关，整栋不热")).await;
        let id = text(&found["id"]);
        assert_eq!((found["status"].clone(), found["party"].clone()), (json!("dispatched"), json!("zy-heating")));
        assert_eq!(found["assists"][0]["party"], COMMITTEE, "{found}");

        let handled = step(app, &c.worker, &id, "resolve_on_spot",
            Some(json!({"result": "已打开阀门，暖气恢复"}))).await;
        assert_eq!(handled["status"], "resolved");
        assert_eq!(handled["assists"][0]["state"], "stood_down", "{handled}");
        for who in [&c.handler, &committee] {
            assert_eq!(topics(&inbox(app, who, "").await)[0], "handled_on_spot", "{}", who.name);
        }
        let open: Vec<_> = clocks(app, &c.chief, &id).await.into_iter()
            .filter(|(_, _, state)| state == "running" || state == "paused").collect();
        assert!(open.is_empty(), "every clock stopped: {open:?}");
        assert!(clocks(app, &c.chief, &id).await
            .contains(&clock("report", Some(COMMITTEE), "cancelled")));
        // The committee still sees what became of the call, and has nothing to do.
        let view = seen(app, &committee, &id).await;
        assert_eq!(strings(&view["allowed_actions"]), ["comment"]);
        let ack = committee.client
            .post(app.url(&format!("/api/v1/incidents/{id}/assists/{COMMITTEE}/acknowledge")))
            .json(&json!({})).send().await.expect("sent");
        expect_problem(ack, StatusCode::CONFLICT, "assist_out_of_turn").await;
        let closed = step(app, &c.chief, &id, "verify", None).await;
        assert_eq!(closed["status"], "closed");
    }

    // 煤仓街: e-bikes charged from a cable hung out of a third-floor window
    // (飞线充电). The grid worker has the owner pull the cable in and take
    // the bikes to the compound's charging posts, photographs before and
    // after, and logs it all as one finding, already handled.
    async fn a_finding_handled_at_once_is_logged_in_one_request(app) {
        let c = cast(app).await;
        // The demo rule would send flying-wire charging to the compound's
        // property company, with the community committee assisting.
        let committee = new_user(app, "handler.committee", "handler", None, Some(COMMITTEE)).await;
        let spot = moved(centre_of(GUANLAN_GRID), 25.0, -10.0);
        let mut body = report_of(FLYING_WIRE, spot, "5号楼三楼窗口垂下电线，楼下两辆电动车飞线充电");
        body["handled_on_spot"] = json!({"result": "已劝导住户收回电线，电动车推至小区充电桩充电"});

        // Not for a resident: their report goes to the grid to be checked.
        let theirs = send_report(app, &c.resident, Some("resident-1"), &body).await;
        let problem = expect_problem(theirs, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["handled_on_spot"]);
        assert!(list_ids(app, &c.resident, "reporter=me").await.is_empty(), "nothing stored");
        let mut blank = body.clone();
        blank["handled_on_spot"]["result"] = json!("");
        let problem = expect_problem(send_report(app, &c.worker, Some("blank-1"), &blank).await,
            StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["handled_on_spot.result"]);

        let first = send_report(app, &c.worker, Some("wire-1"), &body).await;
        assert_eq!(first.status(), StatusCode::CREATED);
        assert_eq!(header(&first, "etag").as_deref(), Some("\"2\""), "reported, then resolved");
        let (_, logged) = json_of(first).await;
        let id = text(&logged["id"]);
        assert_eq!(logged["status"], "resolved", "{logged}");
        assert_eq!(logged["source"], "patrol");
        assert!(logged["party"].is_null(), "{logged}");
        assert_eq!(logged["result"], "已劝导住户收回电线，电动车推至小区充电桩充电");
        assert_eq!(strings(&logged["allowed_actions"]), ["comment"]);
        // A resend from a phone out of signal is the same finding.
        let again = send_report(app, &c.worker, Some("wire-1"), &body).await;
        assert_eq!(header(&again, "idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(json_of(again).await.1, logged);
        assert_eq!(list_ids(app, &c.worker, "reporter=me").await, [id.as_str()]);

        // Never routed: no decision, no dispatch, nobody else told, no clock
        // left running.
        assert_eq!(decisions(app, &c.dispatcher, &id).await, 0);
        assert_eq!(clocks(app, &c.chief, &id).await, [clock("triage", None, "met")]);
        for who in [&committee, &c.dispatcher, &c.chief] {
            assert!(topics(&inbox(app, who, "").await).is_empty(), "{} is told nothing", who.name);
        }

        // The photos follow, before and after, from the same spot.
        let before = uploaded(app, &c.worker, &id, "before", &phone_jpeg(0, spot)).await;
        let after = uploaded(app, &c.worker, &id, "after", &phone_jpeg(1, spot)).await;
        let checked = seen(app, &c.chief, &id).await;
        let kinds: Vec<String> = checked["photos"].as_array().expect("photos").iter()
            .map(|p| text(&p["kind"])).collect();
        assert_eq!(kinds, ["before", "after"]);
        assert_ne!(before["key"], after["key"]);
        let timeline = checked["timeline"].as_array().expect("timeline");
        assert_eq!(actions_of(&checked), ["report", "resolve_on_spot"]);
        assert_eq!((timeline[0]["to"].clone(), timeline[1]["from"].clone(), timeline[1]["to"].clone()),
            (json!("reported"), json!("reported"), json!("resolved")));
        assert_eq!(timeline[1]["actor_id"], c.worker.id.as_str());
        assert_eq!(timeline[1]["note"], "已劝导住户收回电线，电动车推至小区充电桩充电");

        // The grid chief verifies it, and then it takes no more photos.
        assert_eq!(strings(&checked["allowed_actions"]), ["verify", "reopen", "comment"]);
        let closed = step(app, &c.chief, &id, "verify", Some(json!({"note": "现场核查，电线已收回"}))).await;
        assert_eq!(closed["status"], "closed");
        let late = upload(app, &c.worker, &id, "after", &phone_jpeg(2, spot)).await;
        expect_problem(late, StatusCode::CONFLICT, "incident_closed").await;
    }
}
