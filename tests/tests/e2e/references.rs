//! Reference numbers (`410102-20261205-000123`) under a burst of reports:
//! each report of a district and day gets a number of its own, later
//! reports get higher ones, and the KPI counters every report moves add
//! up to the reports stored.

use std::collections::BTreeSet;

use gridops_infra::repo::stats;
use gridops_tests::{json_of, on_both_backends};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::task::JoinSet;

use crate::incidents::{
    DOG_NOISE, GUANLAN_GRID, GUANLAN_GRID_1, GUANLAN_GRID_3, HEATING, STREET_VENDING, cast,
    centre_of, report_of, text,
};

/// Reports sent at once: more than the server's connection pool, so some
/// wait for a connection while others hold the district's counter.
const BURST: usize = 40;

/// (district, day, sequence number) of a reference.
fn parts(reference: &str) -> (String, String, u32) {
    let mut parts = reference.split('-');
    let (Some(district), Some(day), Some(number), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        panic!("a reference is district-day-number: {reference}");
    };
    assert_eq!(number.len(), 6, "six digits: {reference}");
    let number = number
        .parse()
        .unwrap_or_else(|_| panic!("a number: {reference}"));
    (district.to_owned(), day.to_owned(), number)
}

on_both_backends! {
    async fn a_burst_of_reports_in_one_district_gets_distinct_increasing_references(app) {
        let c = cast(app).await;
        // Four reporters, four grids of one district, categories that are
        // routed to a party (with assisting parties), held for the on-site
        // check, or left for triage: every path a report takes.
        let reporters = [&c.resident, &c.worker, &c.chief, &c.dispatcher];
        let grids = [GUANLAN_GRID, GUANLAN_GRID_1, GUANLAN_GRID_3, GUANLAN_GRID];
        let categories = [HEATING, DOG_NOISE, STREET_VENDING];
        let mut sends = JoinSet::new();
        for i in 0..BURST {
            let who = reporters[i % reporters.len()].clone();
            let body = report_of(
                categories[i % categories.len()],
                centre_of(grids[i % grids.len()]),
                &format!("同一时间的第{i}条上报"),
            );
            let url = app.url("/api/v1/incidents");
            sends.spawn(async move {
                let sent = who.client.post(url).header("Idempotency-Key", format!("burst-{i}"))
                    .json(&body).send().await.expect("report sent");
                json_of(sent).await
            });
        }
        let answers: Vec<(StatusCode, Value)> = sends.join_all().await;
        let mut references = BTreeSet::new();
        let mut numbers = BTreeSet::new();
        for (status, view) in &answers {
            assert_eq!(*status, StatusCode::CREATED, "{view}");
            let reference = text(&view["reference"]);
            let (district, _, number) = parts(&reference);
            assert_eq!(district, "410102", "{reference}");
            references.insert(reference);
            numbers.insert(number);
        }
        assert_eq!(references.len(), BURST, "no two reports share a reference: {references:?}");
        assert_eq!(numbers.len(), BURST, "{references:?}");

        // The next report of the district is numbered after all of them.
        let (status, later) = json_of(
            c.resident.client.post(app.url("/api/v1/incidents"))
                .header("Idempotency-Key", "after-the-burst")
                .json(&report_of(DOG_NOISE, centre_of(GUANLAN_GRID), "之后的一条"))
                .send().await.expect("report sent"),
        ).await;
        assert_eq!(status, StatusCode::CREATED, "{later}");
        let (_, later_day, later_number) = parts(&text(&later["reference"]));
        let last = references.iter().map(|r| parts(r)).max_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)))
            .expect("references");
        assert!(
            (later_day.as_str(), later_number) > (last.1.as_str(), last.2),
            "{} after {last:?}", later["reference"]
        );

        // The counters every report moved add up to the facts stored, as
        // `gridops stats check` compares them.
        let db = app.open_db();
        let differences = tokio::task::spawn_blocking(move || db.read_blocking(stats::check))
            .await.expect("joined").expect("checked");
        assert!(differences.is_empty(), "{differences:?}");
    }
}
