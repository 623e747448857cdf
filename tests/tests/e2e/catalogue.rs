//! Categories and responsible parties.

use gridops_tests::{expect_problem, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;

fn codes(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["code"].as_str())
        .collect()
}

on_both_backends! {
    async fn the_category_tree_has_the_seed_categories_with_time_limits(app) {
        let (status, body) = app.get_json("/api/v1/categories").await;
        assert_eq!(status, StatusCode::OK);
        let all = codes(&body);
        for code in ["social_aid.homeless", "neighbourhood.dog_noise", "public_safety.snow_ice.snow_on_sheds",
                     "public_safety.flying_wire_charging", "utilities.heating", "city_appearance.street_vending",
                     "property.no_management", "public_service.lost_and_found", "social_aid.elderly_visit"] {
            assert!(all.contains(&code), "{code} missing from {all:?}");
        }
        let homeless = body["items"].as_array().expect("items").iter().find(|c| c["code"] == "social_aid.homeless").expect("homeless");
        assert_eq!(homeless["label_zh"], "流浪乞讨人员救助");
        assert_eq!(homeless["parent_code"], "social_aid");
        assert_eq!(homeless["default_priority"], "urgent");
        assert_eq!(homeless["acknowledge_within"]["unit"], "calendar_hours");
        // Parents come first, so a client can build the tree in one pass.
        let position = |c: &str| all.iter().position(|x| *x == c).expect("present");
        assert!(position("public_safety") < position("public_safety.snow_ice"));
    }

    async fn parties_serving_a_grid_include_those_of_the_areas_above_it(app) {
        // A grid of Guanlan community (Hanghai Xilu subdistrict, Zhongyuan district).
        let (status, body) = app.get_json("/api/v1/parties?area=410102003001002&limit=500").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let serving = codes(&body);
        for code in ["zy-heating", "zy-rescue-station", "zy-hanghaixilu-office", "zy-guanlan-committee", "zy-guanlan-mediation"] {
            assert!(serving.contains(&code), "{code} missing from {serving:?}");
        }
        assert!(!serving.contains(&"zy-baihua-committee"), "another community's committee: {serving:?}");
        assert!(!serving.iter().any(|c| c.starts_with("gy-")), "Gongyi parties: {serving:?}");

        let (_, heating) = app.get_json("/api/v1/parties?kind=heating_company").await;
        assert_eq!(codes(&heating), vec!["gy-heating", "zy-heating"]);
        let unknown = app.get("/api/v1/parties?area=410102999999").await;
        expect_problem(unknown, StatusCode::NOT_FOUND, "not_found").await;
        let bad_kind = app.get("/api/v1/parties?kind=bakery").await;
        let problem = expect_problem(bad_kind, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(gridops_tests::problem_fields(&problem), vec!["kind"]);
    }

    async fn parties_page_through_without_gaps_or_repeats(app) {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor = String::new();
        loop {
            let (status, page) = app.get_json(&format!("/api/v1/parties?limit=7{cursor}")).await;
            assert_eq!(status, StatusCode::OK);
            seen.extend(codes(&page).into_iter().map(str::to_owned));
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => break,
            }
        }
        let (_, all) = app.get_json("/api/v1/parties?limit=500").await;
        assert_eq!(seen, codes(&all));
        assert!(seen.len() > 50, "{}", seen.len());
        assert!(all["items"][0]["areas"].as_array().is_some_and(|a| !a.is_empty()));
    }
}
