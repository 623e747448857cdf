//! KPIs a city can trust: a scripted day of cases with known steps — a
//! holiday inside the deadlines, a reopen, an extension, a suspension, a
//! ledgered case, late steps, a rejected report and a rating of each kind —
//! and exactly the counts and rates they must give, grouped three ways; who
//! may read whose numbers; bad filters; the CSV; and the counters kept in
//! the steps' transactions equal to a rebuild from scratch.

use chrono::{Datelike, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use gridops_infra::repo::stats;
use gridops_infra::schema::deadlines as clock_table;
use gridops_tests::{TestApp, expect_problem, json, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

use crate::deadlines::{call, local_today};
use crate::incidents::{Cast, GUANLAN_GRID, HEATING, User, cast, new_user, report_in, step, text};

const URBAN: &str = "zy-urban-management";

async fn post(app: &TestApp, who: &User, path: &str, body: Value) -> Value {
    let (status, answer) = call(app, who, reqwest::Method::POST, path, Some(body)).await;
    assert!(
        status.is_success(),
        "{} POST {path}: {status} {answer}",
        who.name
    );
    answer
}

async fn kpis(app: &TestApp, who: &User, query: &str) -> (StatusCode, Value) {
    call(
        app,
        who,
        reqwest::Method::GET,
        &format!("/api/v1/stats/kpis?{query}"),
        None,
    )
    .await
}

async fn table(app: &TestApp, who: &User, query: &str) -> Value {
    let (status, table) = kpis(app, who, query).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{} reads {query}: {table}",
        who.name
    );
    table
}

/// The row of `key` in a table.
fn group<'a>(table: &'a Value, key: &str) -> &'a Value {
    table["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["key"] == key)
        .unwrap_or_else(|| panic!("no group {key} in {table}"))
}

fn counts(group: &Value, names: &[&str]) -> Vec<i64> {
    names
        .iter()
        .map(|n| {
            group["counts"][n]
                .as_i64()
                .unwrap_or_else(|| panic!("{n} in {group}"))
        })
        .collect()
}

fn rate(group: &Value, name: &str) -> (i64, i64, Option<f64>) {
    let r = &group["rates"][name];
    (
        r["numerator"].as_i64().expect("numerator"),
        r["denominator"].as_i64().expect("denominator"),
        r["percent"].as_f64(),
    )
}

/// Moves a clock's due into the past by SQL, as if its time had run out.
async fn run_out(app: &TestApp, id: &str, step: &str) {
    let db = app.open_db();
    let (id, step) = (id.to_owned(), step.to_owned());
    let yesterday: NaiveDateTime = (Utc::now() - Duration::days(1)).naive_utc();
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| {
            diesel::update(
                clock_table::table
                    .filter(clock_table::incident_id.eq(&id))
                    .filter(clock_table::step.eq(&step))
                    .filter(clock_table::state.eq("running")),
            )
            .set((
                clock_table::due_at.eq(yesterday),
                clock_table::warn_at.eq(yesterday - Duration::hours(1)),
            ))
            .execute(conn)?;
            Ok(())
        })
    })
    .await
    .expect("joined")
    .expect("clock moved");
}

/// The week worked every day 00:00–12:00 Beijing time, tomorrow a holiday,
/// and heating cases given one working day to acknowledge and two to
/// resolve: a dispatch today is due to resolve at noon in three days.
async fn calendar_with_a_holiday(app: &TestApp, admin: &User) {
    let (status, week) = call(app, admin, reqwest::Method::PUT, "/api/v1/calendar/week",
        Some(json!({"periods": ["00:00-12:00"], "weekdays": [1, 2, 3, 4, 5, 6, 7], "utc_offset_minutes": 480}))).await;
    assert_eq!(status, StatusCode::OK, "{week}");
    let today = local_today();
    for day in 0..12 {
        let date = today - Duration::days(4) + Duration::days(day);
        let _ = call(
            app,
            admin,
            reqwest::Method::DELETE,
            &format!("/api/v1/calendar/days/{date}"),
            None,
        )
        .await;
    }
    let tomorrow = today + Duration::days(1);
    let (status, day) = call(
        app,
        admin,
        reqwest::Method::PUT,
        &format!("/api/v1/calendar/days/{tomorrow}"),
        Some(json!({"kind": "holiday", "name": "测试假日"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{day}");
    let (status, limits) = call(
        app,
        admin,
        reqwest::Method::PUT,
        &format!("/api/v1/categories/{HEATING}/time-limits"),
        Some(json!({"items": [{"priority": "high",
            "acknowledge_within": {"amount": 1, "unit": "working_days"},
            "resolve_within": {"amount": 2, "unit": "working_days"}}]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{limits}");
}

/// A heating report by the resident, accepted and dispatched to `party`.
async fn dispatched(app: &TestApp, c: &Cast, party: &str, what: &str) -> String {
    let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, what).await;
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

async fn resolved(app: &TestApp, handler: &User, id: &str) {
    step(app, handler, id, "acknowledge", None).await;
    step(
        app,
        handler,
        id,
        "resolve",
        Some(json!({"result": "修好了"})),
    )
    .await;
}

async fn closed(app: &TestApp, c: &Cast, handler: &User, id: &str) {
    resolved(app, handler, id).await;
    step(app, &c.dispatcher, id, "verify", None).await;
}

async fn rated(app: &TestApp, c: &Cast, id: &str, rating: &str, solved: Option<bool>) {
    let mut body = json!({"rating": rating});
    if let Some(solved) = solved {
        body["solved"] = json!(solved);
    }
    step(app, &c.resident, id, "rate", Some(body)).await;
}

async fn approved(app: &TestApp, c: &Cast, id: &str, request: Value) {
    let rid = text(&request["id"]);
    post(
        app,
        &c.dispatcher,
        &format!("/api/v1/incidents/{id}/clock-requests/{rid}/approve"),
        json!({}),
    )
    .await;
}

/// The scripted day. Heating cases to zy-heating:
/// A closed in time, satisfied and solved; B reopened once, then closed in
/// time, basically satisfied, not solved; C extended, closed in time,
/// dissatisfied; D suspended and resumed, closed in time; E extended, then
/// ledgered 挂账; H acknowledged and resolved after their deadlines ran
/// out, closed; F dispatched and left. To zy-urban-management: I closed in
/// time, satisfied and solved. And J, a duplicate, rejected.
async fn scripted_day(app: &TestApp, c: &Cast, urban: &User) -> String {
    calendar_with_a_holiday(app, &c.admin).await;
    let h = &c.handler;

    let a = dispatched(app, c, "zy-heating", "A").await;
    closed(app, c, h, &a).await;
    rated(app, c, &a, "satisfied", Some(true)).await;

    let b = dispatched(app, c, "zy-heating", "B").await;
    resolved(app, h, &b).await;
    step(
        app,
        &c.dispatcher,
        &b,
        "reopen",
        Some(json!({"reason": "还是不热"})),
    )
    .await;
    step(app, h, &b, "resolve", Some(json!({"result": "换了阀门"}))).await;
    step(app, &c.dispatcher, &b, "verify", None).await;
    rated(app, c, &b, "basically_satisfied", Some(false)).await;

    let cc = dispatched(app, c, "zy-heating", "C").await;
    step(app, h, &cc, "acknowledge", None).await;
    let asked = post(
        app,
        h,
        &format!("/api/v1/incidents/{cc}/extensions"),
        json!({"reason": "管道需更换", "amount": 24, "unit": "calendar_hours"}),
    )
    .await;
    approved(app, c, &cc, asked).await;
    step(app, h, &cc, "resolve", Some(json!({"result": "换了管道"}))).await;
    step(app, &c.dispatcher, &cc, "verify", None).await;
    rated(app, c, &cc, "dissatisfied", None).await;

    let d = dispatched(app, c, "zy-heating", "D").await;
    step(app, h, &d, "acknowledge", None).await;
    let asked = post(
        app,
        h,
        &format!("/api/v1/incidents/{d}/suspensions"),
        json!({"reason": "等业主回家"}),
    )
    .await;
    let rid = text(&asked["id"]);
    approved(app, c, &d, asked).await;
    post(
        app,
        h,
        &format!("/api/v1/incidents/{d}/suspensions/{rid}/end"),
        json!({}),
    )
    .await;
    step(app, h, &d, "resolve", Some(json!({"result": "入户修好"}))).await;
    step(app, &c.dispatcher, &d, "verify", None).await;

    let e = dispatched(app, c, "zy-heating", "E").await;
    step(app, h, &e, "acknowledge", None).await;
    let asked = post(
        app,
        h,
        &format!("/api/v1/incidents/{e}/extensions"),
        json!({"reason": "需协调物业", "amount": 24, "unit": "calendar_hours"}),
    )
    .await;
    approved(app, c, &e, asked).await;
    let asked = post(
        app,
        h,
        &format!("/api/v1/incidents/{e}/clock-requests"),
        json!({"kind": "ledger", "reason": "小区无物业，待街道引入新物业",
               "review_on": (local_today() + Duration::days(30)).to_string()}),
    )
    .await;
    approved(app, c, &e, asked).await;

    let late = dispatched(app, c, "zy-heating", "H").await;
    run_out(app, &late, "acknowledge").await;
    step(app, h, &late, "acknowledge", None).await;
    run_out(app, &late, "resolve").await;
    step(app, h, &late, "resolve", Some(json!({"result": "晚了"}))).await;
    step(app, &c.dispatcher, &late, "verify", None).await;

    dispatched(app, c, "zy-heating", "F").await;

    let i = dispatched(app, c, URBAN, "I").await;
    closed(app, c, urban, &i).await;
    rated(app, c, &i, "satisfied", Some(true)).await;

    let j = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "J").await;
    step(
        app,
        &c.dispatcher,
        &j,
        "reject",
        Some(json!({"reason": "duplicate", "duplicate_of": a})),
    )
    .await;
    d
}

const ALL_COUNTS: [&str; 20] = [
    "reported",
    "dispatched",
    "acknowledged_in_time",
    "extended",
    "due",
    "closed",
    "closed_in_time",
    "due_suspended",
    "closed_suspended",
    "closed_in_time_suspended",
    "ledgered",
    "verified",
    "reworked",
    "closures_without_evidence",
    "rated",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "solved_answered",
    "solved",
];

fn period() -> String {
    let today = local_today();
    format!(
        "from={}&to={}",
        today - Duration::days(1),
        today + Duration::days(10)
    )
}

on_both_backends! {
    async fn a_scripted_day_gives_exactly_the_expected_counts_and_rates(app) {
        let c = cast(app).await;
        let urban = new_user(app, "handler.urban", "handler", None, Some(URBAN)).await;
        let suspended = scripted_day(app, &c, &urban).await;
        let today = local_today();

        // By party, as the district ranks its units.
        let by_party = table(app, &c.dispatcher, &format!("{}&group_by=party", period())).await;
        let heating = group(&by_party, "zy-heating");
        assert_eq!(heating["name"], "郑州热力公司（中原区）");
        assert_eq!(counts(heating, &ALL_COUNTS),
            //  rep dis ack ext due clo cit dus cls cis led ver rew woe rat sat bas dis sa so
            vec![7, 7, 5, 2, 6, 5, 4, 1, 1, 1, 1, 5, 1, 5, 3, 1, 1, 1, 2, 1], "{heating}");
        // Jinhua's rule: D (suspended) leaves both sides of closure.
        assert_eq!(rate(heating, "closure"), (4, 5, Some(80.0)));
        assert_eq!(rate(heating, "on_time_closure"), (3, 5, Some(60.0)));
        assert_eq!(rate(heating, "rework"), (1, 5, Some(20.0)));
        assert_eq!(rate(heating, "extension"), (2, 7, Some(28.57)));
        assert_eq!(rate(heating, "response"), (5, 7, Some(71.43)));
        assert_eq!(rate(heating, "solved"), (1, 2, Some(50.0)));
        assert_eq!(rate(heating, "satisfied"), (2, 3, Some(66.67)));
        // Beijing's 三率: 0.30 × 71.43 + 0.35 × 50 + 0.35 × 66.67.
        assert_eq!(heating["score"], 62.26);
        let urban_row = group(&by_party, URBAN);
        assert_eq!(counts(urban_row, &["reported", "due", "closed", "closed_in_time", "rated", "satisfied", "solved"]),
            vec![1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(urban_row["score"], 100.0);
        let ranked: Vec<_> = by_party["groups"].as_array().expect("groups").iter()
            .map(|g| (text(&g["key"]), g["rank"].as_u64())).collect();
        assert_eq!(ranked, vec![(URBAN.to_owned(), Some(1)), ("zy-heating".to_owned(), Some(2)),
            (String::new(), None)], "the rejected report has no party and no rate");
        assert_eq!(counts(group(&by_party, ""), &["reported", "due", "dispatched"]), vec![1, 0, 0]);
        assert_eq!(counts(&by_party["total"], &["reported", "dispatched", "due", "closed", "verified"]),
            vec![9, 8, 7, 6, 6]);

        // Whole months are read from the monthly counters, ragged ends from
        // the days: any period holding the whole day gives the same table.
        let first_of_month = today.with_day(1).expect("a first day");
        let before = first_of_month - chrono::Months::new(1);
        let end_of_next = first_of_month + chrono::Months::new(2) - Duration::days(1);
        for (from, to) in [(before, end_of_next), (today - Duration::days(1), end_of_next),
                           (before, today + Duration::days(10))] {
            let other = table(app, &c.dispatcher, &format!("from={from}&to={to}&group_by=party")).await;
            assert_eq!(other["groups"], by_party["groups"], "{from}..{to}");
        }

        // By day: the holiday pushes the deadlines to the third day; C's and
        // E's extensions to the fourth; H ran out yesterday.
        let by_day = table(app, &c.dispatcher, &format!("{}&group_by=day", period())).await;
        let day = |d: i64| (today + Duration::days(d)).to_string();
        assert_eq!(counts(group(&by_day, &day(-1)), &["due", "closed", "closed_in_time"]), vec![1, 1, 0]);
        assert_eq!(counts(group(&by_day, &day(0)), &["reported", "dispatched", "verified", "rated", "due"]),
            vec![9, 8, 6, 4, 0]);
        assert!(by_day["groups"].as_array().expect("groups").iter().all(|g| g["key"] != day(1)),
            "nothing is due on the holiday: {by_day}");
        // D's deadline fell at noon, the close of a working day: the
        // working seconds it was suspended (none when the test runs after
        // noon) carry it into the next working day.
        let d_day = {
            let due = crate::incidents::epoch_micros(&crate::incidents::seen(app, &c.dispatcher, &suspended).await["resolve_due"]);
            let due = chrono::DateTime::from_timestamp_micros(due).expect("a time").naive_utc();
            ((due + Duration::hours(8)).date() - today).num_days()
        };
        assert!(d_day == 3 || d_day == 4, "D due in {d_day} days");
        let on = |d: i64| i64::from(d_day == d);
        assert_eq!(counts(group(&by_day, &day(3)), &["due", "closed", "closed_in_time", "due_suspended"]),
            vec![4 + on(3), 3 + on(3), 3 + on(3), on(3)]);
        assert_eq!(counts(group(&by_day, &day(4)), &["due", "closed", "due_suspended", "ledgered", "extended"]),
            vec![1 + on(4), 1 + on(4), on(4), 1, 0]);
        assert_eq!(group(&by_day, &day(0))["rank"], Value::Null, "periods are a series, not a ranking");

        // By area, as the subdistrict's dispatcher sees it: one community.
        let by_area = table(app, &c.dispatcher, &period()).await;
        assert_eq!(by_area["areas"], json!(["410102003"]));
        let community = group(&by_area, "410102003001");
        assert_eq!(counts(community, &ALL_COUNTS), counts(&by_party["total"], &ALL_COUNTS));

        // A handler reads their own party's numbers, the same as the dispatcher's row.
        let own = table(app, &c.handler, &format!("{}&group_by=category", period())).await;
        assert_eq!(own["parties"], json!(["zy-heating"]));
        assert_eq!(counts(group(&own, HEATING), &ALL_COUNTS), counts(heating, &ALL_COUNTS));

        // Week and month fold the days.
        let by_month = table(app, &c.admin, &format!("{}&group_by=month", period())).await;
        let months: i64 = by_month["groups"].as_array().expect("groups").iter()
            .map(|g| g["counts"]["due"].as_i64().unwrap_or(0)).sum();
        assert_eq!(months, 7);

        // The counters kept step by step are the sum of the facts, and a
        // rebuild from scratch changes nothing.
        let db = app.open_db();
        let check_db = db.clone();
        let differences = tokio::task::spawn_blocking(move || check_db.read_blocking(stats::check))
            .await.expect("joined").expect("checked");
        assert!(differences.is_empty(), "{differences:?}");
        let rebuilt = tokio::task::spawn_blocking(move || stats::rebuild(&db, |_| {}))
            .await.expect("joined").expect("rebuilt");
        assert_eq!(rebuilt.fixed, 0, "no fact had drifted");
        assert_eq!(table(app, &c.dispatcher, &format!("{}&group_by=party", period())).await, by_party);
    }

    async fn who_reads_whose_numbers_and_bad_filters_are_named(app) {
        let c = cast(app).await;
        let p = period();
        // Another district's dispatcher: not this subdistrict; their own default is empty.
        let (status, problem) = kpis(app, &c.gongyi, &format!("{p}&area=410102003")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        let own = table(app, &c.gongyi, &p).await;
        assert_eq!(own["areas"], json!(["410181"]));
        // A handler: not another party.
        let (status, _) = kpis(app, &c.handler, &format!("{p}&party={URBAN}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Residents and grid workers read no KPIs.
        for who in [&c.resident, &c.worker] {
            let (status, _) = kpis(app, who, &p).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{}", who.name);
        }
        let response = app.anonymous.get(app.url(&format!("/api/v1/stats/kpis?{p}"))).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

        let today = local_today();
        for (query, field) in [
            ("from=2026-13-01&to=2026-12-31".to_owned(), "from"),
            (format!("from={today}"), "to"),
            (format!("from={today}&to={}", today - Duration::days(1)), "to"),
            (format!("from=2020-01-01&to={today}"), "to"),
            (format!("{p}&group_by=street"), "group_by"),
            (format!("{p}&area=999999"), "area"),
            (format!("{p}&area=abc"), "area"),
            (format!("{p}&party=nobody"), "party"),
            (format!("{p}&category=nothing.here"), "category"),
        ] {
            let response = c.admin.client.get(app.url(&format!("/api/v1/stats/kpis?{query}"))).send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), vec![field.to_owned()], "{query}: {problem}");
        }
    }

    async fn the_csv_is_the_filtered_table_with_chinese_intact(app) {
        let c = cast(app).await;
        let urban = new_user(app, "handler.urban", "handler", None, Some(URBAN)).await;
        let id = dispatched(app, &c, URBAN, "一个").await;
        closed(app, &c, &urban, &id).await;
        dispatched(app, &c, "zy-heating", "两个").await;

        let query = format!("{}&group_by=party", period());
        let json_table = table(app, &c.dispatcher, &query).await;
        let response = c.dispatcher.client.get(app.url(&format!("/api/v1/stats/kpis.csv?{query}")))
            .send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(response.headers()["content-disposition"].to_str().expect("ascii").contains(".csv"));
        let bytes = response.bytes().await.expect("body");
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "a byte-order mark for Excel");
        let text = std::str::from_utf8(&bytes[3..]).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("编码 key,名称 name,排名 rank,综合得分 score,上报数 reported"), "{}", lines[0]);
        assert!(lines[0].contains("结案率% closure"));
        // One line per group, then the total: the same table as the JSON.
        assert_eq!(lines.len(), json_table["groups"].as_array().expect("groups").len() + 2, "{text}");
        assert!(lines[1].starts_with(&format!("{URBAN},中原区城市管理局,1,")), "{}", lines[1]);
        assert!(lines.last().expect("total").starts_with("total,合计,,"));
        // The filter applies: a category that has none of them gives only the total.
        let response = c.dispatcher.client
            .get(app.url(&format!("/api/v1/stats/kpis.csv?{query}&category=neighbourhood.dog_noise")))
            .send().await.expect("sent");
        let text = response.text().await.expect("body");
        assert_eq!(text.lines().count(), 2, "{text}");
    }

    async fn the_kpis_are_read_from_the_stats_database_when_one_is_given(app) {
        // A second server whose KPI reads go to the first one's database, as
        // they would to a replica: what it counts itself it does not show.
        let primary_url = app.database_url.clone();
        let replica_reader = TestApp::spawn_with(app.backend, move |settings| {
            settings.stats.database_url = Some(primary_url);
        })
        .await
        .expect("a second server");
        let c = cast(app).await;
        let theirs = cast(&replica_reader).await;
        dispatched(&replica_reader, &theirs, "zy-heating", "在第二台上报").await;
        let p = format!("{}&group_by=party", period());
        let read = table(&replica_reader, &theirs.dispatcher, &p).await;
        assert_eq!(read["total"]["counts"]["reported"], 0, "{read}");
        dispatched(app, &c, "zy-heating", "在第一台上报").await;
        let read = table(&replica_reader, &theirs.dispatcher, &p).await;
        assert_eq!(read["total"]["counts"]["reported"], 1, "{read}");
        assert_eq!(table(app, &c.dispatcher, &p).await["total"]["counts"]["reported"], 1);
        replica_reader.stop().await;
    }
}
