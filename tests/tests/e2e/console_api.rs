//! What the dispatchers' console needs of the API and the server: its pages
//! and their security headers, a session that survives a reload only in an
//! HttpOnly cookie, the queue's tabs and counts, the reporter to call back,
//! and possible duplicates of a case or of a report not yet made.

use gridops_infra::repo::audit;
use gridops_tests::{
    DEMO_PASSWORD, TestApp, expect_problem, json, json_of, on_both_backends, problem_fields,
};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incidents::{
    Cast, DOG_NOISE, GUANLAN_COMMUNITY, GUANLAN_GRID, GUANLAN_GRID_1, GUANLAN_GRID_3, HEATING,
    STREET_VENDING, User, cast, centre_of, header, list_ids, metres_between, moved, report,
    report_in, report_of, seen, sign_in, step, text,
};
use crate::notifications::dispatched_heating_case;

const CONSOLE_HEADER: (&str, &str) = ("X-Requested-With", "gridops-console");

/// The `gridops_refresh` cookie a response sets: (value, attributes).
fn refresh_cookie(response: &reqwest::Response) -> Option<(String, String)> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gridops_refresh="))
        .map(|v| {
            let (pair, attributes) = v.split_once(';').unwrap_or((v, ""));
            let value = pair.trim_start_matches("gridops_refresh=").to_owned();
            (value, attributes.to_owned())
        })
}

async fn console_login(app: &TestApp, username: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": DEMO_PASSWORD, "cookie": true}))
        .send()
        .await
        .expect("login sent")
}

/// `POST /auth/{action}` with the session cookie `value`, with or without
/// the console's header.
async fn with_cookie(app: &TestApp, action: &str, value: &str, console: bool) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/auth/{action}")))
        .header("Cookie", format!("gridops_refresh={value}"));
    if console {
        request = request.header(CONSOLE_HEADER.0, CONSOLE_HEADER.1);
    }
    request.send().await.expect("sent")
}

async fn me_with(app: &TestApp, token: &str) -> StatusCode {
    app.client_for(token)
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("sent")
        .status()
}

/// The ids of `GET /incidents?queue={tab}` as `who` sees them.
async fn tab(app: &TestApp, who: &User, tab: &str) -> Vec<String> {
    let (status, page) = json_of(
        who.client
            .get(app.url(&format!("/api/v1/incidents?queue={tab}&limit=500")))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tab}: {page}");
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| text(&i["id"]))
        .collect()
}

async fn counts(app: &TestApp, who: &User, query: &str) -> Value {
    let (status, counts) = json_of(
        who.client
            .get(app.url(&format!("/api/v1/incidents/queue-counts?{query}")))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    counts
}

/// Registers a resident of Guanlan with a phone number and signs them in.
async fn resident_with_phone(app: &TestApp, username: &str, phone: &str) -> User {
    let (status, body) = json_of(
        reqwest::Client::new()
            .post(app.url("/api/v1/auth/register"))
            .json(&json!({
                "username": username, "password": DEMO_PASSWORD,
                "phone": phone, "community": GUANLAN_COMMUNITY,
            }))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    sign_in(app, username).await
}

async fn a_case_resolved_by_the_heating_company(app: &TestApp, c: &Cast) -> String {
    let id = dispatched_heating_case(app, c).await;
    step(app, &c.handler, &id, "acknowledge", None).await;
    step(
        app,
        &c.handler,
        &id,
        "resolve",
        Some(json!({"result": "已修复"})),
    )
    .await;
    id
}

on_both_backends! {
    async fn the_console_is_served_with_a_strict_policy_and_its_screens_are_the_page(app) {
        let anonymous = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let page = anonymous.get(app.url("/console/")).send().await.expect("sent");
        assert_eq!(page.status(), StatusCode::OK);
        let policy = header(&page, "content-security-policy").expect("a CSP");
        assert!(policy.contains("script-src 'self'"), "{policy}");
        assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert_eq!(header(&page, "x-content-type-options").as_deref(), Some("nosniff"));
        assert!(header(&page, "content-type").expect("type").starts_with("text/html"));
        let etag = header(&page, "etag").expect("an ETag");
        let html = page.text().await.expect("body");
        assert!(html.contains("app.js"), "the page loads the console's script");
        assert!(!html.contains("http://") && !html.contains("https://"), "no outside address: {html}");

        // A screen's address is the same page; a missing file is not.
        let screen = anonymous.get(app.url("/console/cases/some-id?tab=new")).send().await.expect("sent");
        assert_eq!(screen.status(), StatusCode::OK);
        assert_eq!(screen.text().await.expect("body"), html);
        let missing = anonymous.get(app.url("/console/nothing-here.js")).send().await.expect("sent");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let escape = anonymous.get(app.url("/console/..%2F..%2FCargo.toml")).send().await.expect("sent");
        assert!(escape.status() == StatusCode::NOT_FOUND || escape.text().await.expect("body") == html);

        // Unchanged: 304. Scripts compressed when the browser takes gzip.
        let again = anonymous
            .get(app.url("/console/"))
            .header("If-None-Match", &etag)
            .send()
            .await
            .expect("sent");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let script = anonymous
            .get(app.url("/console/app.js"))
            .header("Accept-Encoding", "gzip")
            .send()
            .await
            .expect("sent");
        assert_eq!(script.status(), StatusCode::OK);
        assert_eq!(header(&script, "content-encoding").as_deref(), Some("gzip"));
        assert!(header(&script, "content-type").expect("type").starts_with("text/javascript"));

        let root = anonymous.get(app.url("/")).send().await.expect("sent");
        assert!(root.status().is_redirection());
        assert_eq!(header(&root, "location").as_deref(), Some("/console/"));
        let (status, config) = json_of(anonymous.get(app.url("/console/config.json")).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(config["basemap"], Value::Null, "no basemap unless one is set");
    }

    async fn a_console_session_lives_in_an_http_only_cookie_that_only_the_console_may_use(app) {
        let login = console_login(app, "dispatcher.hanghaixilu").await;
        assert_eq!(login.status(), StatusCode::OK);
        let (first, attributes) = refresh_cookie(&login).expect("the session cookie");
        for wanted in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"] {
            assert!(attributes.contains(wanted), "{wanted} in {attributes}");
        }
        let (_, body) = json_of(login).await;
        assert!(body.get("refresh_token").is_none(), "no refresh token a script could read: {body}");
        assert_eq!(me_with(app, &text(&body["access_token"])).await, StatusCode::OK);

        // A form or link from another site cannot add the console's header.
        let forged = with_cookie(app, "refresh", &first, false).await;
        expect_problem(forged, StatusCode::FORBIDDEN, "forbidden").await;

        // A reload: the cookie gives a new access token and a new cookie.
        let reload = with_cookie(app, "refresh", &first, true).await;
        assert_eq!(reload.status(), StatusCode::OK);
        let (second, _) = refresh_cookie(&reload).expect("a rotated cookie");
        assert_ne!(second, first);
        let (_, body) = json_of(reload).await;
        assert!(body.get("refresh_token").is_none(), "{body}");
        assert_eq!(me_with(app, &text(&body["access_token"])).await, StatusCode::OK);

        // The old cookie again is a theft: refused, cleared, the session ended.
        let replay = with_cookie(app, "refresh", &first, true).await;
        let (_, cleared) = refresh_cookie(&replay).expect("the cookie cleared");
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        expect_problem(replay, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
        let after = with_cookie(app, "refresh", &second, true).await;
        assert_eq!(after.status(), StatusCode::UNAUTHORIZED);

        // Signing out with the cookie ends that session and clears it.
        let login = console_login(app, "dispatcher.hanghaixilu").await;
        let (third, _) = refresh_cookie(&login).expect("cookie");
        let out = with_cookie(app, "logout", &third, true).await;
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        assert!(refresh_cookie(&out).expect("cleared").1.contains("Max-Age=0"));
        let gone = with_cookie(app, "refresh", &third, true).await;
        assert_eq!(gone.status(), StatusCode::UNAUTHORIZED);

        // The console with no session is signed out; an app sending neither
        // body nor cookie hears which field is missing.
        let signed_out = reqwest::Client::new()
            .post(app.url("/api/v1/auth/refresh"))
            .header(CONSOLE_HEADER.0, CONSOLE_HEADER.1)
            .send()
            .await
            .expect("sent");
        assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
        let (status, problem) = json_of(
            reqwest::Client::new()
                .post(app.url("/api/v1/auth/refresh"))
                .send()
                .await
                .expect("sent"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem_fields(&problem), ["refresh_token"]);
        // The phone apps' way is unchanged.
        let tokens = app.login("worker.guanlan").await;
        assert!(!tokens.refresh_token.is_empty());
    }

    async fn the_queue_tabs_hold_what_waits_for_whom_and_count_it(app) {
        let c = cast(app).await;
        let check = report_in(app, &c.resident, GUANLAN_GRID, DOG_NOISE, "狗叫了一夜").await;
        let fresh = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
        let registered = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "楼道暖气漏水").await;
        step(app, &c.dispatcher, &registered, "accept", None).await;
        let returned = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "锅炉房噪音").await;
        step(app, &c.dispatcher, &returned, "accept", None).await;
        step(app, &c.dispatcher, &returned, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        step(app, &c.handler, &returned, "return", Some(json!({"reason": "不是供热问题"}))).await;
        let resolved = a_case_resolved_by_the_heating_company(app, &c).await;
        let dispatched = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "3号楼不热").await;
        step(app, &c.dispatcher, &dispatched, "accept", None).await;
        step(app, &c.dispatcher, &dispatched, "dispatch", Some(json!({"party": "zy-heating"}))).await;

        // A reference read out on the phone finds its case.
        let reference = text(&seen(app, &c.dispatcher, &fresh).await["reference"]);
        let found = list_ids(app, &c.dispatcher, &format!("q={}", &reference[reference.len() - 8..])).await;
        assert!(found.contains(&fresh), "{reference} in {found:?}");

        assert_eq!(tab(app, &c.dispatcher, "on_site_check").await, [check.as_str()]);
        assert_eq!(tab(app, &c.dispatcher, "new").await, [fresh.as_str()]);
        assert_eq!(tab(app, &c.dispatcher, "triage").await, [registered.as_str()]);
        assert_eq!(tab(app, &c.dispatcher, "returned").await, [returned.as_str()]);
        assert_eq!(tab(app, &c.dispatcher, "verify").await, [resolved.as_str()]);
        assert!(tab(app, &c.dispatcher, "escalated").await.is_empty());
        assert_eq!(
            counts(app, &c.dispatcher, "").await,
            json!({"open": 6, "new": 1, "on_site_check": 1, "triage": 1, "returned": 1, "verify": 1, "overdue": 0, "escalated": 0})
        );
        // The counts follow the filters; another district's dispatcher sees none of it.
        assert_eq!(counts(app, &c.dispatcher, &format!("category={HEATING}")).await["on_site_check"], 0);
        assert_eq!(counts(app, &c.dispatcher, "source=patrol").await["new"], 0);
        assert_eq!(counts(app, &c.dispatcher, "source=resident").await["new"], 1);
        assert_eq!(
            counts(app, &c.gongyi, "").await,
            json!({"open": 0, "new": 0, "on_site_check": 0, "triage": 0, "returned": 0, "verify": 0, "overdue": 0, "escalated": 0})
        );

        // A deadline swept past its due time escalates: the case shows there.
        let db = app.open_db();
        let later = gridops_infra::repo::now() + chrono::TimeDelta::days(30);
        tokio::task::spawn_blocking(move || gridops_infra::escalation::run_once(&db, later, 50))
            .await
            .expect("joined")
            .expect("swept");
        assert!(tab(app, &c.dispatcher, "escalated").await.contains(&dispatched));
        assert!(!tab(app, &c.dispatcher, "escalated").await.contains(&resolved), "resolved cases wait for verification, not escalation");

        // Verified, it leaves the queue.
        step(app, &c.dispatcher, &resolved, "verify", None).await;
        assert!(tab(app, &c.dispatcher, "verify").await.is_empty());

        for bad in ["queue=later", "source=email"] {
            let response = c.dispatcher.client
                .get(app.url(&format!("/api/v1/incidents/queue-counts?{bad}")))
                .send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [bad.split('=').next().expect("name")]);
        }
    }

    async fn a_dispatcher_reveals_the_reporters_phone_and_the_reveal_is_logged_and_handlers_see_staff_names_only(app) {
        let c = cast(app).await;
        let caller = resident_with_phone(app, "resident.callback", "13812345678").await;
        let id = report_in(app, &caller, GUANLAN_GRID, HEATING, "暖气不热，请回电").await;
        let path = format!("/api/v1/incidents/{id}/reporter");

        let (status, masked) = json_of(c.dispatcher.client.get(app.url(&path)).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK, "{masked}");
        assert_eq!(masked["phone"], "138****5678");
        assert_eq!(masked["phone_masked"], true);
        assert_eq!(masked["user_id"], caller.id.as_str());
        let before = audited_reads(app, &caller.id).await;

        let reveal = format!("{path}/reveal");
        let (status, whole) = json_of(c.dispatcher.client.post(app.url(&reveal)).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK, "{whole}");
        assert_eq!(whole["phone"], "13812345678");
        assert_eq!(whole["phone_masked"], false);
        assert_eq!(audited_reads(app, &caller.id).await, before + 1, "the reveal is in the access log");

        // The heating company fixes the radiator; it does not call the resident.
        step(app, &c.dispatcher, &id, "accept", None).await;
        step(app, &c.dispatcher, &id, "dispatch", Some(json!({"party": "zy-heating"}))).await;
        let refused = c.handler.client.post(app.url(&reveal)).send().await.expect("sent");
        expect_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
        // Another district's dispatcher does not know the case exists.
        let hidden = c.gongyi.client.get(app.url(&path)).send().await.expect("sent");
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
        // The reporter reads their own, unlogged.
        let (status, own) = json_of(caller.client.post(app.url(&reveal)).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(own["phone"], "13812345678");
        assert_eq!(audited_reads(app, &caller.id).await, before + 1);
        // The timeline names the staff who acted, never the resident.
        let case = seen(app, &c.handler, &id).await;
        let timeline = case["timeline"].as_array().expect("timeline");
        let name_of = |action: &str| {
            timeline.iter().find(|e| e["action"] == action).map(|e| e["actor_name"].clone())
        };
        assert_eq!(name_of("report"), Some(Value::Null), "{case}");
        assert_eq!(name_of("accept"), Some(json!("航海西路街道调度员")), "{case}");
    }

    async fn possible_duplicates_are_offered_beside_a_case_and_before_a_report_is_saved(app) {
        let c = cast(app).await;
        let here = centre_of(GUANLAN_GRID);
        let first = text(&report(app, &c.resident, &report_of(STREET_VENDING, here, "5号楼门口摆摊")).await["id"]);
        let second = text(&report(app, &c.worker, &report_of(STREET_VENDING, moved(here, 20.0, 0.0), "5号楼门前有小摊")).await["id"]);
        // Outside street vending's 100 m.
        let there = [centre_of(GUANLAN_GRID_1), centre_of(GUANLAN_GRID_3)]
            .into_iter()
            .max_by(|a, b| metres_between(here, *a).total_cmp(&metres_between(here, *b)))
            .expect("a grid");
        assert!(metres_between(here, there) > 100.0, "{} m", metres_between(here, there));
        let far = text(&report(app, &c.resident, &report_of(STREET_VENDING, there, "远处")).await["id"]);

        let (status, beside) = json_of(
            c.dispatcher.client
                .get(app.url(&format!("/api/v1/incidents/{second}/possible-duplicates")))
                .send().await.expect("sent"),
        ).await;
        assert_eq!(status, StatusCode::OK, "{beside}");
        let ids: Vec<String> = beside.as_array().expect("list").iter().map(|d| text(&d["id"])).collect();
        assert_eq!(ids, [first.as_str()], "the other report nearby, not itself, not the far one ({far})");
        assert!(beside[0]["distance_m"].as_f64().expect("metres") < 30.0);

        let query = format!(
            "/api/v1/incidents/possible-duplicates?category={STREET_VENDING}&lng={}&lat={}",
            here[0], here[1]
        );
        let (status, before) = json_of(c.dispatcher.client.get(app.url(&query)).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK, "{before}");
        let ids: Vec<String> = before.as_array().expect("list").iter().map(|d| text(&d["id"])).collect();
        assert_eq!(ids, [first.clone(), second.clone()], "nearest first");
        // Another district's dispatcher is told of none of them.
        let (_, none) = json_of(c.gongyi.client.get(app.url(&query)).send().await.expect("sent")).await;
        assert_eq!(none, json!([]));

        let bad = c.dispatcher.client
            .get(app.url(&format!("/api/v1/incidents/possible-duplicates?category=nothing&lng={}&lat={}", here[0], here[1])))
            .send().await.expect("sent");
        let problem = expect_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["category"]);
        let bad = c.dispatcher.client
            .get(app.url(&format!("/api/v1/incidents/possible-duplicates?category={STREET_VENDING}&lng=200&lat=34")))
            .send().await.expect("sent");
        let problem = expect_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), ["lng"]);
    }
}

/// How many unmasked reads of `subject`'s phone the access log holds, each
/// naming the incident it was for.
async fn audited_reads(app: &TestApp, subject: &str) -> usize {
    let (db, subject) = (app.open_db(), subject.to_owned());
    let reads = tokio::task::spawn_blocking(move || {
        db.read_blocking(|conn| audit::personal_data_reads(conn, &subject))
    })
    .await
    .expect("joined")
    .expect("read");
    for (_, field, purpose) in &reads {
        assert_eq!(field, "phone");
        assert!(purpose.contains("incident"), "{purpose}");
    }
    reads.len()
}
