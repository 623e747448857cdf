//! The statistics' store: each case's fact (`incident_facts`) and the daily
//! counters (`kpi_daily`), moved together in the transaction of the step
//! that changed the case ([`follow`]); the KPI read ([`kpis`]); and the
//! documented refresh that derives every fact again and recomputes the
//! counters from them ([`rebuild`]).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use gridops_domain::deadline::{Clock, ClockState, ClockStep, WorkingCalendar};
use gridops_domain::incident::{ActionKind, EventDetail, Rating};
use gridops_domain::stats::{Change, Counter, Counts, Fact, Key, Observed, changes, totals};

use super::deadlines;
use super::incidents::StoredIncident;
use crate::db::{DbConnection, DbError};
use crate::schema::{clock_requests, incident_events, incident_facts, kpi_daily, kpi_monthly};

/// The counters, each with its column: the one list the row types, the
/// upsert and the read are written from.
macro_rules! with_counters {
    ($then:ident $(, $arg:tt)*) => {
        $then! {
            $($arg,)*;
            reported: Reported,
            dispatched: Dispatched,
            acknowledged_in_time: AcknowledgedInTime,
            extended: Extended,
            due: Due,
            closed: Closed,
            closed_in_time: ClosedInTime,
            due_suspended: DueSuspended,
            closed_suspended: ClosedSuspended,
            closed_in_time_suspended: ClosedInTimeSuspended,
            ledgered: Ledgered,
            verified: Verified,
            reworked: Reworked,
            closures_without_evidence: WithoutEvidence,
            rated: Rated,
            satisfied: Satisfied,
            basically_satisfied: BasicallySatisfied,
            dissatisfied: Dissatisfied,
            solved_answered: SolvedAnswered,
            solved: Solved,
        }
    };
}

/// A row of counters of one key on one date (a day, or a month's first
/// day), as written and read back, and the upsert that adds to it.
macro_rules! rollup_row {
    ($table:ident, $date:ident, $row:ident, ; $($column:ident: $counter:ident),* $(,)?) => {
        #[derive(Debug, Clone, Insertable, Queryable, Selectable)]
        #[diesel(table_name = $table)]
        struct $row {
            $date: NaiveDate,
            grid_code: String,
            party_code: String,
            category_code: String,
            $($column: i64,)*
        }

        impl $row {
            fn new(date: NaiveDate, key: Key, by: &Counts) -> Self {
                $row {
                    $date: date,
                    grid_code: key.grid,
                    party_code: key.party,
                    category_code: key.category,
                    $($column: by.get(Counter::$counter),)*
                }
            }

            fn keyed(self) -> ((NaiveDate, Key), Counts) {
                let mut counts = Counts::default();
                $(counts.add(Counter::$counter, self.$column);)*
                let key = Key {
                    grid: self.grid_code,
                    party: self.party_code,
                    category: self.category_code,
                };
                ((self.$date, key), counts)
            }

            /// Adds `row` to its stored row, creating it at zero first.
            fn add(conn: &mut DbConnection, row: $row) -> Result<(), DbError> {
                use diesel::upsert::excluded;
                use crate::schema::$table::dsl::*;
                let query = diesel::insert_into($table)
                    .values(row)
                    .on_conflict(($date, grid_code, party_code, category_code))
                    .do_update()
                    .set(($($column.eq($column + excluded($column)),)*));
                match conn {
                    DbConnection::Postgresql(c) => query.execute(c)?,
                    DbConnection::Sqlite(c) => query.execute(c)?,
                };
                Ok(())
            }
        }
    };
}

macro_rules! group_row {
    (; $($column:ident: $counter:ident),* $(,)?) => {
        /// One group's sums, as read.
        #[derive(Debug, QueryableByName)]
        struct GroupRow {
            #[diesel(sql_type = Text)]
            group_key: String,
            $(#[diesel(sql_type = BigInt)] $column: i64,)*
        }

        impl GroupRow {
            fn counts(&self) -> Counts {
                let mut counts = Counts::default();
                $(counts.add(Counter::$counter, self.$column);)*
                counts
            }
        }

        /// The counter columns, comma-separated.
        fn columns() -> String {
            [$(stringify!($column)),*].join(", ")
        }

        /// `SUM(col) AS col, …` for every counter.
        fn sums() -> String {
            [$(concat!("CAST(COALESCE(SUM(", stringify!($column), "), 0) AS BIGINT) AS ", stringify!($column))),*]
                .join(", ")
        }
    };
}

with_counters!(rollup_row, kpi_daily, day, DailyRow);
with_counters!(rollup_row, kpi_monthly, month, MonthlyRow);
with_counters!(group_row);

/// The first day of the month of `day`: the key of the monthly counters.
fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = incident_facts, treat_none_as_null = true)]
struct FactRow {
    incident_id: String,
    grid_code: String,
    party_code: String,
    category_code: String,
    reported_on: NaiveDate,
    dispatched_on: Option<NaiveDate>,
    acknowledged_in_time: bool,
    extended: bool,
    suspended: bool,
    in_ledger: bool,
    due_on: Option<NaiveDate>,
    closed: bool,
    closed_in_time: bool,
    verified_on: Option<NaiveDate>,
    reworked: bool,
    without_evidence: bool,
    rated_on: Option<NaiveDate>,
    rating: Option<String>,
    solved: Option<bool>,
}

impl FactRow {
    fn new(incident_id: &str, f: &Fact) -> Self {
        FactRow {
            incident_id: incident_id.to_owned(),
            grid_code: f.key.grid.clone(),
            party_code: f.key.party.clone(),
            category_code: f.key.category.clone(),
            reported_on: f.reported_on,
            dispatched_on: f.dispatched_on,
            acknowledged_in_time: f.acknowledged_in_time,
            extended: f.extended,
            suspended: f.suspended,
            in_ledger: f.in_ledger,
            due_on: f.due_on,
            closed: f.closed,
            closed_in_time: f.closed_in_time,
            verified_on: f.verified_on,
            reworked: f.reworked,
            without_evidence: f.without_evidence,
            rated_on: f.rated_on,
            rating: f.rating.map(|r| r.as_str().to_owned()),
            solved: f.solved,
        }
    }

    fn fact(self) -> Result<Fact, DbError> {
        let rating = match &self.rating {
            None => None,
            Some(r) => Some(Rating::parse(r).ok_or_else(|| {
                DbError::Corrupt(format!("fact of {}: rating {r}", self.incident_id))
            })?),
        };
        Ok(Fact {
            key: Key {
                grid: self.grid_code,
                party: self.party_code,
                category: self.category_code,
            },
            reported_on: self.reported_on,
            dispatched_on: self.dispatched_on,
            acknowledged_in_time: self.acknowledged_in_time,
            extended: self.extended,
            suspended: self.suspended,
            in_ledger: self.in_ledger,
            due_on: self.due_on,
            closed: self.closed,
            closed_in_time: self.closed_in_time,
            verified_on: self.verified_on,
            reworked: self.reworked,
            without_evidence: self.without_evidence,
            rated_on: self.rated_on,
            rating,
            solved: self.solved,
        })
    }
}

/// The steps whose times a fact reads from the timeline.
const TIMED_ACTIONS: [ActionKind; 5] = [
    ActionKind::Dispatch,
    ActionKind::Resolve,
    ActionKind::ResolveOnSpot,
    ActionKind::Verify,
    ActionKind::Rate,
];

/// What the timeline tells a fact: first dispatch, last resolve, last
/// verification, the rating's time and its "solved" answer.
#[derive(Debug, Default)]
struct Timeline {
    first_dispatch: Option<NaiveDateTime>,
    last_resolve: Option<NaiveDateTime>,
    last_verify: Option<NaiveDateTime>,
    rated: Option<(NaiveDateTime, Option<bool>)>,
}

fn timeline(conn: &mut DbConnection, id: &str) -> Result<Timeline, DbError> {
    let rows: Vec<(String, NaiveDateTime, Option<String>)> = incident_events::table
        .filter(incident_events::incident_id.eq(id))
        .filter(incident_events::action.eq_any(TIMED_ACTIONS.map(ActionKind::as_str)))
        .order(incident_events::seq.asc())
        .select((
            incident_events::action,
            incident_events::occurred_at,
            incident_events::detail,
        ))
        .load(conn)?;
    let mut t = Timeline::default();
    for (action, at, detail) in rows {
        match ActionKind::parse(&action) {
            Some(ActionKind::Dispatch) => {
                t.first_dispatch.get_or_insert(at);
            }
            Some(ActionKind::Resolve | ActionKind::ResolveOnSpot) => t.last_resolve = Some(at),
            Some(ActionKind::Verify) => t.last_verify = Some(at),
            Some(ActionKind::Rate) => {
                let solved = detail
                    .and_then(|d| serde_json::from_str::<EventDetail>(&d).ok())
                    .and_then(|d| match d {
                        EventDetail::Rated { solved, .. } => solved,
                        _ => None,
                    });
                t.rated = Some((at, solved));
            }
            _ => {}
        }
    }
    Ok(t)
}

/// Extension, suspension and ledger, from the case's requests for time.
fn requests(conn: &mut DbConnection, id: &str) -> Result<(bool, bool, bool), DbError> {
    let rows: Vec<(String, String)> = clock_requests::table
        .filter(clock_requests::incident_id.eq(id))
        .select((clock_requests::kind, clock_requests::state))
        .load(conn)?;
    let granted = |kind: &str, states: &[&str]| {
        rows.iter()
            .any(|(k, s)| k == kind && states.contains(&s.as_str()))
    };
    Ok((
        granted("extend", &["approved"]),
        granted("suspend", &["approved", "ended"]),
        granted("ledger", &["approved"]),
    ))
}

/// The latest clock of `step` not cancelled (a return cancels a party's).
fn latest(clocks: &[Clock], step: ClockStep) -> Option<&Clock> {
    clocks
        .iter()
        .filter(|c| c.step == step && c.state != ClockState::Cancelled)
        .max_by_key(|c| c.started_at)
}

/// The case's fact as it stands now.
pub fn derive(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    stored: &StoredIncident,
) -> Result<Fact, DbError> {
    let i = &stored.incident;
    let timeline = timeline(conn, &i.id)?;
    let clocks = deadlines::list(conn, &i.id)?;
    let requests = requests(conn, &i.id)?;
    let evidence = if i.status == gridops_domain::incident::Status::Closed {
        super::evidence::closure_complete(conn, &i.id)?
    } else {
        None
    };
    Ok(fact_of(
        calendar, stored, &timeline, &clocks, requests, evidence,
    ))
}

/// The fact from what was read of the case.
fn fact_of(
    calendar: &WorkingCalendar,
    stored: &StoredIncident,
    t: &Timeline,
    clocks: &[Clock],
    (extended, suspended, in_ledger): (bool, bool, bool),
    evidence_complete: Option<bool>,
) -> Fact {
    let i = &stored.incident;
    let acknowledge = latest(clocks, ClockStep::Acknowledge).map(|c| {
        let met = (c.state == ClockState::Met).then_some(c.ended_at).flatten();
        (c.due_at, met)
    });
    let resolve_due = latest(clocks, ClockStep::Resolve)
        .map(|c| c.due_at)
        .or(stored.resolve_due);
    let observed = Observed {
        grid: i.grid.as_str(),
        party: i.party.as_deref(),
        category: &i.category,
        status: i.status,
        rework_count: i.rework_count,
        rating: i.rating.as_ref().map(|(r, _)| *r),
        solved: t.rated.and_then(|(_, solved)| solved),
        reported_at: i.created_at,
        first_dispatch_at: t.first_dispatch,
        last_resolve_at: t.last_resolve,
        last_verify_at: t.last_verify,
        rated_at: t.rated.map(|(at, _)| at),
        acknowledge,
        resolve_due,
        extended,
        suspended,
        in_ledger,
        evidence_complete,
    };
    Fact::derive(&observed, |at| calendar.local_date(at))
}

/// Counter moves a transaction owes the KPI rows, written together as its
/// last statements ([`Pending::write`]). Every report of a grid, category
/// and day adds to the same daily and monthly rows: a row written early
/// would stay locked, and every such report wait, through the rest of the
/// transaction. Kept in (date, key) order, so concurrent writers lock rows
/// in the same order and never deadlock.
#[derive(Debug, Default)]
pub struct Pending {
    days: BTreeMap<(NaiveDate, Key), Counts>,
}

impl Pending {
    fn add(&mut self, moves: Vec<Change>) {
        for Change { day, key, by } in moves {
            self.days.entry((day, key)).or_default().merge(&by);
        }
    }

    /// Upserts what is owed (nothing when nothing is) and forgets it.
    pub fn write(&mut self, conn: &mut DbConnection) -> Result<(), DbError> {
        move_counters(conn, std::mem::take(&mut self.days))
    }
}

/// [`follow`] for a report nothing has happened to yet in its transaction
/// (not routed to a party, not resolved): its fact is the report alone, so
/// nothing is read — a report is the hottest write there is.
pub fn follow_new_report(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    stored: &StoredIncident,
    pending: &mut Pending,
) -> Result<(), DbError> {
    let fact = fact_of(
        calendar,
        stored,
        &Timeline::default(),
        &[],
        (false, false, false),
        None,
    );
    diesel::insert_into(incident_facts::table)
        .values(FactRow::new(&stored.incident.id, &fact))
        .execute(conn)?;
    pending.add(changes(None, Some(&fact)));
    Ok(())
}

fn stored_fact(conn: &mut DbConnection, id: &str) -> Result<Option<Fact>, DbError> {
    incident_facts::table
        .find(id)
        .select(FactRow::as_select())
        .first::<FactRow>(conn)
        .optional()?
        .map(FactRow::fact)
        .transpose()
}

/// The hook every commit of a case calls last, in its transaction: derives
/// the case's fact again and moves the daily counters by the difference
/// from the fact stored. Nothing moves when nothing counted changed.
pub fn follow(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    stored: &StoredIncident,
) -> Result<(), DbError> {
    let mut pending = Pending::default();
    follow_into(conn, calendar, stored, false, &mut pending)?;
    pending.write(conn)
}

/// [`follow`], leaving the counters' moves in `pending` for the end of the
/// transaction. `new_case`: the case was reported in this transaction, so
/// it has no fact stored yet and nobody asked for time on it (two reads
/// fewer).
pub fn follow_into(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    stored: &StoredIncident,
    new_case: bool,
    pending: &mut Pending,
) -> Result<(), DbError> {
    let id = &stored.incident.id;
    let (fact, before) = if new_case {
        let i = &stored.incident;
        let evidence = if i.status == gridops_domain::incident::Status::Closed {
            super::evidence::closure_complete(conn, id)?
        } else {
            None
        };
        let timeline = timeline(conn, id)?;
        let clocks = deadlines::list(conn, id)?;
        let fact = fact_of(
            calendar,
            stored,
            &timeline,
            &clocks,
            (false, false, false),
            evidence,
        );
        (fact, None)
    } else {
        (derive(conn, calendar, stored)?, stored_fact(conn, id)?)
    };
    if before.as_ref() == Some(&fact) {
        return Ok(());
    }
    let row = FactRow::new(id, &fact);
    match before {
        None => {
            diesel::insert_into(incident_facts::table)
                .values(&row)
                .execute(conn)?;
        }
        Some(_) => {
            diesel::update(incident_facts::table.find(id))
                .set(&row)
                .execute(conn)?;
        }
    }
    pending.add(changes(before.as_ref(), Some(&fact)));
    Ok(())
}

/// Daily rows first, then monthly, each in (date, key) order.
fn move_counters(
    conn: &mut DbConnection,
    days: BTreeMap<(NaiveDate, Key), Counts>,
) -> Result<(), DbError> {
    let mut months: BTreeMap<(NaiveDate, Key), Counts> = BTreeMap::new();
    for ((day, key), by) in days {
        if by.is_zero() {
            continue;
        }
        months
            .entry((month_of(day), key.clone()))
            .or_default()
            .merge(&by);
        DailyRow::add(conn, DailyRow::new(day, key, &by))?;
    }
    for ((month, key), by) in months {
        if !by.is_zero() {
            MonthlyRow::add(conn, MonthlyRow::new(month, key, &by))?;
        }
    }
    Ok(())
}

/// What a KPI question reads: the dates (local, both included) and the
/// filters; `group` is the column the groups are made of.
#[derive(Debug, Clone)]
pub struct KpiQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Codes every grid of the answer starts with (the areas asked about,
    /// each as its subtree prefix); empty for the whole city.
    pub area_prefixes: Vec<String>,
    /// Only these parties (empty: all).
    pub parties: Vec<String>,
    /// A category and everything below it.
    pub category: Option<String>,
    pub group: GroupColumn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupColumn {
    Grid,
    Party,
    Category,
    Day,
}

impl GroupColumn {
    fn sql(self) -> &'static str {
        match self {
            GroupColumn::Grid => "grid_code",
            GroupColumn::Party => "party_code",
            GroupColumn::Category => "category_code",
            GroupColumn::Day => "CAST(day AS TEXT)",
        }
    }
}

enum Bind {
    Day(NaiveDate),
    Text(String),
}

/// The whole months inside `from..=to`: the first day of the first and of
/// the last, when there is one.
fn whole_months(from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let first = if from.day() == 1 {
        from
    } else {
        next_month(from)?
    };
    let after_last = to.succ_opt()?;
    let last = if after_last.day() == 1 {
        month_of(to)
    } else {
        month_of(month_of(to).pred_opt()?)
    };
    (first <= last).then_some((first, last))
}

fn next_month(day: NaiveDate) -> Option<NaiveDate> {
    month_of(day).checked_add_months(chrono::Months::new(1))
}

/// The summed counters per group of `q`, in one statement: the period's
/// whole months from the monthly counters, its ragged ends (or all of it,
/// for a series of days) from the daily ones. Both primary keys lead with
/// the date: each part is one range.
pub fn kpis(conn: &mut DbConnection, q: &KpiQuery) -> Result<Vec<(String, Counts)>, DbError> {
    let postgres = matches!(conn, DbConnection::Postgresql(_));
    let mut binds = Vec::new();
    let mut param = |bind: Bind| {
        binds.push(bind);
        if postgres {
            format!("${}", binds.len())
        } else {
            "?".to_owned()
        }
    };
    let filters = |param: &mut dyn FnMut(Bind) -> String| {
        let mut sql = String::new();
        if !q.area_prefixes.is_empty() {
            let any: Vec<String> = q
                .area_prefixes
                .iter()
                .map(|p| format!("grid_code LIKE {}", param(Bind::Text(format!("{p}%")))))
                .collect();
            sql += &format!(" AND ({})", any.join(" OR "));
        }
        if !q.parties.is_empty() {
            let any: Vec<String> = q
                .parties
                .iter()
                .map(|p| param(Bind::Text(p.clone())))
                .collect();
            sql += &format!(" AND party_code IN ({})", any.join(", "));
        }
        if let Some(category) = &q.category {
            sql += &format!(
                " AND (category_code = {} OR category_code LIKE {})",
                param(Bind::Text(category.clone())),
                param(Bind::Text(format!("{category}.%")))
            );
        }
        sql
    };
    let months = match q.group {
        GroupColumn::Day => None,
        _ => whole_months(q.from, q.to),
    };
    let group = q.group.sql();
    let sql = match months {
        None => format!(
            "SELECT {group} AS group_key, {} FROM kpi_daily WHERE day >= {} AND day <= {}{} GROUP BY {group}",
            sums(),
            param(Bind::Day(q.from)),
            param(Bind::Day(q.to)),
            filters(&mut param),
        ),
        Some((first, last)) => {
            let after = next_month(last).unwrap_or(last);
            let monthly = format!(
                "SELECT {group} AS group_key, {} FROM kpi_monthly \
                 WHERE month >= {} AND month <= {}{}",
                columns(),
                param(Bind::Day(first)),
                param(Bind::Day(last)),
                filters(&mut param),
            );
            let ends = format!(
                "SELECT {group} AS group_key, {} FROM kpi_daily \
                 WHERE ((day >= {} AND day < {}) OR (day >= {} AND day <= {})){}",
                columns(),
                param(Bind::Day(q.from)),
                param(Bind::Day(first)),
                param(Bind::Day(after)),
                param(Bind::Day(q.to)),
                filters(&mut param),
            );
            format!(
                "SELECT group_key, {} FROM ({monthly} UNION ALL {ends}) AS parts GROUP BY group_key",
                sums()
            )
        }
    };
    macro_rules! load {
        ($c:expr, $backend:ty) => {{
            let mut query = diesel::sql_query(sql).into_boxed::<$backend>();
            for bind in binds {
                query = match bind {
                    Bind::Day(d) => query.bind::<Date, _>(d),
                    Bind::Text(t) => query.bind::<Text, _>(t),
                };
            }
            query.load::<GroupRow>($c)?
        }};
    }
    let rows = match conn {
        DbConnection::Postgresql(c) => load!(c, diesel::pg::Pg),
        DbConnection::Sqlite(c) => load!(c, diesel::sqlite::Sqlite),
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let counts = row.counts();
            (row.group_key, counts)
        })
        .collect())
}

/// Stores facts derived elsewhere (a benchmark's synthetic city) without
/// touching the counters: [`recount`] sums them afterwards.
pub fn insert_facts(conn: &mut DbConnection, facts: &[(String, Fact)]) -> Result<(), DbError> {
    let rows: Vec<FactRow> = facts.iter().map(|(id, f)| FactRow::new(id, f)).collect();
    // 19 values a row: under SQLite's 32,766 and PostgreSQL's 65,535 binds.
    for chunk in rows.chunks(1_000) {
        match conn {
            DbConnection::Postgresql(c) => diesel::insert_into(incident_facts::table)
                .values(chunk)
                .execute(c)?,
            DbConnection::Sqlite(c) => diesel::insert_into(incident_facts::table)
                .values(chunk)
                .execute(c)?,
        };
    }
    Ok(())
}

/// How many incidents one transaction of a rebuild derives again.
const REBUILD_BATCH: i64 = 500;

/// What a rebuild did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rebuilt {
    /// Cases whose fact was derived again.
    pub cases: u64,
    /// Of those, facts that had drifted (or were missing) and were fixed.
    pub fixed: u64,
    /// Rows of daily counters written.
    pub counter_rows: u64,
}

/// The documented refresh (`gridops stats rebuild`): derives every case's
/// fact again (batches of [`REBUILD_BATCH`], each its own transaction, so
/// the service keeps running), then replaces the daily counters with the
/// sum of the facts in one transaction. Running it twice changes nothing;
/// a step committed meanwhile moves both the fact and the counters it reads.
pub fn rebuild(db: &crate::Db, mut progress: impl FnMut(&Rebuilt)) -> Result<Rebuilt, DbError> {
    use crate::schema::incidents;
    let mut done = Rebuilt::default();
    let mut after = String::new();
    loop {
        let (ids, fixed) = db.write_blocking(|conn| {
            let ids: Vec<String> = incidents::table
                .filter(incidents::id.gt(&after))
                .order(incidents::id.asc())
                .limit(REBUILD_BATCH)
                .select(incidents::id)
                .load(conn)?;
            let calendar = super::calendar::load(conn, super::now())?;
            let mut fixed = 0;
            for stored in super::incidents::find_many(conn, &ids)? {
                let fact = derive(conn, &calendar, &stored)?;
                if stored_fact(conn, &stored.incident.id)?.as_ref() != Some(&fact) {
                    let row = FactRow::new(&stored.incident.id, &fact);
                    diesel::delete(incident_facts::table.find(&stored.incident.id))
                        .execute(conn)?;
                    diesel::insert_into(incident_facts::table)
                        .values(&row)
                        .execute(conn)?;
                    fixed += 1;
                }
            }
            Ok((ids, fixed))
        })?;
        done.cases += ids.len() as u64;
        done.fixed += fixed;
        progress(&done);
        match ids.last() {
            Some(last) if ids.len() as i64 == REBUILD_BATCH => after = last.clone(),
            _ => break,
        }
    }
    done.counter_rows = db.write_blocking(recount)?;
    Ok(done)
}

/// Replaces the daily counters with the sum of the stored facts (in this
/// transaction: readers see the old counters or the new, never a mix).
pub fn recount(conn: &mut DbConnection) -> Result<u64, DbError> {
    const PAGE: i64 = 10_000;
    let mut sums: BTreeMap<(NaiveDate, Key), Counts> = BTreeMap::new();
    let mut after = String::new();
    loop {
        let rows: Vec<FactRow> = incident_facts::table
            .filter(incident_facts::incident_id.gt(&after))
            .order(incident_facts::incident_id.asc())
            .limit(PAGE)
            .select(FactRow::as_select())
            .load(conn)?;
        let last = rows.last().map(|r| r.incident_id.clone());
        let n = rows.len() as i64;
        let facts = rows
            .into_iter()
            .map(FactRow::fact)
            .collect::<Result<Vec<_>, _>>()?;
        for (key, counts) in totals(&facts) {
            sums.entry(key).or_default().merge(&counts);
        }
        match last {
            Some(last) if n == PAGE => after = last,
            _ => break,
        }
    }
    let months = by_month(&sums);
    diesel::delete(kpi_daily::table).execute(conn)?;
    diesel::delete(kpi_monthly::table).execute(conn)?;
    let days: Vec<DailyRow> = sums
        .into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((day, key), counts)| DailyRow::new(day, key, &counts))
        .collect();
    let months: Vec<MonthlyRow> = months
        .into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((month, key), counts)| MonthlyRow::new(month, key, &counts))
        .collect();
    // SQLite binds at most 32,766 values a statement: 24 per row.
    macro_rules! insert_all {
        ($table:expr, $rows:expr) => {
            for chunk in $rows.chunks(1_000) {
                match conn {
                    DbConnection::Postgresql(c) => diesel::insert_into($table)
                        .values(chunk.to_vec())
                        .execute(c)?,
                    DbConnection::Sqlite(c) => diesel::insert_into($table)
                        .values(chunk.to_vec())
                        .execute(c)?,
                };
            }
        };
    }
    insert_all!(kpi_daily::table, days);
    insert_all!(kpi_monthly::table, months);
    Ok(days.len() as u64)
}

/// Daily counters summed by month.
fn by_month(days: &BTreeMap<(NaiveDate, Key), Counts>) -> BTreeMap<(NaiveDate, Key), Counts> {
    let mut months: BTreeMap<(NaiveDate, Key), Counts> = BTreeMap::new();
    for ((day, key), counts) in days {
        months
            .entry((month_of(*day), key.clone()))
            .or_default()
            .merge(counts);
    }
    months
}

/// The differences between two sets of counters, as "table date grid party
/// category: counter stored ≠ summed".
fn differences(
    table: &str,
    expected: &BTreeMap<(NaiveDate, Key), Counts>,
    stored: &BTreeMap<(NaiveDate, Key), Counts>,
) -> Vec<String> {
    let zero = Counts::default();
    let mut out = Vec::new();
    for key in expected
        .keys()
        .chain(stored.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (want, have) = (
            expected.get(key).unwrap_or(&zero),
            stored.get(key).unwrap_or(&zero),
        );
        for counter in Counter::ALL {
            if want.get(counter) != have.get(counter) {
                let (date, k) = key;
                out.push(format!(
                    "{table} {date} {} {} {}: {} stored {} ≠ summed {}",
                    k.grid,
                    k.party,
                    k.category,
                    counter.as_str(),
                    have.get(counter),
                    want.get(counter)
                ));
            }
        }
    }
    out
}

/// Where the daily and monthly counters differ from the sum of the stored
/// facts (counters kept in every step's transaction never do). Empty when
/// they agree.
pub fn check(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let facts = incident_facts::table
        .select(FactRow::as_select())
        .load::<FactRow>(conn)?
        .into_iter()
        .map(FactRow::fact)
        .collect::<Result<Vec<_>, _>>()?;
    let mut expected_days = totals(&facts);
    expected_days.retain(|_, c| !c.is_zero());
    let mut expected_months = by_month(&expected_days);
    expected_months.retain(|_, c| !c.is_zero());
    let days: BTreeMap<(NaiveDate, Key), Counts> = kpi_daily::table
        .select(DailyRow::as_select())
        .load::<DailyRow>(conn)?
        .into_iter()
        .map(DailyRow::keyed)
        .filter(|(_, c)| !c.is_zero())
        .collect();
    let months: BTreeMap<(NaiveDate, Key), Counts> = kpi_monthly::table
        .select(MonthlyRow::as_select())
        .load::<MonthlyRow>(conn)?
        .into_iter()
        .map(MonthlyRow::keyed)
        .filter(|(_, c)| !c.is_zero())
        .collect();
    let mut out = differences("day", &expected_days, &days);
    out.extend(differences("month", &expected_months, &months));
    Ok(out)
}
