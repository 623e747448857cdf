//! Recurring hotspots (重复上报) over HTTP: the seeds' barking dog of
//! 观澜社区7号院, reported night after night, found as one hotspot, its
//! reports linked to the first as the root-cause case; the rules per
//! category; who sees which hotspots; the refusals.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use gridops_infra::schema::incidents;
use gridops_tests::{TestApp, expect_problem, json, json_of, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incidents::{
    Cast, DOG_NOISE, GONGYI_GRID, GUANLAN_COMMUNITY, GUANLAN_GRID_1, HEATING, User, actions_of,
    cast, centre_of, fetch, header, metres_between, moved, new_user, report, report_of, seen,
    sign_in, text,
};

/// Guanlan's south-east grid, opposite the courtyard's.
const GUANLAN_GRID_4: &str = "410102003001004";
/// dispatcher.hanghaixilu's subdistrict.
const HANGHAIXILU: &str = "410102003";

/// The courtyard of 7号院, in the north-west corner of Guanlan.
fn courtyard() -> [f64; 2] {
    moved(centre_of(GUANLAN_GRID_1), -60.0, 50.0)
}

/// Moves an incident's report time back by `days` (reports do not come in
/// over two weeks in a test).
async fn reported_days_ago(app: &TestApp, id: &str, days: i64) -> NaiveDateTime {
    let at = gridops_infra::repo::now() - Duration::days(days);
    let id = id.to_owned();
    app.open_db()
        .write(move |conn| {
            diesel::update(incidents::table.find(&id))
                .set(incidents::created_at.eq(at))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("report time moved");
    at
}

/// `GET /api/v1/stats/hotspots?{query}`: status and body.
async fn hotspots(app: &TestApp, who: &User, query: &str) -> (StatusCode, Value) {
    json_of(
        who.client
            .get(app.url(&format!("/api/v1/stats/hotspots?{query}")))
            .send()
            .await
            .expect("sent"),
    )
    .await
}

/// The hotspots `who` sees, expecting 200.
async fn items(app: &TestApp, who: &User, query: &str) -> Vec<Value> {
    let (status, body) = hotspots(app, who, query).await;
    assert_eq!(status, StatusCode::OK, "{} ?{query}: {body}", who.name);
    body["items"].as_array().expect("items").clone()
}

fn ids_of(hotspot: &Value) -> Vec<String> {
    hotspot["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|i| text(&i["id"]))
        .collect()
}

async fn put_rule(app: &TestApp, who: &User, category: &str, rule: Value) -> reqwest::Response {
    who.client
        .put(app.url(&format!("/api/v1/hotspot-rules/{category}")))
        .json(&rule)
        .send()
        .await
        .expect("sent")
}

async fn link(app: &TestApp, who: &User, root: &str, body: Value) -> reqwest::Response {
    who.client
        .post(app.url(&format!("/api/v1/incidents/{root}/linked-incidents")))
        .json(&body)
        .send()
        .await
        .expect("sent")
}

/// The barking dog: four residents, four nights over two weeks, within 40 m
/// of the courtyard; a fifth report of it from the far corner of Guanlan; a
/// heating fault at the courtyard. Returns the four nights, oldest first,
/// and the far report.
async fn barking_dog(app: &TestApp, c: &Cast) -> (Vec<Value>, Value) {
    let here = courtyard();
    let spots = [(0.0, 0.0), (20.0, -10.0), (30.0, -25.0), (5.0, -35.0)];
    let days_ago = [14, 10, 5, 1];
    let mut nights = Vec::new();
    for (n, ((east, north), days)) in spots.into_iter().zip(days_ago).enumerate() {
        let at = moved(here, east, north);
        assert!(metres_between(here, at) <= 40.0);
        let neighbour = new_user(
            app,
            &format!("resident.yard7.{n}"),
            "resident",
            Some(GUANLAN_COMMUNITY),
            None,
        )
        .await;
        let night = report(
            app,
            &neighbour,
            &report_of(DOG_NOISE, at, "7号院2号楼楼上的狗在阳台叫了一夜"),
        )
        .await;
        reported_days_ago(app, &text(&night["id"]), days).await;
        nights.push(night);
    }
    let far_spot = moved(centre_of(GUANLAN_GRID_4), 70.0, -60.0);
    assert!(metres_between(here, far_spot) > 400.0);
    let far = report(app, &c.worker, &report_of(DOG_NOISE, far_spot, "狗叫")).await;
    reported_days_ago(app, &text(&far["id"]), 3).await;
    report(app, &c.resident, &report_of(HEATING, here, "暖气不热")).await;
    (nights, far)
}

on_both_backends! {
    async fn the_barking_dog_is_one_hotspot_and_is_solved_once(app) {
        let c = cast(app).await;
        let (nights, far) = barking_dog(app, &c).await;
        let night_ids: Vec<String> = nights.iter().map(|n| text(&n["id"])).collect();

        // One hotspot of four, oldest first, at the server's default rule.
        let found = items(app, &c.dispatcher, "").await;
        assert_eq!(found.len(), 1, "{found:?}");
        let hotspot = &found[0];
        assert_eq!(hotspot["category"], DOG_NOISE);
        assert_eq!(hotspot["count"], 4);
        assert_eq!(hotspot["radius_m"], 100);
        assert_eq!(ids_of(hotspot), night_ids);
        assert_eq!(hotspot["root_id"], Value::Null);
        assert_eq!(hotspot["first_reported_at"], hotspot["incidents"][0]["created_at"]);
        assert_eq!(hotspot["last_reported_at"], hotspot["incidents"][3]["created_at"]);
        for (incident, night) in hotspot["incidents"].as_array().expect("incidents").iter().zip(&nights) {
            assert_eq!(incident["reference"], night["reference"]);
            assert_eq!(incident["status"], "reported");
            assert!(incident["distance_m"].as_f64().is_some_and(|d| d <= 100.0), "{incident}");
        }
        let centre = [hotspot["centre"]["lng"].as_f64().expect("lng"), hotspot["centre"]["lat"].as_f64().expect("lat")];
        assert!(metres_between(courtyard(), centre) <= 40.0, "{centre:?}");
        assert!(!ids_of(hotspot).contains(&text(&far["id"])));
        // The same, asked for the subdistrict and the category.
        let narrowed = items(app, &c.dispatcher, &format!("area={HANGHAIXILU}&category={DOG_NOISE}")).await;
        assert_eq!(narrowed.iter().map(ids_of).collect::<Vec<_>>(), vec![night_ids.clone()]);
        // Reports since five days ago: two nights, not a hotspot.
        let recent = (chrono::Utc::now() - Duration::days(6)).date_naive();
        assert!(items(app, &c.dispatcher, &format!("since={recent}")).await.is_empty());

        // The category needs five reports now: none; four: one again.
        let response = put_rule(app, &c.admin, DOG_NOISE, json!({"radius_m": 100, "min_reports": 5, "within_days": 30})).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(items(app, &c.dispatcher, "").await.is_empty());
        put_rule(app, &c.admin, DOG_NOISE, json!({"radius_m": 100, "min_reports": 4, "within_days": 30})).await;
        assert_eq!(items(app, &c.dispatcher, "").await.len(), 1, "exactly the minimum");
        // Four nights over thirteen days do not fit in a week.
        put_rule(app, &c.admin, DOG_NOISE, json!({"radius_m": 100, "min_reports": 3, "within_days": 7})).await;
        assert!(items(app, &c.dispatcher, "").await.is_empty());
        let removed = c.admin.client
            .delete(app.url(&format!("/api/v1/hotspot-rules/{DOG_NOISE}")))
            .send().await.expect("sent");
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        assert_eq!(items(app, &c.dispatcher, "").await.len(), 1, "the default again");

        // Another district's dispatcher: not that area, nothing in their own.
        let (status, problem) = hotspots(app, &c.gongyi, &format!("area={HANGHAIXILU}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
        assert_eq!(problem["code"], "forbidden");
        assert!(items(app, &c.gongyi, "").await.is_empty());
        // The heating company's handler: none of its cases.
        assert!(items(app, &c.handler, "").await.is_empty());
        for who in [&c.resident, &c.worker, &c.chief] {
            let (status, _) = hotspots(app, who, "").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{}", who.name);
        }

        // The dispatcher links the later nights to the first as the root.
        let root = &night_ids[0];
        let before = seen(app, &c.dispatcher, root).await;
        let response = link(app, &c.dispatcher, root, json!({"incidents": &night_ids[1..]})).await;
        let etag = header(&response, "etag");
        let (status, linked) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "{linked}");
        assert_eq!(linked["root_id"], root.as_str());
        let linked_ids: Vec<String> = linked["linked"].as_array().expect("linked").iter().map(|l| text(&l["id"])).collect();
        assert_eq!(linked_ids, night_ids[1..]);
        assert_eq!(linked["linked"][0]["linked_by"], c.dispatcher.id.as_str());
        assert_eq!(etag, Some(format!("\"{}\"", linked["version"])));
        assert_eq!(linked["version"], before["version"].as_i64().expect("version") + 1);

        for (id, night) in night_ids[1..].iter().zip(&nights[1..]) {
            let view = seen(app, &c.dispatcher, id).await;
            assert_eq!(view["root_id"], root.as_str());
            assert_eq!(view.get("linked_count"), None);
            assert_eq!(view["status"], night["status"], "a link changes no status");
            let last = view["timeline"].as_array().and_then(|t| t.last()).expect("an event");
            assert_eq!(last["action"], "linked");
            assert!(text(&last["note"]).contains(&text(&nights[0]["reference"])), "{last}");
        }
        let root_view = seen(app, &c.dispatcher, root).await;
        assert_eq!(root_view.get("root_id"), None);
        assert_eq!(root_view["linked_count"], 3);
        assert_eq!(actions_of(&root_view).last().map(String::as_str), Some("incidents_linked"));
        let note = text(&root_view["timeline"].as_array().and_then(|t| t.last()).expect("an event")["note"]);
        for night in &nights[1..] {
            assert!(note.contains(&text(&night["reference"])), "{note}");
        }
        // The hotspot is being solved once.
        let hotspot = &items(app, &c.dispatcher, "").await[0];
        assert_eq!(hotspot["root_id"], root.as_str());
        assert_eq!(hotspot["incidents"][0]["root_id"], Value::Null);
        assert_eq!(hotspot["incidents"][1]["root_id"], root.as_str());

        // Linking again changes nothing and writes nothing.
        let again = link(app, &c.dispatcher, root, json!({"incidents": [&night_ids[1]]})).await;
        let (status, again) = json_of(again).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["version"], linked["version"]);

        // Unlinked, the last night is a case of its own again.
        let response = c.dispatcher.client
            .delete(app.url(&format!("/api/v1/incidents/{root}/linked-incidents/{}", night_ids[3])))
            .send().await.expect("sent");
        let (status, left) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "{left}");
        assert_eq!(left["linked"].as_array().map(Vec::len), Some(2));
        let view = seen(app, &c.dispatcher, &night_ids[3]).await;
        assert_eq!(view.get("root_id"), None);
        assert_eq!(actions_of(&view).last().map(String::as_str), Some("unlinked"));
        assert_eq!(seen(app, &c.dispatcher, root).await["linked_count"], 2);
        assert_eq!(items(app, &c.dispatcher, "").await[0]["root_id"], Value::Null);
        let twice = c.dispatcher.client
            .delete(app.url(&format!("/api/v1/incidents/{root}/linked-incidents/{}", night_ids[3])))
            .send().await.expect("sent");
        expect_problem(twice, StatusCode::NOT_FOUND, "not_found").await;
    }

    async fn links_that_would_chain_or_name_nothing_are_refused(app) {
        let c = cast(app).await;
        let (nights, far) = barking_dog(app, &c).await;
        let ids: Vec<String> = nights.iter().map(|n| text(&n["id"])).collect();
        let (root, far) = (ids[0].clone(), text(&far["id"]));
        let refused = |response, field: &'static str| async move {
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "{problem}");
        };
        refused(link(app, &c.dispatcher, &root, json!({"incidents": []})).await, "incidents").await;
        refused(link(app, &c.dispatcher, &root, json!({"incidents": [&root]})).await, "incidents[0]").await;
        refused(link(app, &c.dispatcher, &root, json!({"incidents": [&ids[1], &ids[1]]})).await, "incidents[1]").await;
        let unknown = uuid::Uuid::now_v7().to_string();
        refused(link(app, &c.dispatcher, &root, json!({"incidents": [&ids[1], unknown]})).await, "incidents[1]").await;
        refused(link(app, &c.dispatcher, &root, json!({})).await, "incidents").await;

        // Who may: not its reporter, who sees it; not another grid's staff
        // nor another district's dispatcher, who do not.
        let reporter = sign_in(app, "resident.yard7.0").await;
        let response = link(app, &reporter, &root, json!({"incidents": [&ids[1]]})).await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        for who in [&c.worker, &c.chief, &c.gongyi] {
            let response = link(app, who, &root, json!({"incidents": [&ids[1]]})).await;
            expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        }
        // A dispatcher may link only what they oversee: their area's, not
        // another district's incident they reported themselves.
        let elsewhere = report(app, &c.dispatcher, &report_of(DOG_NOISE, centre_of(GONGYI_GRID), "狗叫")).await;
        let response = link(app, &c.dispatcher, &root, json!({"incidents": [text(&elsewhere["id"])]})).await;
        expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;

        // A stale If-Match of the root.
        let (_, _, etag) = fetch(app, &c.dispatcher, &root).await;
        let etag = etag.expect("an ETag");
        let stale = c.dispatcher.client
            .post(app.url(&format!("/api/v1/incidents/{root}/linked-incidents")))
            .header("If-Match", "\"99\"")
            .json(&json!({"incidents": [&ids[1]]}))
            .send().await.expect("sent");
        expect_problem(stale, StatusCode::PRECONDITION_FAILED, "stale_version").await;
        let fresh = c.dispatcher.client
            .post(app.url(&format!("/api/v1/incidents/{root}/linked-incidents")))
            .header("If-Match", etag)
            .json(&json!({"incidents": [&ids[1], &ids[2]]}))
            .send().await.expect("sent");
        assert_eq!(fresh.status(), StatusCode::OK);

        // One level deep: a linked incident to another root, a root to
        // another, anything to a linked incident.
        let conflict = |response| async move {
            expect_problem(response, StatusCode::CONFLICT, "link_conflict").await;
        };
        conflict(link(app, &c.dispatcher, &far, json!({"incidents": [&ids[1]]})).await).await;
        conflict(link(app, &c.dispatcher, &far, json!({"incidents": [&root]})).await).await;
        conflict(link(app, &c.dispatcher, &ids[1], json!({"incidents": [&far]})).await).await;
        // Nothing of a refused request was kept.
        assert_eq!(seen(app, &c.dispatcher, &far).await.get("root_id"), None);
        assert_eq!(seen(app, &c.dispatcher, &root).await["linked_count"], 2);

        // Two dispatchers at once, one linking the last night to the far
        // report, the other the far report to the first night: one wins,
        // the other would make a chain and is refused.
        let (one, other) = tokio::join!(
            link(app, &c.dispatcher, &far, json!({"incidents": [&ids[3]]})),
            link(app, &c.dispatcher, &ids[3], json!({"incidents": [&far]})),
        );
        let mut statuses = [one.status().as_u16(), other.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409]);
        let undo = if one.status() == StatusCode::OK { (&far, &ids[3]) } else { (&ids[3], &far) };
        let response = c.dispatcher.client
            .delete(app.url(&format!("/api/v1/incidents/{}/linked-incidents/{}", undo.0, undo.1)))
            .send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::OK);

        // An administrator links anywhere.
        let response = link(app, &c.admin, &root, json!({"incidents": [&ids[3], &far]})).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(seen(app, &c.dispatcher, &far).await["root_id"], root.as_str());
    }

    async fn hotspot_rules_are_for_administrators_and_checked(app) {
        let c = cast(app).await;
        let (status, rules) = json_of(c.worker.client.get(app.url("/api/v1/hotspot-rules")).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK, "{rules}");
        assert_eq!(rules, json!({"default": {"radius_m": 100, "min_reports": 3, "within_days": 30}, "items": []}));
        let resident = c.resident.client.get(app.url("/api/v1/hotspot-rules")).send().await.expect("sent");
        expect_problem(resident, StatusCode::FORBIDDEN, "forbidden").await;

        for (body, fields) in [
            (json!({"radius_m": 9, "min_reports": 3, "within_days": 30}), vec!["radius_m"]),
            (json!({"radius_m": 5001, "min_reports": 3, "within_days": 30}), vec!["radius_m"]),
            (json!({"radius_m": 100, "min_reports": 1, "within_days": 30}), vec!["min_reports"]),
            (json!({"radius_m": 100, "min_reports": 101, "within_days": 30}), vec!["min_reports"]),
            (json!({"radius_m": 100, "min_reports": 3, "within_days": 0}), vec!["within_days"]),
            (json!({"radius_m": 100, "min_reports": 3, "within_days": 366}), vec!["within_days"]),
            (json!({"radius_m": -1, "min_reports": 0, "within_days": 400}), vec!["min_reports", "radius_m", "within_days"]),
            (json!({"radius_m": 100, "min_reports": 3}), vec!["within_days"]),
        ] {
            let response = put_rule(app, &c.admin, DOG_NOISE, body.clone()).await;
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            let mut named = problem_fields(&problem);
            named.sort();
            assert_eq!(named, fields, "{body}: {problem}");
        }
        let good = json!({"radius_m": 400, "min_reports": 5, "within_days": 14});
        let unknown = put_rule(app, &c.admin, "no.such.category", good.clone()).await;
        expect_problem(unknown, StatusCode::NOT_FOUND, "not_found").await;
        let dispatcher = put_rule(app, &c.dispatcher, DOG_NOISE, good.clone()).await;
        expect_problem(dispatcher, StatusCode::FORBIDDEN, "forbidden").await;

        let (status, stored) = json_of(put_rule(app, &c.admin, DOG_NOISE, good).await).await;
        assert_eq!(status, StatusCode::OK, "{stored}");
        assert_eq!(stored["category"], DOG_NOISE);
        assert_eq!(stored["radius_m"], 400);
        assert_eq!(stored["updated_by"], c.admin.id.as_str());
        let (_, rules) = app.get_json("/api/v1/hotspot-rules").await;
        assert_eq!(rules["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(rules["items"][0]["within_days"], 14);

        // A search reaches back as far as the longest window, in city days.
        let (_, report) = hotspots(app, &c.dispatcher, "").await;
        let since = chrono::NaiveDate::parse_from_str(&text(&report["since"]), "%Y-%m-%d").expect("a date");
        let today = (chrono::Utc::now() + Duration::hours(8)).date_naive();
        assert_eq!(today - since, Duration::days(30));
        for bad in ["area=somewhere", "category=no.such.category", "since=2026-13-01"] {
            let (status, problem) = hotspots(app, &c.dispatcher, bad).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {problem}");
            assert_eq!(problem_fields(&problem), [bad.split('=').next().expect("a name")]);
        }
    }
}
