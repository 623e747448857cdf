//! The escalation sweep 督办: finds running deadline clocks whose warning
//! time or deadline has come, warns the holder of a step nearly due (yellow)
//! and escalates an overdue one (red) one level up the area tree, with a
//! timeline event and word to that level's dispatchers.
//!
//! Exactly once per clock, however many workers sweep: on PostgreSQL each
//! batch claims its clocks `FOR UPDATE SKIP LOCKED`, so concurrent workers
//! take disjoint batches; on SQLite writers take turns anyway. Every mark is
//! a conditional update (`... WHERE overdue_at IS NULL`), so a clock read
//! twice, or again after a restart, is acted on once. The timeline event and
//! the notifications are written in the transaction that marks the clock,
//! through the workflow (`workflow::commit::note`): all of it happens, or
//! none.

use std::sync::atomic::AtomicU64;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::area::AreaCode;
use gridops_domain::deadline::{ClockState, ClockStep};
use gridops_domain::escalation::{
    ClockTimes, Due, escalation_note, escalation_target, what_is_due, whom_to_warn,
};
use gridops_domain::notification::on_escalation;
use uuid::Uuid;

use crate::db::{Db, DbConnection, DbError};
use crate::repo::incidents::{self, SYSTEM_ACTOR};
use crate::schema::{deadlines, incidents as incidents_table};
use crate::workflow::commit;

/// The timeline action of an escalation.
pub const ESCALATE: &str = "escalate";

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Holders warned that a step is nearly due.
    pub warned: usize,
    /// Overdue steps escalated.
    pub escalated: usize,
}

impl Sweep {
    pub fn is_empty(&self) -> bool {
        self.warned == 0 && self.escalated == 0
    }
}

impl std::ops::AddAssign for Sweep {
    fn add_assign(&mut self, other: Sweep) {
        self.warned += other.warned;
        self.escalated += other.escalated;
    }
}

/// Warnings and escalations since start, for `/metrics`.
#[derive(Debug, Default)]
pub struct EscalationStats {
    pub warned: AtomicU64,
    pub escalated: AtomicU64,
    pub failed_sweeps: AtomicU64,
}

/// Sweeps every clock due at `now`, `batch` clocks per write transaction,
/// until none is left. Blocking: async callers use `spawn_blocking`. The
/// caller raises the `OUTBOX` and `INCIDENT_EVENTS` signals locally when the
/// sweep did something (PostgreSQL listeners hear the commits by themselves).
pub fn run_once(db: &Db, now: NaiveDateTime, batch: usize) -> Result<Sweep, DbError> {
    let batch = batch.max(1);
    let mut total = Sweep::default();
    loop {
        let (done, claimed) = db.write_blocking(|conn| sweep_batch(conn, now, batch))?;
        total += done;
        // A short batch was the last; a batch that did nothing would be read
        // again (rows another worker marked between the read and the update).
        if claimed < batch || done.is_empty() {
            return Ok(total);
        }
    }
}

/// One batch inside the caller's write transaction: claims up to `batch`
/// due clocks, overdue ones first, and acts on each. Returns what was done
/// and how many clocks were claimed.
pub fn sweep_batch(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    batch: usize,
) -> Result<(Sweep, usize), DbError> {
    let limit = i64::try_from(batch).unwrap_or(i64::MAX);
    let mut ids = claim_overdue(conn, now, limit)?;
    let left = limit - i64::try_from(ids.len()).unwrap_or(limit);
    if left > 0 {
        ids.extend(claim_warnings(conn, now, left)?);
    }
    if ids.is_empty() {
        return Ok((Sweep::default(), 0));
    }
    let mut clocks: Vec<DueClock> = deadlines::table
        .filter(deadlines::id.eq_any(&ids))
        .select(DueClock::as_select())
        .load(conn)?;
    // Incidents are locked in one order by every worker: two workers whose
    // batches touch the same two incidents cannot wait on each other.
    clocks.sort_by(|a, b| (&a.incident_id, a.due_at).cmp(&(&b.incident_id, b.due_at)));
    let mut done = Sweep::default();
    for clock in &clocks {
        match what_is_due(&clock.as_clock(), now) {
            Due::Overdue => done.escalated += usize::from(escalate(conn, clock, now)?),
            Due::Warning => done.warned += usize::from(warn(conn, clock, now)?),
            Due::Nothing => {}
        }
    }
    Ok((done, ids.len()))
}

/// Running clocks past their deadline and not yet escalated.
fn claim_overdue(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    let due = deadlines::table
        .filter(deadlines::state.eq(ClockState::Running.as_str()))
        .filter(deadlines::overdue_at.is_null())
        .filter(deadlines::due_at.le(now))
        .order(deadlines::due_at.asc())
        .limit(limit)
        .select(deadlines::id);
    Ok(match conn {
        DbConnection::Postgresql(pg) => due.for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(lite) => due.load(lite)?,
    })
}

/// Running clocks past their warning time, not yet due and not yet warned.
fn claim_warnings(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    let due = deadlines::table
        .filter(deadlines::state.eq(ClockState::Running.as_str()))
        .filter(deadlines::warned_at.is_null())
        .filter(deadlines::overdue_at.is_null())
        .filter(deadlines::warn_at.le(now))
        .filter(deadlines::due_at.gt(now))
        .order(deadlines::warn_at.asc())
        .limit(limit)
        .select(deadlines::id);
    Ok(match conn {
        DbConnection::Postgresql(pg) => due.for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(lite) => due.load(lite)?,
    })
}

/// A clock as the sweep reads it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deadlines)]
struct DueClock {
    id: String,
    incident_id: String,
    step: String,
    party_code: Option<String>,
    area_code: String,
    due_at: NaiveDateTime,
    warn_at: NaiveDateTime,
    state: String,
    warned_at: Option<NaiveDateTime>,
    overdue_at: Option<NaiveDateTime>,
}

impl DueClock {
    fn as_clock(&self) -> ClockTimes {
        ClockTimes {
            // A state this version does not know is left alone.
            state: ClockState::parse(&self.state).unwrap_or(ClockState::Paused),
            warn_at: self.warn_at,
            due_at: self.due_at,
            warned_at: self.warned_at,
            overdue_at: self.overdue_at,
        }
    }

    /// The area that owes the step; the incident's grid if the row's code
    /// cannot be read (a hand-edited row must not stop the sweep for good).
    fn owing(&self, grid: &AreaCode) -> AreaCode {
        AreaCode::parse(&self.area_code).unwrap_or_else(|_| grid.clone())
    }
}

/// Escalates one overdue clock; `false` when another worker already did, or
/// the clock stopped meanwhile.
fn escalate(
    conn: &mut DbConnection,
    clock: &DueClock,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    // Held to the commit, so escalations of one incident by two workers take
    // turns and the second climbs above the first. NO KEY: inserts that only
    // reference the incident (inbox entries) need not wait.
    if let DbConnection::Postgresql(pg) = conn {
        incidents_table::table
            .find(&clock.incident_id)
            .select(incidents_table::id)
            .for_no_key_update()
            .first::<String>(pg)?;
    }
    let stored = incidents::find(conn, &clock.incident_id)?;
    let incident = stored.incident;
    let earlier: Vec<AreaCode> = deadlines::table
        .filter(deadlines::incident_id.eq(&clock.incident_id))
        .filter(deadlines::escalated_to.is_not_null())
        .select(deadlines::escalated_to.assume_not_null())
        .load::<String>(conn)?
        .iter()
        .filter_map(|code| AreaCode::parse(code).ok())
        .collect();
    let owing = clock.owing(&incident.grid);
    let to = escalation_target(&owing, &earlier);
    let marked = diesel::update(
        deadlines::table
            .find(&clock.id)
            .filter(deadlines::state.eq(ClockState::Running.as_str()))
            .filter(deadlines::overdue_at.is_null()),
    )
    .set((
        deadlines::overdue_at.eq(Some(now)),
        deadlines::escalated_to.eq(Some(to.as_str())),
    ))
    .execute(conn)?;
    if marked == 0 {
        return Ok(false);
    }
    let note = escalation_note(&clock.step, clock.party_code.as_deref(), &owing, &to);
    commit::note(
        conn,
        &incident,
        ESCALATE,
        SYSTEM_ACTOR,
        Some(&note),
        now,
        &[on_escalation(to)],
    )?;
    Ok(true)
}

/// Warns the holder of one step nearly due; `false` when another worker
/// already did, or the clock stopped or turned red meanwhile.
fn warn(conn: &mut DbConnection, clock: &DueClock, now: NaiveDateTime) -> Result<bool, DbError> {
    let marked = diesel::update(
        deadlines::table
            .find(&clock.id)
            .filter(deadlines::state.eq(ClockState::Running.as_str()))
            .filter(deadlines::warned_at.is_null())
            .filter(deadlines::overdue_at.is_null()),
    )
    .set(deadlines::warned_at.eq(Some(now)))
    .execute(conn)?;
    if marked == 0 {
        return Ok(false);
    }
    let incident = incidents::find(conn, &clock.incident_id)?.incident;
    let tell = whom_to_warn(
        ClockStep::parse(&clock.step),
        clock.party_code.as_deref(),
        &clock.owing(&incident.grid),
        &incident,
    );
    // A warning keeps the timeline as it is: only the holder hears of it.
    commit::tell(conn, &incident, &[tell], SYSTEM_ACTOR, now)?;
    Ok(true)
}

/// A clock to start by hand. The lifecycle starts and stops its clocks in
/// `repo::deadlines`; this is for tools and tests that need a clock in a
/// given state without walking an incident there.
#[derive(Debug, Clone)]
pub struct NewClock<'a> {
    pub incident_id: &'a str,
    pub step: ClockStep,
    pub party_code: Option<&'a str>,
    pub area_code: &'a str,
    pub started_at: NaiveDateTime,
    pub warn_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub state: ClockState,
}

/// Inserts a clock; its id.
pub fn insert_clock(conn: &mut DbConnection, clock: &NewClock<'_>) -> Result<String, DbError> {
    let id = Uuid::now_v7().to_string();
    diesel::insert_into(deadlines::table)
        .values((
            deadlines::id.eq(&id),
            deadlines::incident_id.eq(clock.incident_id),
            deadlines::step.eq(clock.step.as_str()),
            deadlines::party_code.eq(clock.party_code),
            deadlines::area_code.eq(clock.area_code),
            deadlines::started_at.eq(clock.started_at),
            deadlines::due_at.eq(clock.due_at),
            deadlines::warn_at.eq(clock.warn_at),
            deadlines::state.eq(clock.state.as_str()),
        ))
        .execute(conn)?;
    Ok(id)
}
