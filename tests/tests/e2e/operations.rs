use gridops_tests::on_both_backends;
use reqwest::StatusCode;

on_both_backends! {
    async fn health_and_readiness_report_the_backend(app) {
        let (status, body) = app.get_json("/healthz").await;
        assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
        let (status, body) = app.get_json("/readyz").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "ready");
        let expected = match app.backend {
            gridops_tests::Backend::Sqlite => "sqlite",
            gridops_tests::Backend::Postgres => "postgresql",
        };
        assert_eq!(body["database"], expected);
        assert_eq!(body["grids"], 61, "the demo has 61 grids: {body}");
    }

    async fn a_request_id_is_echoed_or_made_up(app) {
        let sent = app.client.get(app.url("/healthz")).header("x-request-id", "patrol-7f3a").send().await.expect("sent");
        assert_eq!(sent.headers()["x-request-id"], "patrol-7f3a");
        let made = app.get("/healthz").await;
        let id = made.headers()["x-request-id"].to_str().expect("ascii");
        assert_eq!(id.len(), 36, "a UUID: {id}");
        assert_ne!(id, "patrol-7f3a");
    }

    async fn metrics_count_requests_by_route_and_show_the_pool(app) {
        app.get("/api/v1/areas/410102").await;
        let text = app.get("/metrics").await.text().await.expect("text");
        assert!(
            text.lines().any(|l| l.starts_with("gridops_http_requests_total{")
                && l.contains(r#"endpoint="/api/v1/areas/{code}""#)
                && l.contains(r#"status="200""#)),
            "{text}"
        );
        assert!(text.contains("gridops_http_requests_duration_seconds_bucket"), "{text}");
        assert!(text.contains(r#"gridops_db_pool_connections{state="in_use"}"#), "{text}");
    }

    async fn the_docs_page_works_offline(app) {
        let page = app.get("/docs/").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(html.contains("swagger-ui"), "{html}");
        // Everything the page loads comes from this server, not a CDN.
        assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "{html}");
        let bundle = app.get("/docs/swagger-ui-bundle.js").await;
        assert_eq!(bundle.status(), StatusCode::OK);
        assert!(bundle.bytes().await.expect("js").len() > 100_000);
        let redirect = app.get("/docs").await;
        assert_eq!(redirect.headers()["location"], "/docs/");
        let (status, spec) = app.get_json("/api/v1/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert!(spec["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", spec["openapi"]);
        assert!(spec["paths"]["/api/v1/areas/locate"]["get"].is_object());
    }
}

on_both_backends! {
    async fn readiness_fails_when_the_database_lacks_a_migration(app) {
        // As if an older schema were restored under a newer binary.
        let db = app.open_db();
        tokio::task::spawn_blocking(move || {
            db.write_blocking(|conn| {
                use diesel::RunQueryDsl;
                diesel::sql_query("DELETE FROM __diesel_schema_migrations").execute(conn)?;
                Ok(())
            })
        })
        .await
        .expect("joined")
        .expect("deleted");
        let response = app.get("/readyz").await;
        let problem = gridops_tests::expect_problem(response, StatusCode::SERVICE_UNAVAILABLE, "not_migrated").await;
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("gridops migrate")), "{problem}");
        let (status, _) = app.get_json("/healthz").await;
        assert_eq!(status, StatusCode::OK, "liveness does not depend on the database");
    }
}
