//! The incident timeline (`incident_events`) as one ordered stream, for the
//! consoles' `GET /api/v1/events`: read what came after a position, resume
//! from a position a client kept.
//!
//! # Why not the event id, or a plain sequence
//!
//! Event ids (UUID v7) and sequence numbers are taken inside the writing
//! transaction, before it commits, and concurrent transactions commit in any
//! order. A reader that has passed number 11 would never go back for a
//! number 10 committed a moment later: the event would be skipped for good.
//!
//! # The order used: `(stream_tx, stream_seq)`, read only where final
//!
//! Migration `2026-11-25-000006_event_stream` gives every event a position,
//! filled in by the database at insert (the writers do not name it):
//!
//! - **PostgreSQL**: `stream_tx` is the id of the writing transaction
//!   (`pg_current_xact_id()`), `stream_seq` a sequence number. A reader first
//!   takes the horizon `pg_snapshot_xmin(pg_current_snapshot())`: every
//!   transaction with a smaller id has ended (committed or rolled back), and
//!   every later transaction gets a larger id. So the rows with
//!   `stream_tx < horizon` are final: no row can ever appear before the last
//!   of them. The reader hands out only those, in `(stream_tx, stream_seq)`
//!   order, and leaves the rest (committed, but behind a transaction still
//!   running) for a later read; [`Batch::held_back`] says to come back soon.
//!   The horizon is read in a statement before the rows, so it is never
//!   ahead of the rows' snapshot. The price: a write transaction that stays
//!   open holds the stream back (not the writers) until it ends, so set
//!   `idle_in_transaction_session_timeout` on the server. Nothing is ever
//!   skipped, and nothing is handed out twice to a reader that resumes from
//!   the last position it got.
//!   Transaction ids only grow within a cluster (64-bit, no wraparound;
//!   `pg_upgrade` keeps them). After restoring a dump into another cluster,
//!   whose ids may be lower than those stored, run
//!   `UPDATE incident_events SET stream_tx = 0` once before serving: old
//!   events keep their order, all before new ones (consoles then reconnect
//!   without `Last-Event-ID`).
//! - **SQLite**: one writer at a time (per file, across processes), so a
//!   number taken inside the write transaction (`MAX(stream_seq) + 1`, by a
//!   trigger) follows commit order; `stream_tx` is always 0 and every row
//!   is final.
//!
//! One transaction's events follow its `stream_seq`; the events of one
//! incident follow its versions (each step reads the version the previous
//! one committed, so its transaction starts, and takes its id, later).
//!
//! # The inbox in the same order
//!
//! Migration `2026-12-04-000009_feed_order` gives every inbox entry
//! (`notifications`) a position the same way, for the phones' catch-up feed
//! (`GET /api/v1/me/feed`, [`crate::repo::feed`]): on PostgreSQL the
//! writing transaction's id and a sequence number, read below the same
//! horizon; on SQLite a number taken by a trigger inside the write
//! transaction. The inbox is read one user at a time, so on SQLite the
//! number is the user's own (`MAX + 1` over their entries, one index range);
//! positions of different users are not comparable there, and need not be.
//! Marking an entry read does not move it. After restoring a dump into
//! another cluster, `UPDATE notifications SET stream_tx = 0` too (phones
//! then start over without a cursor: theirs may point past every entry).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use gridops_domain::incident::Incident;

use crate::db::{DbConnection, DbError, MultiBackend};
use crate::repo::incidents::{IncidentRow, StoredIncident};
use crate::repo::notifications::NotificationRow;
use crate::schema::{incident_events, incident_followers, incidents, notifications};

/// A place in the stream; "after this" is where a reader resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub tx: i64,
    pub seq: i64,
}

impl Position {
    /// Before every event.
    pub const START: Position = Position { tx: 0, seq: 0 };

    /// The text of a resume token, `"<tx>-<seq>"`; `None` if it is not one.
    pub fn parse(token: &str) -> Option<Position> {
        let (tx, seq) = token.trim().split_once('-')?;
        let number = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| s.parse::<i64>().ok())
                .flatten()
        };
        Some(Position {
            tx: number(tx)?,
            seq: number(seq)?,
        })
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.tx, self.seq)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = incident_events)]
struct StreamRow {
    id: String,
    seq: i32,
    action: String,
    actor_id: String,
    occurred_at: NaiveDateTime,
    from_status: Option<String>,
    to_status: String,
    stream_tx: i64,
    stream_seq: i64,
}

/// One timeline event with its incident.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEvent {
    pub position: Position,
    pub event_id: String,
    /// The incident's version this event made (its timeline sequence).
    pub version: i64,
    pub action: String,
    pub actor_id: String,
    pub occurred_at: NaiveDateTime,
    pub from_status: Option<String>,
    pub to_status: String,
    /// The incident as it is now, followers not loaded (see [`followed_by`]).
    pub incident: Incident,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// In stream order, all after the position asked for.
    pub events: Vec<StreamEvent>,
    /// Committed events behind a transaction still running were left for
    /// later: read again soon.
    pub held_back: bool,
    /// The batch is full: there may be more to read right away.
    pub more: bool,
}

/// Every transaction with a smaller id has ended; on SQLite every row is
/// final (`i64::MAX`). Read it before the rows, in its own statement; one
/// horizon may serve several reads (the timeline and the inbox) that follow.
pub fn horizon(conn: &mut DbConnection) -> Result<i64, DbError> {
    #[derive(QueryableByName)]
    struct Horizon {
        #[diesel(sql_type = BigInt)]
        xmin: i64,
    }
    match conn {
        DbConnection::Postgresql(pg) => Ok(diesel::sql_query(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin",
        )
        .get_result::<Horizon>(pg)?
        .xmin),
        DbConnection::Sqlite(_) => Ok(i64::MAX),
    }
}

/// Where a reader starting "now" begins: after the last final event,
/// skipping the events already visible beyond it (committed, but behind a
/// transaction still running). Events committed later all come.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Head {
    pub after: Position,
    /// Ids of events after `after` that were visible already: not news.
    pub seen: Vec<String>,
}

pub fn head(conn: &mut DbConnection) -> Result<Head, DbError> {
    let horizon = horizon(conn)?;
    head_at(conn, horizon)
}

/// [`head`] below a horizon already read.
pub fn head_at(conn: &mut DbConnection, horizon: i64) -> Result<Head, DbError> {
    let last: Option<(i64, i64)> = match conn {
        DbConnection::Postgresql(_) => incident_events::table
            .filter(incident_events::stream_tx.lt(horizon))
            .order((
                incident_events::stream_tx.desc(),
                incident_events::stream_seq.desc(),
            ))
            .select((incident_events::stream_tx, incident_events::stream_seq))
            .first(conn)
            .optional()?,
        DbConnection::Sqlite(_) => incident_events::table
            .order(incident_events::stream_seq.desc())
            .select((incident_events::stream_tx, incident_events::stream_seq))
            .first(conn)
            .optional()?,
    };
    let after = last.map_or(Position::START, |(tx, seq)| Position { tx, seq });
    // Every row below the horizon is at or before `after`, every row from it on after.
    let seen = if horizon == i64::MAX {
        Vec::new()
    } else {
        incident_events::table
            .filter(incident_events::stream_tx.ge(horizon))
            .select(incident_events::id)
            .load(conn)?
    };
    Ok(Head { after, seen })
}

/// Up to `limit` final events after `after`, in stream order.
pub fn read_after(
    conn: &mut DbConnection,
    after: Position,
    limit: usize,
) -> Result<Batch, DbError> {
    // Before the rows, in its own statement: see the module documentation.
    let horizon = horizon(conn)?;
    read_after_at(conn, horizon, after, limit)
}

/// [`read_after`] below a horizon already read.
pub fn read_after_at(
    conn: &mut DbConnection,
    horizon: i64,
    after: Position,
    limit: usize,
) -> Result<Batch, DbError> {
    let (rows, fetched) = final_rows_after(conn, horizon, after, limit)?;
    let mut events = Vec::with_capacity(rows.len());
    for (event, incident) in rows {
        let stored: StoredIncident = incident.try_into()?;
        events.push(StreamEvent {
            position: Position {
                tx: event.stream_tx,
                seq: event.stream_seq,
            },
            event_id: event.id,
            version: i64::from(event.seq),
            action: event.action,
            actor_id: event.actor_id,
            occurred_at: event.occurred_at,
            from_status: event.from_status,
            to_status: event.to_status,
            incident: stored.incident,
        });
    }
    let held_back = events.len() < fetched;
    Ok(Batch {
        more: !held_back && fetched == limit,
        held_back,
        events,
    })
}

/// One timeline event as the catch-up feed needs it: where, and the
/// incident with everything kept beside its lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub position: Position,
    /// As it is now, followers and assists not loaded.
    pub incident: StoredIncident,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    /// In stream order, all after the position asked for.
    pub changes: Vec<Change>,
    /// As [`Batch::held_back`].
    pub held_back: bool,
    /// As [`Batch::more`].
    pub more: bool,
}

/// [`read_after_at`] for the catch-up feed: the same events, each with its
/// incident's location, address and deadlines too.
pub fn changes_after(
    conn: &mut DbConnection,
    horizon: i64,
    after: Position,
    limit: usize,
) -> Result<Changes, DbError> {
    let (rows, fetched) = final_rows_after(conn, horizon, after, limit)?;
    let changes = rows
        .into_iter()
        .map(|(event, incident)| {
            Ok(Change {
                position: Position {
                    tx: event.stream_tx,
                    seq: event.stream_seq,
                },
                incident: incident.try_into()?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    let held_back = changes.len() < fetched;
    Ok(Changes {
        more: !held_back && fetched == limit,
        held_back,
        changes,
    })
}

/// `(stream_tx, stream_seq) > after` on PostgreSQL, as a row comparison:
/// the planner walks the `(…, stream_tx, stream_seq)` index from the
/// position. Spelt as `tx >= a AND (tx > a OR seq > b)` it reads every row
/// of transaction `a` first — all of them after a bulk load, or after a
/// restore that set `stream_tx` to 0 — which made a resumed read of a
/// million-incident timeline take 170 ms instead of a few.
fn beyond<QS: 'static>(
    table: &'static str,
    after: Position,
) -> Box<dyn BoxableExpression<QS, MultiBackend, SqlType = Bool>> {
    let condition =
        diesel::dsl::sql::<Bool>(&format!("({table}.stream_tx, {table}.stream_seq) > ("))
            .bind::<BigInt, _>(after.tx)
            .sql(", ")
            .bind::<BigInt, _>(after.seq)
            .sql(")");
    Box::new(condition)
}

/// Up to `limit` events after `after` in stream order, with their
/// incidents, cut before the first one not yet final; and how many were
/// fetched before the cut.
fn final_rows_after(
    conn: &mut DbConnection,
    horizon: i64,
    after: Position,
    limit: usize,
) -> Result<(Vec<(StreamRow, IncidentRow)>, usize), DbError> {
    let postgres = matches!(conn, DbConnection::Postgresql(_));
    let mut query = incident_events::table
        .inner_join(incidents::table)
        .select((StreamRow::as_select(), IncidentRow::as_select()))
        .into_boxed();
    query = if postgres {
        // (tx, seq) > (after.tx, after.seq), as an index range on (tx, seq).
        query.filter(beyond("incident_events", after)).order((
            incident_events::stream_tx.asc(),
            incident_events::stream_seq.asc(),
        ))
    } else {
        query
            .filter(incident_events::stream_seq.gt(after.seq))
            .order(incident_events::stream_seq.asc())
    };
    let mut rows: Vec<(StreamRow, IncidentRow)> = query
        .limit(i64::try_from(limit).unwrap_or(i64::MAX))
        .load(conn)?;
    let fetched = rows.len();
    // Sorted by stream_tx: the rows not yet final are all at the end.
    let kept = rows
        .iter()
        .take_while(|(event, _)| event.stream_tx < horizon)
        .count();
    rows.truncate(kept);
    Ok((rows, fetched))
}

/// Where the latest event of each of `incident_ids` stands in the stream
/// (final or not). Reads the incidents' timelines, a few rows each.
pub fn latest_positions(
    conn: &mut DbConnection,
    incident_ids: &[String],
) -> Result<HashMap<String, Position>, DbError> {
    let mut latest: HashMap<String, (i32, Position)> = HashMap::new();
    if incident_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i32, i64, i64)> = incident_events::table
        .filter(incident_events::incident_id.eq_any(incident_ids))
        .select((
            incident_events::incident_id,
            incident_events::seq,
            incident_events::stream_tx,
            incident_events::stream_seq,
        ))
        .load(conn)?;
    for (id, seq, tx, stream_seq) in rows {
        let position = Position {
            tx,
            seq: stream_seq,
        };
        match latest.get(&id) {
            Some((newest, _)) if *newest >= seq => {}
            _ => {
                latest.insert(id, (seq, position));
            }
        }
    }
    Ok(latest
        .into_iter()
        .map(|(id, (_, position))| (id, position))
        .collect())
}

/// Which of `incident_ids` `user_id` follows (reported a duplicate of).
pub fn followed_by(
    conn: &mut DbConnection,
    user_id: &str,
    incident_ids: &[String],
) -> Result<Vec<String>, DbError> {
    if incident_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(incident_followers::table
        .filter(incident_followers::user_id.eq(user_id))
        .filter(incident_followers::incident_id.eq_any(incident_ids))
        .select(incident_followers::incident_id)
        .load(conn)?)
}

// ── The inbox ────────────────────────────────────────────────────────────────────

/// One inbox entry and its place in its user's inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxEntry {
    pub position: Position,
    pub notification: NotificationRow,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InboxBatch {
    /// In stream order, all after the position asked for.
    pub entries: Vec<InboxEntry>,
    /// Committed entries behind a transaction still running were left for
    /// later: read again soon.
    pub held_back: bool,
    /// The batch is full: there may be more to read right away.
    pub more: bool,
}

type InboxRow = (NotificationRow, i64, i64);

fn inbox_entry((notification, tx, seq): InboxRow) -> InboxEntry {
    InboxEntry {
        position: Position { tx, seq },
        notification,
    }
}

/// Up to `limit` final entries of `user_id`'s inbox after `after`, in
/// stream order, below `horizon` (see [`horizon`]).
pub fn inbox_after(
    conn: &mut DbConnection,
    horizon: i64,
    user_id: &str,
    after: Position,
    limit: usize,
) -> Result<InboxBatch, DbError> {
    let mut query = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .select((
            NotificationRow::as_select(),
            notifications::stream_tx,
            notifications::stream_seq,
        ))
        .into_boxed();
    query = match conn {
        // (tx, seq) > (after.tx, after.seq), as a range of (user_id, tx, seq).
        DbConnection::Postgresql(_) => query.filter(beyond("notifications", after)).order((
            notifications::stream_tx.asc(),
            notifications::stream_seq.asc(),
        )),
        DbConnection::Sqlite(_) => query
            .filter(notifications::stream_seq.gt(after.seq))
            .order(notifications::stream_seq.asc()),
    };
    let rows: Vec<InboxRow> = query
        .limit(i64::try_from(limit).unwrap_or(i64::MAX))
        .load(conn)?;
    let fetched = rows.len();
    // Sorted by stream_tx: the rows not yet final are all at the end.
    let entries: Vec<InboxEntry> = rows
        .into_iter()
        .take_while(|(_, tx, _)| *tx < horizon)
        .map(inbox_entry)
        .collect();
    let held_back = entries.len() < fetched;
    Ok(InboxBatch {
        more: !held_back && fetched == limit,
        held_back,
        entries,
    })
}

/// The newest `limit` (at least 1) final entries of `user_id`'s inbox,
/// oldest first, and the position every entry still to come lies after: a
/// reader that starts there misses none and gets none of these again.
pub fn inbox_latest(
    conn: &mut DbConnection,
    horizon: i64,
    user_id: &str,
    limit: usize,
) -> Result<(Vec<InboxEntry>, Position), DbError> {
    let mut query = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .select((
            NotificationRow::as_select(),
            notifications::stream_tx,
            notifications::stream_seq,
        ))
        .into_boxed();
    query = match conn {
        DbConnection::Postgresql(_) => query.filter(notifications::stream_tx.lt(horizon)).order((
            notifications::stream_tx.desc(),
            notifications::stream_seq.desc(),
        )),
        DbConnection::Sqlite(_) => query.order(notifications::stream_seq.desc()),
    };
    let mut rows: Vec<InboxRow> = query
        .limit(i64::try_from(limit).unwrap_or(i64::MAX))
        .load(conn)?;
    rows.reverse();
    let entries: Vec<InboxEntry> = rows.into_iter().map(inbox_entry).collect();
    // Every final entry is at or before the newest of them, every later one
    // after it. None at all: everything is still to come.
    let after = entries
        .last()
        .map_or(Position::START, |newest| newest.position);
    Ok((entries, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_reads_back_its_token() {
        let position = Position { tx: 812, seq: 41 };
        assert_eq!(position.to_string(), "812-41");
        assert_eq!(Position::parse("812-41"), Some(position));
        assert_eq!(Position::parse(" 0-7 "), Some(Position { tx: 0, seq: 7 }));
        for bad in [
            "",
            "7",
            "-1-2",
            "1--2",
            "a-1",
            "1-+2",
            "1-2-3",
            "99999999999999999999-1",
        ] {
            assert_eq!(Position::parse(bad), None, "{bad}");
        }
        assert!(Position { tx: 1, seq: 1 } > Position { tx: 0, seq: 9 });
    }
}
