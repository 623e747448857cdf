//! The timeline as a hash chain: every event is sealed as it is written,
//! and `GET /incidents/{id}/verify-chain` (auditors, administrators) says
//! which event an edit by SQL, a removal or a changed photo record touched.
//!
//! The tampering here goes straight to the database, as an insider would.

use diesel::RunQueryDsl;
use gridops_infra::repo::audit;
use gridops_tests::{TestApp, expect_problem, json, json_of, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

use crate::incident_photos::{jpeg, phone_jpeg, uploaded};
use crate::incidents::{
    GUANLAN_GRID, HEATING, User, cast, centre_of, new_user, report_in, send_step, sign_in, step,
    text,
};

/// `GET /api/v1/incidents/{id}/verify-chain` as `who`.
async fn verify_chain(app: &TestApp, who: &User, id: &str) -> reqwest::Response {
    who.client
        .get(app.url(&format!("/api/v1/incidents/{id}/verify-chain")))
        .send()
        .await
        .expect("sent")
}

/// The chain as `who` (an auditor) reads it, expecting 200.
async fn chain_of(app: &TestApp, who: &User, id: &str) -> Value {
    let (status, chain) = json_of(verify_chain(app, who, id).await).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{} verifies {id}: {chain}",
        who.name
    );
    chain
}

/// (seq, problem) of each problem found.
fn problems(chain: &Value) -> Vec<(i64, String)> {
    chain["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("problems: {chain}"))
        .iter()
        .map(|p| (p["seq"].as_i64().expect("a seq"), text(&p["problem"])))
        .collect()
}

/// Runs `sql` on the test database, as someone with its password would.
async fn tamper(app: &TestApp, sql: String) {
    let db = app.open_db();
    let changed = db
        .write(move |conn| Ok(diesel::sql_query(sql).execute(conn)?))
        .await
        .expect("the statement runs");
    assert_eq!(changed, 1, "one row changed");
}

/// A heating fault taken through report, accept, dispatch, acknowledge, a
/// comment, a resolve with two after-photos and a verify: 7 events, the
/// resolve at seq 6. (id, the first photo's key.)
async fn closed_case(app: &TestApp) -> (String, String) {
    let c = cast(app).await;
    let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
    step(app, &c.dispatcher, &id, "accept", None).await;
    step(
        app,
        &c.dispatcher,
        &id,
        "dispatch",
        Some(json!({"party": "zy-heating"})),
    )
    .await;
    step(app, &c.handler, &id, "acknowledge", None).await;
    step(
        app,
        &c.handler,
        &id,
        "comment",
        Some(json!({"text": "明早上门"})),
    )
    .await;
    let first = uploaded(
        app,
        &c.handler,
        &id,
        "after",
        &phone_jpeg(1, centre_of(GUANLAN_GRID)),
    )
    .await;
    let second = uploaded(app, &c.handler, &id, "after", &jpeg(2, &[])).await;
    let keys = [text(&first["key"]), text(&second["key"])];
    step(
        app,
        &c.handler,
        &id,
        "resolve",
        Some(json!({"result": "阀门已换", "photos": keys})),
    )
    .await;
    step(app, &c.dispatcher, &id, "verify", None).await;
    (id, keys[0].clone())
}

on_both_backends! {
    async fn a_case_through_its_steps_verifies_intact(app) {
        let auditor = sign_in(app, "auditor").await;
        let (id, _) = closed_case(app).await;
        let chain = chain_of(app, &auditor, &id).await;
        assert_eq!(
            chain,
            json!({"incident_id": id, "events": 7, "sealed": 7, "intact": true, "problems": []})
        );
        // Administrators check too.
        let admin = sign_in(app, "admin").await;
        assert_eq!(chain_of(app, &admin, &id).await["intact"], true);

        // Every check is in the audit log, with its verdict.
        let (db, subject) = (app.open_db(), id.clone());
        let logged = db.run(move |conn| audit::about(conn, &subject)).await.expect("read");
        let checks: Vec<(&str, Option<&str>, &str)> = logged
            .iter()
            .filter(|e| e.action == "chain_verified")
            .map(|e| (e.action.as_str(), e.actor_id.as_deref(), e.detail.as_str()))
            .collect();
        assert_eq!(
            checks,
            vec![
                ("chain_verified", Some(auditor.id.as_str()), "intact: 7 events, 7 sealed"),
                ("chain_verified", Some(admin.id.as_str()), "intact: 7 events, 7 sealed"),
            ]
        );
    }

    // An edit shows at its own event: the next one still links to the seal
    // as stored. Sealed again by whoever edited it, the edit shows at the
    // next event instead, whose seal names the original.
    async fn a_note_edited_by_sql_shows_as_altered(app) {
        let auditor = sign_in(app, "auditor").await;
        let (id, _) = closed_case(app).await;
        tamper(app, format!(
            "UPDATE incident_events SET note = 'edited' WHERE incident_id = '{id}' AND seq = 5"
        )).await;
        let chain = chain_of(app, &auditor, &id).await;
        assert_eq!(chain["intact"], false);
        assert_eq!(problems(&chain), vec![(5, "altered".to_owned())], "{chain}");
        let problem = &chain["problems"][0];
        assert_eq!(problem["action"], "comment");
        assert_ne!(problem["stored_hash"], problem["computed_hash"]);

        // Re-sealing the edit with the event's own computed hash moves the
        // break to the event after it.
        let computed = text(&problem["computed_hash"]);
        tamper(app, format!(
            "UPDATE incident_events SET hash = '{computed}' WHERE incident_id = '{id}' AND seq = 5"
        )).await;
        let chain = chain_of(app, &auditor, &id).await;
        assert_eq!(problems(&chain), vec![(6, "link_broken".to_owned())], "{chain}");
    }

    async fn a_deleted_event_is_reported(app) {
        let auditor = sign_in(app, "auditor").await;
        let (id, _) = closed_case(app).await;
        tamper(app, format!("DELETE FROM incident_events WHERE incident_id = '{id}' AND seq = 4")).await;
        let chain = chain_of(app, &auditor, &id).await;
        assert_eq!(chain["events"], 6);
        assert_eq!(
            problems(&chain),
            vec![(4, "missing".to_owned()), (5, "link_broken".to_owned())],
            "{chain}"
        );
        assert_eq!(chain["problems"][0]["action"], Value::Null);

        // The last event removed: the incident's version says it existed.
        tamper(app, format!("DELETE FROM incident_events WHERE incident_id = '{id}' AND seq = 7")).await;
        let chain = chain_of(app, &auditor, &id).await;
        assert_eq!(
            problems(&chain),
            vec![(4, "missing".to_owned()), (5, "link_broken".to_owned()), (7, "missing".to_owned())],
            "{chain}"
        );
    }

    async fn a_photo_whose_sha256_changed_is_reported(app) {
        let auditor = sign_in(app, "auditor").await;
        let (id, key) = closed_case(app).await;
        let forged = "f".repeat(64);
        tamper(app, format!(
            "UPDATE incident_photos SET original_sha256 = '{forged}' WHERE incident_id = '{id}' AND photo_key = '{key}'"
        )).await;
        let chain = chain_of(app, &auditor, &id).await;
        assert_eq!(problems(&chain), vec![(6, "photo_altered".to_owned())], "{chain}");
        assert_eq!(chain["problems"][0]["action"], "resolve");
    }

    async fn only_auditors_and_administrators_verify_chains(app) {
        let c = cast(app).await;
        let auditor = sign_in(app, "auditor").await;
        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
        for who in [&c.resident, &c.dispatcher, &c.gongyi, &c.chief, &c.worker, &c.handler] {
            expect_problem(verify_chain(app, who, &id).await, StatusCode::FORBIDDEN, "forbidden").await;
        }
        let anonymous = app.anonymous.get(app.url(&format!("/api/v1/incidents/{id}/verify-chain"))).send().await.expect("sent");
        expect_problem(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
        assert_eq!(chain_of(app, &auditor, &id).await["intact"], true);

        // An unknown id: 404 to those who may check, 403 still to the others.
        let unknown = uuid::Uuid::now_v7().to_string();
        expect_problem(verify_chain(app, &auditor, &unknown).await, StatusCode::NOT_FOUND, "not_found").await;
        expect_problem(verify_chain(app, &c.resident, &unknown).await, StatusCode::FORBIDDEN, "forbidden").await;

        // Auditors read the records, not the cases: the incident is not
        // theirs to see, take a step on or report.
        let (status, _) = json_of(auditor.client.get(app.url(&format!("/api/v1/incidents/{id}"))).send().await.expect("sent")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        expect_problem(send_step(app, &auditor, &id, "accept", None).await, StatusCode::NOT_FOUND, "not_found").await;
        let (status, page) = json_of(auditor.client.get(app.url("/api/v1/incidents")).send().await.expect("sent")).await;
        assert_eq!((status, page["items"].clone()), (StatusCode::OK, json!([])));
        let report = auditor.client.post(app.url("/api/v1/incidents"))
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(&crate::incidents::report_of(HEATING, centre_of(GUANLAN_GRID), "审计员报案"))
            .send().await.expect("sent");
        expect_problem(report, StatusCode::FORBIDDEN, "forbidden").await;
        expect_problem(
            auditor.client.post(app.url("/api/v1/users")).json(&json!({"username": "auditor.made", "password": "gridops-demo", "role": "auditor"})).send().await.expect("sent"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ).await;
    }

    // An administrator makes an auditor with the grant endpoint.
    async fn an_administrator_grants_the_auditor_role(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "暖气不热").await;
        let clerk = new_user(app, "clerk.audit", "grid_worker", Some(GUANLAN_GRID), None).await;
        expect_problem(verify_chain(app, &clerk, &id).await, StatusCode::FORBIDDEN, "forbidden").await;
        let (status, granted) = app
            .post_json(&format!("/api/v1/users/{}/roles", clerk.id), &json!({"role": "auditor"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{granted}");
        let (status, refused) = app
            .post_json(&format!("/api/v1/users/{}/roles", clerk.id), &json!({"role": "auditor", "area": GUANLAN_GRID}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an auditor covers the city: {refused}");
        // The role is in the next token.
        let clerk = sign_in(app, "clerk.audit").await;
        assert_eq!(chain_of(app, &clerk, &id).await["intact"], true);
    }
}
