//! The problem ledger 挂账 as stored: the approved `ledger` rows of
//! `clock_requests` ("in the ledger" is exactly `kind = 'ledger' AND state =
//! 'approved'`), with their reviews, and the list the dispatchers read.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use gridops_domain::area::AreaCode;
use gridops_domain::deadline::ledger::{LedgerReview, LedgerScope};
use gridops_domain::deadline::request::{ClockRequest, RequestKind, RequestState};

use super::Page;
use super::clock_requests::ClockRequestRow;
use crate::db::{DbConnection, DbError, MultiBackend};
use crate::schema::{clock_requests, incidents};

/// A ledger row beside its incident.
type Source = diesel::dsl::InnerJoinQuerySource<clock_requests::table, incidents::table>;
type Condition = Box<dyn BoxableExpression<Source, MultiBackend, SqlType = Bool>>;

const LEDGER: &str = "ledger";
const APPROVED: &str = "approved";

/// A case in the ledger, with what the list shows of the case itself.
#[derive(Debug, Clone)]
pub struct LedgerEntry {
    /// The approved ledger request: reason, asked, approved (in the ledger
    /// since `decided_at`), next review.
    pub request: ClockRequest,
    pub reviews: u32,
    pub last_review_note: Option<String>,
    pub last_reviewed_at: Option<NaiveDateTime>,
    pub reference: String,
    pub category: String,
    pub grid: String,
    pub party: Option<String>,
}

/// What the ledger list is narrowed to, within the caller's scope.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    /// Cases in this area or below it.
    pub area: Option<AreaCode>,
    /// Cases this party holds.
    pub party: Option<String>,
    /// Only entries whose review date is this day or earlier.
    pub review_due_by: Option<NaiveDate>,
}

/// The position after the last entry of a page: when it entered the ledger,
/// and the request id.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerCursor {
    pub at: NaiveDateTime,
    pub id: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clock_requests)]
struct EntryRow {
    #[diesel(embed)]
    request: ClockRequestRow,
    reviews: i32,
    last_review_note: Option<String>,
    last_reviewed_at: Option<NaiveDateTime>,
}

/// The cases of `scope` that `filter` leaves, in the ledger.
fn conditions(scope: &LedgerScope, filter: &LedgerFilter) -> Vec<Condition> {
    let mut all: Vec<Condition> = vec![
        Box::new(clock_requests::kind.eq(LEDGER)),
        Box::new(clock_requests::state.eq(APPROVED)),
    ];
    if !scope.everything {
        all.push(within(scope));
    }
    if let Some(area) = &filter.area {
        all.push(in_area(area));
    }
    if let Some(party) = &filter.party {
        all.push(Box::new(
            incidents::party_code.assume_not_null().eq(party.clone()),
        ));
    }
    if let Some(day) = filter.review_due_by {
        all.push(Box::new(
            clock_requests::review_on.assume_not_null().le(day),
        ));
    }
    all
}

fn in_area(area: &AreaCode) -> Condition {
    Box::new(incidents::grid_code.like(format!("{}%", area.subtree_prefix())))
}

/// The caller's areas and parties: a case in any of them.
fn within(scope: &LedgerScope) -> Condition {
    let areas = scope.areas.iter().map(in_area);
    let parties = scope.parties.iter().map(|party| -> Condition {
        Box::new(incidents::party_code.assume_not_null().eq(party.clone()))
    });
    areas
        .chain(parties)
        .reduce(|a, b| Box::new(a.or(b)))
        .unwrap_or_else(|| Box::new(incidents::id.eq_any(Vec::<String>::new())))
}

/// A page of the ledger, longest in it first.
pub fn list(
    conn: &mut DbConnection,
    scope: &LedgerScope,
    filter: &LedgerFilter,
    after: Option<&LedgerCursor>,
    limit: usize,
) -> Result<Page<LedgerEntry>, DbError> {
    let mut query = clock_requests::table
        .inner_join(incidents::table)
        .select((
            EntryRow::as_select(),
            (
                incidents::reference,
                incidents::category_code,
                incidents::grid_code,
                incidents::party_code,
            ),
        ))
        .into_boxed();
    for condition in conditions(scope, filter) {
        query = query.filter(condition);
    }
    if let Some(c) = after {
        let since = clock_requests::decided_at.assume_not_null();
        query = query.filter(
            since
                .gt(c.at)
                .or(since.eq(c.at).and(clock_requests::id.gt(c.id.clone()))),
        );
    }
    type Case = (String, String, String, Option<String>);
    let rows: Vec<(EntryRow, Case)> = query
        .order((clock_requests::decided_at.asc(), clock_requests::id.asc()))
        .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .load(conn)?;
    let entries = rows
        .into_iter()
        .map(|(row, (reference, category, grid, party))| {
            Ok(LedgerEntry {
                request: row.request.try_into()?,
                reviews: u32::try_from(row.reviews).unwrap_or(0),
                last_review_note: row.last_review_note,
                last_reviewed_at: row.last_reviewed_at,
                reference,
                category,
                grid,
                party,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(Page::from_overfetch(entries, limit, |e| {
        let at = e.request.decided_at.unwrap_or(e.request.requested_at);
        format!("{}_{}", at.and_utc().timestamp_micros(), e.request.id)
    }))
}

/// How many cases of `scope` that `filter` leaves are in the ledger.
pub fn count(
    conn: &mut DbConnection,
    scope: &LedgerScope,
    filter: &LedgerFilter,
) -> Result<usize, DbError> {
    let mut query = clock_requests::table
        .inner_join(incidents::table)
        .into_boxed();
    for condition in conditions(scope, filter) {
        query = query.filter(condition);
    }
    let n: i64 = query.count().get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Keeps a review: the next review date, one more review, its note. `false`
/// when the case is no longer in the ledger.
pub fn reviewed(conn: &mut DbConnection, review: &LedgerReview) -> Result<bool, DbError> {
    let changed = diesel::update(
        clock_requests::table
            .find(&review.request.id)
            .filter(clock_requests::kind.eq(LEDGER))
            .filter(clock_requests::state.eq(APPROVED)),
    )
    .set((
        clock_requests::review_on.eq(review.request.review_on),
        clock_requests::reviews.eq(clock_requests::reviews + 1),
        clock_requests::last_review_note.eq(Some(&review.note)),
        clock_requests::last_reviewed_at.eq(Some(review.at)),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}

/// The case left its party's hands (resolved, returned): it leaves the
/// ledger too, at `at`. How many entries ended (0 or 1).
pub fn left_with_case(
    conn: &mut DbConnection,
    incident_id: &str,
    at: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::update(
        clock_requests::table
            .filter(clock_requests::incident_id.eq(incident_id))
            .filter(clock_requests::kind.eq(RequestKind::Ledger.as_str()))
            .filter(clock_requests::state.eq(RequestState::Approved.as_str())),
    )
    .set((
        clock_requests::state.eq(RequestState::Ended.as_str()),
        clock_requests::ended_at.eq(Some(at)),
    ))
    .execute(conn)?)
}
