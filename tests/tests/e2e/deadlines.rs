//! Working-time deadlines: the clocks a step starts, meets and cancels, on
//! the stored calendar and time limits; suspension 挂起 and extension 延期.

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use gridops_infra::schema::deadlines as clock_table;
use gridops_tests::{TestApp, expect_problem, json, json_of, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incidents::{
    Cast, GUANLAN_GRID, HEATING, User, cast, epoch_micros, report_in, seen, send_step, step, text,
};

const HOUR: i64 = 3_600_000_000;

/// A request as `who`: status and JSON body (none for 204).
pub(crate) async fn call(
    app: &TestApp,
    who: &User,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = who.client.request(method, app.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("sent");
    if response.status() == StatusCode::NO_CONTENT {
        return (StatusCode::NO_CONTENT, Value::Null);
    }
    json_of(response).await
}

async fn post(app: &TestApp, who: &User, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    call(app, who, reqwest::Method::POST, path, body).await
}

async fn put(app: &TestApp, who: &User, path: &str, body: Value) -> (StatusCode, Value) {
    call(app, who, reqwest::Method::PUT, path, Some(body)).await
}

/// Today in Beijing.
pub(crate) fn local_today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// Noon of a Beijing date, in microseconds since the epoch.
fn local_noon_micros(day: NaiveDate) -> i64 {
    (day.and_hms_opt(12, 0, 0).expect("noon") - Duration::hours(8))
        .and_utc()
        .timestamp_micros()
}

/// A week of seven days worked 00:00–12:00 Beijing time, with no special
/// day near today: whatever the hour the test runs, 48 hours of wall clock
/// hold exactly 24 working hours.
async fn half_days_every_day(app: &TestApp, admin: &User) {
    let (status, week) = put(
        app,
        admin,
        "/api/v1/calendar/week",
        json!({"periods": ["00:00-12:00"], "weekdays": [1, 2, 3, 4, 5, 6, 7], "utc_offset_minutes": 480}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{week}");
    let (from, to) = (
        local_today() - Duration::days(5),
        local_today() + Duration::days(40),
    );
    let (status, calendar) = call(
        app,
        admin,
        reqwest::Method::GET,
        &format!("/api/v1/calendar?from={from}&to={to}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{calendar}");
    for day in calendar["days"].as_array().expect("days") {
        let path = format!("/api/v1/calendar/days/{}", text(&day["date"]));
        let (status, _) = call(app, admin, reqwest::Method::DELETE, &path, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
}

/// Heating faults of high priority (their category's default) on these limits.
async fn heating_limits(app: &TestApp, admin: &User, acknowledge: Value, resolve: Value) {
    let (status, limits) = put(
        app,
        admin,
        &format!("/api/v1/categories/{HEATING}/time-limits"),
        json!({"items": [{"priority": "high", "acknowledge_within": acknowledge, "resolve_within": resolve}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{limits}");
    assert_eq!(limits["items"][0]["priority"], "high", "{limits}");
}

/// A heating fault in Guanlan, accepted and dispatched to zy-heating.
async fn dispatched(app: &TestApp, c: &Cast) -> String {
    let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
    let accepted = step(app, &c.dispatcher, &id, "accept", None).await;
    if accepted["status"] == "accepted" {
        step(
            app,
            &c.dispatcher,
            &id,
            "dispatch",
            Some(json!({"party": "zy-heating"})),
        )
        .await;
    }
    id
}

async fn clocks(app: &TestApp, who: &User, id: &str) -> Value {
    let (status, view) = call(
        app,
        who,
        reqwest::Method::GET,
        &format!("/api/v1/incidents/{id}/deadlines"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view
}

/// The one clock of `step` in `state`.
fn clock<'a>(view: &'a Value, step: &str, state: &str) -> &'a Value {
    let found: Vec<&Value> = view["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| c["step"] == step && c["state"] == state)
        .collect();
    assert_eq!(found.len(), 1, "one {state} {step} clock in {view}");
    found[0]
}

/// Asks for a suspension of `id` as `handler`, approved by `dispatcher`
/// when `approve`: the request's id.
pub(crate) async fn suspension_in(
    app: &TestApp,
    handler: &User,
    dispatcher: &User,
    id: &str,
    approve: bool,
) -> String {
    let (status, asked) = post(
        app,
        handler,
        &format!("/api/v1/incidents/{id}/suspensions"),
        Some(json!({"reason": "等待配件"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{asked}");
    let rid = text(&asked["id"]);
    if approve {
        let (status, approved) = post(
            app,
            dispatcher,
            &format!("/api/v1/incidents/{id}/clock-requests/{rid}/approve"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{approved}");
    }
    rid
}

fn actions(incident: &Value) -> Vec<String> {
    incident["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .map(|e| text(&e["action"]))
        .collect()
}

on_both_backends! {
    async fn an_assists_report_clock_follows_the_edited_calendar(app) {
        let c = cast(app).await;
        half_days_every_day(app, &c.admin).await;
        heating_limits(app, &c.admin, json!({"amount": 1, "unit": "working_days"}),
            json!({"amount": 2, "unit": "working_days"})).await;
        let today = local_today();
        let id = dispatched(app, &c).await;
        // Suspended: no resolve clock runs whose due the assist could share,
        // so its own clock counts the case's resolve limit on the calendar.
        suspension_in(app, &c.handler, &c.dispatcher, &id, true).await;
        let (status, called) = post(app, &c.dispatcher, &format!("/api/v1/incidents/{id}/assists"),
            Some(json!({"parties": ["zy-urban-management"]}))).await;
        assert_eq!(status, StatusCode::OK, "{called}");
        let view = clocks(app, &c.dispatcher, &id).await;
        let report = clock(&view, "report", "running");
        assert_eq!(report["party"], "zy-urban-management", "{view}");
        // Two working days of this week of half days: noon the day after
        // tomorrow (the office week would end them at 17:30 on a weekday).
        assert_eq!(epoch_micros(&report["due_at"]), local_noon_micros(today + Duration::days(2)), "{report}");
        let (start, warn, due) = (epoch_micros(&report["started_at"]), epoch_micros(&report["warn_at"]), epoch_micros(&report["due_at"]));
        assert!((warn - (start + (due - start) * 4 / 5)).abs() <= 1_000_000, "{report}");
    }

    async fn a_dispatch_starts_clocks_whose_due_follows_the_stored_calendar(app) {
        let c = cast(app).await;
        half_days_every_day(app, &c.admin).await;
        heating_limits(app, &c.admin, json!({"amount": 1, "unit": "working_days"}),
            json!({"amount": 2, "unit": "working_days"})).await;
        let today = local_today();

        let id = dispatched(app, &c).await;
        let view = clocks(app, &c.handler, &id).await;
        assert_eq!(clock(&view, "triage", "met")["party"], Value::Null);
        let acknowledge = clock(&view, "acknowledge", "running");
        assert_eq!(acknowledge["party"], "zy-heating");
        assert_eq!(acknowledge["area"], GUANLAN_GRID);
        assert_eq!(acknowledge["yellow"], false);
        assert_eq!(acknowledge["red"], false);
        // One working day: tomorrow at its close, 12:00 in this week.
        assert_eq!(epoch_micros(&acknowledge["due_at"]), local_noon_micros(today + Duration::days(1)));
        let resolve = clock(&view, "resolve", "running");
        assert_eq!(epoch_micros(&resolve["due_at"]), local_noon_micros(today + Duration::days(2)));
        // The warning comes at 80% of the way.
        let (start, warn, due) = (epoch_micros(&resolve["started_at"]), epoch_micros(&resolve["warn_at"]), epoch_micros(&resolve["due_at"]));
        assert!((warn - (start + (due - start) * 4 / 5)).abs() <= 1_000_000, "{resolve}");
        // The incident carries the running clocks' dues.
        let incident = seen(app, &c.dispatcher, &id).await;
        assert_eq!(epoch_micros(&incident["acknowledge_due"]), epoch_micros(&acknowledge["due_at"]));
        assert_eq!(epoch_micros(&incident["resolve_due"]), epoch_micros(&resolve["due_at"]));

        // Tomorrow becomes a holiday: the next dispatch's days skip it.
        let tomorrow = today + Duration::days(1);
        let (status, day) = put(app, &c.admin, &format!("/api/v1/calendar/days/{tomorrow}"),
            json!({"kind": "holiday", "name": "测试假日"})).await;
        assert_eq!(status, StatusCode::OK, "{day}");
        assert_eq!(day["kind"], "holiday");
        let id = dispatched(app, &c).await;
        let view = clocks(app, &c.handler, &id).await;
        assert_eq!(epoch_micros(&clock(&view, "acknowledge", "running")["due_at"]),
            local_noon_micros(today + Duration::days(2)));
        assert_eq!(epoch_micros(&clock(&view, "resolve", "running")["due_at"]),
            local_noon_micros(today + Duration::days(3)));
        let (status, calendar) = call(app, &c.worker, reqwest::Method::GET,
            &format!("/api/v1/calendar?from={tomorrow}&to={tomorrow}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(calendar["days"], json!([{"date": tomorrow.to_string(), "kind": "holiday", "name": "测试假日"}]));
        assert_eq!(calendar["week"]["periods"], json!(["00:00-12:00"]));
    }

    async fn the_2026_holidays_are_there_out_of_the_box(app) {
        let c = cast(app).await;
        let (status, calendar) = call(app, &c.handler, reqwest::Method::GET,
            "/api/v1/calendar?from=2026-01-01&to=2026-12-31", None).await;
        assert_eq!(status, StatusCode::OK, "{calendar}");
        assert_eq!(calendar["week"], json!({"periods": ["08:30-12:00", "14:00-17:30"], "weekdays": [1, 2, 3, 4, 5], "utc_offset_minutes": 480}));
        let days = calendar["days"].as_array().expect("days");
        let kind_of = |date: &str| days.iter().find(|d| d["date"] == date).map(|d| text(&d["kind"]));
        assert_eq!(kind_of("2026-02-17").as_deref(), Some("holiday"), "Spring Festival");
        assert_eq!(kind_of("2026-02-14").as_deref(), Some("working_day"), "a make-up Saturday");
        assert_eq!(kind_of("2026-10-07").as_deref(), Some("holiday"));
        assert_eq!(kind_of("2026-10-10").as_deref(), Some("working_day"));
        assert_eq!(kind_of("2026-11-25"), None);
        assert_eq!(days.len(), 33 + 6);
        // Residents do not read the office calendar.
        let (status, _) = call(app, &c.resident, reqwest::Method::GET, "/api/v1/calendar", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn acknowledge_meets_its_clock_and_return_cancels_the_partys(app) {
        let c = cast(app).await;
        let id = dispatched(app, &c).await;
        step(app, &c.handler, &id, "acknowledge", None).await;
        let view = clocks(app, &c.dispatcher, &id).await;
        let met = clock(&view, "acknowledge", "met");
        assert!(met["ended_at"].is_string(), "{met}");
        clock(&view, "resolve", "running");

        let id = dispatched(app, &c).await;
        step(app, &c.handler, &id, "return", Some(json!({"reason": "不归我们管"}))).await;
        let view = clocks(app, &c.dispatcher, &id).await;
        clock(&view, "acknowledge", "cancelled");
        clock(&view, "resolve", "cancelled");
        // Waiting for the dispatchers again: their clock runs afresh.
        let triage = clock(&view, "triage", "running");
        let incident = seen(app, &c.dispatcher, &id).await;
        assert_eq!(epoch_micros(&incident["acknowledge_due"]), epoch_micros(&triage["due_at"]));
        // The handler's party no longer holds it: they see it no more.
        let (status, _) = call(app, &c.handler, reqwest::Method::GET,
            &format!("/api/v1/incidents/{id}/deadlines"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn a_suspension_pauses_and_its_end_moves_the_due_by_the_working_time_held(app) {
        let c = cast(app).await;
        half_days_every_day(app, &c.admin).await;
        heating_limits(app, &c.admin, json!({"amount": 4, "unit": "working_hours"}),
            json!({"amount": 20, "unit": "working_hours"})).await;
        let id = dispatched(app, &c).await;
        let before = clocks(app, &c.handler, &id).await;
        let due_before = epoch_micros(&clock(&before, "resolve", "running")["due_at"]);
        let ack_before = epoch_micros(&clock(&before, "acknowledge", "running")["due_at"]);

        let rid = suspension_in(app, &c.handler, &c.dispatcher, &id, false).await;
        let (status, problem) = post(app, &c.handler,
            &format!("/api/v1/incidents/{id}/clock-requests/{rid}/approve"), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a handler cannot approve: {problem}");
        let (status, again) = post(app, &c.handler, &format!("/api/v1/incidents/{id}/suspensions"),
            Some(json!({"reason": "再次挂起"}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "one at a time: {again}");
        let (status, approved) = post(app, &c.dispatcher,
            &format!("/api/v1/incidents/{id}/clock-requests/{rid}/approve"), None).await;
        assert_eq!(status, StatusCode::OK, "{approved}");
        assert_eq!(approved["state"], "approved");
        assert_eq!(approved["decided_by"], c.dispatcher.id.as_str());
        let (status, _) = post(app, &c.dispatcher,
            &format!("/api/v1/incidents/{id}/clock-requests/{rid}/approve"), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "decided once");

        let paused = clocks(app, &c.handler, &id).await;
        let resolve = clock(&paused, "resolve", "paused");
        assert_eq!(resolve["suspensions"], 1);
        assert_eq!(clock(&paused, "acknowledge", "paused")["suspensions"], 1);
        assert_eq!(seen(app, &c.dispatcher, &id).await["resolve_due"], Value::Null,
            "a suspended case is not overdue");

        // Two days pass (the pause is moved back in the store): 24 working
        // hours of this week.
        let db = app.open_db();
        let paused_at = epoch_micros(&resolve["paused_at"]) - 48 * HOUR;
        let paused_at = chrono::DateTime::from_timestamp_micros(paused_at).expect("a time").naive_utc();
        let incident_id = id.clone();
        tokio::task::spawn_blocking(move || db.write_blocking(|conn| {
            diesel::update(clock_table::table.filter(clock_table::incident_id.eq(&incident_id)))
                .set(clock_table::paused_at.eq(Some(paused_at)))
                .execute(conn)?;
            Ok(())
        })).await.expect("joined").expect("backdated");

        let (status, ended) = post(app, &c.handler,
            &format!("/api/v1/incidents/{id}/suspensions/{rid}/end"), None).await;
        assert_eq!(status, StatusCode::OK, "{ended}");
        assert_eq!(ended["state"], "ended");
        let resumed = clocks(app, &c.handler, &id).await;
        for (step_name, before) in [("resolve", due_before), ("acknowledge", ack_before)] {
            let moved = epoch_micros(&clock(&resumed, step_name, "running")["due_at"]) - before;
            // 24 working hours later is 48 hours of wall clock here (plus
            // the moments the test itself took, when they fell in working time).
            assert!((48 * HOUR..48 * HOUR + 60_000_000).contains(&moved),
                "{step_name} moved by {} s", moved / 1_000_000);
        }
        let incident = seen(app, &c.dispatcher, &id).await;
        assert_eq!(epoch_micros(&incident["resolve_due"]),
            epoch_micros(&clock(&resumed, "resolve", "running")["due_at"]));
        let timeline = actions(&incident);
        assert!(timeline.ends_with(&["suspend_requested".into(), "suspended".into(), "resumed".into()]),
            "{timeline:?}");
        let (status, _) = post(app, &c.handler,
            &format!("/api/v1/incidents/{id}/suspensions/{rid}/end"), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "ended once");
    }

    async fn an_extension_moves_the_resolve_due_and_is_counted(app) {
        let c = cast(app).await;
        let id = dispatched(app, &c).await;
        let due = epoch_micros(&clock(&clocks(app, &c.handler, &id).await, "resolve", "running")["due_at"]);
        let (status, asked) = post(app, &c.handler, &format!("/api/v1/incidents/{id}/extensions"),
            Some(json!({"reason": "管道需更换", "amount": 2, "unit": "calendar_hours"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{asked}");
        assert_eq!(asked["state"], "pending");
        assert_eq!(asked["extend_by"], json!({"amount": 2, "unit": "calendar_hours"}));
        let rid = text(&asked["id"]);
        let (status, _) = post(app, &c.dispatcher,
            &format!("/api/v1/incidents/{id}/clock-requests/{rid}/approve"), None).await;
        assert_eq!(status, StatusCode::OK);
        let view = clocks(app, &c.handler, &id).await;
        let resolve = clock(&view, "resolve", "running");
        assert_eq!(epoch_micros(&resolve["due_at"]) - due, 2 * HOUR);
        assert_eq!(resolve["extensions"], 1);
        assert_eq!(view["requests"][0]["state"], "approved");
        assert_eq!(epoch_micros(&seen(app, &c.dispatcher, &id).await["resolve_due"]), due + 2 * HOUR);

        // A second one refused: the due stays.
        let (status, asked) = post(app, &c.handler, &format!("/api/v1/incidents/{id}/extensions"),
            Some(json!({"reason": "还要更久", "amount": 1, "unit": "working_days"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{asked}");
        let rid = text(&asked["id"]);
        let (status, refused) = post(app, &c.dispatcher,
            &format!("/api/v1/incidents/{id}/clock-requests/{rid}/refuse"), None).await;
        assert_eq!(status, StatusCode::OK, "{refused}");
        assert_eq!(refused["state"], "refused");
        let resolve = clock(&clocks(app, &c.handler, &id).await, "resolve", "running").clone();
        assert_eq!(epoch_micros(&resolve["due_at"]) - due, 2 * HOUR);
        assert_eq!(resolve["extensions"], 1);
        let timeline = actions(&seen(app, &c.dispatcher, &id).await);
        assert!(timeline.ends_with(&["extension_requested".into(), "extended".into(),
            "extension_requested".into(), "refused".into()]), "{timeline:?}");

        // Resolving meets the clock; asking for more time is over.
        step(app, &c.handler, &id, "acknowledge", None).await;
        step(app, &c.handler, &id, "resolve", Some(json!({"result": "已修复"}))).await;
        clock(&clocks(app, &c.handler, &id).await, "resolve", "met");
        let (status, _) = post(app, &c.handler, &format!("/api/v1/incidents/{id}/extensions"),
            Some(json!({"reason": "晚了", "amount": 1, "unit": "working_days"}))).await;
        assert_eq!(status, StatusCode::CONFLICT);
    }

    async fn bad_input_is_refused_naming_the_field(app) {
        let c = cast(app).await;
        let id = dispatched(app, &c).await;
        let path = format!("/api/v1/incidents/{id}/extensions");
        for (body, field) in [
            (json!({"reason": "x", "amount": 0, "unit": "working_days"}), "amount"),
            (json!({"reason": "x", "amount": 2, "unit": "fortnights"}), "unit"),
            (json!({"reason": "", "amount": 2, "unit": "working_days"}), "reason"),
            (json!({"reason": "x", "unit": "working_days"}), "amount"),
        ] {
            let response = c.handler.client.post(app.url(&path)).json(&body).send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "{body}");
        }
        let admin = &c.admin.client;
        for (method, path, body, field) in [
            ("PUT", "/api/v1/calendar/days/2026-13-01".to_owned(), json!({"kind": "holiday", "name": "x"}), "date"),
            ("PUT", "/api/v1/calendar/days/2026-12-01".to_owned(), json!({"kind": "weekend", "name": "x"}), "kind"),
            ("PUT", "/api/v1/calendar/days/2026-12-01".to_owned(), json!({"kind": "holiday", "name": ""}), "name"),
            ("PUT", "/api/v1/calendar/week".to_owned(), json!({"periods": ["9-5"], "weekdays": [1], "utc_offset_minutes": 480}), "periods[0]"),
            ("PUT", "/api/v1/calendar/week".to_owned(), json!({"periods": ["09:00-17:00"], "weekdays": [8], "utc_offset_minutes": 480}), "weekdays"),
            ("PUT", "/api/v1/calendar/week".to_owned(), json!({"periods": ["17:00-09:00"], "weekdays": [1], "utc_offset_minutes": 480}), "periods"),
            ("PUT", format!("/api/v1/categories/{HEATING}/time-limits"), json!({"items": [
                {"priority": "urgent", "acknowledge_within": {"amount": 1, "unit": "calendar_hours"}, "resolve_within": {"amount": 4, "unit": "calendar_hours"}},
                {"priority": "urgent", "acknowledge_within": {"amount": 1, "unit": "calendar_hours"}, "resolve_within": {"amount": 4, "unit": "calendar_hours"}},
            ]}), "items[1].priority"),
            ("PUT", format!("/api/v1/categories/{HEATING}/time-limits"), json!({"items": [
                {"priority": "low", "acknowledge_within": {"amount": 0, "unit": "calendar_hours"}, "resolve_within": {"amount": 4, "unit": "calendar_hours"}},
            ]}), "items[0].acknowledge_within.amount"),
            ("GET", "/api/v1/calendar?from=2026-02-01&to=2026-01-01".to_owned(), Value::Null, "to"),
        ] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
            let mut request = admin.request(method, app.url(&path));
            if !body.is_null() {
                request = request.json(&body);
            }
            let problem = expect_problem(request.send().await.expect("sent"),
                StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "{path} {body}");
        }
        let (status, _) = put(app, &c.admin, "/api/v1/categories/no.such/time-limits", json!({"items": []})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = call(app, &c.admin, reqwest::Method::DELETE, "/api/v1/calendar/days/2026-11-25", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "an ordinary Wednesday is not special");
        let (status, _) = post(app, &c.dispatcher,
            &format!("/api/v1/incidents/{id}/clock-requests/{}/approve", uuid::Uuid::now_v7()), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Only the handler in charge asks; only a covering dispatcher decides.
        for who in [&c.dispatcher, &c.chief, &c.worker, &c.resident] {
            let (status, _) = post(app, who, &format!("/api/v1/incidents/{id}/suspensions"),
                Some(json!({"reason": "x"}))).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{}", who.name);
        }
        let rid = suspension_in(app, &c.handler, &c.dispatcher, &id, false).await;
        for (who, expected) in [(&c.handler, 403), (&c.chief, 403), (&c.gongyi, 404), (&c.admin, 403)] {
            let (status, _) = post(app, who,
                &format!("/api/v1/incidents/{id}/clock-requests/{rid}/approve"), None).await;
            assert_eq!(status.as_u16(), expected, "{}", who.name);
        }
        let response = send_step(app, &c.handler, &id, "acknowledge", None).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}
