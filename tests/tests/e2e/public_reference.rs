//! The reference data anyone may read without a token: categories, and the
//! area tree down to communities (grids too when the operator publishes
//! them); cacheable with `ETag` / `If-None-Match`, throttled per address.

use gridops_infra::demo::areas::demo_point_in_grid;
use gridops_tests::{TestApp, expect_problem, json_of, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

/// Guanlan community (观澜社区) and one of its four grids.
const GUANLAN: &str = "410102003001";
const GUANLAN_GRID_2: &str = "410102003001002";

fn locate_path(grid: &str) -> String {
    let (lng, lat) = demo_point_in_grid(grid).expect("a demo grid");
    format!("/api/v1/areas/locate?lat={lat}&lng={lng}")
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn anonymous_get(app: &TestApp, path: &str) -> reqwest::Response {
    app.anonymous
        .get(app.url(path))
        .send()
        .await
        .expect("GET sent")
}

async fn anonymous_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    json_of(anonymous_get(app, path).await).await
}

fn codes(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("a list")
        .iter()
        .filter_map(|a| a["code"].as_str())
        .collect()
}

/// Every area an anonymous caller is shown, page by page.
async fn every_area(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let (status, page) = anonymous_json(app, &format!("/api/v1/areas?limit=100{cursor}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        all.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return all,
        }
    }
}

on_both_backends! {
    async fn anyone_lists_the_categories(app) {
        let response = anonymous_get(app, "/api/v1/categories").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "cache-control"), "public, max-age=300");
        assert!(header(&response, "vary").contains("Authorization"));
        let etag = header(&response, "etag");
        assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong tag: {etag}");
        let anonymous: Value = response.json().await.expect("JSON");
        assert!(!anonymous["items"].as_array().expect("items").is_empty());

        // A signed-in user gets the same list, for their client alone.
        let response = app.get("/api/v1/categories").await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, "cache-control"), "private, max-age=60");
        assert!(header(&response, "vary").contains("Authorization"));
        assert_eq!(header(&response, "etag"), etag, "the same body, the same tag");
        let signed_in: Value = response.json().await.expect("JSON");
        assert_eq!(signed_in, anonymous);
    }

    async fn without_a_token_the_area_tree_ends_at_communities(app) {
        let areas = every_area(app).await;
        assert!(areas.iter().any(|a| a["code"] == GUANLAN), "the community is listed");
        for area in &areas {
            assert!(
                ["city", "district", "subdistrict", "community"].contains(&area["level"].as_str().expect("level")),
                "{area}"
            );
        }
        assert!(!areas.iter().any(|a| a["code"] == GUANLAN_GRID_2));

        // Asking for grids, or a community's children, finds none.
        for path in ["/api/v1/areas?level=grid", "/api/v1/areas?level=micro_grid", &format!("/api/v1/areas?parent={GUANLAN}")] {
            let (status, page) = anonymous_json(app, path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {page}");
            assert_eq!(page["items"], serde_json::json!([]), "{path}");
            assert!(page["next_cursor"].is_null(), "{path}");
        }
        let (status, page) = anonymous_json(app, "/api/v1/areas?level=community&parent=410102003").await;
        assert_eq!(status, StatusCode::OK);
        assert!(codes(&page["items"]).contains(&GUANLAN), "{page}");

        // The community itself, with its ancestors and without its grids.
        let (status, community) = anonymous_json(app, &format!("/api/v1/areas/{GUANLAN}")).await;
        assert_eq!(status, StatusCode::OK, "{community}");
        assert_eq!(community["name"], "观澜社区");
        assert_eq!(codes(&community["ancestors"]), vec!["410100", "410102", "410102003"]);
        assert_eq!(community["children"], serde_json::json!([]));
        let (_, signed_in) = app.get_json(&format!("/api/v1/areas/{GUANLAN}")).await;
        assert_eq!(codes(&signed_in["children"]).len(), 4, "a user still sees the grids");

        // A grid is not there, as far as anyone without a token can tell;
        // its boundary needs sign-in in any case.
        let response = anonymous_get(app, &format!("/api/v1/areas/{GUANLAN_GRID_2}")).await;
        let problem = expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        let (_, unknown) = anonymous_json(app, "/api/v1/areas/410102003001999").await;
        assert_eq!(problem["detail"].as_str().map(|d| d.replace(GUANLAN_GRID_2, "X")),
                   unknown["detail"].as_str().map(|d| d.replace("410102003001999", "X")),
                   "a hidden grid reads like a missing one");
        let response = anonymous_get(app, &format!("/api/v1/areas/{GUANLAN_GRID_2}/geometry")).await;
        expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }

    async fn locate_without_a_token_names_the_community(app) {
        let (status, body) = anonymous_json(app, &locate_path(GUANLAN_GRID_2)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("grid").is_none(), "no grid without a token: {body}");
        assert_eq!(codes(&body["ancestors"]), vec!["410100", "410102", "410102003", GUANLAN]);
        let community = body["ancestors"].as_array().and_then(|a| a.last()).expect("the community");
        assert_eq!(community["level"], "community");
        assert_eq!(community["name"], "观澜社区");
        assert!(body["wgs84"]["lat"].is_number());

        // Signed in: the shape as it always was.
        let (status, body) = app.get_json(&locate_path(GUANLAN_GRID_2)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["grid"]["code"], GUANLAN_GRID_2);
        assert_eq!(codes(&body["ancestors"]), vec!["410100", "410102", "410102003", GUANLAN]);

        let response = anonymous_get(app, "/api/v1/areas/locate?lat=31.2304&lng=121.4737").await;
        expect_problem(response, StatusCode::NOT_FOUND, "outside_all_grids").await;
    }

    async fn an_unchanged_answer_is_304_without_a_body(app) {
        let paths = ["/api/v1/categories".to_owned(), "/api/v1/areas?level=district".to_owned(),
                     format!("/api/v1/areas/{GUANLAN}"), locate_path(GUANLAN_GRID_2)];
        for path in &paths {
            for client in [&app.anonymous, &app.client] {
                let first = client.get(app.url(path)).send().await.expect("sent");
                assert_eq!(first.status(), StatusCode::OK, "{path}");
                let etag = header(&first, "etag");
                let cache_control = header(&first, "cache-control");
                for sent in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}"), "*".to_owned()] {
                    let again = client.get(app.url(path)).header("If-None-Match", &sent).send().await.expect("sent");
                    assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path} with {sent}");
                    assert_eq!(header(&again, "etag"), etag);
                    assert_eq!(header(&again, "cache-control"), cache_control);
                    assert!(header(&again, "vary").contains("Authorization"));
                    assert!(again.bytes().await.expect("a body").is_empty(), "{path}: 304 has no body");
                }
                let stale = client.get(app.url(path)).header("If-None-Match", "\"stale\"").send().await.expect("sent");
                assert_eq!(stale.status(), StatusCode::OK, "{path}");
                assert_eq!(header(&stale, "etag"), etag, "{path}: the tag is stable");
            }
        }
        // Anonymous and signed-in answers differ where grids are left out.
        let anonymous = anonymous_get(app, &format!("/api/v1/areas/{GUANLAN}")).await;
        let signed_in = app.get(&format!("/api/v1/areas/{GUANLAN}")).await;
        assert_ne!(header(&anonymous, "etag"), header(&signed_in, "etag"));
    }

    async fn a_bad_token_is_still_401(app) {
        let paths = ["/api/v1/categories".to_owned(), "/api/v1/areas".to_owned(),
                     format!("/api/v1/areas/{GUANLAN}"), locate_path(GUANLAN_GRID_2)];
        let forged = app.client_for("eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl");
        for path in &paths {
            let response = forged.get(app.url(path)).send().await.expect("sent");
            assert!(header(&response, "www-authenticate").contains("invalid_token"), "{path}");
            expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
            let response = app.anonymous.get(app.url(path)).header("Authorization", "Basic YWRtaW46eA==")
                .send().await.expect("sent");
            expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        }
    }
}

on_both_backends! {
    settings => |s| s.public_grids = true;

    async fn published_grids_are_shown_without_a_token(app) {
        let (status, page) = anonymous_json(app, "/api/v1/areas?level=grid&limit=500").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["items"].as_array().expect("items").len(), 61);
        let (status, community) = anonymous_json(app, &format!("/api/v1/areas/{GUANLAN}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(codes(&community["children"]).len(), 4);
        let (status, grid) = anonymous_json(app, &format!("/api/v1/areas/{GUANLAN_GRID_2}")).await;
        assert_eq!(status, StatusCode::OK, "{grid}");
        assert_eq!(grid["level"], "grid");
        let (status, located) = anonymous_json(app, &locate_path(GUANLAN_GRID_2)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(located["grid"]["code"], GUANLAN_GRID_2);
        // Boundaries are never public.
        let response = anonymous_get(app, &format!("/api/v1/areas/{GUANLAN_GRID_2}/geometry")).await;
        expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
}

on_both_backends! {
    settings => |s| s.public_rate_per_minute = 3;

    async fn anonymous_callers_are_throttled_per_address(app) {
        let paths = ["/api/v1/categories".to_owned(), "/api/v1/areas".to_owned(), format!("/api/v1/areas/{GUANLAN}")];
        for path in &paths {
            let response = anonymous_get(app, path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
        }
        // The fourth within the minute, whatever the route.
        let response = anonymous_get(app, &locate_path(GUANLAN_GRID_2)).await;
        let retry_after: u64 = header(&response, "retry-after").parse().expect("Retry-After in seconds");
        assert!((1..=20).contains(&retry_after), "one request comes back every 20 s: {retry_after}");
        let problem = expect_problem(response, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("sign in")), "{problem}");

        // A signed-in user is not counted, nor held back.
        for _ in 0..10 {
            let (status, body) = app.get_json("/api/v1/categories").await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        // Nor are other routes.
        let response = anonymous_get(app, "/healthz").await;
        assert_eq!(response.status(), StatusCode::OK);
        // A bad token is refused as such, not throttled.
        let response = app.client_for("not-a-token").get(app.url("/api/v1/categories")).send().await.expect("sent");
        expect_problem(response, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    }
}

on_both_backends! {
    settings => |s| s.public_rate_per_minute = 1;

    async fn forwarded_addresses_count_only_when_proxies_are_trusted(app) {
        let from = |address: &'static str| {
            app.anonymous.get(app.url("/api/v1/categories")).header("X-Forwarded-For", address).send()
        };
        assert_eq!(from("203.0.113.7").await.expect("sent").status(), StatusCode::OK);
        // Not trusted: the peer (loopback) is the key, whatever the header says.
        assert_eq!(from("203.0.113.8").await.expect("sent").status(), StatusCode::TOO_MANY_REQUESTS);
    }
}

on_both_backends! {
    settings => |s| { s.public_rate_per_minute = 1; s.trust_proxy = true; };

    async fn behind_a_trusted_proxy_each_client_address_has_its_quota(app) {
        let from = |address: &'static str| {
            app.anonymous.get(app.url("/api/v1/categories")).header("X-Forwarded-For", address).send()
        };
        assert_eq!(from("203.0.113.7").await.expect("sent").status(), StatusCode::OK);
        assert_eq!(from("203.0.113.7").await.expect("sent").status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(from("203.0.113.8, 10.0.0.1").await.expect("sent").status(), StatusCode::OK);
    }
}
