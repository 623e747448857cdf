//! Signing in, token rotation, signing out, throttling, registration and
//! what the account pages show of personal data.

use gridops_infra::repo::audit;
use gridops_tests::{DEMO_PASSWORD, TestApp, expect_problem, json, json_of, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

async fn sign_in(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.anonymous
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("sent")
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.anonymous
        .post(app.url("/api/v1/auth/refresh"))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .expect("sent")
}

async fn me(app: &TestApp, access_token: &str) -> (StatusCode, Value) {
    json_of(
        app.client_for(access_token)
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .expect("sent"),
    )
    .await
}

async fn user_id(app: &TestApp, username: &str) -> String {
    let (_, page) = app.get_json("/api/v1/users?limit=500").await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["username"] == username)
        .and_then(|u| u["id"].as_str())
        .unwrap_or_else(|| panic!("{username} listed"))
        .to_owned()
}

/// Audit actions recorded about a user, oldest first.
async fn audit_actions(app: &TestApp, subject: &str) -> Vec<String> {
    let (db, subject) = (app.open_db(), subject.to_owned());
    tokio::task::spawn_blocking(move || db.read_blocking(|conn| audit::about(conn, &subject)))
        .await
        .expect("joined")
        .expect("read")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

on_both_backends! {
    async fn a_user_signs_in_and_sees_themselves(app) {
        let response = sign_in(app, "worker.guanlan", DEMO_PASSWORD).await;
        let (status, tokens) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert_eq!(tokens["token_type"], "Bearer");
        assert_eq!(tokens["expires_in"], 900);
        let access = tokens["access_token"].as_str().expect("access");
        assert_eq!(access.split('.').count(), 3, "a JWT");
        let (status, user) = me(app, access).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(user["username"], "worker.guanlan");
        assert_eq!(user["phone"], "13900000004", "own number unmasked");
        assert_eq!(user["phone_masked"], false);
        assert_eq!(user["roles"][0]["role"], "grid_worker");
        assert_eq!(user["roles"][0]["area"], "410102003001002");
        // The phone number works as a login too.
        let by_phone = sign_in(app, "13900000004", DEMO_PASSWORD).await;
        assert_eq!(by_phone.status(), StatusCode::OK);
        let id = user["id"].as_str().expect("id");
        assert!(audit_actions(app, id).await.contains(&"login_succeeded".to_owned()));
    }

    async fn a_wrong_password_and_an_unknown_user_get_the_same_answer(app) {
        let wrong = expect_problem(sign_in(app, "worker.guanlan", "not the password").await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
        let unknown = expect_problem(sign_in(app, "nobody.here", "not the password").await, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
        assert_eq!(wrong["detail"], unknown["detail"]);
        let worker = user_id(app, "worker.guanlan").await;
        assert!(audit_actions(app, &worker).await.contains(&"login_failed".to_owned()));
    }

    async fn refresh_rotates_and_a_reused_token_ends_the_session(app) {
        let first = app.login("chief.guanlan").await;
        let (status, second) = json_of(refresh(app, &first.refresh_token).await).await;
        assert_eq!(status, StatusCode::OK, "{second}");
        let second_refresh = second["refresh_token"].as_str().expect("refresh").to_owned();
        assert_ne!(second_refresh, first.refresh_token, "rotated");
        let (status, _) = me(app, second["access_token"].as_str().expect("access")).await;
        assert_eq!(status, StatusCode::OK);

        // The first token again: someone kept a copy. Both copies die.
        expect_problem(refresh(app, &first.refresh_token).await, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
        expect_problem(refresh(app, &second_refresh).await, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
        let chief = user_id(app, "chief.guanlan").await;
        assert!(audit_actions(app, &chief).await.contains(&"token_reuse".to_owned()));

        // Other sessions of the same user are not affected.
        let other = app.login("chief.guanlan").await;
        assert_eq!(refresh(app, &other.refresh_token).await.status(), StatusCode::OK);
    }

    async fn sign_out_revokes_the_session(app) {
        let tokens = app.login("resident.guanlan").await;
        let response = app.anonymous.post(app.url("/api/v1/auth/logout"))
            .json(&json!({"refresh_token": tokens.refresh_token})).send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        expect_problem(refresh(app, &tokens.refresh_token).await, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
        // Twice is fine.
        let again = app.anonymous.post(app.url("/api/v1/auth/logout"))
            .json(&json!({"refresh_token": tokens.refresh_token})).send().await.expect("sent");
        assert_eq!(again.status(), StatusCode::NO_CONTENT);
        expect_problem(refresh(app, "never-issued").await, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    }

    async fn repeated_failures_lock_the_account_without_revealing_it_exists(app) {
        for _ in 0..5 {
            assert_eq!(sign_in(app, "handler.heating", "guess").await.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(sign_in(app, "no.such.user", "guess").await.status(), StatusCode::UNAUTHORIZED);
        }
        // Locked now, even with the right password.
        let locked = sign_in(app, "handler.heating", DEMO_PASSWORD).await;
        let retry: i64 = locked.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
        assert!(retry > 0 && retry <= 15 * 60, "{retry}");
        let existing = expect_problem(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
        let unknown = sign_in(app, "no.such.user", "guess").await;
        assert!(unknown.headers().contains_key("retry-after"));
        let unknown = expect_problem(unknown, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
        assert_eq!(existing["title"], unknown["title"]);
        // Another account from the same address still signs in.
        assert_eq!(sign_in(app, "admin", DEMO_PASSWORD).await.status(), StatusCode::OK);
        let handler = user_id(app, "handler.heating").await;
        assert!(audit_actions(app, &handler).await.contains(&"login_throttled".to_owned()));
    }

    async fn a_resident_registers_in_their_community_and_signs_in(app) {
        let register = |body: Value| async move {
            app.anonymous.post(app.url("/api/v1/auth/register")).json(&body).send().await.expect("sent")
        };
        let response = register(json!({"username": "Li.Na", "password": "snow on the shed", "phone": "138 1234 5678",
                                        "community": "410102003001", "display_name": "李娜"})).await;
        let (status, user) = json_of(response).await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        assert_eq!(user["username"], "li.na");
        assert_eq!(user["phone"], "13812345678");
        assert_eq!(user["roles"][0]["role"], "resident");
        assert_eq!(user["roles"][0]["area"], "410102003001");
        assert_eq!(sign_in(app, "li.na", "snow on the shed").await.status(), StatusCode::OK);

        let taken = register(json!({"username": "li.na", "password": "snow on the shed", "community": "410102003001"})).await;
        expect_problem(taken, StatusCode::CONFLICT, "taken").await;
        let grid = register(json!({"username": "wang.wu", "password": "snow on the shed", "community": "410102003001002"})).await;
        let problem = expect_problem(grid, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(gridops_tests::problem_fields(&problem), vec!["community"]);
        let weak = register(json!({"username": "wang.wu", "password": "short", "phone": "12345", "community": "410102003001"})).await;
        let problem = expect_problem(weak, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(gridops_tests::problem_fields(&problem), vec!["password", "phone"]);
    }

    async fn phones_are_masked_unless_needed_and_every_unmasked_read_is_logged(app) {
        let worker = user_id(app, "worker.guanlan").await;
        // A dispatcher of the worker's subdistrict calls them: unmasked, logged.
        let dispatcher = app.login("dispatcher.hanghaixilu").await;
        let (status, seen) = json_of(app.client_for(&dispatcher.access_token)
            .get(app.url(&format!("/api/v1/users/{worker}"))).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::OK, "{seen}");
        assert_eq!(seen["phone"], "13900000004");
        // Lists mask every number.
        let (_, list) = app.get_json("/api/v1/users?limit=500").await;
        let listed = list["items"].as_array().expect("items").iter().find(|u| u["id"] == worker.as_str()).expect("listed");
        assert_eq!(listed["phone"], "139****0004");
        assert_eq!(listed["phone_masked"], true);

        let (db, subject) = (app.open_db(), worker.clone());
        let reads = tokio::task::spawn_blocking(move || db.read_blocking(|conn| audit::personal_data_reads(conn, &subject)))
            .await.expect("joined").expect("read");
        assert_eq!(reads.len(), 1, "{reads:?}");
        let dispatcher_id = user_id(app, "dispatcher.hanghaixilu").await;
        assert_eq!(reads[0].0, dispatcher_id);
        assert_eq!(reads[0].1, "phone");
    }

    async fn a_disabled_account_cannot_sign_in_or_refresh(app) {
        let session = app.login("worker.guanlan").await;
        let worker = user_id(app, "worker.guanlan").await;
        let response = app.client.post(app.url(&format!("/api/v1/users/{worker}/disable"))).send().await.expect("sent");
        let (status, user) = json_of(response).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(user["disabled"], true);
        expect_problem(sign_in(app, "worker.guanlan", DEMO_PASSWORD).await, StatusCode::FORBIDDEN, "account_disabled").await;
        expect_problem(refresh(app, &session.refresh_token).await, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
        assert!(audit_actions(app, &worker).await.contains(&"user_disabled".to_owned()));
    }

    async fn an_admin_grants_and_revokes_roles_with_their_scope_checked(app) {
        let worker = user_id(app, "worker.guanlan").await;
        let grant = |body: Value| {
            let url = app.url(&format!("/api/v1/users/{worker}/roles"));
            async move { app.client.post(url).json(&body).send().await.expect("sent") }
        };
        let (status, granted) = json_of(grant(json!({"role": "grid_worker", "area": "410102003001001"})).await).await;
        assert_eq!(status, StatusCode::CREATED, "{granted}");
        let wrong = grant(json!({"role": "dispatcher", "area": "410102003001001"})).await;
        let problem = expect_problem(wrong, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(gridops_tests::problem_fields(&problem), vec!["area"]);
        let missing = grant(json!({"role": "handler", "party": "no-such-party"})).await;
        expect_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

        // A fresh token carries the new role.
        let tokens = app.login("worker.guanlan").await;
        let (_, user) = me(app, &tokens.access_token).await;
        assert_eq!(user["roles"].as_array().expect("roles").len(), 2);

        let grant_id = granted["id"].as_str().expect("id");
        let revoke = app.client.delete(app.url(&format!("/api/v1/users/{worker}/roles/{grant_id}"))).send().await.expect("sent");
        assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
        let again = app.client.delete(app.url(&format!("/api/v1/users/{worker}/roles/{grant_id}"))).send().await.expect("sent");
        expect_problem(again, StatusCode::NOT_FOUND, "not_found").await;
        let actions = audit_actions(app, &worker).await;
        assert!(actions.contains(&"role_granted".to_owned()) && actions.contains(&"role_revoked".to_owned()), "{actions:?}");
    }

    async fn an_account_made_on_the_command_line_signs_in(app) {
        use gridops_api::cli::{RoleArg, UserCreateArgs, create_user};
        let args = UserCreateArgs {
            username: "zhao.chief".into(),
            role: RoleArg::GridChief,
            area: Some("410181001001001".into()),
            party: None,
            display_name: None,
            phone: None,
            locale: "zh-CN".into(),
        };
        let db = app.open_db();
        tokio::task::spawn_blocking(move || create_user(&db, &Default::default(), &args, "a long password"))
            .await.expect("joined").expect("created");
        let (status, tokens) = json_of(sign_in(app, "zhao.chief", "a long password").await).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        let (_, user) = me(app, tokens["access_token"].as_str().expect("access")).await;
        assert_eq!(user["roles"][0]["role"], "grid_chief");
    }
}
