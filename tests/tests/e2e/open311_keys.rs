//! Open311 client keys (`/api/v1/open311/keys`, `gridops open311 key …`)
//! and whether the public reads a category's reports
//! (`/api/v1/categories/{code}/public-reports`).

use diesel::prelude::*;
use gridops_api::cli::open311::{KeyCreateArgs, create_key, list_keys, revoke_key};
use gridops_infra::repo::{audit, open311};
use gridops_infra::schema::open311_keys;
use gridops_tests::{TestApp, expect_problem, json_of, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEYS: &str = "/api/v1/open311/keys";

async fn issue(app: &TestApp, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(KEYS))
        .json(body)
        .send()
        .await
        .expect("sent")
}

async fn revoke(client: &reqwest::Client, app: &TestApp, id: &str) -> reqwest::Response {
    client
        .post(app.url(&format!("{KEYS}/{id}/revoke")))
        .send()
        .await
        .expect("sent")
}

/// The actions audited about `subject`, oldest first.
async fn audited(app: &TestApp, subject: &str) -> Vec<String> {
    let (db, subject) = (app.open_db(), subject.to_owned());
    tokio::task::spawn_blocking(move || db.read_blocking(|conn| audit::about(conn, &subject)))
        .await
        .expect("joined")
        .expect("read")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// (id of the key whose plain text is `key`, the hash stored for it).
async fn stored(app: &TestApp, key: &str) -> Option<(String, String)> {
    let (db, key) = (app.open_db(), key.to_owned());
    tokio::task::spawn_blocking(move || {
        db.read_blocking(|conn| {
            let Some(row) = open311::find_key(conn, &key)? else {
                return Ok(None);
            };
            let hash: String = open311_keys::table
                .find(&row.id)
                .select(open311_keys::key_hash)
                .first(conn)?;
            Ok(Some((row.id, hash)))
        })
    })
    .await
    .expect("joined")
    .expect("read")
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

async fn categories(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get_json("/api/v1/categories").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().expect("items").clone()
}

async fn set_public(
    client: &reqwest::Client,
    app: &TestApp,
    code: &str,
    body: &Value,
) -> reqwest::Response {
    client
        .put(app.url(&format!("/api/v1/categories/{code}/public-reports")))
        .json(body)
        .send()
        .await
        .expect("sent")
}

on_both_backends! {
    async fn an_administrator_issues_lists_and_revokes_a_key(app) {
        let response = issue(app, &json!({"name": "  郑州12345市民热线App ", "per_minute": 120})).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(
            response.headers().get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "the only answer with the key is not kept by caches"
        );
        let (_, issued) = json_of(response).await;
        let (id, key) = (text(&issued["id"]), text(&issued["key"]));
        assert_eq!(issued["name"], "郑州12345市民热线App", "trimmed: {issued}");
        assert_eq!(issued["per_minute"], 120);
        assert!(issued["revoked_at"].is_null(), "{issued}");
        assert!(issued["created_at"].is_string(), "{issued}");
        assert!(key.starts_with("o311_") && key.len() > 30, "{key}");
        let prefix = text(&issued["key_prefix"]);
        assert!(key.starts_with(&prefix) && prefix.len() < key.len(), "{prefix} of {key}");

        // Only the hash is stored.
        let (found, hash) = stored(app, &key).await.expect("the key is found by its hash");
        assert_eq!(found, id);
        assert!(!hash.contains(&key[5..]), "the plain key is not stored");

        let (status, other) = json_of(issue(app, &json!({"name": "街道随手拍"})).await).await;
        assert_eq!(status, StatusCode::CREATED, "{other}");
        assert_eq!(other["per_minute"], 60, "the default quota");
        assert_ne!(other["key"], issued["key"]);

        // The list shows both, newest first, never a key.
        let response = app.get(KEYS).await;
        assert_eq!(response.status(), StatusCode::OK);
        let listed = response.text().await.expect("a body");
        assert!(!listed.contains(&key), "the list holds no key: {listed}");
        let listed: Value = serde_json::from_str(&listed).expect("JSON");
        let items = listed["items"].as_array().expect("items");
        let ids: Vec<String> = items.iter().map(|k| text(&k["id"])).collect();
        assert_eq!(ids, vec![text(&other["id"]), id.clone()], "newest first");
        for item in items {
            assert!(item.get("key").is_none(), "{item}");
            assert!(item["revoked_at"].is_null(), "{item}");
        }
        assert_eq!(items[1]["key_prefix"], issued["key_prefix"]);
        assert_eq!(items[1]["name"], issued["name"]);

        // Revoked once; a second revoke keeps the first time.
        let (status, revoked) = json_of(revoke(&app.client, app, &id).await).await;
        assert_eq!(status, StatusCode::OK, "{revoked}");
        assert_eq!(revoked["id"], id.as_str());
        assert!(revoked["revoked_at"].is_string(), "{revoked}");
        assert!(revoked.get("key").is_none(), "{revoked}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let (status, again) = json_of(revoke(&app.client, app, &id).await).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        assert_eq!(again["revoked_at"], revoked["revoked_at"], "the first time stays");
        let (_, listed) = app.get_json(KEYS).await;
        assert_eq!(listed["items"][1]["revoked_at"], revoked["revoked_at"]);
        assert!(listed["items"][0]["revoked_at"].is_null(), "the other key is untouched");

        let missing = revoke(&app.client, app, &uuid::Uuid::now_v7().to_string()).await;
        expect_problem(missing, StatusCode::NOT_FOUND, "not_found").await;

        assert_eq!(audited(app, &id).await, ["open311_key_created", "open311_key_revoked"]);
    }

    async fn only_administrators_manage_keys(app) {
        let (_, issued) = json_of(issue(app, &json!({"name": "matrix"})).await).await;
        let id = text(&issued["id"]);
        let dispatcher = app.client_for(&app.login("dispatcher.hanghaixilu").await.access_token);
        let refused = [
            dispatcher.get(app.url(KEYS)).send().await.expect("sent"),
            dispatcher.post(app.url(KEYS)).json(&json!({"name": "mine"})).send().await.expect("sent"),
            revoke(&dispatcher, app, &id).await,
            set_public(&dispatcher, app, "neighbourhood.dog_noise", &json!({"public": true})).await,
        ];
        for response in refused {
            expect_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        }
        let anonymous = app.anonymous.get(app.url(KEYS)).send().await.expect("sent");
        expect_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        let (_, listed) = app.get_json(KEYS).await;
        assert_eq!(listed["items"].as_array().expect("items").len(), 1, "{listed}");
        assert!(listed["items"][0]["revoked_at"].is_null(), "{listed}");
    }

    async fn a_bad_name_or_quota_is_named(app) {
        let long = "键".repeat(101);
        let cases = [
            (json!({"name": ""}), "name"),
            (json!({"name": "   "}), "name"),
            (json!({"name": long}), "name"),
            (json!({}), "name"),
            (json!({"name": 12}), "name"),
            (json!({"name": "ok", "per_minute": 0}), "per_minute"),
            (json!({"name": "ok", "per_minute": 6001}), "per_minute"),
            (json!({"name": "ok", "per_minute": -1}), "per_minute"),
            (json!({"name": "ok", "per_minute": "60"}), "per_minute"),
        ];
        for (body, field) in cases {
            let problem = expect_problem(issue(app, &body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), [field], "{body}: {problem}");
        }
        // The bounds themselves are fine.
        for (name, per_minute) in [("键".repeat(100), 1), ("x".to_owned(), 6000)] {
            let (status, body) = json_of(issue(app, &json!({"name": name, "per_minute": per_minute})).await).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let (_, listed) = app.get_json(KEYS).await;
        assert_eq!(listed["items"].as_array().expect("items").len(), 2, "nothing else was stored");
    }

    async fn an_administrator_decides_which_categories_the_public_reads(app) {
        let items = categories(app).await;
        assert!(items.len() > 10);
        for item in &items {
            let code = text(&item["code"]);
            let private = ["social_aid", "neighbourhood"]
                .iter()
                .any(|p| code == *p || code.starts_with(&format!("{p}.")));
            assert_eq!(item["public_reports"], !private, "{code}");
        }
        let public_of = |items: &[Value], code: &str| {
            items.iter().find(|i| i["code"] == code).map(|i| i["public_reports"].clone())
        };

        let code = "neighbourhood.dog_noise";
        let (status, body) = json_of(set_public(&app.client, app, code, &json!({"public": true})).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"code": code, "public_reports": true}));
        let items = categories(app).await;
        assert_eq!(public_of(&items, code), Some(json!(true)));
        assert_eq!(public_of(&items, "neighbourhood"), Some(json!(false)), "only the category itself");

        let (status, body) = json_of(set_public(&app.client, app, "utilities.heating", &json!({"public": false})).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = json_of(set_public(&app.client, app, code, &json!({"public": false})).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let items = categories(app).await;
        assert_eq!(public_of(&items, code), Some(json!(false)));
        assert_eq!(public_of(&items, "utilities.heating"), Some(json!(false)));
        assert_eq!(audited(app, code).await, ["category_publicity_set", "category_publicity_set"]);

        let missing = set_public(&app.client, app, "no_such.category", &json!({"public": true})).await;
        expect_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
        for body in [json!({}), json!({"public": "yes"})] {
            let problem = expect_problem(set_public(&app.client, app, code, &body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), ["public"], "{body}: {problem}");
        }
    }

    async fn the_command_line_issues_lists_and_revokes_keys(app) {
        let db = app.open_db();
        let args = KeyCreateArgs { name: " 区政务App ".to_owned(), per_minute: 30 };
        let printed = {
            let db = db.clone();
            tokio::task::spawn_blocking(move || create_key(&db, &args)).await.expect("joined").expect("created")
        };
        let key = printed
            .lines()
            .find_map(|l| l.strip_prefix("key: "))
            .unwrap_or_else(|| panic!("no key line in {printed}"))
            .to_owned();
        assert!(key.starts_with("o311_"), "{printed}");
        assert!(printed.contains("shown only this once"), "{printed}");
        let (id, _) = stored(app, &key).await.expect("the key is stored");
        assert!(printed.contains(&id), "the id is printed: {printed}");

        // The API lists what the command line issued.
        let (_, listed) = app.get_json(KEYS).await;
        assert_eq!(listed["items"][0]["id"], id.as_str());
        assert_eq!(listed["items"][0]["name"], "区政务App");
        assert_eq!(listed["items"][0]["per_minute"], 30);

        let listing = {
            let db = db.clone();
            tokio::task::spawn_blocking(move || list_keys(&db)).await.expect("joined").expect("listed")
        };
        assert!(listing.contains(&id) && listing.contains("active") && !listing.contains(&key), "{listing}");

        let done = {
            let (db, id) = (db.clone(), id.clone());
            tokio::task::spawn_blocking(move || revoke_key(&db, &id)).await.expect("joined").expect("revoked")
        };
        assert!(done.contains("revoked") && done.contains(&id), "{done}");
        let (_, listed) = app.get_json(KEYS).await;
        assert!(listed["items"][0]["revoked_at"].is_string(), "{listed}");

        let unknown = {
            let db = db.clone();
            tokio::task::spawn_blocking(move || revoke_key(&db, "no-such-key")).await.expect("joined")
        };
        let err = unknown.expect_err("an unknown id is refused").to_string();
        assert!(err.contains("no Open311 key"), "{err}");
        let blank = KeyCreateArgs { name: "  ".to_owned(), per_minute: 60 };
        let refused = tokio::task::spawn_blocking(move || create_key(&db, &blank)).await.expect("joined");
        assert!(refused.expect_err("a blank name").to_string().contains("--name"));
        assert_eq!(audited(app, &id).await, ["open311_key_created", "open311_key_revoked"]);
    }

    async fn the_gridops_binary_prints_a_new_key_once(app) {
        let url = app.database_url.clone();
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_gridops-node"))
                .args(["--database-url", &url, "--log-format", "json"])
                .args(["open311", "key", "create", "--name", "Gongyi app", "--per-minute", "90"])
                .env("RUST_LOG", "warn")
                .output()
                .expect("the gridops binary runs")
        })
        .await
        .expect("joined");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
        let key = stdout
            .lines()
            .find_map(|l| l.strip_prefix("key: "))
            .unwrap_or_else(|| panic!("no key line in {stdout}"));
        let (id, _) = stored(app, key).await.expect("the printed key is the stored one");
        assert!(stdout.contains(&id), "{stdout}");
        let (_, listed) = app.get_json(KEYS).await;
        assert_eq!(listed["items"][0]["per_minute"], 90, "{listed}");
    }
}
