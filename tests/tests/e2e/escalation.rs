//! Escalation 督办 as the people on a case meet it: a yellow warning in the
//! inbox of whoever holds a step nearly due, then, once it is overdue, one
//! `escalate` event on the timeline and word to the dispatchers one level
//! up; never twice for one deadline, however often or by how many workers
//! the clocks are swept. The tests drive the clock: the sweep takes `now`.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use gridops_domain::deadline::{ClockState, ClockStep};
use gridops_infra::Db;
use gridops_infra::escalation::{NewClock, Sweep, insert_clock, run_once};
use gridops_infra::schema::deadlines;
use gridops_tests::{TestApp, on_both_backends};
use serde_json::Value;

use crate::incidents::{
    Cast, GUANLAN_COMMUNITY, GUANLAN_GRID, HEATING, User, cast, report_in, seen, step, text,
};
use crate::notifications::inbox;

const GUANLAN_SUBDISTRICT: &str = "410102003";
const ZHONGYUAN_DISTRICT: &str = "410102";

/// Clocks these tests start run a month ahead of the real clock, so the
/// server's own escalation worker, which sweeps with the real clock, never
/// takes them: only the sweeps the tests drive do.
fn ahead() -> NaiveDateTime {
    gridops_infra::repo::now() + TimeDelta::days(30)
}

/// A clock as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deadlines)]
struct ClockRow {
    id: String,
    incident_id: String,
    step: String,
    party_code: Option<String>,
    due_at: NaiveDateTime,
    warn_at: NaiveDateTime,
    state: String,
    warned_at: Option<NaiveDateTime>,
    overdue_at: Option<NaiveDateTime>,
    escalated_to: Option<String>,
}

async fn clocks_of(db: &Db, incident_id: &str) -> Vec<ClockRow> {
    let (db, id) = (db.clone(), incident_id.to_owned());
    tokio::task::spawn_blocking(move || {
        db.read_blocking(|conn| {
            Ok(deadlines::table
                .filter(deadlines::incident_id.eq(&id))
                .order(deadlines::started_at.asc())
                .select(ClockRow::as_select())
                .load(conn)?)
        })
    })
    .await
    .expect("read clocks")
    .expect("clocks")
}

/// Marks met whatever clocks the lifecycle started for the incident (a
/// report's triage), so that only the clocks a test starts fall due.
async fn meet_lifecycle_clocks(db: &Db, incident_id: &str) {
    let (db, id) = (db.clone(), incident_id.to_owned());
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| {
            Ok(
                diesel::update(deadlines::table.filter(deadlines::incident_id.eq(&id)))
                    .set(deadlines::state.eq(ClockState::Met.as_str()))
                    .execute(conn)?,
            )
        })
    })
    .await
    .expect("meet clocks")
    .expect("clocks met");
}

/// Starts a clock for `step` of `incident_id`, owed in Guanlan's grid,
/// warning at `warn_at` and due at `due_at`.
async fn start_clock(
    db: &Db,
    incident_id: &str,
    step: ClockStep,
    party: Option<&str>,
    state: ClockState,
    warn_at: NaiveDateTime,
    due_at: NaiveDateTime,
) -> String {
    let (db, id, party) = (db.clone(), incident_id.to_owned(), party.map(str::to_owned));
    tokio::task::spawn_blocking(move || {
        db.write_blocking(|conn| {
            insert_clock(
                conn,
                &NewClock {
                    incident_id: &id,
                    step,
                    party_code: party.as_deref(),
                    area_code: GUANLAN_GRID,
                    started_at: warn_at - TimeDelta::hours(1),
                    warn_at,
                    due_at,
                    state,
                },
            )
        })
    })
    .await
    .expect("start a clock")
    .expect("clock stored")
}

/// One sweep at `now` on a pool of its own, as a freshly started worker.
async fn sweep(app: &TestApp, now: NaiveDateTime) -> Sweep {
    let db = app.open_db();
    tokio::task::spawn_blocking(move || run_once(&db, now, 50))
        .await
        .expect("sweep")
        .expect("swept")
}

/// The timeline events of `action` on the incident, as `who` reads it.
async fn events_of(app: &TestApp, who: &User, id: &str, action: &str) -> Vec<Value> {
    seen(app, who, id).await["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

/// `who`'s inbox entries of `topic` about incident `id`.
async fn told(app: &TestApp, who: &User, id: &str, topic: &str) -> usize {
    inbox(app, who, "limit=500").await["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["topic"] == topic && n["incident_id"] == id)
        .count()
}

/// A resident's heating report in the heating company's hands: routed there
/// by the rules, or else accepted and dispatched by the dispatcher.
async fn heating_case_with_the_heating_company(app: &TestApp, c: &Cast) -> String {
    let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "3号楼暖气不热").await;
    if seen(app, &c.admin, &id).await["status"] == "reported" {
        step(app, &c.dispatcher, &id, "accept", None).await;
    }
    if seen(app, &c.admin, &id).await["status"] == "accepted" {
        let party = Some(serde_json::json!({"party": "zy-heating"}));
        step(app, &c.dispatcher, &id, "dispatch", party).await;
    }
    let case = seen(app, &c.admin, &id).await;
    assert_eq!(case["status"], "dispatched", "{case}");
    assert_eq!(case["party"], "zy-heating", "{case}");
    id
}

/// The acknowledge clock dispatch started for the heating company.
async fn acknowledge_clock(db: &Db, id: &str) -> ClockRow {
    let clock = clocks_of(db, id)
        .await
        .into_iter()
        .find(|c| c.step == "acknowledge" && c.state == "running")
        .expect("dispatch starts the party's acknowledge clock");
    assert_eq!(clock.party_code.as_deref(), Some("zy-heating"));
    assert!(clock.warned_at.is_none() && clock.overdue_at.is_none());
    clock
}

on_both_backends! {
    async fn a_late_acknowledgement_warns_the_handlers_then_escalates_to_the_community_once(app) {
        let c = cast(app).await;
        let id = heating_case_with_the_heating_company(app, &c).await;
        let db = app.open_db();
        let clock = acknowledge_clock(&db, &id).await;
        let timeline = seen(app, &c.admin, &id).await["timeline"].as_array().expect("timeline").len();

        // Yellow: the handlers hear that it is due soon; the timeline does not.
        let yellow = clock.warn_at + TimeDelta::seconds(1);
        assert!(yellow < clock.due_at);
        assert_eq!(sweep(app, yellow).await, Sweep { warned: 1, escalated: 0 });
        assert_eq!(told(app, &c.handler, &id, "deadline_warning").await, 1);
        let case = seen(app, &c.admin, &id).await;
        assert_eq!(case["timeline"].as_array().expect("timeline").len(), timeline, "{case}");
        assert_eq!(told(app, &c.dispatcher, &id, "escalated").await, 0);
        // Warned once: the same moment again, on a fresh pool, warns nobody.
        assert_eq!(sweep(app, yellow).await, Sweep::default());
        assert_eq!(told(app, &c.handler, &id, "deadline_warning").await, 1);

        // Red: one escalation to Guanlan community, whose dispatchers hear of it.
        let red = clock.due_at + TimeDelta::seconds(1);
        assert_eq!(sweep(app, red).await, Sweep { warned: 0, escalated: 1 });
        let escalations = events_of(app, &c.admin, &id, "escalate").await;
        assert_eq!(escalations.len(), 1, "{escalations:?}");
        let event = &escalations[0];
        assert_eq!(event["actor_id"], "system");
        assert_eq!(event["from"], event["to"], "escalation leaves the status as it was");
        let note = text(&event["note"]);
        assert!(
            note.contains("acknowledge") && note.contains("zy-heating") && note.contains(GUANLAN_COMMUNITY),
            "{note}"
        );
        // dispatcher.hanghaixilu serves the subdistrict, over the community.
        assert_eq!(told(app, &c.dispatcher, &id, "escalated").await, 1);
        assert_eq!(told(app, &c.gongyi, &id, "escalated").await, 0);
        let stored = clocks_of(&db, &id).await.into_iter().find(|k| k.id == clock.id).expect("the clock");
        assert_eq!(stored.escalated_to.as_deref(), Some(GUANLAN_COMMUNITY));
        assert_eq!(stored.overdue_at, Some(red));

        // Later, and after "a restart" (a fresh pool, a fresh call): nothing new.
        for later in [red, red + TimeDelta::minutes(1), red + TimeDelta::minutes(10)] {
            assert_eq!(sweep(app, later).await, Sweep::default(), "at {later}");
        }
        assert_eq!(events_of(app, &c.admin, &id, "escalate").await.len(), 1);
        assert_eq!(told(app, &c.dispatcher, &id, "escalated").await, 1);

        // The server's own sweeper reports what it did (nothing was due by
        // the real clock).
        let metrics = app.get("/metrics").await.text().await.expect("metrics");
        assert!(
            metrics.contains(r#"gridops_deadline_escalations_total{outcome="escalated"} 0"#),
            "{metrics}"
        );
    }

    async fn paused_met_and_cancelled_clocks_never_escalate_and_the_next_escalation_climbs(app) {
        let c = cast(app).await;
        let id = report_in(app, &c.resident, GUANLAN_GRID, HEATING, "楼道暖气漏水").await;
        let db = app.open_db();
        meet_lifecycle_clocks(&db, &id).await;
        let start = ahead();
        let (warn, due) = (start + TimeDelta::minutes(48), start + TimeDelta::hours(1));
        for state in [ClockState::Paused, ClockState::Met, ClockState::Cancelled] {
            start_clock(&db, &id, ClockStep::Triage, None, state, warn, due).await;
        }
        let much_later = due + TimeDelta::days(10);
        assert_eq!(sweep(app, much_later).await, Sweep::default());
        assert!(events_of(app, &c.admin, &id, "escalate").await.is_empty());
        assert!(clocks_of(&db, &id).await.iter().all(|k| k.overdue_at.is_none() && k.warned_at.is_none()));

        // Two running clocks of the same incident: the first goes to the
        // community, the next one level above that.
        start_clock(&db, &id, ClockStep::Triage, None, ClockState::Running, warn, due).await;
        assert_eq!(sweep(app, due).await, Sweep { warned: 0, escalated: 1 });
        start_clock(&db, &id, ClockStep::VerifyOnSite, None, ClockState::Running, warn, due + TimeDelta::hours(1)).await;
        assert_eq!(sweep(app, due + TimeDelta::hours(1)).await, Sweep { warned: 0, escalated: 1 });
        let notes: Vec<String> = events_of(app, &c.admin, &id, "escalate").await.iter().map(|e| text(&e["note"])).collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("triage overdue") && notes[0].ends_with(GUANLAN_COMMUNITY), "{notes:?}");
        assert!(notes[1].starts_with("verify_on_site overdue") && notes[1].ends_with(GUANLAN_SUBDISTRICT), "{notes:?}");
    }

    async fn two_workers_at_once_escalate_every_deadline_exactly_once(app) {
        const INCIDENTS: usize = 20;
        const CLOCKS_EACH: usize = 10;
        const ROUNDS: i64 = 3;
        let c = cast(app).await;
        let mut ids = Vec::new();
        for n in 0..INCIDENTS {
            ids.push(report_in(app, &c.resident, GUANLAN_GRID, HEATING, &format!("{n}号楼暖气不热")).await);
        }
        let db = app.open_db();
        for id in &ids {
            meet_lifecycle_clocks(&db, id).await;
        }
        let start = ahead();
        for round in 1..=ROUNDS {
            // Every clock of the round falls due at the same moment.
            let due = start + TimeDelta::hours(round);
            for id in &ids {
                for _ in 0..CLOCKS_EACH {
                    start_clock(&db, id, ClockStep::Resolve, Some("zy-heating"), ClockState::Running, due - TimeDelta::minutes(12), due).await;
                }
            }
            let now = due + TimeDelta::seconds(1);
            // Two workers, each with its own pool, let go at the same instant;
            // small batches so their transactions interleave.
            let gate = Arc::new(Barrier::new(2));
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let (db, gate) = (app.open_db(), gate.clone());
                    std::thread::spawn(move || {
                        gate.wait();
                        run_once(&db, now, 7)
                    })
                })
                .collect();
            let mut escalated = 0;
            for worker in workers {
                let sweep = worker.join().expect("a worker").expect("its sweep");
                assert_eq!(sweep.warned, 0, "red clocks are escalated, not warned");
                escalated += sweep.escalated;
            }
            let clocks_due = INCIDENTS * CLOCKS_EACH;
            assert_eq!(escalated, clocks_due, "round {round}: each deadline once between the two");
            // And nothing is left for a third worker.
            assert_eq!(sweep(app, now).await, Sweep::default());
            let expected = CLOCKS_EACH * usize::try_from(round).expect("a small round");
            for id in &ids {
                let events = events_of(app, &c.admin, id, "escalate").await;
                assert_eq!(events.len(), expected, "round {round}, incident {id}");
                // The clocks started here (the lifecycle's own were met).
                let clocks: Vec<ClockRow> = clocks_of(&db, id)
                    .await
                    .into_iter()
                    .filter(|k| k.step == "resolve" && k.state == "running")
                    .collect();
                assert_eq!(clocks.len(), expected);
                assert!(clocks.iter().all(|k| k.overdue_at.is_some() && k.escalated_to.is_some()), "round {round}: none lost");
                if round == 1 {
                    // Escalations of one incident took turns: each climbed
                    // above the one before, then stayed at the district.
                    let mut levels: BTreeMap<String, usize> = BTreeMap::new();
                    for k in &clocks {
                        *levels.entry(k.escalated_to.clone().unwrap_or_default()).or_default() += 1;
                        assert_eq!(k.incident_id, *id);
                        assert_eq!(k.due_at - k.warn_at, TimeDelta::minutes(12));
                    }
                    assert_eq!(
                        levels,
                        BTreeMap::from([
                            (GUANLAN_COMMUNITY.to_owned(), 1),
                            (GUANLAN_SUBDISTRICT.to_owned(), 1),
                            (ZHONGYUAN_DISTRICT.to_owned(), CLOCKS_EACH - 2),
                        ]),
                        "incident {id}"
                    );
                }
            }
        }
    }
}
