//! The area tree and point → grid lookup.

use gridops_domain::geo::{CoordSys, Coordinates};
use gridops_infra::demo::areas::demo_point_in_grid;
use gridops_tests::{expect_problem, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

const GUANLAN_GRID_2: &str = "410102003001002";

fn grid_point(code: &str) -> Coordinates {
    let (lng, lat) = demo_point_in_grid(code).expect("a demo grid");
    Coordinates::new(lat, lng).expect("valid")
}

fn chain(located: &Value) -> Vec<&str> {
    located["ancestors"]
        .as_array()
        .expect("ancestors")
        .iter()
        .filter_map(|a| a["code"].as_str())
        .collect()
}

on_both_backends! {
    async fn locate_returns_the_grid_and_its_ancestors(app) {
        let p = grid_point(GUANLAN_GRID_2);
        let (status, body) = app.get_json(&format!("/api/v1/areas/locate?lat={}&lng={}", p.lat(), p.lng())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["grid"]["code"], GUANLAN_GRID_2);
        assert_eq!(body["grid"]["name"], "观澜社区第2网格");
        assert_eq!(chain(&body), vec!["410100", "410102", "410102003", "410102003001"]);
        assert_eq!(body["ancestors"][0]["name"], "郑州市");
    }

    async fn gcj02_and_bd09_input_land_in_the_same_grid_as_wgs84(app) {
        let wgs = grid_point("410102004002001");
        for sys in [CoordSys::Gcj02, CoordSys::Bd09] {
            let shifted = wgs.from_wgs84(sys);
            // The shift is hundreds of metres: more than a grid is wide, so
            // ignoring coord_sys would land elsewhere.
            assert!((shifted.lng() - wgs.lng()).abs() > 0.003, "{sys:?} shift too small to prove anything");
            let path = format!("/api/v1/areas/locate?lat={}&lng={}&coord_sys={}", shifted.lat(), shifted.lng(), sys.as_str());
            let (status, body) = app.get_json(&path).await;
            assert_eq!(status, StatusCode::OK, "{sys:?}: {body}");
            assert_eq!(body["grid"]["code"], "410102004002001", "{sys:?}");
            assert!((body["wgs84"]["lat"].as_f64().expect("lat") - wgs.lat()).abs() < 1e-5, "{body}");
            assert!((body["wgs84"]["lng"].as_f64().expect("lng") - wgs.lng()).abs() < 1e-5, "{body}");
        }
    }

    async fn a_point_outside_every_grid_is_a_404_problem(app) {
        // Shanghai: far from any demo grid.
        let response = app.get("/api/v1/areas/locate?lat=31.2304&lng=121.4737").await;
        expect_problem(response, StatusCode::NOT_FOUND, "outside_all_grids").await;
    }

    async fn locate_names_the_invalid_coordinate(app) {
        for (query, field) in [("lat=91&lng=113.6", "lat"), ("lat=34.7&lng=-181", "lng"), ("lat=34.7&lng=east", "lng"),
                               ("lng=113.6", "lat"), ("lat=34.7&lng=113.6&coord_sys=mars", "coord_sys")] {
            let response = app.get(&format!("/api/v1/areas/locate?{query}")).await;
            let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
            assert_eq!(problem_fields(&problem), vec![field], "{query}: {problem}");
        }
    }

    async fn areas_filter_by_level_and_parent_and_page_by_cursor(app) {
        let (status, body) = app.get_json("/api/v1/areas?level=subdistrict&parent=410102&limit=500").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let names: Vec<&str> = body["items"].as_array().expect("items").iter().filter_map(|a| a["name"].as_str()).collect();
        assert_eq!(names.len(), 8, "{names:?}");
        assert!(names.contains(&"林山寨街道") && names.contains(&"建设路街道"), "{names:?}");
        for item in body["items"].as_array().expect("items") {
            assert_eq!(item["level"], "subdistrict");
            assert_eq!(item["parent_code"], "410102");
        }

        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let (status, page) = app.get_json(&format!("/api/v1/areas?level=grid&limit=25{cursor}")).await;
            assert_eq!(status, StatusCode::OK);
            let items = page["items"].as_array().expect("items");
            assert!(items.len() <= 25);
            seen.extend(items.iter().filter_map(|a| a["code"].as_str().map(str::to_owned)));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(seen, sorted, "in code order, no repeats");
        assert_eq!(seen.len(), 61);

        let response = app.get("/api/v1/areas?level=county").await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec!["level"]);
        let response = app.get("/api/v1/areas?limit=0").await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec!["limit"]);
    }

    async fn an_area_comes_with_its_ancestors_children_and_geometry(app) {
        let (status, body) = app.get_json("/api/v1/areas/410102003001").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["name"], "观澜社区");
        assert_eq!(body["level"], "community");
        assert_eq!(chain(&body), vec!["410100", "410102", "410102003"]);
        let children: Vec<&str> = body["children"].as_array().expect("children").iter().filter_map(|c| c["code"].as_str()).collect();
        assert_eq!(children, vec!["410102003001001", "410102003001002", "410102003001003", "410102003001004"]);

        let response = app.get(&format!("/api/v1/areas/{GUANLAN_GRID_2}/geometry")).await;
        assert_eq!(response.headers()["content-type"], "application/geo+json");
        let (status, feature) = gridops_tests::json_of(response).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(feature["type"], "Feature");
        assert_eq!(feature["properties"]["code"], GUANLAN_GRID_2);
        assert_eq!(feature["properties"]["synthetic"], true);
        assert_eq!(feature["geometry"]["type"], "Polygon");
        let ring = feature["geometry"]["coordinates"][0].as_array().expect("ring");
        assert!(ring.len() >= 4);
        assert_eq!(ring.first(), ring.last(), "closed ring");
        // The located point lies inside the served boundary's extent.
        let p = grid_point(GUANLAN_GRID_2);
        let lngs: Vec<f64> = ring.iter().filter_map(|c| c[0].as_f64()).collect();
        assert!(lngs.iter().cloned().fold(f64::MAX, f64::min) < p.lng() && p.lng() < lngs.iter().cloned().fold(f64::MIN, f64::max));

        let missing = app.get("/api/v1/areas/410102999").await;
        expect_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
        let missing = app.get("/api/v1/areas/410102999/geometry").await;
        expect_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
    }
}
