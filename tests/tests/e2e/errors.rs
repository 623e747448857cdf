//! Every error a client can provoke is problem+json with a stable code.

use gridops_tests::{expect_problem, json, on_both_backends, problem_fields};
use reqwest::StatusCode;

on_both_backends! {
    async fn unknown_routes_are_404_and_wrong_methods_405_with_allow(app) {
        let response = app.get("/api/v1/incidentz").await;
        expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        let response = app.client.delete(app.url("/api/v1/areas/410102")).send().await.expect("sent");
        assert_eq!(response.headers()["allow"], "GET");
        expect_problem(response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
        let response = app.client.get(app.url("/api/v1/areas/validate")).send().await.expect("sent");
        // GET /areas/validate is the area "validate": not a code, so not found.
        expect_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        // `Allow` names what the path serves: the fixed `validate` wins over
        // `{code}`, whose GET it does not advertise.
        for (path, allow) in [("/api/v1/areas/validate", "POST"), ("/api/v1/incidents", "GET, POST"), ("/api/v1/areas/410102", "GET")] {
            let response = app.client.request(reqwest::Method::OPTIONS, app.url(path)).send().await.expect("sent");
            assert_eq!(response.headers()["allow"], allow, "{path}");
            expect_problem(response, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
        }
    }

    async fn a_body_of_another_media_type_is_415(app) {
        let response = app.client.post(app.url("/api/v1/areas/validate"))
            .header("content-type", "text/plain").body("{}").send().await.expect("sent");
        expect_problem(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;
    }

    async fn malformed_json_is_400_with_line_and_column(app) {
        let response = app.client.post(app.url("/api/v1/areas/validate"))
            .header("content-type", "application/json")
            .body("{\"type\": \"FeatureCollection\",\n \"features\": [,]}")
            .send().await.expect("sent");
        let problem = expect_problem(response, StatusCode::BAD_REQUEST, "malformed_request").await;
        let detail = problem["detail"].as_str().expect("detail");
        assert!(detail.contains("line 2 column 15"), "{detail}");
    }

    async fn json_of_the_wrong_shape_is_422_naming_the_field(app) {
        let (status, problem) = app.post_json("/api/v1/areas/validate", &json!({"type": "FeatureCollection", "features": 7})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem_fields(&problem), vec!["features"]);
        let (status, problem) = app.post_json("/api/v1/areas/validate", &json!({"features": []})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem_fields(&problem), vec!["type"]);
    }

    async fn a_body_over_the_limit_is_413(app) {
        let huge = format!("{{\"type\":\"FeatureCollection\",\"features\":[\"{}\"]}}", "x".repeat(17 * 1024 * 1024));
        let response = app.client.post(app.url("/api/v1/areas/validate"))
            .header("content-type", "application/json").body(huge).send().await.expect("sent");
        expect_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    }
}
