//! `gridops areas import` against a running server, and the dry run at
//! `POST /api/v1/areas/validate`.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use gridops_infra::Db;
use gridops_infra::repo::areas;
use gridops_tests::{TestApp, expect_problem, json, on_both_backends, problem_fields};
use reqwest::StatusCode;
use serde_json::Value;

/// 观澜社区第2网格 and its neighbour in the same community.
pub(crate) const GUANLAN_GRID_1: &str = "410102003001001";
pub(crate) const GUANLAN_GRID_2: &str = "410102003001002";
const GUANLAN_GRID_3: &str = "410102003001003";
const GUANLAN: &str = "410102003001";
/// The subdistrict 观澜社区 belongs to.
const GUANLAN_SUBDISTRICT: &str = "410102003";

/// An axis-aligned rectangle in WGS-84 degrees.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rect {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl Rect {
    pub fn centre(self) -> (f64, f64) {
        (
            (self.west + self.east) / 2.0,
            (self.south + self.north) / 2.0,
        )
    }

    /// The part between the fractions `from` and `to` of the width and height.
    pub fn part(self, from: f64, to: f64) -> Rect {
        let (w, h) = (self.east - self.west, self.north - self.south);
        Rect {
            west: self.west + w * from,
            south: self.south + h * from,
            east: self.west + w * to,
            north: self.south + h * to,
        }
    }

    /// Closed, counter-clockwise exterior ring.
    pub fn ring(self) -> Value {
        json!([
            [self.west, self.south],
            [self.east, self.south],
            [self.east, self.north],
            [self.west, self.north],
            [self.west, self.south]
        ])
    }
}

/// One area of an import file.
pub(crate) fn feature(code: &str, level: &str, parent: &str, ring: Value) -> Value {
    json!({
        "type": "Feature",
        "properties": {
            "code": code,
            "name": format!("测试区域{code}"),
            "name_en": format!("Test area {code}"),
            "level": level,
            "parent_code": parent,
        },
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    })
}

pub(crate) fn collection(features: Vec<Value>) -> Value {
    json!({"type": "FeatureCollection", "features": features})
}

/// The file as the CLI would be given it; deleted when dropped.
pub(crate) fn write_file(body: &Value) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".geojson")
        .tempfile()
        .expect("a temporary file");
    file.write_all(body.to_string().as_bytes())
        .expect("the file is written");
    file
}

/// `gridops areas import FILE` through its library function, on a blocking thread.
pub(crate) async fn import(db: &Db, file: PathBuf) -> Result<String, String> {
    let db = db.clone();
    tokio::task::spawn_blocking(move || gridops_api::cli::import_areas(&db, &file))
        .await
        .expect("the import does not panic")
        .map_err(|e| e.to_string())
}

/// A second pool on the server's database, as the CLI would open.
pub(crate) fn open_db(app: &TestApp) -> Db {
    tokio::task::block_in_place(|| app.open_db())
}

/// The bounding box of an area's boundary as served.
pub(crate) async fn bounds(app: &TestApp, code: &str) -> Rect {
    let (status, feature) = app
        .get_json(&format!("/api/v1/areas/{code}/geometry"))
        .await;
    assert_eq!(status, StatusCode::OK, "{code}: {feature}");
    let ring = feature["geometry"]["coordinates"][0]
        .as_array()
        .expect("a polygon ring");
    let coord = |i: usize| -> Vec<f64> { ring.iter().filter_map(|p| p[i].as_f64()).collect() };
    let (lngs, lats) = (coord(0), coord(1));
    Rect {
        west: lngs.iter().copied().fold(f64::MAX, f64::min),
        south: lats.iter().copied().fold(f64::MAX, f64::min),
        east: lngs.iter().copied().fold(f64::MIN, f64::max),
        north: lats.iter().copied().fold(f64::MIN, f64::max),
    }
}

pub(crate) async fn locate(app: &TestApp, (lng, lat): (f64, f64)) -> (StatusCode, Value) {
    app.get_json(&format!("/api/v1/areas/locate?lat={lat}&lng={lng}"))
        .await
}

/// Polls `locate` until it answers `code`; the located body, or the last
/// answer if five seconds pass first.
pub(crate) async fn locate_until(app: &TestApp, point: (f64, f64), code: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = locate(app, point).await;
        if (status == StatusCode::OK && body["grid"]["code"] == code) || Instant::now() > deadline {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn chain(body: &Value) -> Vec<&str> {
    body["ancestors"]
        .as_array()
        .expect("ancestors")
        .iter()
        .filter_map(|a| a["code"].as_str())
        .collect()
}

/// Every stored area, as the list endpoint shows it.
async fn all_areas(app: &TestApp) -> Vec<Value> {
    let (status, body) = app.get_json("/api/v1/areas?limit=500").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["next_cursor"].is_null(), "one page holds the demo");
    body["items"].as_array().expect("items").clone()
}

/// The stored area count and revision, read directly from the database.
async fn stored_state(db: &Db) -> (i64, i64) {
    let db = db.clone();
    tokio::task::spawn_blocking(move || {
        db.read_blocking(|conn| Ok((areas::count(conn)?, areas::revision(conn)?)))
    })
    .await
    .expect("no panic")
    .expect("the areas are readable")
}

/// A file with five problems and one valid feature, and the (feature, field)
/// pairs it must be refused for.
async fn bad_file(app: &TestApp) -> (Value, Vec<(usize, &'static str)>) {
    let grid_1 = bounds(app, GUANLAN_GRID_1).await;
    let grid_2 = bounds(app, GUANLAN_GRID_2).await;
    let far_away = bounds(app, "410181").await.part(0.45, 0.55);
    let mut open_ring = grid_1.part(0.3, 0.6).ring();
    open_ring.as_array_mut().expect("a ring").pop();
    let features = vec![
        // Valid on its own; must not be stored while the rest is wrong.
        feature(
            &format!("{GUANLAN_GRID_2}001"),
            "micro_grid",
            GUANLAN_GRID_2,
            grid_2.part(0.1, 0.4).ring(),
        ),
        feature(
            &format!("{GUANLAN_GRID_1}001"),
            "micro_grid",
            GUANLAN_GRID_1,
            open_ring,
        ),
        feature(
            "410102003009001",
            "grid",
            "410102003009",
            grid_2.part(0.45, 0.55).ring(),
        ),
        // A fifth grid of 观澜社区 drawn over its first.
        feature(
            "410102003001005",
            "grid",
            GUANLAN,
            grid_1.part(0.2, 0.8).ring(),
        ),
        // A micro-grid of a 中原区 grid drawn in 巩义市.
        feature(
            &format!("{GUANLAN_GRID_3}001"),
            "micro_grid",
            GUANLAN_GRID_3,
            far_away.ring(),
        ),
        feature(
            &format!("{GUANLAN_GRID_2}001"),
            "micro_grid",
            GUANLAN_GRID_2,
            grid_2.part(0.6, 0.9).ring(),
        ),
    ];
    let expected = vec![
        (1, "geometry"),
        (2, "parent_code"),
        (3, "geometry"),
        (4, "geometry"),
        (5, "code"),
    ];
    (collection(features), expected)
}

/// `(feature, field)` of each line `feature N (code) field: message`.
fn listed_problems(message: &str) -> Vec<(usize, String)> {
    message
        .lines()
        .filter_map(|line| line.trim().strip_prefix("feature "))
        .filter_map(|rest| {
            let (index, rest) = rest.split_once(' ')?;
            let (_, rest) = rest.split_once(") ")?;
            let (field, _) = rest.split_once(':')?;
            Some((index.parse().ok()?, field.to_owned()))
        })
        .collect()
}

on_both_backends! {
    async fn an_imported_micro_grid_is_located_by_the_running_server(app) {
        let grid = bounds(app, GUANLAN_GRID_2).await;
        let micro = format!("{GUANLAN_GRID_2}001");
        let inside = grid.part(0.25, 0.75);
        let (status, before) = locate(app, inside.centre()).await;
        assert_eq!(status, StatusCode::OK, "{before}");
        assert_eq!(before["grid"]["code"], GUANLAN_GRID_2);

        let file = write_file(&collection(vec![feature(&micro, "micro_grid", GUANLAN_GRID_2, inside.ring())]));
        let db = open_db(app);
        let message = import(&db, file.path().to_path_buf()).await.expect("the file imports");
        assert!(message.contains("imported 1 areas"), "{message}");

        // The server learns of the change only from the database.
        let located = locate_until(app, inside.centre(), &micro).await;
        assert_eq!(located["grid"]["code"], micro.as_str(), "the deepest area wins: {located}");
        assert_eq!(located["grid"]["level"], "micro_grid");
        assert_eq!(chain(&located), vec!["410100", "410102", GUANLAN_SUBDISTRICT, GUANLAN, GUANLAN_GRID_2]);
        // Outside the micro-grid the grid still answers.
        let (status, edge) = locate(app, grid.part(0.05, 0.1).centre()).await;
        assert_eq!(status, StatusCode::OK, "{edge}");
        assert_eq!(edge["grid"]["code"], GUANLAN_GRID_2, "{edge}");

        let (status, area) = app.get_json(&format!("/api/v1/areas/{micro}")).await;
        assert_eq!(status, StatusCode::OK, "{area}");
        assert_eq!(area["level"], "micro_grid");
        assert_eq!(area["parent_code"], GUANLAN_GRID_2);
        assert_eq!(area["name"], format!("测试区域{micro}"));
        assert_eq!(chain(&area).last(), Some(&GUANLAN_GRID_2));
        let (_, parent) = app.get_json(&format!("/api/v1/areas/{GUANLAN_GRID_2}")).await;
        let children: Vec<&str> = parent["children"].as_array().expect("children").iter().filter_map(|c| c["code"].as_str()).collect();
        assert_eq!(children, vec![micro.as_str()]);
    }

    async fn a_new_community_and_grid_fill_free_space_of_a_subdistrict(app) {
        // Communities sit in a lattice inside their subdistrict with a margin
        // around it; the new community goes into the western margin.
        let subdistrict = bounds(app, GUANLAN_SUBDISTRICT).await;
        let (_, detail) = app.get_json(&format!("/api/v1/areas/{GUANLAN_SUBDISTRICT}")).await;
        let mut communities_west = f64::MAX;
        for child in detail["children"].as_array().expect("children") {
            let code = child["code"].as_str().expect("a code");
            communities_west = communities_west.min(bounds(app, code).await.west);
        }
        let margin = communities_west - subdistrict.west;
        assert!(margin > 0.0, "the demo leaves a margin");
        let community = Rect {
            west: subdistrict.west + margin * 0.2,
            east: subdistrict.west + margin * 0.8,
            ..subdistrict.part(0.2, 0.8)
        };
        let grid = community.part(0.1, 0.9);
        let (status, before) = locate(app, grid.centre()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "free space: {before}");

        let community_code = format!("{GUANLAN_SUBDISTRICT}900");
        let grid_code = format!("{community_code}001");
        // Children before parents: the file's order does not matter.
        let file = write_file(&collection(vec![
            feature(&grid_code, "grid", &community_code, grid.ring()),
            feature(&community_code, "community", GUANLAN_SUBDISTRICT, community.ring()),
        ]));
        let db = open_db(app);
        let message = import(&db, file.path().to_path_buf()).await.expect("the file imports");
        assert!(message.contains("imported 2 areas"), "{message}");

        let located = locate_until(app, grid.centre(), &grid_code).await;
        assert_eq!(located["grid"]["code"], grid_code.as_str(), "{located}");
        assert_eq!(chain(&located), vec!["410100", "410102", GUANLAN_SUBDISTRICT, community_code.as_str()]);
        let (status, area) = app.get_json(&format!("/api/v1/areas/{community_code}")).await;
        assert_eq!(status, StatusCode::OK, "{area}");
        assert_eq!(area["parent_code"], GUANLAN_SUBDISTRICT);
        assert_eq!(area["children"][0]["code"], grid_code.as_str());
        let (_, grids) = app.get_json("/api/v1/areas?level=grid&limit=500").await;
        assert_eq!(grids["items"].as_array().expect("items").len(), 62);
    }

    async fn a_bad_file_is_refused_whole_with_every_problem_listed(app) {
        let db = open_db(app);
        let areas_before = all_areas(app).await;
        assert_eq!(areas_before.len(), 94);
        let stored_before = stored_state(&db).await;
        let point = bounds(app, GUANLAN_GRID_2).await.part(0.1, 0.4).centre();

        let (body, expected) = bad_file(app).await;
        let file = write_file(&body);
        let message = import(&db, file.path().to_path_buf()).await.expect_err("the file has problems");
        assert!(message.starts_with("5 problem(s); nothing was imported"), "{message}");
        let listed = listed_problems(&message);
        let expected_listed: Vec<(usize, String)> = expected.iter().map(|(f, field)| (*f, (*field).to_owned())).collect();
        assert_eq!(listed, expected_listed, "{message}");
        for (line, words) in [
            (1, "not closed"),
            (2, "410102003009 is neither in the file nor stored"),
            (3, "overlap"),
            (4, "outside its parent"),
            (5, "appears twice"),
        ] {
            let text = message.lines().find(|l| l.trim().starts_with(&format!("feature {line} ")));
            assert!(text.is_some_and(|t| t.contains(words)), "feature {line} should say {words:?}: {message}");
        }

        // Nothing stored, not even the valid first feature.
        assert_eq!(stored_state(&db).await, stored_before, "no area and no revision change");
        assert_eq!(all_areas(app).await, areas_before);
        let missing = app.get(&format!("/api/v1/areas/{GUANLAN_GRID_2}001")).await;
        expect_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
        let (status, located) = locate(app, point).await;
        assert_eq!(status, StatusCode::OK, "{located}");
        assert_eq!(located["grid"]["code"], GUANLAN_GRID_2);
    }

    async fn validate_names_each_problem_by_feature_and_stores_nothing(app) {
        let db = open_db(app);
        let stored_before = stored_state(&db).await;
        let (body, expected) = bad_file(app).await;
        let response = app.client.post(app.url("/api/v1/areas/validate"))
            .header("content-type", "application/geo+json")
            .body(body.to_string()).send().await.expect("sent");
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        let mut fields = problem_fields(&problem);
        fields.sort();
        let mut wanted: Vec<String> = expected.iter().map(|(f, field)| format!("features[{f}].{field}")).collect();
        wanted.sort();
        assert_eq!(fields, wanted, "{problem}");
        let errors = problem["errors"].as_array().expect("errors");
        let message_of = |field: &str| errors.iter().find(|e| e["field"] == field).and_then(|e| e["message"].as_str()).unwrap_or_default().to_owned();
        assert!(message_of("features[2].parent_code").contains("410102003009"), "{problem}");
        assert!(message_of("features[3].geometry").contains("410102003001005"), "{problem}");
        assert!(message_of("features[5].code").contains("appears twice"), "{problem}");

        let micro = format!("{GUANLAN_GRID_2}001");
        let inside = bounds(app, GUANLAN_GRID_2).await.part(0.25, 0.75);
        let good = collection(vec![feature(&micro, "micro_grid", GUANLAN_GRID_2, inside.ring())]);
        let (status, check) = app.post_json("/api/v1/areas/validate", &good).await;
        assert_eq!(status, StatusCode::OK, "{check}");
        assert_eq!(check, json!({"valid": true, "areas": 1}));

        // A dry run: nothing stored, the server's map unchanged.
        assert_eq!(stored_state(&db).await, stored_before);
        let missing = app.get(&format!("/api/v1/areas/{micro}")).await;
        expect_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
        let (status, located) = locate(app, inside.centre()).await;
        assert_eq!(status, StatusCode::OK, "{located}");
        assert_eq!(located["grid"]["code"], GUANLAN_GRID_2);
    }

    async fn a_bare_feature_is_not_an_area_file(app) {
        let inside = bounds(app, GUANLAN_GRID_2).await.part(0.25, 0.75);
        let bare = feature(&format!("{GUANLAN_GRID_2}001"), "micro_grid", GUANLAN_GRID_2, inside.ring());

        let file = write_file(&bare);
        let db = open_db(app);
        let message = import(&db, file.path().to_path_buf()).await.expect_err("a Feature is not a FeatureCollection");
        assert!(message.contains("expected a GeoJSON FeatureCollection, found a Feature"), "{message}");

        let response = app.client.post(app.url("/api/v1/areas/validate")).json(&bare).send().await.expect("sent");
        let problem = expect_problem(response, StatusCode::BAD_REQUEST, "malformed_request").await;
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("found a Feature")), "{problem}");
        let missing = app.get(&format!("/api/v1/areas/{GUANLAN_GRID_2}001")).await;
        expect_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
    }
}
