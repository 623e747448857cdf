//! The problem ledger 挂账 as the people on a case meet it: a case no
//! deadline can close is put in the ledger by its party with a written
//! reason, approved by the dispatcher, kept out of the overdue counts and
//! on the ledger's books with a review date that reminds the dispatcher
//! once, reviewed, and back into work when its cause is gone. Time is moved
//! in the store, as `deadlines` and `escalation` do.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use gridops_infra::schema::{clock_requests, deadlines, incidents as incident_table};
use gridops_tests::{TestApp, expect_problem, json, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

use crate::deadlines::{call, local_today};
use crate::incidents::{
    GUANLAN_GRID, HEATING, User, actions_of, cast, list_ids, new_user, report_in, seen, step, text,
};
use crate::notifications::inbox;

/// 煤仓街社区 grid 1, where the demo places 董寨路2号院翡翠公寓 (seed 003).
const DONGZHAILU_GRID: &str = "410102002001001";
const MEICANGJIE_COMMUNITY: &str = "410102002001";
const TONGBAILU_SUBDISTRICT: &str = "410102002";
/// The subdistrict office of 桐柏路街道: the party of last resort there (属地).
const TONGBAILU_OFFICE: &str = "zy-tongbailu-office";
const NO_MANAGEMENT: &str = "property.no_management";

async fn post(app: &TestApp, who: &User, path: &str, body: Value) -> (StatusCode, Value) {
    call(app, who, reqwest::Method::POST, path, Some(body)).await
}

async fn get(app: &TestApp, who: &User, path: &str) -> (StatusCode, Value) {
    call(app, who, reqwest::Method::GET, path, None).await
}

/// Asks for more time of any kind as `who`, expecting 201; the request.
async fn ask(app: &TestApp, who: &User, id: &str, body: Value) -> Value {
    let (status, asked) = post(
        app,
        who,
        &format!("/api/v1/incidents/{id}/clock-requests"),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{} asks: {asked}", who.name);
    asked
}

/// `approve` or `refuse` a request as `who`, expecting 200.
async fn decide(app: &TestApp, who: &User, id: &str, rid: &str, verdict: &str) -> Value {
    let path = format!("/api/v1/incidents/{id}/clock-requests/{rid}/{verdict}");
    let (status, decided) = post(app, who, &path, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{} {verdict}s: {decided}", who.name);
    decided
}

fn extension() -> Value {
    json!({"kind": "extend", "reason": "正在招募新物业", "amount": 10, "unit": "working_days"})
}

fn ledger_body(reason: &str, review_on: NaiveDate) -> Value {
    json!({"kind": "ledger", "reason": reason, "review_on": review_on.to_string()})
}

/// The handler asks for an extension of `id` and the dispatcher grants it.
pub(crate) async fn extended_in(app: &TestApp, handler: &User, dispatcher: &User, id: &str) {
    let asked = ask(app, handler, id, extension()).await;
    decide(app, dispatcher, id, &text(&asked["id"]), "approve").await;
}

/// `id`, extended, put in the ledger by its handler and approved by the
/// dispatcher: the ledger request's id.
pub(crate) async fn ledgered_in(
    app: &TestApp,
    handler: &User,
    dispatcher: &User,
    id: &str,
) -> String {
    extended_in(app, handler, dispatcher, id).await;
    let review_on = local_today() + Duration::days(30);
    let asked = ask(
        app,
        handler,
        id,
        ledger_body("无物业，期限内无法解决", review_on),
    )
    .await;
    let rid = text(&asked["id"]);
    decide(app, dispatcher, id, &rid, "approve").await;
    rid
}

/// The ledger as `who` reads it with `query`, expecting 200.
async fn ledger(app: &TestApp, who: &User, query: &str) -> Value {
    let (status, page) = get(app, who, &format!("/api/v1/ledger?{query}")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{} reads the ledger: {page}",
        who.name
    );
    page
}

fn ledger_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| text(&e["incident_id"]))
        .collect()
}

async fn deadlines_of(app: &TestApp, who: &User, id: &str) -> Value {
    let (status, view) = get(app, who, &format!("/api/v1/incidents/{id}/deadlines")).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

/// The states of the case's resolve clocks.
async fn resolve_states(app: &TestApp, who: &User, id: &str) -> Vec<String> {
    deadlines_of(app, who, id).await["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["step"] == "resolve")
        .map(|c| text(&c["state"]))
        .collect()
}

/// The case's open clocks fell due a day ago (and the incident's resolve
/// due with them while its resolve clock runs), as if the days had passed.
async fn backdate_dues(app: &TestApp, id: &str) {
    let (db, id) = (app.open_db(), id.to_owned());
    let past: NaiveDateTime = gridops_infra::repo::now() - Duration::days(1);
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| {
            diesel::update(
                deadlines::table
                    .filter(deadlines::incident_id.eq(&id))
                    .filter(deadlines::state.eq_any(["running", "paused"])),
            )
            .set((
                deadlines::due_at.eq(past),
                deadlines::warn_at.eq(past - Duration::hours(1)),
            ))
            .execute(conn)?;
            let running: i64 = deadlines::table
                .filter(deadlines::incident_id.eq(&id))
                .filter(deadlines::step.eq("resolve"))
                .filter(deadlines::state.eq("running"))
                .count()
                .get_result(conn)?;
            if running > 0 {
                diesel::update(incident_table::table.find(&id))
                    .set(incident_table::resolve_due.eq(Some(past)))
                    .execute(conn)?;
            }
            Ok(())
        })
    })
    .await
    .expect("joined")
    .expect("backdated");
}

/// The ledger entry's review date is now `day`.
async fn set_review_on(app: &TestApp, rid: &str, day: NaiveDate) {
    let (db, rid) = (app.open_db(), rid.to_owned());
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| {
            diesel::update(clock_requests::table.find(&rid))
                .set(clock_requests::review_on.eq(Some(day)))
                .execute(conn)?;
            Ok(())
        })
    })
    .await
    .expect("joined")
    .expect("review date set");
}

/// Two reminder workers at once, each on a pool of its own, by the real
/// clock: how many entries they reminded of between them.
async fn two_reminder_workers(app: &TestApp) -> usize {
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let db = app.open_db();
            tokio::task::spawn_blocking(move || {
                gridops_infra::ledger_reminders::run_once(&db, gridops_infra::repo::now(), 50)
            })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        total += worker.await.expect("joined").expect("reminded");
    }
    total
}

/// `who`'s inbox entries of `topic` about `id`.
async fn told(app: &TestApp, who: &User, id: &str, topic: &str) -> usize {
    inbox(app, who, "limit=500").await["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["topic"] == topic && n["incident_id"] == id)
        .count()
}

async fn overdue_count(app: &TestApp, who: &User, area: &str) -> (u64, u64) {
    let (status, counts) = get(
        app,
        who,
        &format!("/api/v1/incidents/queue-counts?area={area}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    (
        counts["overdue"].as_u64().expect("overdue"),
        counts["escalated"].as_u64().expect("escalated"),
    )
}

/// Whether `actions` holds `wanted` in this order (others may come between).
fn in_order(actions: &[String], wanted: &[&str]) -> bool {
    let mut rest = actions.iter();
    wanted.iter().all(|w| rest.any(|a| a == w))
}

on_both_backends! {
    async fn a_compound_without_property_management_goes_to_the_ledger_and_back_into_work(app) {
        // 桐柏路街道's people, and the rule that gives compounds without
        // property management to the subdistrict office (no demo rule takes them).
        let dispatcher = new_user(app, "dispatcher.tongbailu", "dispatcher", Some(TONGBAILU_SUBDISTRICT), None).await;
        let handler = new_user(app, "handler.tongbailu", "handler", None, Some(TONGBAILU_OFFICE)).await;
        let resident = new_user(app, "resident.meicangjie", "resident", Some(MEICANGJIE_COMMUNITY), None).await;
        let far_dispatcher = crate::incidents::sign_in(app, "dispatcher.hanghaixilu").await;
        let (status, rule) = app.post_json("/api/v1/routing-rules", &json!({
            "name": "无物业小区：属地街道办事处",
            "category": NO_MANAGEMENT,
            "area": TONGBAILU_SUBDISTRICT,
            "target": {"kind": "party", "party": TONGBAILU_OFFICE},
            "mode": "auto_dispatch",
        })).await;
        assert_eq!(status, StatusCode::CREATED, "{rule}");

        let id = report_in(app, &resident, DONGZHAILU_GRID, NO_MANAGEMENT,
            "董寨路2号院原物业撤出，小区已三个月无人管理").await;
        // Checked on site, registered, and the rule sends it to the office.
        let accepted = step(app, &dispatcher, &id, "accept", Some(json!({"note": "已现场核实"}))).await;
        assert_eq!(accepted["status"], "dispatched", "{accepted}");
        assert_eq!(accepted["party"], TONGBAILU_OFFICE, "{accepted}");
        step(app, &handler, &id, "acknowledge", None).await;

        // Ten working days more, granted; still no company.
        let asked = ask(app, &handler, &id, extension()).await;
        assert_eq!(asked["kind"], "extend");
        decide(app, &dispatcher, &id, &text(&asked["id"]), "approve").await;

        // The days pass: the case is overdue, on the dispatcher's overdue tab.
        backdate_dues(app, &id).await;
        assert!(list_ids(app, &dispatcher, "overdue=true").await.contains(&id));
        assert!(list_ids(app, &dispatcher, "queue=overdue").await.contains(&id));
        assert_eq!(overdue_count(app, &dispatcher, DONGZHAILU_GRID).await.0, 1);

        // The office asks for the ledger with its reason and a review date.
        let first_review = local_today() + Duration::days(7);
        let reason = "原物业撤出，街道正在招募新物业，期限内无法解决";
        let asked = ask(app, &handler, &id, ledger_body(reason, first_review)).await;
        assert_eq!((asked["kind"].as_str(), asked["state"].as_str()), (Some("ledger"), Some("pending")));
        assert_eq!(asked["review_on"], first_review.to_string());
        let rid = text(&asked["id"]);
        let entered = decide(app, &dispatcher, &id, &rid, "approve").await;
        assert_eq!(entered["state"], "approved");

        // In the ledger: on its books, off the overdue ones.
        let page = ledger(app, &dispatcher, "").await;
        assert_eq!(page["count"], 1, "{page}");
        let entry = &page["items"][0];
        assert_eq!(entry["incident_id"], id.as_str());
        assert_eq!(entry["reason"], reason);
        assert_eq!(entry["party"], TONGBAILU_OFFICE);
        assert_eq!(entry["grid"], DONGZHAILU_GRID);
        assert_eq!(entry["category"], NO_MANAGEMENT);
        assert_eq!(entry["asked_by"], handler.id.as_str());
        assert_eq!(entry["approved_by"], dispatcher.id.as_str());
        assert!(entry["approved_at"].is_string(), "{entry}");
        assert_eq!(entry["review_on"], first_review.to_string());
        assert_eq!((entry["review_due"].as_bool(), entry["reviews"].as_u64()), (Some(false), Some(0)));
        assert_eq!(ledger_ids(&ledger(app, &handler, "").await), std::slice::from_ref(&id));
        assert_eq!(ledger(app, &app_admin(app).await, &format!("area={MEICANGJIE_COMMUNITY}")).await["count"], 1);
        assert_eq!(ledger(app, &far_dispatcher, "").await["count"], 0);
        assert!(!list_ids(app, &dispatcher, "overdue=true").await.contains(&id));
        assert!(!list_ids(app, &dispatcher, "queue=overdue").await.contains(&id));
        assert_eq!(overdue_count(app, &dispatcher, DONGZHAILU_GRID).await, (0, 0));
        assert_eq!(resolve_states(app, &dispatcher, &id).await, ["paused"]);
        let view = deadlines_of(app, &dispatcher, &id).await;
        let open: Vec<&Value> = view["requests"].as_array().expect("requests").iter()
            .filter(|r| r["kind"] == "ledger" && r["state"] == "approved").collect();
        assert_eq!(open.len(), 1, "the case shows its ledger entry: {view}");
        // Its due passes again while in the ledger: still not overdue, and
        // the escalation sweep leaves it be.
        backdate_dues(app, &id).await;
        let escalations = |view: &Value| actions_of(view).iter().filter(|a| *a == "escalate").count();
        let before = escalations(&seen(app, &dispatcher, &id).await);
        let db = app.open_db();
        let later = gridops_infra::repo::now() + Duration::days(60);
        tokio::task::spawn_blocking(move || gridops_infra::escalation::run_once(&db, later, 50))
            .await.expect("joined").expect("swept");
        assert_eq!(overdue_count(app, &dispatcher, DONGZHAILU_GRID).await, (0, 0));
        assert!(!list_ids(app, &dispatcher, "overdue=true").await.contains(&id));
        assert_eq!(escalations(&seen(app, &dispatcher, &id).await), before);

        // The review date comes: the dispatcher is reminded once, however
        // many workers sweep, however often.
        set_review_on(app, &rid, local_today() - Duration::days(1)).await;
        assert_eq!(ledger(app, &dispatcher, "review_due=true").await["count"], 1);
        two_reminder_workers(app).await;
        two_reminder_workers(app).await;
        assert_eq!(told(app, &dispatcher, &id, "ledger_review_due").await, 1);
        assert_eq!(told(app, &far_dispatcher, &id, "ledger_review_due").await, 0);
        assert_eq!(told(app, &handler, &id, "ledger_review_due").await, 0);

        // Reviewed: a note, next month's date; the reminder re-armed.
        let next_month = local_today() + Duration::days(30);
        let (status, reviewed) = post(app, &dispatcher, &format!("/api/v1/incidents/{id}/clock-requests/{rid}/reviews"),
            json!({"note": "社区正在与河南众博物业洽谈", "next_review_on": next_month.to_string()})).await;
        assert_eq!(status, StatusCode::OK, "{reviewed}");
        assert_eq!(reviewed["review_on"], next_month.to_string());
        let entry = ledger(app, &dispatcher, "").await["items"][0].clone();
        assert_eq!((entry["reviews"].as_u64(), entry["review_due"].as_bool()), (Some(1), Some(false)));
        assert_eq!(entry["last_review_note"], "社区正在与河南众博物业洽谈");
        assert_eq!(ledger(app, &dispatcher, "review_due=true").await["count"], 0);
        // A month on, its date comes: one more reminder.
        set_review_on(app, &rid, local_today()).await;
        two_reminder_workers(app).await;
        assert_eq!(told(app, &dispatcher, &id, "ledger_review_due").await, 2);

        // 河南众博物业 takes over: back into work, off the ledger's books
        // and back on the overdue ones (its time had run out before).
        let (status, left) = post(app, &handler, &format!("/api/v1/incidents/{id}/clock-requests/{rid}/end"),
            json!({"note": "河南众博物业进驻，临时物业服务委托合同已签"})).await;
        assert_eq!(status, StatusCode::OK, "{left}");
        assert_eq!(left["state"], "ended");
        assert_eq!(ledger(app, &dispatcher, "").await["count"], 0);
        assert_eq!(resolve_states(app, &dispatcher, &id).await, ["running"]);
        assert!(list_ids(app, &dispatcher, "overdue=true").await.contains(&id));

        step(app, &handler, &id, "resolve", Some(json!({"result": "众博物业已进驻，为189户业主提供服务"}))).await;
        let closed = step(app, &dispatcher, &id, "verify", None).await;
        assert_eq!(closed["status"], "closed");
        let view = seen(app, &dispatcher, &id).await;
        let actions = actions_of(&view);
        assert!(in_order(&actions, &["report", "accept", "dispatch", "acknowledge",
            "extension_requested", "extended", "ledger_requested", "ledger_entered",
            "ledger_reviewed", "ledger_left", "resolve", "verify"]), "{actions:?}");
        let notes: Vec<String> = view["timeline"].as_array().expect("timeline").iter()
            .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("ledger_")))
            .map(|e| e["note"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(notes, [reason, reason, "社区正在与河南众博物业洽谈", "河南众博物业进驻，临时物业服务委托合同已签"]);
    }

    async fn the_ledger_is_refused_when_the_case_can_still_make_its_time_and_kept_from_strangers(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "整栋楼暖气不热").await;
        step(app, &c.dispatcher, &id, "accept", None).await;
        step(app, &c.dispatcher, &id, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        let path = format!("/api/v1/incidents/{id}/clock-requests");
        let soon = local_today() + Duration::days(7);

        // Neither extended nor overdue: an extension comes first.
        let response = c.handler.client.post(app.url(&path)).json(&ledger_body("修不好", soon)).send().await.expect("sent");
        expect_problem(response, StatusCode::CONFLICT, "clock_request_conflict").await;
        // Bad input is named.
        let rows: [(Value, &[&str]); 10] = [
            (ledger_body("   ", soon), &["reason"]),
            (ledger_body("", soon), &["reason"]),
            (json!({"kind": "ledger", "reason": "x"}), &["review_on"]),
            (json!({"kind": "ledger", "reason": " "}), &["reason", "review_on"]),
            (ledger_body("x", local_today()), &["review_on"]),
            (ledger_body("x", local_today() - Duration::days(3)), &["review_on"]),
            (json!({"kind": "ledger", "reason": "x", "review_on": "2027-13-01"}), &["review_on"]),
            (json!({"kind": "suspend", "reason": "x", "review_on": soon.to_string()}), &["review_on"]),
            (json!({"kind": "ledger", "reason": "x", "review_on": soon.to_string(), "amount": 2, "unit": "working_days"}), &["amount", "unit"]),
            (json!({"kind": "shelve", "reason": "x"}), &["kind"]),
        ];
        for (body, fields) in rows {
            let response = c.handler.client.post(app.url(&path)).json(&body).send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), fields, "{body}: {problem}");
        }

        // Extended, asked, refused: the clocks run on, nothing in the ledger.
        extended_in(app, &c.handler, &c.dispatcher, &id).await;
        let asked = ask(app, &c.handler, &id, ledger_body("配件停产", soon)).await;
        let refused = decide(app, &c.dispatcher, &id, &text(&asked["id"]), "refuse").await;
        assert_eq!(refused["state"], "refused");
        assert_eq!(resolve_states(app, &c.handler, &id).await, ["running"]);
        assert_eq!(ledger(app, &c.dispatcher, "").await["count"], 0);
        assert!(actions_of(&seen(app, &c.dispatcher, &id).await).ends_with(&["ledger_requested".into(), "refused".into()]));

        // Overdue without an extension is enough, too.
        let other = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "单元楼暖气漏水").await;
        step(app, &c.dispatcher, &other, "accept", None).await;
        step(app, &c.dispatcher, &other, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        backdate_dues(app, &other).await;
        let asked = ask(app, &c.handler, &other, ledger_body("管网改造，须等明年", soon)).await;
        assert_eq!(asked["state"], "pending");

        // In the ledger: nobody outside the case reads or reviews it; no
        // more time is asked for until it is back into work.
        let rid = text(&ask(app, &c.handler, &id, ledger_body("配件停产，厂家三个月后供货", soon)).await["id"]);
        decide(app, &c.dispatcher, &id, &rid, "approve").await;
        for who in [&c.resident, &c.worker, &c.chief] {
            let response = who.client.get(app.url("/api/v1/ledger")).send().await.expect("sent");
            expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        }
        assert_eq!(ledger(app, &c.gongyi, "").await["count"], 0);
        assert_eq!(ledger_ids(&ledger(app, &c.dispatcher, "").await), std::slice::from_ref(&id));
        assert_eq!(ledger(app, &c.dispatcher, "party=zy-heating").await["count"], 1);
        assert_eq!(ledger(app, &c.dispatcher, "party=zy-urban-management").await["count"], 0);
        assert_eq!(ledger(app, &c.dispatcher, "area=410181").await["count"], 0);
        let response = c.dispatcher.client.get(app.url("/api/v1/ledger?area=41x")).send().await.expect("sent");
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["area"]);
        let review = format!("/api/v1/incidents/{id}/clock-requests/{rid}/reviews");
        let later = (local_today() + Duration::days(30)).to_string();
        for (who, expected) in [(&c.gongyi, 404), (&c.resident, 403), (&c.handler, 403), (&c.chief, 403)] {
            let (status, _) = post(app, who, &review, json!({"note": "看看", "next_review_on": later})).await;
            assert_eq!(status.as_u16(), expected, "{}", who.name);
        }
        for (body, field) in [
            (json!({"note": "  ", "next_review_on": later}), "note"),
            (json!({"note": "看看", "next_review_on": local_today().to_string()}), "next_review_on"),
            (json!({"note": "看看"}), "next_review_on"),
        ] {
            let response = c.dispatcher.client.post(app.url(&review)).json(&body).send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "{body}");
        }
        for body in [extension(), json!({"kind": "suspend", "reason": "等待"}), ledger_body("再挂", soon)] {
            let response = c.handler.client.post(app.url(&path)).json(&body).send().await.expect("sent");
            expect_problem(response, StatusCode::CONFLICT, "clock_request_conflict").await;
        }
        let (status, _) = post(app, &c.handler, &format!("/api/v1/incidents/{id}/suspensions"), json!({"reason": "等待"})).await;
        assert_eq!(status, StatusCode::CONFLICT);

        // Resolved while in the ledger: it leaves the ledger with its party.
        step(app, &c.handler, &id, "acknowledge", None).await;
        step(app, &c.handler, &id, "resolve", Some(json!({"result": "找到替代配件，已修复"}))).await;
        assert_eq!(ledger(app, &c.dispatcher, "").await["count"], 0);
        let view = deadlines_of(app, &c.dispatcher, &id).await;
        let entry = view["requests"].as_array().expect("requests").iter()
            .find(|r| r["id"] == rid.as_str()).cloned().expect("the entry");
        assert_eq!(entry["state"], "ended", "{entry}");
        let (status, _) = post(app, &c.dispatcher, &review, json!({"note": "看看", "next_review_on": later})).await;
        assert_eq!(status, StatusCode::CONFLICT, "only a case in the ledger is reviewed");
    }
}

/// The administrator, as a [`User`].
async fn app_admin(app: &TestApp) -> User {
    crate::incidents::sign_in(app, "admin").await
}
