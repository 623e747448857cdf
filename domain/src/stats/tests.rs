use chrono::{NaiveDate, NaiveDateTime};

use super::*;
use crate::incident::{Rating, Status};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).expect("valid")
}

fn at(d: u32, h: u32) -> NaiveDateTime {
    day(d).and_hms_opt(h, 0, 0).expect("valid")
}

/// Dates in UTC+8: 20:00 UTC is the next local day.
fn local(t: NaiveDateTime) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date()
}

fn reported() -> Observed<'static> {
    Observed {
        grid: "410102001001001",
        party: None,
        category: "city_appearance.litter",
        status: Status::Reported,
        rework_count: 0,
        rating: None,
        solved: None,
        reported_at: at(1, 2),
        first_dispatch_at: None,
        last_resolve_at: None,
        last_verify_at: None,
        rated_at: None,
        acknowledge: None,
        resolve_due: Some(at(3, 2)),
        extended: false,
        suspended: false,
        in_ledger: false,
        evidence_complete: None,
    }
}

fn closed() -> Observed<'static> {
    Observed {
        party: Some("zy-sanitation"),
        status: Status::Closed,
        first_dispatch_at: Some(at(1, 3)),
        acknowledge: Some((at(1, 5), Some(at(1, 4)))),
        resolve_due: Some(at(4, 3)),
        last_resolve_at: Some(at(4, 1)),
        last_verify_at: Some(at(4, 20)),
        evidence_complete: Some(true),
        ..reported()
    }
}

fn sum(facts: &[&Fact]) -> Counts {
    let mut c = Counts::default();
    for f in facts {
        for (_, counter) in f.contributions() {
            c.add(counter, 1);
        }
    }
    c
}

#[test]
fn a_new_report_counts_as_reported_and_due_on_its_provisional_deadline() {
    let f = Fact::derive(&reported(), local);
    assert_eq!(f.reported_on, day(1));
    assert_eq!(f.due_on, Some(day(3)));
    assert_eq!(
        f.contributions(),
        vec![(day(1), Counter::Reported), (day(3), Counter::Due)]
    );
}

#[test]
fn a_closed_case_is_counted_on_each_cohort_day_in_local_time() {
    let f = Fact::derive(&closed(), local);
    assert_eq!(f.dispatched_on, Some(day(1)));
    assert!(f.acknowledged_in_time);
    assert!(f.closed_in_time);
    // Verified at 20:00 UTC: the 5th in the city.
    assert_eq!(f.verified_on, Some(day(5)));
    let c = sum(&[&f]);
    for counter in [
        Counter::Reported,
        Counter::Dispatched,
        Counter::AcknowledgedInTime,
        Counter::Due,
        Counter::Closed,
        Counter::ClosedInTime,
        Counter::Verified,
    ] {
        assert_eq!(c.get(counter), 1, "{counter:?}");
    }
    assert_eq!(c.get(Counter::WithoutEvidence), 0);
}

#[test]
fn late_resolve_late_acknowledge_and_no_evidence_are_counted_against() {
    let f = Fact::derive(
        &Observed {
            acknowledge: Some((at(1, 5), Some(at(1, 6)))),
            last_resolve_at: Some(at(4, 4)),
            evidence_complete: Some(false),
            rework_count: 1,
            ..closed()
        },
        local,
    );
    assert!(!f.acknowledged_in_time);
    assert!(!f.closed_in_time && f.closed);
    assert!(f.reworked && f.without_evidence);
}

#[test]
fn a_ledgered_case_is_not_due_but_ledgered() {
    let f = Fact::derive(
        &Observed {
            party: Some("jd-office"),
            status: Status::InProgress,
            first_dispatch_at: Some(at(1, 3)),
            in_ledger: true,
            extended: true,
            ..reported()
        },
        local,
    );
    let c = sum(&[&f]);
    assert_eq!(c.get(Counter::Due), 0);
    assert_eq!(c.get(Counter::Ledgered), 1);
    assert_eq!(c.get(Counter::Extended), 1);
}

#[test]
fn a_rejected_report_is_reported_only() {
    let f = Fact::derive(
        &Observed {
            status: Status::Rejected,
            ..reported()
        },
        local,
    );
    assert_eq!(f.contributions(), vec![(day(1), Counter::Reported)]);
}

#[test]
fn ratings_count_on_the_day_rated() {
    let f = Fact::derive(
        &Observed {
            rating: Some(Rating::BasicallySatisfied),
            solved: Some(true),
            rated_at: Some(at(9, 1)),
            ..closed()
        },
        local,
    );
    let rated: Vec<_> = f
        .contributions()
        .into_iter()
        .filter(|(d, _)| *d == day(9))
        .map(|(_, c)| c)
        .collect();
    assert_eq!(
        rated,
        vec![
            Counter::Rated,
            Counter::BasicallySatisfied,
            Counter::SolvedAnswered,
            Counter::Solved
        ]
    );
}

#[test]
fn changes_move_only_what_moved_and_cancel_out() {
    let before = Fact::derive(&reported(), local);
    assert!(changes(Some(&before), Some(&before)).is_empty());
    // An extension moves the deadline: one off the old day, one on the new.
    let later = Fact::derive(
        &Observed {
            resolve_due: Some(at(6, 2)),
            ..reported()
        },
        local,
    );
    let moved = changes(Some(&before), Some(&later));
    assert_eq!(moved.len(), 2);
    assert_eq!(moved[0].day, day(3));
    assert_eq!(moved[0].by.get(Counter::Due), -1);
    assert_eq!(moved[1].day, day(6));
    assert_eq!(moved[1].by.get(Counter::Due), 1);
    // A dispatch moves the case to the party's key.
    let dispatched = Fact::derive(
        &Observed {
            party: Some("zy-sanitation"),
            status: Status::Dispatched,
            first_dispatch_at: Some(at(1, 3)),
            ..reported()
        },
        local,
    );
    let moved = changes(Some(&before), Some(&dispatched));
    let total: i64 = moved.iter().map(|c| c.by.get(Counter::Reported)).sum();
    assert_eq!(total, 0, "still reported once");
    // Deriving along any path ends where deriving at once does.
    let mut running = totals([&before]);
    for change in changes(Some(&before), Some(&dispatched))
        .into_iter()
        .chain(changes(Some(&dispatched), Some(&later)))
    {
        running
            .entry((change.day, change.key))
            .or_default()
            .merge(&change.by);
    }
    running.retain(|_, c| !c.is_zero());
    assert_eq!(running, totals([&later]));
}

#[test]
fn the_table_ranks_units_and_totals_them() {
    let mut good = Counts::default();
    good.add(Counter::Dispatched, 10);
    good.add(Counter::AcknowledgedInTime, 10);
    let mut poor = Counts::default();
    poor.add(Counter::Dispatched, 10);
    poor.add(Counter::AcknowledgedInTime, 5);
    let (groups, total) = table(
        [
            ("b".to_owned(), poor),
            ("a".to_owned(), good),
            ("c".to_owned(), Counts::default()),
        ],
        GroupBy::Party,
        &KpiRules::default(),
    );
    let order: Vec<_> = groups.iter().map(|g| (g.key.as_str(), g.rank)).collect();
    assert_eq!(order, vec![("a", Some(1)), ("b", Some(2)), ("c", None)]);
    assert_eq!(total.counts.get(Counter::Dispatched), 20);
    assert_eq!(total.rates[4].percent, Some(75.0));
}

#[test]
fn weeks_are_named_by_their_monday_and_months_by_number() {
    let sunday = NaiveDate::from_ymd_opt(2026, 12, 6).expect("valid");
    assert_eq!(
        GroupBy::Week.period_of(sunday).expect("valid"),
        "2026-11-30"
    );
    assert_eq!(GroupBy::Month.period_of(sunday).expect("valid"), "2026-12");
    assert!(Period::new(day(2), day(1)).is_err());
    assert!(Period::new(day(1), day(1)).is_ok());
}
