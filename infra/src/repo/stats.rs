//! The statistics' store: each case's fact (`incident_facts`) and the daily
//! counters (`kpi_daily`), moved together in the transaction of the step
//! that changed the case ([`follow`]); the KPI read ([`kpis`]); and the
//! documented refresh that derives every fact again and recomputes the
//! counters from them ([`rebuild`]).

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Text};
use gridops_domain::deadline::{Clock, ClockState, ClockStep, WorkingCalendar};
use gridops_domain::incident::{ActionKind, EventDetail, Rating};
use gridops_domain::stats::{Change, Counter, Counts, Fact, Key, Observed, changes, totals};

use super::deadlines;
use super::incidents::StoredIncident;
use crate::db::{DbConnection, DbError};
use crate::schema::{clock_requests, incident_events, incident_facts, kpi_daily};

/// The counters, each with its column: the one list the row types, the
/// upsert and the read are written from.
macro_rules! with_counters {
    ($then:ident) => {
        $then! {
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

macro_rules! daily_types {
    ($($column:ident: $counter:ident),* $(,)?) => {
        /// One day of one key's counters, as written.
        #[derive(Debug, Clone, Insertable, Queryable, Selectable)]
        #[diesel(table_name = kpi_daily)]
        struct DailyRow {
            day: NaiveDate,
            grid_code: String,
            party_code: String,
            category_code: String,
            $($column: i64,)*
        }

        impl DailyRow {
            fn new(day: NaiveDate, key: Key, by: &Counts) -> Self {
                DailyRow {
                    day,
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
                ((self.day, key), counts)
            }
        }

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

        /// `SUM(col) AS col, …` for every counter.
        fn sums() -> String {
            [$(concat!("CAST(COALESCE(SUM(", stringify!($column), "), 0) AS BIGINT) AS ", stringify!($column))),*]
                .join(", ")
        }

        /// Adds a change to its row, creating it at zero first.
        fn upsert(conn: &mut DbConnection, row: DailyRow) -> Result<(), DbError> {
            use diesel::upsert::excluded;
            use crate::schema::kpi_daily::dsl::*;
            let query = diesel::insert_into(kpi_daily)
                .values(row)
                .on_conflict((day, grid_code, party_code, category_code))
                .do_update()
                .set(($($column.eq($column + excluded($column)),)*));
            match conn {
                DbConnection::Postgresql(c) => query.execute(c)?,
                DbConnection::Sqlite(c) => query.execute(c)?,
            };
            Ok(())
        }
    };
}

with_counters!(daily_types);

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
    let t = timeline(conn, &i.id)?;
    let clocks = deadlines::list(conn, &i.id)?;
    let (extended, suspended, in_ledger) = requests(conn, &i.id)?;
    let acknowledge = latest(&clocks, ClockStep::Acknowledge).map(|c| {
        let met = (c.state == ClockState::Met).then_some(c.ended_at).flatten();
        (c.due_at, met)
    });
    let resolve_due = latest(&clocks, ClockStep::Resolve)
        .map(|c| c.due_at)
        .or(stored.resolve_due);
    let evidence_complete = if i.status == gridops_domain::incident::Status::Closed {
        super::evidence::closure_complete(conn, &i.id)?
    } else {
        None
    };
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
    Ok(Fact::derive(&observed, |at| calendar.local_date(at)))
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
    let id = &stored.incident.id;
    let fact = derive(conn, calendar, stored)?;
    let before = stored_fact(conn, id)?;
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
    move_counters(conn, changes(before.as_ref(), Some(&fact)))
}

fn move_counters(conn: &mut DbConnection, moves: Vec<Change>) -> Result<(), DbError> {
    for Change { day, key, by } in moves {
        upsert(conn, DailyRow::new(day, key, &by))?;
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

/// The summed counters per group of `q`, in one statement on the daily
/// counters (the primary key leads with the day: a period is one range).
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
    let mut sql = format!(
        "SELECT {} AS group_key, {} FROM kpi_daily WHERE day >= {} AND day <= {}",
        q.group.sql(),
        sums(),
        param(Bind::Day(q.from)),
        param(Bind::Day(q.to)),
    );
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
    sql += &format!(" GROUP BY {}", q.group.sql());
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
pub fn rebuild(
    db: &crate::Db,
    mut progress: impl FnMut(&Rebuilt),
) -> Result<Rebuilt, DbError> {
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
    diesel::delete(kpi_daily::table).execute(conn)?;
    let rows: Vec<DailyRow> = sums
        .into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((day, key), counts)| DailyRow::new(day, key, &counts))
        .collect();
    // SQLite binds at most 32,766 values a statement: 24 per row.
    for chunk in rows.chunks(1_000) {
        match conn {
            DbConnection::Postgresql(c) => diesel::insert_into(kpi_daily::table)
                .values(chunk.to_vec())
                .execute(c)?,
            DbConnection::Sqlite(c) => diesel::insert_into(kpi_daily::table)
                .values(chunk.to_vec())
                .execute(c)?,
        };
    }
    Ok(rows.len() as u64)
}

/// Where the daily counters differ from the sum of the stored facts (a
/// counter kept in every step's transaction never does): each as
/// "day grid party category: counter stored ≠ summed". Empty when they agree.
pub fn check(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let facts = incident_facts::table
        .select(FactRow::as_select())
        .load::<FactRow>(conn)?
        .into_iter()
        .map(FactRow::fact)
        .collect::<Result<Vec<_>, _>>()?;
    let mut expected = totals(&facts);
    expected.retain(|_, c| !c.is_zero());
    let stored: BTreeMap<(NaiveDate, Key), Counts> = kpi_daily::table
        .select(DailyRow::as_select())
        .load::<DailyRow>(conn)?
        .into_iter()
        .map(DailyRow::keyed)
        .filter(|(_, c)| !c.is_zero())
        .collect();
    let mut differences = Vec::new();
    let zero = Counts::default();
    for key in expected.keys().chain(stored.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (want, have) = (
            expected.get(key).unwrap_or(&zero),
            stored.get(key).unwrap_or(&zero),
        );
        for counter in Counter::ALL {
            if want.get(counter) != have.get(counter) {
                let (day, k) = key;
                differences.push(format!(
                    "{day} {} {} {}: {} stored {} ≠ summed {}",
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
    Ok(differences)
}
