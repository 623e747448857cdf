//! Lead and assist 吹哨报到: the parties called onto an incident beside its
//! lead, their report clocks, and the timeline and notifications of each
//! assist step. The rules are `gridops_domain::incident::assist`'s; this
//! keeps what they decide.
//!
//! Every step runs inside the caller's write transaction (no transaction of
//! its own), so automatic routing can call parties in the transaction that
//! dispatches the case. A step first locks the incident's row, so the
//! incident it decides on is the one it writes to: two dispatchers calling
//! parties at once are taken one after the other, and the second sees the
//! first one's assists.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::deadline::{DEFAULT_WARN_FRACTION, WorkingCalendar, warn_at};
use gridops_domain::incident::{Assist, AssistEvent, AssistState, Incident, IncidentError, assist};
use uuid::Uuid;

use super::incidents::{self, StoredIncident};
use crate::db::{DbConnection, DbError};
use crate::schema::{deadlines, incident_assists, incidents as incidents_table};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = incident_assists, treat_none_as_null = true)]
pub struct AssistRow {
    pub incident_id: String,
    pub party_code: String,
    pub called_by: String,
    pub called_at: NaiveDateTime,
    pub state: String,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub reported_at: Option<NaiveDateTime>,
    pub report: Option<String>,
}

impl AssistRow {
    fn new(incident_id: &str, assist: &Assist) -> Self {
        AssistRow {
            incident_id: incident_id.to_owned(),
            party_code: assist.party.clone(),
            called_by: assist.called_by.clone(),
            called_at: assist.called_at,
            state: assist.state.as_str().to_owned(),
            acknowledged_at: assist.acknowledged_at,
            reported_at: assist.reported_at,
            report: assist.report.clone(),
        }
    }
}

impl TryFrom<AssistRow> for Assist {
    type Error = DbError;
    fn try_from(row: AssistRow) -> Result<Self, DbError> {
        let state = AssistState::parse(&row.state).ok_or_else(|| {
            DbError::Corrupt(format!(
                "assist {} on {}: state {}",
                row.party_code, row.incident_id, row.state
            ))
        })?;
        Ok(Assist {
            party: row.party_code,
            state,
            called_by: row.called_by,
            called_at: row.called_at,
            acknowledged_at: row.acknowledged_at,
            reported_at: row.reported_at,
            report: row.report,
        })
    }
}

/// Why an assist step wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum AssistStepError {
    /// The rules refused it.
    #[error(transparent)]
    Refused(#[from] IncidentError),
    /// The caller read another version than the one the incident is at.
    #[error("the incident is now at version {current}")]
    Stale { current: i64 },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The incident's assists, by when they were called, then by party code.
pub fn of_incident(conn: &mut DbConnection, incident_id: &str) -> Result<Vec<Assist>, DbError> {
    incident_assists::table
        .filter(incident_assists::incident_id.eq(incident_id))
        .order((
            incident_assists::called_at.asc(),
            incident_assists::party_code.asc(),
        ))
        .select(AssistRow::as_select())
        .load::<AssistRow>(conn)?
        .into_iter()
        .map(Assist::try_from)
        .collect()
}

/// The assists of several incidents (a page of a list), by incident id.
pub fn of_incidents(
    conn: &mut DbConnection,
    incident_ids: &[String],
) -> Result<HashMap<String, Vec<Assist>>, DbError> {
    let mut by_incident: HashMap<String, Vec<Assist>> = HashMap::new();
    if incident_ids.is_empty() {
        return Ok(by_incident);
    }
    let rows: Vec<AssistRow> = incident_assists::table
        .filter(incident_assists::incident_id.eq_any(incident_ids))
        .order((
            incident_assists::called_at.asc(),
            incident_assists::party_code.asc(),
        ))
        .select(AssistRow::as_select())
        .load(conn)?;
    for row in rows {
        let incident_id = row.incident_id.clone();
        by_incident
            .entry(incident_id)
            .or_default()
            .push(Assist::try_from(row)?);
    }
    Ok(by_incident)
}

/// Ids of the incidents these parties were called to assist on: what
/// their handlers see beside their own cases.
pub fn assisted_by(conn: &mut DbConnection, parties: &[String]) -> Result<Vec<String>, DbError> {
    if parties.is_empty() {
        return Ok(Vec::new());
    }
    Ok(incident_assists::table
        .filter(incident_assists::party_code.eq_any(parties))
        .select(incident_assists::incident_id)
        .distinct()
        .load(conn)?)
}

/// Locks the incident's row until the transaction ends and reads it with its
/// followers and assists. `expected_version`: the version the caller read
/// (`If-Match`); another one is [`AssistStepError::Stale`].
pub fn lock(
    conn: &mut DbConnection,
    incident_id: &str,
    expected_version: Option<i64>,
) -> Result<StoredIncident, AssistStepError> {
    // A write that changes nothing: portable where `SELECT … FOR UPDATE` is
    // not (SQLite), and on SQLite the write transaction already serialises.
    let locked = diesel::update(incidents_table::table.find(incident_id))
        .set(incidents_table::version.eq(incidents_table::version))
        .execute(conn)
        .map_err(DbError::from)?;
    if locked == 0 {
        return Err(DbError::NotFound.into());
    }
    let stored = incidents::find(conn, incident_id)?;
    match expected_version {
        Some(expected) if expected != stored.incident.version => Err(AssistStepError::Stale {
            current: stored.incident.version,
        }),
        _ => Ok(stored),
    }
}

/// Calls `parties` to assist on the incident, by `by` (a user id, or
/// [`SYSTEM_ACTOR`](super::incidents::SYSTEM_ACTOR) for automatic routing) at
/// `at`: the rules of `assist::call`, then [`save`]. No permission is
/// checked: the caller has decided that `by` may. Runs in the caller's
/// write transaction. That each party exists is checked by the foreign key:
/// an unknown party is [`DbError::Conflict`] (the API checks first and
/// names the field).
pub fn call(
    conn: &mut DbConnection,
    incident_id: &str,
    parties: &[String],
    by: &str,
    at: NaiveDateTime,
) -> Result<StoredIncident, AssistStepError> {
    let before = lock(conn, incident_id, None)?;
    let (next, events) = assist::call(&before.incident, parties, None, by, at)?;
    Ok(save(conn, &next, &events)?)
}

/// The assisting `party` acknowledges its part, by `by` at `at`; like
/// [`call`], no permission is checked.
pub fn acknowledge(
    conn: &mut DbConnection,
    incident_id: &str,
    party: &str,
    note: Option<&str>,
    by: &str,
    at: NaiveDateTime,
) -> Result<StoredIncident, AssistStepError> {
    let before = lock(conn, incident_id, None)?;
    let (next, event) =
        assist::acknowledge(&before.incident, party, note.map(str::to_owned), by, at)?;
    Ok(save(conn, &next, &[event])?)
}

/// The assisting `party` reports `result`, by `by` at `at`: its clock is
/// met and the lead is told. Like [`call`], no permission is checked.
pub fn report(
    conn: &mut DbConnection,
    incident_id: &str,
    party: &str,
    result: &str,
    by: &str,
    at: NaiveDateTime,
) -> Result<StoredIncident, AssistStepError> {
    let before = lock(conn, incident_id, None)?;
    let (next, event) = assist::report(&before.incident, party, result.to_owned(), by, at)?;
    Ok(save(conn, &next, &[event])?)
}

/// Keeps an assist step decided on the incident [`lock`] returned: the
/// assists of `events` as `next` holds them, a `report` clock for each party
/// called (met when it reports), one timeline event per party (the version
/// goes up by one each), and the notifications. The incident as it is now.
pub fn save(
    conn: &mut DbConnection,
    next: &Incident,
    events: &[AssistEvent],
) -> Result<StoredIncident, DbError> {
    for event in events {
        let Some(assist) = next.assists.iter().find(|a| a.party == event.party) else {
            return Err(DbError::Other(format!(
                "an assist event for {} without its assist",
                event.party
            )));
        };
        let row = AssistRow::new(&next.id, assist);
        let updated =
            diesel::update(incident_assists::table.find((&row.incident_id, &row.party_code)))
                .set(&row)
                .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(incident_assists::table)
                .values(&row)
                .execute(conn)?;
        }
        match event.step {
            gridops_domain::incident::AssistStep::Call => {
                start_report_clock(conn, next, &event.party, event.at)?;
            }
            gridops_domain::incident::AssistStep::Report => {
                meet_report_clock(conn, &next.id, &event.party, event.at)?;
            }
            gridops_domain::incident::AssistStep::Acknowledge => {}
        }
        incidents::append_event(
            conn,
            &next.id,
            event.action(),
            &event.actor_id,
            Some(&event.timeline_note()),
            event.at,
        )?;
    }
    let stored = incidents::find(conn, &next.id)?;
    for event in events {
        let tells = assist::tells(&stored.incident, event);
        super::notifications::tell_about_incident(
            conn,
            &stored.incident,
            &tells,
            &event.actor_id,
            event.at,
        )?;
    }
    Ok(stored)
}

/// The assisting party's clock: the lead's running resolve clock when there
/// is one (an assist is due when the case is), else the category's resolve
/// limit from now, in office working time, warned at 80%.
fn start_report_clock(
    conn: &mut DbConnection,
    incident: &Incident,
    party: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let lead: Option<(NaiveDateTime, NaiveDateTime)> = deadlines::table
        .filter(deadlines::incident_id.eq(&incident.id))
        .filter(deadlines::step.eq("resolve"))
        .filter(deadlines::state.eq("running"))
        .order(deadlines::started_at.desc())
        .select((deadlines::due_at, deadlines::warn_at))
        .first(conn)
        .optional()?;
    let (due_at, warn) = match lead {
        Some(times) => times,
        None => {
            let category = super::categories::find(conn, &incident.category)?;
            let due = WorkingCalendar::china_office().deadline(at, category.resolve_within);
            (due, warn_at(at, due, DEFAULT_WARN_FRACTION))
        }
    };
    diesel::insert_into(deadlines::table)
        .values((
            deadlines::id.eq(Uuid::now_v7().to_string()),
            deadlines::incident_id.eq(&incident.id),
            deadlines::step.eq("report"),
            deadlines::party_code.eq(Some(party)),
            deadlines::area_code.eq(incident.grid.to_string()),
            deadlines::started_at.eq(at),
            deadlines::due_at.eq(due_at),
            deadlines::warn_at.eq(warn),
            deadlines::state.eq("running"),
        ))
        .execute(conn)?;
    Ok(())
}

fn meet_report_clock(
    conn: &mut DbConnection,
    incident_id: &str,
    party: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(
        deadlines::table
            .filter(deadlines::incident_id.eq(incident_id))
            .filter(deadlines::step.eq("report"))
            .filter(deadlines::party_code.eq(party))
            .filter(deadlines::state.eq_any(["running", "paused"])),
    )
    .set((deadlines::state.eq("met"), deadlines::ended_at.eq(Some(at))))
    .execute(conn)?;
    Ok(())
}
