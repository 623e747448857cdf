//! Review reminders of the problem ledger 挂账: when a case's review date
//! comes (in the city's calendar), the dispatchers covering it hear of it,
//! in the inbox and on the phone, once per review date. A review with a new
//! date re-arms it (`domain::deadline::ledger::review_due`).
//!
//! Once, however many workers run it, as the escalation sweep does it: on
//! PostgreSQL a batch claims its rows `FOR UPDATE SKIP LOCKED`; on SQLite
//! writers take turns anyway; and the mark (`reminded_on = review_on`) is a
//! conditional update, so a row read twice is acted on once. The
//! notifications are written in the transaction that marks the row.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use gridops_domain::deadline::ledger::review_due;
use gridops_domain::deadline::request::{RequestKind, RequestState};
use gridops_domain::notification::on_ledger_review_due;

use crate::db::{Db, DbConnection, DbError};
use crate::repo::calendar;
use crate::repo::incidents::{self, SYSTEM_ACTOR};
use crate::schema::clock_requests;
use crate::workflow::commit;

/// Reminds of every review date come at `now`, `batch` entries per write
/// transaction; how many entries were reminded of. Blocking: async callers
/// use `spawn_blocking`, and raise the `OUTBOX` and `INCIDENT_EVENTS`
/// signals locally when it did something.
pub fn run_once(db: &Db, now: NaiveDateTime, batch: usize) -> Result<usize, DbError> {
    let batch = batch.max(1);
    let mut total = 0;
    loop {
        let (done, claimed) = db.write_blocking(|conn| remind_batch(conn, now, batch))?;
        total += done;
        if claimed < batch || done == 0 {
            return Ok(total);
        }
    }
}

/// One batch inside the caller's write transaction: claims up to `batch`
/// entries due for review today and reminds of each. What was done, and how
/// many were claimed.
pub fn remind_batch(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    batch: usize,
) -> Result<(usize, usize), DbError> {
    let today = calendar::load(conn, now)?.local_date(now);
    let limit = i64::try_from(batch).unwrap_or(i64::MAX);
    let due = clock_requests::table
        .filter(clock_requests::kind.eq(RequestKind::Ledger.as_str()))
        .filter(clock_requests::state.eq(RequestState::Approved.as_str()))
        .filter(clock_requests::review_on.le(today))
        .filter(
            clock_requests::reminded_on
                .is_null()
                .or(clock_requests::reminded_on.lt(clock_requests::review_on)),
        )
        .order((clock_requests::incident_id.asc(), clock_requests::id.asc()))
        .limit(limit)
        .select((
            clock_requests::id,
            clock_requests::incident_id,
            clock_requests::review_on,
            clock_requests::reminded_on,
        ));
    type Due = (String, String, Option<NaiveDate>, Option<NaiveDate>);
    let claimed: Vec<Due> = match conn {
        DbConnection::Postgresql(pg) => due.for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(lite) => due.load(lite)?,
    };
    let mut done = 0;
    for (id, incident_id, review_on, reminded_on) in &claimed {
        if !review_due(*review_on, *reminded_on, today) {
            continue;
        }
        let marked = diesel::update(
            clock_requests::table
                .find(id)
                .filter(clock_requests::state.eq(RequestState::Approved.as_str()))
                .filter(clock_requests::review_on.eq(*review_on))
                .filter(
                    clock_requests::reminded_on
                        .is_null()
                        .or(clock_requests::reminded_on.lt(clock_requests::review_on)),
                ),
        )
        .set(clock_requests::reminded_on.eq(*review_on))
        .execute(conn)?;
        if marked == 0 {
            continue;
        }
        let incident = incidents::find(conn, incident_id)?.incident;
        // Like a deadline warning, a reminder keeps the timeline as it is:
        // the review itself goes on it.
        commit::tell(
            conn,
            &incident,
            &[on_ledger_review_due(&incident)],
            SYSTEM_ACTOR,
            now,
        )?;
        done += 1;
    }
    Ok((done, claimed.len()))
}
