//! The clocks of incidents: started, met and cancelled by lifecycle steps
//! ([`follow_step`]), paused and resumed by suspensions, moved by
//! extensions. The incident's `acknowledge_due` / `resolve_due` follow the
//! open clocks, so the `overdue` filter and the views read them as before.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::category::{Category, Priority, TimeLimit};
use gridops_domain::deadline::{
    Clock, ClockChange, ClockState, ClockStep, Limits, NewClock, WorkingCalendar,
    clocks_after_step, extended, resumed,
};
use gridops_domain::incident::Incident;
use uuid::Uuid;

use super::incidents::StoredIncident;
use super::{calendar, categories, time_limits};
use crate::db::{DbConnection, DbError};
use crate::schema::{deadlines, incidents};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = deadlines)]
pub struct DeadlineRow {
    pub id: String,
    pub incident_id: String,
    pub step: String,
    pub party_code: Option<String>,
    pub area_code: String,
    pub started_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub warn_at: NaiveDateTime,
    pub state: String,
    pub ended_at: Option<NaiveDateTime>,
    pub paused_at: Option<NaiveDateTime>,
    pub warned_at: Option<NaiveDateTime>,
    pub overdue_at: Option<NaiveDateTime>,
    pub escalated_to: Option<String>,
    pub extensions: i32,
    pub suspensions: i32,
}

impl TryFrom<DeadlineRow> for Clock {
    type Error = DbError;
    fn try_from(row: DeadlineRow) -> Result<Self, DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("deadline {}: {what}", row.id));
        Ok(Clock {
            step: ClockStep::parse(&row.step).ok_or_else(|| corrupt("step"))?,
            state: ClockState::parse(&row.state).ok_or_else(|| corrupt("state"))?,
            extensions: u32::try_from(row.extensions).unwrap_or(0),
            suspensions: u32::try_from(row.suspensions).unwrap_or(0),
            id: row.id,
            incident_id: row.incident_id,
            party: row.party_code,
            area: row.area_code,
            started_at: row.started_at,
            due_at: row.due_at,
            warn_at: row.warn_at,
            ended_at: row.ended_at,
            paused_at: row.paused_at,
            warned_at: row.warned_at,
            overdue_at: row.overdue_at,
            escalated_to: row.escalated_to,
        })
    }
}

/// Every clock of an incident, oldest first.
pub fn list(conn: &mut DbConnection, incident_id: &str) -> Result<Vec<Clock>, DbError> {
    deadlines::table
        .filter(deadlines::incident_id.eq(incident_id))
        .order((deadlines::started_at.asc(), deadlines::id.asc()))
        .select(DeadlineRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Clock::try_from)
        .collect()
}

fn open_clocks(conn: &mut DbConnection, incident_id: &str) -> Result<Vec<Clock>, DbError> {
    Ok(list(conn, incident_id)?
        .into_iter()
        .filter(|c| c.state.is_open())
        .collect())
}

/// The limits the incident runs on: its category's, or the override for
/// its priority.
pub fn limits_of(conn: &mut DbConnection, incident: &Incident) -> Result<Limits, DbError> {
    let category = categories::find(conn, &incident.category)?;
    limits_in(conn, &category, incident.priority)
}

/// The limits of `category` for `priority`, the category already read.
pub fn limits_in(
    conn: &mut DbConnection,
    category: &Category,
    priority: Priority,
) -> Result<Limits, DbError> {
    let overrides = time_limits::of_category(conn, &category.code)?;
    Ok(Limits::lookup(category, priority, &overrides))
}

/// The hook every lifecycle step calls inside its write transaction, right
/// after the incident is stored: starts, meets and cancels the incident's
/// clocks on `calendar` and the case's `limits`, and brings its due
/// columns up to date. `before` is `None` for a new incident. The due
/// columns as written: [`Dues`].
pub fn follow_step(
    conn: &mut DbConnection,
    before: Option<&Incident>,
    after: &Incident,
    at: NaiveDateTime,
    (calendar, limits): (&WorkingCalendar, Limits),
    warn_fraction: f64,
) -> Result<Dues, DbError> {
    let changes = clocks_after_step(before, after, limits, calendar, at, warn_fraction);
    apply(conn, &after.id, &changes, at)?;
    // A report not yet dispatched has no resolve clock, but the case is
    // expected resolved within the limit all the same: the overdue filter
    // catches one stuck in triage.
    let provisional = before
        .is_none()
        .then(|| calendar.deadline(at, limits.resolve));
    sync_dues(conn, &after.id, provisional)
}

/// The clocks a new report starts, and the due columns they give it.
#[derive(Debug, Clone)]
pub struct ReportClocks {
    clocks: Vec<NewClock>,
    pub dues: Dues,
}

/// [`follow_step`] for a report, decided before the incident is stored: its
/// row is written once, with its dues, and nothing is read back (a report
/// has no clocks yet). Store the clocks with [`start_report_clocks`].
pub fn report_clocks(
    incident: &Incident,
    at: NaiveDateTime,
    (calendar, limits): (&WorkingCalendar, Limits),
    warn_fraction: f64,
) -> ReportClocks {
    // With no clock open, only starts change anything.
    let clocks: Vec<NewClock> =
        clocks_after_step(None, incident, limits, calendar, at, warn_fraction)
            .into_iter()
            .filter_map(|change| match change {
                ClockChange::Start(new) => Some(new),
                _ => None,
            })
            .collect();
    // As `sync_dues` on a case without dues stored.
    let latest = |step: ClockStep| {
        clocks
            .iter()
            .filter(|c| c.step == step)
            .max_by_key(|c| c.started_at)
            .map(|c| c.due_at)
    };
    let dues = Dues {
        acknowledge: latest(ClockStep::Acknowledge).or_else(|| latest(ClockStep::Triage)),
        resolve: latest(ClockStep::Resolve).or(Some(calendar.deadline(at, limits.resolve))),
    };
    ReportClocks { clocks, dues }
}

/// Stores the clocks of a new report, in one statement.
pub fn start_report_clocks(
    conn: &mut DbConnection,
    incident_id: &str,
    report: &ReportClocks,
) -> Result<(), DbError> {
    let rows: Vec<DeadlineRow> = report
        .clocks
        .iter()
        .map(|new| running(incident_id, new))
        .collect();
    match conn {
        _ if rows.is_empty() => 0,
        DbConnection::Postgresql(c) => diesel::insert_into(deadlines::table)
            .values(&rows)
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(deadlines::table)
            .values(&rows)
            .execute(c)?,
    };
    Ok(())
}

/// Applies a step's clock changes to the incident's clocks.
pub fn apply(
    conn: &mut DbConnection,
    incident_id: &str,
    changes: &[ClockChange],
    at: NaiveDateTime,
) -> Result<(), DbError> {
    if changes.is_empty() {
        return Ok(());
    }
    let open = open_clocks(conn, incident_id)?;
    for change in changes {
        let (ending, state): (Vec<&Clock>, ClockState) = match change {
            ClockChange::Start(new) => {
                start(conn, incident_id, new)?;
                continue;
            }
            ClockChange::Meet { step, party } => (
                open.iter()
                    .filter(|c| c.step == *step && c.party == *party)
                    .collect(),
                ClockState::Met,
            ),
            ClockChange::CancelParty(party) => (
                open.iter()
                    .filter(|c| c.party.as_deref() == Some(party))
                    .collect(),
                ClockState::Cancelled,
            ),
            ClockChange::CancelAll => (open.iter().collect(), ClockState::Cancelled),
        };
        let ids: Vec<&str> = ending.iter().map(|c| c.id.as_str()).collect();
        if ids.is_empty() {
            continue;
        }
        diesel::update(deadlines::table.filter(deadlines::id.eq_any(ids)).filter(
            deadlines::state.eq_any([ClockState::Running.as_str(), ClockState::Paused.as_str()]),
        ))
        .set((
            deadlines::state.eq(state.as_str()),
            deadlines::ended_at.eq(Some(at)),
        ))
        .execute(conn)?;
    }
    Ok(())
}

/// Sets the incident's `acknowledge_due` and `resolve_due` from its open
/// clocks: the running acknowledge clock (else the dispatchers' triage
/// clock) and the running resolve clock. A paused clock's due is cleared:
/// a suspended case is not overdue. With no such clock the column keeps its
/// last value (or `provisional_resolve`), which the overdue filter ignores
/// once the case is resolved.
fn sync_dues(
    conn: &mut DbConnection,
    incident_id: &str,
    provisional_resolve: Option<NaiveDateTime>,
) -> Result<Dues, DbError> {
    let open = open_clocks(conn, incident_id)?;
    let latest = |step: ClockStep| {
        open.iter()
            .filter(|c| c.step == step)
            .max_by_key(|c| c.started_at)
    };
    let column =
        |clock: Option<&Clock>| clock.map(|c| (c.state == ClockState::Running).then_some(c.due_at));
    let (stored_ack, stored_resolve): (Option<NaiveDateTime>, Option<NaiveDateTime>) =
        incidents::table
            .find(incident_id)
            .select((incidents::acknowledge_due, incidents::resolve_due))
            .first(conn)?;
    let acknowledge = column(latest(ClockStep::Acknowledge).or_else(|| latest(ClockStep::Triage)))
        .unwrap_or(stored_ack);
    let resolve = column(latest(ClockStep::Resolve))
        .unwrap_or_else(|| provisional_resolve.or(stored_resolve));
    diesel::update(incidents::table.find(incident_id))
        .set((
            incidents::acknowledge_due.eq(acknowledge),
            incidents::resolve_due.eq(resolve),
        ))
        .execute(conn)?;
    Ok(Dues {
        acknowledge,
        resolve,
    })
}

/// An incident's `acknowledge_due` and `resolve_due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dues {
    pub acknowledge: Option<NaiveDateTime>,
    pub resolve: Option<NaiveDateTime>,
}

impl Dues {
    /// `stored` with these dues.
    pub fn on(self, mut stored: StoredIncident) -> StoredIncident {
        (stored.acknowledge_due, stored.resolve_due) = (self.acknowledge, self.resolve);
        stored
    }
}

/// A suspension begins: every running clock of the incident is paused and
/// counts one more suspension. Returns how many were paused.
pub fn pause(
    conn: &mut DbConnection,
    incident_id: &str,
    at: NaiveDateTime,
) -> Result<usize, DbError> {
    let paused = diesel::update(
        deadlines::table
            .filter(deadlines::incident_id.eq(incident_id))
            .filter(deadlines::state.eq(ClockState::Running.as_str())),
    )
    .set((
        deadlines::state.eq(ClockState::Paused.as_str()),
        deadlines::paused_at.eq(Some(at)),
        deadlines::suspensions.eq(deadlines::suspensions + 1),
    ))
    .execute(conn)?;
    sync_dues(conn, incident_id, None)?;
    Ok(paused)
}

/// A suspension ends at `at`: every paused clock runs again, its due and
/// warning later by the working time it was held (wall-clock time for a
/// clock in calendar hours). Returns how many resumed.
pub fn resume(
    conn: &mut DbConnection,
    incident: &Incident,
    at: NaiveDateTime,
) -> Result<usize, DbError> {
    let limits = limits_of(conn, incident)?;
    let paused: Vec<Clock> = open_clocks(conn, &incident.id)?
        .into_iter()
        .filter(|c| c.state == ClockState::Paused)
        .collect();
    if paused.is_empty() {
        return Ok(0);
    }
    // Loaded around the pause: the calendar must cover the days it held.
    let earliest = paused
        .iter()
        .filter_map(|c| c.paused_at)
        .min()
        .unwrap_or(at);
    let calendar = calendar::load(conn, earliest)?;
    for clock in &paused {
        let (due, warn) = resumed(clock, at, clock.step.unit(&limits), &calendar);
        moved(conn, clock, due, warn, at)?;
        diesel::update(deadlines::table.find(&clock.id))
            .set((
                deadlines::state.eq(ClockState::Running.as_str()),
                deadlines::paused_at.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
    }
    sync_dues(conn, &incident.id, None)?;
    Ok(paused.len())
}

/// An extension is granted: the open resolve clock's due moves by `by`
/// counted from its current due, and it counts one more extension.
/// `false` when no resolve clock is open.
pub fn extend(
    conn: &mut DbConnection,
    incident: &Incident,
    by: TimeLimit,
    at: NaiveDateTime,
    warn_fraction: f64,
) -> Result<bool, DbError> {
    let Some(clock) = open_clocks(conn, &incident.id)?
        .into_iter()
        .filter(|c| c.step == ClockStep::Resolve)
        .max_by_key(|c| c.started_at)
    else {
        return Ok(false);
    };
    let calendar: WorkingCalendar = calendar::load(conn, clock.due_at)?;
    let (due, warn) = extended(&clock, by, &calendar, warn_fraction);
    moved(conn, &clock, due, warn, at)?;
    diesel::update(deadlines::table.find(&clock.id))
        .set(deadlines::extensions.eq(deadlines::extensions + 1))
        .execute(conn)?;
    sync_dues(conn, &incident.id, None)?;
    Ok(true)
}

/// Moves a clock's due and warning; a warning or an overdue mark already
/// given is taken back when the new time is still ahead, so the escalation
/// worker tells again when it comes.
fn moved(
    conn: &mut DbConnection,
    clock: &Clock,
    due: NaiveDateTime,
    warn: NaiveDateTime,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let warned = clock.warned_at.filter(|_| warn <= at);
    let overdue = clock.overdue_at.filter(|_| due <= at);
    diesel::update(deadlines::table.find(&clock.id))
        .set((
            deadlines::due_at.eq(due),
            deadlines::warn_at.eq(warn),
            deadlines::warned_at.eq(warned),
            deadlines::overdue_at.eq(overdue),
        ))
        .execute(conn)?;
    Ok(())
}

/// The due and warning of the incident's running resolve clock, if one runs.
pub fn running_resolve(
    conn: &mut DbConnection,
    incident_id: &str,
) -> Result<Option<(NaiveDateTime, NaiveDateTime)>, DbError> {
    Ok(deadlines::table
        .filter(deadlines::incident_id.eq(incident_id))
        .filter(deadlines::step.eq(ClockStep::Resolve.as_str()))
        .filter(deadlines::state.eq(ClockState::Running.as_str()))
        .order(deadlines::started_at.desc())
        .select((deadlines::due_at, deadlines::warn_at))
        .first(conn)
        .optional()?)
}

/// Starts a clock, running.
fn start(conn: &mut DbConnection, incident_id: &str, new: &NewClock) -> Result<(), DbError> {
    diesel::insert_into(deadlines::table)
        .values(running(incident_id, new))
        .execute(conn)?;
    Ok(())
}

/// The row of a clock that starts running.
fn running(incident_id: &str, new: &NewClock) -> DeadlineRow {
    DeadlineRow {
        id: Uuid::now_v7().to_string(),
        incident_id: incident_id.to_owned(),
        step: new.step.as_str().to_owned(),
        party_code: new.party.clone(),
        area_code: new.area.to_string(),
        started_at: new.started_at,
        due_at: new.due_at,
        warn_at: new.warn_at,
        state: ClockState::Running.as_str().to_owned(),
        ended_at: None,
        paused_at: None,
        warned_at: None,
        overdue_at: None,
        escalated_to: None,
        extensions: 0,
        suspensions: 0,
    }
}

/// Starts an assisting party's `report` clock.
pub fn start_report(
    conn: &mut DbConnection,
    incident: &Incident,
    party: &str,
    at: NaiveDateTime,
    (due_at, warn_at): (NaiveDateTime, NaiveDateTime),
) -> Result<(), DbError> {
    let clock = NewClock {
        step: ClockStep::Report,
        party: Some(party.to_owned()),
        area: incident.grid.clone(),
        started_at: at,
        due_at,
        warn_at,
    };
    start(conn, &incident.id, &clock)
}

/// An assisting party reported: its `report` clock is met.
pub fn meet_report(
    conn: &mut DbConnection,
    incident_id: &str,
    party: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::update(
        deadlines::table
            .filter(deadlines::incident_id.eq(incident_id))
            .filter(deadlines::step.eq(ClockStep::Report.as_str()))
            .filter(deadlines::party_code.eq(party))
            .filter(
                deadlines::state
                    .eq_any([ClockState::Running.as_str(), ClockState::Paused.as_str()]),
            ),
    )
    .set((
        deadlines::state.eq(ClockState::Met.as_str()),
        deadlines::ended_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(())
}
