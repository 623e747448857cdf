//! Notifications as their readers meet them: the push on the handler's
//! phone when a case is dispatched, the inbox, notices to an area, the
//! phones people register, and the outbox an administrator looks after.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use gridops_tests::fake_fcm::{FakeFcm, TokenFate};
use gridops_tests::reqwest::StatusCode;
use gridops_tests::{
    Backend, TestApp, expect_problem, json, json_of, on_both_backends, problem_fields,
};
use serde_json::Value;

use crate::incidents::{
    Cast, GUANLAN_COMMUNITY, GUANLAN_GRID, HEATING, User, cast, report_in, sign_in, step, text,
};

/// A server whose pushes go to a fake Firebase on loopback.
pub(crate) struct WithFcm {
    pub(crate) app: TestApp,
    pub(crate) fcm: FakeFcm,
    _dir: tempfile::TempDir,
}

pub(crate) async fn spawn_with_fcm(backend: Backend) -> Option<WithFcm> {
    let fcm = FakeFcm::start().await;
    let dir = tempfile::tempdir().expect("a directory for the service account");
    let account: PathBuf = fcm.write_service_account(dir.path());
    let endpoint = fcm.endpoint();
    let app = TestApp::spawn_with(backend, move |s| {
        s.push.fcm_service_account = Some(account);
        s.push.fcm_endpoint = Some(endpoint);
        s.push.delivery.poll = Duration::from_millis(100);
    })
    .await?;
    Some(WithFcm {
        app,
        fcm,
        _dir: dir,
    })
}

/// Waits up to ten seconds for `ready` to hold.
pub(crate) async fn eventually<F: std::future::Future<Output = bool>>(
    what: &str,
    mut ready: impl FnMut() -> F,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ready().await {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn register_device(
    app: &TestApp,
    who: &User,
    token: &str,
    locale: &str,
) -> (StatusCode, Value) {
    json_of(
        who.client
            .post(app.url("/api/v1/devices"))
            .json(&json!({"token": token, "platform": "android", "locale": locale, "app_version": "2.3.1"}))
            .send()
            .await
            .expect("device registration sent"),
    )
    .await
}

pub(crate) async fn inbox(app: &TestApp, who: &User, query: &str) -> Value {
    let (status, page) = json_of(
        who.client
            .get(app.url(&format!("/api/v1/notifications?{query}")))
            .send()
            .await
            .expect("inbox read"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{} reads the inbox: {page}",
        who.name
    );
    page
}

pub(crate) fn topics(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| text(&i["topic"]))
        .collect()
}

async fn post_notice(app: &TestApp, who: &User, key: &str, body: &Value) -> (StatusCode, Value) {
    json_of(
        who.client
            .post(app.url("/api/v1/notices"))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("notice sent"),
    )
    .await
}

/// Resident reports heating trouble; the dispatcher accepts and dispatches
/// it to the heating company. The incident id.
pub(crate) async fn dispatched_heating_case(app: &TestApp, c: &Cast) -> String {
    let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "3号楼暖气不热").await;
    step(app, &c.dispatcher, &id, "accept", None).await;
    step(
        app,
        &c.dispatcher,
        &id,
        "dispatch",
        Some(json!({"party": "zy-heating"})),
    )
    .await;
    id
}

const HANDLER_PHONE: &str = "fcm-token-handler-heating-phone-0001";

mod with_fcm {
    use super::*;

    async fn a_dispatch_reaches_the_handlers_phone_and_inbox(backend: Backend) {
        let Some(WithFcm { app, fcm, _dir }) = spawn_with_fcm(backend).await else {
            return;
        };
        let c = cast(&app).await;
        let (status, device) = register_device(&app, &c.handler, HANDLER_PHONE, "zh-CN").await;
        assert_eq!(status, StatusCode::CREATED, "{device}");
        assert!(
            device.get("token").is_none(),
            "the token is never shown back: {device}"
        );

        let id = dispatched_heating_case(&app, &c).await;
        eventually("the handler's phone gets the dispatch", || async {
            !fcm.delivered().is_empty()
        })
        .await;
        let message = fcm.delivered().remove(0);
        assert_eq!(message["token"], HANDLER_PHONE);
        assert_eq!(message["notification"]["title"], "新派遣案件，请及时签收");
        let body = text(&message["notification"]["body"]);
        assert!(
            body.ends_with(" · 供暖故障"),
            "the reference and the category, in Chinese: {body}"
        );
        assert!(
            !body.contains("3号楼"),
            "no description on a lock screen: {body}"
        );
        assert_eq!(message["data"]["incident_id"], id.as_str());
        assert_eq!(message["data"]["topic"], "dispatched");
        let message_id = text(&message["data"]["message_id"]);
        assert_eq!(
            message["android"]["notification"]["tag"],
            message_id.as_str(),
            "a repeat replaces the shown notification"
        );

        // The handler's inbox holds it too, unread; reading it clears the badge.
        let page = inbox(&app, &c.handler, "").await;
        assert_eq!(topics(&page), ["dispatched"]);
        assert_eq!(page["unread"], 1);
        let notification = text(&page["items"][0]["id"]);
        let (status, read) = json_of(
            c.handler
                .client
                .post(app.url(&format!("/api/v1/notifications/{notification}/read")))
                .send()
                .await
                .expect("read"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{read}");
        assert!(read["read_at"].is_string(), "{read}");
        assert_eq!(inbox(&app, &c.handler, "").await["unread"], 0);
        assert_eq!(
            topics(&inbox(&app, &c.handler, "unread=true").await),
            Vec::<String>::new()
        );
        // Someone else's notification is not there for them.
        let (status, _) = json_of(
            c.resident
                .client
                .post(app.url(&format!("/api/v1/notifications/{notification}/read")))
                .send()
                .await
                .expect("read"),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The resident (no phone) follows their report in the inbox, newest first.
        assert_eq!(
            topics(&inbox(&app, &c.resident, "").await),
            ["dispatched", "accepted"]
        );
        // The dispatcher is not told of their own steps.
        assert_eq!(
            topics(&inbox(&app, &c.dispatcher, "").await),
            Vec::<String>::new()
        );
        // Only the handler has a phone: one push in all.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(fcm.delivered().len(), 1);
        app.stop().await;
    }

    async fn each_reader_gets_their_own_language(backend: Backend) {
        let Some(WithFcm { app, fcm, _dir }) = spawn_with_fcm(backend).await else {
            return;
        };
        let c = cast(&app).await;
        let (status, created) = app
            .post_json(
                "/api/v1/users",
                &json!({
                    "username": "handler.night", "password": gridops_tests::DEMO_PASSWORD,
                    "role": "handler", "party": "zy-heating", "locale": "en",
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let night = sign_in(&app, "handler.night").await;
        register_device(&app, &c.handler, HANDLER_PHONE, "zh-CN").await;
        // The account's language decides, not the phone's.
        register_device(&app, &night, "fcm-token-night-shift-handler-0002", "zh-CN").await;
        dispatched_heating_case(&app, &c).await;
        eventually("both handlers of the party get it", || async {
            fcm.delivered().len() == 2
        })
        .await;
        let mut titles: Vec<(String, String)> = fcm
            .delivered()
            .iter()
            .map(|m| (text(&m["token"]), text(&m["notification"]["title"])))
            .collect();
        titles.sort();
        assert_eq!(
            titles,
            [
                (
                    "fcm-token-handler-heating-phone-0001".to_owned(),
                    "新派遣案件，请及时签收".to_owned()
                ),
                (
                    "fcm-token-night-shift-handler-0002".to_owned(),
                    "A new case was dispatched to you".to_owned()
                ),
            ]
        );
        let ids: Vec<String> = fcm
            .delivered()
            .iter()
            .map(|m| text(&m["data"]["message_id"]))
            .collect();
        assert_ne!(ids[0], ids[1], "one outbox row per recipient");
        app.stop().await;
    }

    async fn an_administrator_sees_dead_letters_and_puts_them_back_in_line(backend: Backend) {
        let Some(WithFcm { app, fcm, _dir }) = spawn_with_fcm(backend).await else {
            return;
        };
        let c = cast(&app).await;
        fcm.set_token_fate(HANDLER_PHONE, TokenFate::Invalid);
        register_device(&app, &c.handler, HANDLER_PHONE, "zh-CN").await;
        dispatched_heating_case(&app, &c).await;
        let dead = || async {
            let (status, page) = app.get_json("/api/v1/admin/outbox?state=dead").await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page["items"].as_array().cloned().unwrap_or_default()
        };
        eventually("the refused push is dead-lettered", || async {
            !dead().await.is_empty()
        })
        .await;
        let letter = dead().await.remove(0);
        assert_eq!(letter["attempts"], 1, "never retried: {letter}");
        assert_eq!(letter["user_id"], c.handler.id.as_str());
        assert!(letter.get("token").is_none(), "{letter}");
        assert!(
            !text(&letter["last_error"]).contains(HANDLER_PHONE),
            "{letter}"
        );
        // The outbox's depth is read in the background, every two seconds.
        eventually("/metrics counts the dead letter", || async {
            let metrics = app.get("/metrics").await.text().await.expect("metrics");
            metrics.contains("gridops_outbox_dead_letters 1")
        })
        .await;
        let metrics = app.get("/metrics").await.text().await.expect("metrics");
        assert!(
            metrics.contains("gridops_push_sends_total{result=\"dead_lettered\"} 1"),
            "{metrics}"
        );

        // Only administrators look after the outbox.
        let (status, _) = json_of(
            c.dispatcher
                .client
                .get(app.url("/api/v1/admin/outbox"))
                .send()
                .await
                .expect("sent"),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let id = text(&letter["id"]);
        let (status, revived) = app
            .post_json(&format!("/api/v1/admin/outbox/{id}/retry"), &json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{revived}");
        assert_eq!(revived["attempts"], 0);
        // Still refused: dead again after one more attempt, not retried forever.
        eventually("dead again", || async { !dead().await.is_empty() }).await;
        assert_eq!(
            fcm.requests_at().len(),
            2,
            "one attempt before, one after the retry"
        );
        let (status, _) = app
            .post_json("/api/v1/admin/outbox/no-such-letter/retry", &json!({}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        app.stop().await;
    }

    macro_rules! both {
        ($($name:ident),*) => {$(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name(gridops_tests::Backend::Sqlite).await;
                }
                #[tokio::test]
                async fn postgres() {
                    super::$name(gridops_tests::Backend::Postgres).await;
                }
            }
        )*};
    }
    /// The sender of a notice sees who read it and how its pushes went; the
    /// people it reached see only the notice; each sender lists their own.
    async fn a_notice_tells_its_sender_who_read_it_and_how_its_pushes_went(backend: Backend) {
        let Some(WithFcm { app, fcm, _dir }) = spawn_with_fcm(backend).await else {
            return;
        };
        let c = cast(&app).await;
        // Two residents with a phone each; the second phone's app is gone.
        let (status, _) = json_of(
            reqwest::Client::new()
                .post(app.url("/api/v1/auth/register"))
                .json(&json!({"username": "resident.moved", "password": gridops_tests::DEMO_PASSWORD, "community": GUANLAN_COMMUNITY}))
                .send().await.expect("sent"),
        ).await;
        assert_eq!(status, StatusCode::CREATED);
        let moved = sign_in(&app, "resident.moved").await;
        let (good, bad) = (
            "fcm-token-resident-phone-good",
            "fcm-token-resident-phone-gone",
        );
        for (who, token) in [(&c.resident, good), (&moved, bad)] {
            let (status, device) = register_device(&app, who, token, "zh-CN").await;
            assert_eq!(status, StatusCode::CREATED, "{device}");
        }
        fcm.set_token_fate(bad, TokenFate::Invalid);
        let snow = json!({
            "area": GUANLAN_COMMUNITY, "audience": ["residents"],
            "title": "暴雪预警", "body": "今夜有大雪，请清理车棚顶积雪。",
        });
        let (status, notice) = post_notice(&app, &c.dispatcher, "snow-delivery", &snow).await;
        assert_eq!(status, StatusCode::CREATED, "{notice}");
        assert_eq!(notice["recipients"], 2);
        let id = text(&notice["id"]);
        let read_as = |who: &User| {
            let request = who.client.get(app.url(&format!("/api/v1/notices/{id}")));
            async move { json_of(request.send().await.expect("sent")).await.1 }
        };
        eventually("both pushes settle", || async {
            let delivery = read_as(&c.dispatcher).await["delivery"].clone();
            delivery["pushes_pending"] == 0
                && delivery["pushes_sent"] == 1
                && delivery["pushes_failed"] == 1
        })
        .await;
        assert_eq!(read_as(&c.dispatcher).await["delivery"]["read"], 0);
        let page = inbox(&app, &c.resident, "").await;
        let entry = text(&page["items"][0]["id"]);
        let (status, _) = json_of(
            c.resident
                .client
                .post(app.url(&format!("/api/v1/notifications/{entry}/read")))
                .send()
                .await
                .expect("sent"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(read_as(&c.dispatcher).await["delivery"]["read"], 1);
        assert_eq!(read_as(&c.admin).await["delivery"]["read"], 1);
        let as_resident = read_as(&c.resident).await;
        assert_eq!(as_resident["title"], "暴雪预警");
        assert!(as_resident.get("delivery").is_none(), "{as_resident}");

        let listed = |who: &User| {
            let request = who.client.get(app.url("/api/v1/notices?limit=10"));
            async move {
                let (status, page) = json_of(request.send().await.expect("sent")).await;
                assert_eq!(status, StatusCode::OK, "{page}");
                page["items"]
                    .as_array()
                    .expect("items")
                    .iter()
                    .map(|n| text(&n["id"]))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(listed(&c.dispatcher).await, [id.as_str()]);
        assert_eq!(listed(&c.admin).await, [id.as_str()]);
        assert!(listed(&c.gongyi).await.is_empty());
        assert!(
            listed(&c.resident).await.is_empty(),
            "what reached them is in their inbox"
        );
        let (status, problem) = json_of(
            c.dispatcher
                .client
                .get(app.url("/api/v1/notices?cursor=nonsense"))
                .send()
                .await
                .expect("sent"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem_fields(&problem), ["cursor"]);
        app.stop().await;
    }

    both!(
        a_notice_tells_its_sender_who_read_it_and_how_its_pushes_went,
        a_dispatch_reaches_the_handlers_phone_and_inbox,
        each_reader_gets_their_own_language,
        an_administrator_sees_dead_letters_and_puts_them_back_in_line
    );
}

on_both_backends! {
    async fn phones_register_move_between_users_and_are_removed(app) {
        let c = cast(app).await;
        let token = "fcm-token-shared-phone-of-the-grid-office";
        let (status, first) = register_device(app, &c.worker, token, "zh-CN").await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        // The same phone again: known, not a second device.
        let (status, again) = register_device(app, &c.worker, token, "zh-CN").await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["id"], first["id"]);
        // The office phone changes hands: it is the chief's now.
        let (status, moved) = register_device(app, &c.chief, token, "en").await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        assert_eq!(moved["locale"], "en");
        let id = text(&first["id"]);
        let delete = |who: &User| who.client.delete(app.url(&format!("/api/v1/devices/{id}"))).send();
        assert_eq!(delete(&c.worker).await.expect("sent").status(), StatusCode::NOT_FOUND, "no longer the worker's");
        assert_eq!(delete(&c.chief).await.expect("sent").status(), StatusCode::NO_CONTENT);
        assert_eq!(delete(&c.chief).await.expect("sent").status(), StatusCode::NOT_FOUND);

        for (body, field) in [
            (json!({"token": token, "platform": "symbian", "locale": "zh-CN"}), "platform"),
            (json!({"token": token, "platform": "ios", "locale": "fr"}), "locale"),
            (json!({"token": "", "platform": "ios", "locale": "en"}), "token"),
            (json!({"platform": "ios", "locale": "en"}), "token"),
        ] {
            let response = c.worker.client.post(app.url("/api/v1/devices")).json(&body).send().await.expect("sent");
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert!(problem_fields(&problem).contains(&field.to_owned()), "{body} names {field}: {problem}");
        }
        let response = app.anonymous.post(app.url("/api/v1/devices")).json(&json!({"token": token, "platform": "ios", "locale": "en"})).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    async fn notices_reach_the_people_of_an_area_once(app) {
        let c = cast(app).await;
        let snow = json!({
            "area": GUANLAN_COMMUNITY, "audience": ["residents"],
            "title": "暴雪预警", "body": "今夜有大雪，请清理车棚顶积雪，注意出行安全。",
        });
        let (status, notice) = post_notice(app, &c.dispatcher, "snow-2026-11-25", &snow).await;
        assert_eq!(status, StatusCode::CREATED, "{notice}");
        assert_eq!(notice["recipients"], 1, "the one resident of the community: {notice}");
        // Sent again (a flaky connection): the same notice, nobody told twice.
        let (status, again) = post_notice(app, &c.dispatcher, "snow-2026-11-25", &snow).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(again["id"], notice["id"]);
        let page = inbox(app, &c.resident, "").await;
        assert_eq!(topics(&page), ["notice"]);
        assert_eq!(page["items"][0]["title"], "暴雪预警");
        assert_eq!(page["items"][0]["notice_id"], notice["id"]);
        assert_eq!(topics(&inbox(app, &c.worker, "").await), Vec::<String>::new(), "residents only");

        // To the workers of the grid, by its chief.
        let keys = json!({
            "area": GUANLAN_GRID, "audience": ["workers", "residents"],
            "title": "失物招领", "body": "万达广场1号门拾到钥匙一串，请到社区认领。",
        });
        let (status, lost) = post_notice(app, &c.chief, "keys-1", &keys).await;
        assert_eq!(status, StatusCode::CREATED, "{lost}");
        assert_eq!(topics(&inbox(app, &c.worker, "").await), ["notice"]);
        assert_eq!(topics(&inbox(app, &c.resident, "").await), ["notice", "notice"], "the grid's community residents");
        assert_eq!(topics(&inbox(app, &c.chief, "").await), Vec::<String>::new(), "not to its author");

        // To a whole prefecture-level city: its districts' codes extend
        // only its first four digits (410100 holds 410102).
        let city = json!({
            "area": "410100", "audience": ["workers"],
            "title": "寒潮预警", "body": "今晚降温，请巡查流浪人员。",
        });
        let (status, cold) = post_notice(app, &c.admin, "cold-1", &city).await;
        assert_eq!(status, StatusCode::CREATED, "{cold}");
        assert_eq!(topics(&inbox(app, &c.worker, "").await), ["notice", "notice"], "a worker of a grid in the city");

        // Read by those it reached; unknown to others.
        let id = text(&notice["id"]);
        let read = |who: &User| who.client.get(app.url(&format!("/api/v1/notices/{id}"))).send();
        assert_eq!(read(&c.resident).await.expect("sent").status(), StatusCode::OK);
        assert_eq!(read(&c.dispatcher).await.expect("sent").status(), StatusCode::OK);
        assert_eq!(read(&c.gongyi).await.expect("sent").status(), StatusCode::NOT_FOUND);

        // Who may announce where.
        for (who, body, status) in [
            (&c.gongyi, snow.clone(), StatusCode::FORBIDDEN),
            (&c.chief, snow.clone(), StatusCode::FORBIDDEN),
            (&c.worker, keys.clone(), StatusCode::FORBIDDEN),
            (&c.resident, keys.clone(), StatusCode::FORBIDDEN),
        ] {
            let (got, problem) = post_notice(app, who, &format!("k-{}", who.name), &body).await;
            assert_eq!(got, status, "{}: {problem}", who.name);
        }
        let (status, problem) = post_notice(app, &c.dispatcher, "k-unknown", &json!({
            "area": "410102999", "audience": ["residents"], "title": "t", "body": "b",
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem_fields(&problem), ["area"]);
        let (status, problem) = post_notice(app, &c.dispatcher, "k-empty", &json!({
            "area": GUANLAN_COMMUNITY, "audience": [], "title": "", "body": "b",
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut fields = problem_fields(&problem);
        fields.sort();
        assert_eq!(fields, ["audience", "title"]);
        let response = c.dispatcher.client.post(app.url("/api/v1/notices")).json(&snow).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "no Idempotency-Key");
    }

    async fn the_unread_count_is_the_badge(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
        step(app, &c.dispatcher, &id, "accept", None).await;
        step(app, &c.dispatcher, &id, "comment", Some(json!({"text": "已联系热力公司"}))).await;
        let count = || async {
            let (status, body) = json_of(c.resident.client.get(app.url("/api/v1/notifications/unread-count")).send().await.expect("sent")).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["unread"].clone()
        };
        assert_eq!(count().await, 2);
        // A page at a time, newest first.
        let first = inbox(app, &c.resident, "limit=1").await;
        assert_eq!(topics(&first), ["commented"]);
        let cursor = text(&first["next_cursor"]);
        let second = inbox(app, &c.resident, &format!("limit=1&cursor={cursor}")).await;
        assert_eq!(topics(&second), ["accepted"]);
        assert_eq!(second["next_cursor"], Value::Null);
        let (status, _) = json_of(c.resident.client.post(app.url("/api/v1/notifications/read-all")).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(count().await, 0);
        let problem = expect_problem(
            c.resident.client.get(app.url("/api/v1/notifications?cursor=nonsense")).send().await.expect("sent"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(problem_fields(&problem), ["cursor"]);
    }
}
