//! Routing as reports meet it: a report routed in the transaction that
//! stores it, dispatched by the system when its rule says so (with the
//! rule's assisting parties called), a resident's report checked on site
//! before it is routed, a returned case routed again without the party that
//! returned it. Runs on the demo routing table.

use gridops_tests::reqwest::StatusCode;
use gridops_tests::{json, json_of, on_both_backends};
use serde_json::Value;

use crate::incidents::{
    DOG_NOISE, GUANLAN_GRID, HEATING, User, actions_of, report_in, seen, sign_in, step, text,
    timeline_of,
};
use crate::notifications::{inbox, topics};

/// `GET /api/v1/incidents/{id}/routing?lang=…`, expecting 200.
async fn routing_of(app: &gridops_tests::TestApp, who: &User, id: &str, lang: &str) -> Value {
    let (status, history) = json_of(
        who.client
            .get(app.url(&format!("/api/v1/incidents/{id}/routing?lang={lang}")))
            .send()
            .await
            .expect("routing read"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    history
}

fn assist_parties(view: &Value) -> Vec<String> {
    view["assists"]
        .as_array()
        .map(|a| a.iter().map(|x| text(&x["party"])).collect())
        .unwrap_or_default()
}

on_both_backends! {
    settings => gridops_tests::with_demo_routing;

    async fn a_heating_fault_is_dispatched_by_its_rule_with_the_community_assisting(app) {
        let resident = sign_in(app, "resident.guanlan").await;
        let handler = sign_in(app, "handler.heating").await;
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;

        let id = report_in(app, &resident, GUANLAN_GRID, HEATING, "暖气不热，屋里十三度").await;
        let view = seen(app, &dispatcher, &id).await;
        assert_eq!(view["status"], "dispatched", "{view}");
        assert_eq!(view["party"], "zy-heating", "{view}");
        let timeline = timeline_of(&view);
        assert_eq!(
            (timeline[1].1.as_str(), timeline[1].4.as_str()),
            ("dispatch", "system"),
            "the rule's dispatch is the system's step: {timeline:?}"
        );
        assert!(
            actions_of(&view).contains(&"assist_called".to_owned()),
            "{view}"
        );
        assert_eq!(assist_parties(&view), ["zy-guanlan-committee"], "{view}");

        // The heating company hears of it at once, and may acknowledge.
        assert!(topics(&inbox(app, &handler, "").await).contains(&"dispatched".to_owned()));
        step(app, &handler, &id, "acknowledge", Some(json!({}))).await;

        // The decision is kept, and explained in both languages.
        let zh = routing_of(app, &dispatcher, &id, "zh-CN").await;
        let decisions = zh["decisions"].as_array().expect("decisions");
        assert_eq!(decisions.len(), 1, "{zh}");
        assert_eq!(decisions[0]["cause"], "report");
        assert_eq!(decisions[0]["rule"]["id"], "demo-heating");
        assert_eq!(decisions[0]["mode"], "auto_dispatch");
        let zh_text = decisions[0]["explanation"].to_string();
        assert!(zh_text.contains("热力"), "{zh_text}");
        let en = routing_of(app, &dispatcher, &id, "en").await;
        let en_text = en["decisions"][0]["explanation"].to_string();
        assert!(en_text.contains("Heating"), "{en_text}");
        // The resident who reported it may read why it went there too.
        routing_of(app, &resident, &id, "zh-CN").await;
    }

    async fn a_residents_dog_noise_report_waits_for_the_grid_worker_then_goes_by_the_rule(app) {
        let resident = sign_in(app, "resident.guanlan").await;
        let worker = sign_in(app, "worker.guanlan").await;
        let chief = sign_in(app, "chief.guanlan").await;

        let id = report_in(app, &resident, GUANLAN_GRID, DOG_NOISE, "楼下的狗每晚叫到两点").await;
        let view = seen(app, &chief, &id).await;
        assert_eq!(view["status"], "reported", "checked on site first: {view}");
        assert!(view["party"].is_null(), "{view}");
        assert!(
            routing_of(app, &chief, &id, "en").await["decisions"]
                .as_array()
                .is_some_and(Vec::is_empty),
            "not routed before the check"
        );
        // The grid worker is told on the phone to go and look.
        assert_eq!(topics(&inbox(app, &worker, "").await), ["reported"]);

        // Checked: the chief registers it, and routing takes it from there.
        let after = step(app, &chief, &id, "accept", Some(json!({"note": "已核实"}))).await;
        let history = routing_of(app, &chief, &id, "en").await;
        let decision = &history["decisions"][0];
        assert_eq!(decision["cause"], "accept", "{history}");
        let rule = text(&decision["rule"]["id"]);
        assert!(rule.starts_with("demo-dog-noise"), "{history}");
        if rule == "demo-dog-noise" {
            assert_eq!(after["status"], "dispatched", "{after}");
            assert_eq!(after["party"], "zy-guanlan-mediation", "{after}");
        } else {
            // At night it goes to whoever is on duty in the grid (the demo
            // roster's worker), who is told on the phone (tests/e2e/duty.rs).
            assert_eq!(decision["target"]["kind"], "on_duty", "{history}");
            assert_eq!(after["status"], "accepted", "{after}");
        }
    }

    async fn a_returned_case_is_routed_again_without_the_party_that_returned_it(app) {
        let resident = sign_in(app, "resident.guanlan").await;
        let handler = sign_in(app, "handler.heating").await;
        let dispatcher = sign_in(app, "dispatcher.hanghaixilu").await;

        let id = report_in(app, &resident, GUANLAN_GRID, HEATING, "整栋楼暖气不热").await;
        assert_eq!(seen(app, &dispatcher, &id).await["party"], "zy-heating");
        let returned = step(
            app,
            &handler,
            &id,
            "return",
            Some(json!({"reason": "小区自管锅炉，不归热力公司"})),
        )
        .await;
        // No other heating company serves the grid: the case stays with the
        // dispatchers, with the return reason on the timeline.
        assert_eq!(returned["status"], "accepted", "{returned}");
        assert!(returned["party"].is_null(), "{returned}");
        let history = routing_of(app, &dispatcher, &id, "en").await;
        let decisions = history["decisions"].as_array().expect("decisions");
        assert_eq!(decisions.len(), 2, "{history}");
        assert_eq!(decisions[1]["cause"], "return");
        assert_ne!(decisions[1]["rule"]["id"], "demo-heating", "{history}");
        assert!(
            decisions[1]["explanation"]
                .to_string()
                .contains("returned"),
            "the explanation says the heating rule lost to the return: {history}"
        );
        // The heating company no longer sees it; the dispatcher may dispatch.
        assert!(
            actions_of(&seen(app, &dispatcher, &id).await).contains(&"return".to_owned())
        );
        let view = seen(app, &dispatcher, &id).await;
        assert!(
            view["allowed_actions"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "dispatch")),
            "{view}"
        );
    }
}
