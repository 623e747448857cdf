//! Lead and assist 吹哨报到: the rows of the parties called onto an incident
//! beside its lead. The rules are `gridops_domain::incident::assist`'s; what
//! a step sets off (clocks, timeline, notifications) is the workflow's
//! (`crate::workflow`).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::incident::{Assist, AssistState};

use crate::db::{DbConnection, DbError};
use crate::schema::incident_assists;

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

/// The assists of incidents (one, or a page of a list), by incident id, each
/// by when they were called, then by party code.
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

/// Stores an assist as the domain left it: called, acknowledged or reported.
pub fn put(conn: &mut DbConnection, incident_id: &str, assist: &Assist) -> Result<(), DbError> {
    let row = AssistRow::new(incident_id, assist);
    let updated = diesel::update(incident_assists::table.find((&row.incident_id, &row.party_code)))
        .set(&row)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(incident_assists::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}
