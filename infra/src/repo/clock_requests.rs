//! Suspension 挂起, extension 延期 and problem ledger 挂账 requests of
//! incidents. The ledger's reviews and reminders are `repo::ledger`'s.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use gridops_domain::category::{TimeLimit, TimeUnit};
use gridops_domain::deadline::request::{ClockRequest, RequestKind, RequestState};

use crate::db::{DbConnection, DbError};
use crate::schema::clock_requests;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = clock_requests)]
pub struct ClockRequestRow {
    pub id: String,
    pub incident_id: String,
    pub kind: String,
    pub reason: String,
    pub amount: Option<i32>,
    pub unit: Option<String>,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub review_on: Option<NaiveDate>,
}

impl TryFrom<ClockRequestRow> for ClockRequest {
    type Error = DbError;
    fn try_from(row: ClockRequestRow) -> Result<Self, DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("clock request {}: {what}", row.id));
        let extend_by = match (row.amount, row.unit.as_deref()) {
            (Some(amount), Some(unit)) => Some(TimeLimit {
                amount: u32::try_from(amount).map_err(|_| corrupt("amount"))?,
                unit: TimeUnit::parse(unit).ok_or_else(|| corrupt("unit"))?,
            }),
            _ => None,
        };
        Ok(ClockRequest {
            kind: RequestKind::parse(&row.kind).ok_or_else(|| corrupt("kind"))?,
            state: RequestState::parse(&row.state).ok_or_else(|| corrupt("state"))?,
            extend_by,
            id: row.id,
            incident_id: row.incident_id,
            reason: row.reason,
            requested_by: row.requested_by,
            requested_at: row.requested_at,
            decided_by: row.decided_by,
            decided_at: row.decided_at,
            ended_at: row.ended_at,
            review_on: row.review_on,
        })
    }
}

impl From<&ClockRequest> for ClockRequestRow {
    fn from(r: &ClockRequest) -> Self {
        ClockRequestRow {
            id: r.id.clone(),
            incident_id: r.incident_id.clone(),
            kind: r.kind.as_str().to_owned(),
            reason: r.reason.clone(),
            amount: r
                .extend_by
                .map(|l| i32::try_from(l.amount).unwrap_or(i32::MAX)),
            unit: r.extend_by.map(|l| l.unit.as_str().to_owned()),
            requested_by: r.requested_by.clone(),
            requested_at: r.requested_at,
            state: r.state.as_str().to_owned(),
            decided_by: r.decided_by.clone(),
            decided_at: r.decided_at,
            ended_at: r.ended_at,
            review_on: r.review_on,
        }
    }
}

pub fn insert(conn: &mut DbConnection, request: &ClockRequest) -> Result<(), DbError> {
    diesel::insert_into(clock_requests::table)
        .values(ClockRequestRow::from(request))
        .execute(conn)?;
    Ok(())
}

/// One request of one incident.
pub fn find(conn: &mut DbConnection, incident_id: &str, id: &str) -> Result<ClockRequest, DbError> {
    clock_requests::table
        .find(id)
        .filter(clock_requests::incident_id.eq(incident_id))
        .select(ClockRequestRow::as_select())
        .first(conn)?
        .try_into()
}

/// The incident's requests, oldest first.
pub fn of_incident(
    conn: &mut DbConnection,
    incident_id: &str,
) -> Result<Vec<ClockRequest>, DbError> {
    clock_requests::table
        .filter(clock_requests::incident_id.eq(incident_id))
        .order((clock_requests::requested_at.asc(), clock_requests::id.asc()))
        .select(ClockRequestRow::as_select())
        .load(conn)?
        .into_iter()
        .map(ClockRequest::try_from)
        .collect()
}

/// Stores a decision or an end, if the request is still in `expected`:
/// `false` when someone else moved it first.
pub fn save(
    conn: &mut DbConnection,
    request: &ClockRequest,
    expected: RequestState,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        clock_requests::table
            .find(&request.id)
            .filter(clock_requests::state.eq(expected.as_str())),
    )
    .set((
        clock_requests::state.eq(request.state.as_str()),
        clock_requests::decided_by.eq(&request.decided_by),
        clock_requests::decided_at.eq(request.decided_at),
        clock_requests::ended_at.eq(request.ended_at),
    ))
    .execute(conn)?;
    Ok(changed > 0)
}
