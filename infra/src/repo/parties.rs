use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::party::{Party, PartyKind};

use super::{Page, now};
use crate::db::{DbConnection, DbError};
use crate::schema::{parties, party_areas};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = parties)]
pub struct PartyRow {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub kind: String,
    pub contact_phone: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = parties)]
struct NewPartyRow<'a> {
    code: &'a str,
    name: &'a str,
    name_en: &'a str,
    kind: &'a str,
    contact_phone: Option<&'a str>,
    created_at: NaiveDateTime,
}

#[derive(Debug, Default, Clone)]
pub struct PartyFilter {
    pub kind: Option<PartyKind>,
    /// Only parties serving one of these areas (an area and its ancestors).
    pub serving_any_of: Option<Vec<String>>,
    pub after: Option<String>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &PartyFilter,
    limit: usize,
) -> Result<Page<Party>, DbError> {
    let mut query = parties::table.select(PartyRow::as_select()).into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(parties::kind.eq(kind.as_str()));
    }
    if let Some(areas) = &filter.serving_any_of {
        let serving = party_areas::table
            .filter(party_areas::area_code.eq_any(areas))
            .select(party_areas::party_code);
        query = query.filter(parties::code.eq_any(serving));
    }
    if let Some(after) = &filter.after {
        query = query.filter(parties::code.gt(after));
    }
    let rows: Vec<PartyRow> = query
        .order(parties::code.asc())
        .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .load(conn)?;
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    let mut served: HashMap<String, Vec<String>> = HashMap::new();
    for (party, area) in party_areas::table
        .filter(party_areas::party_code.eq_any(&codes))
        .order((party_areas::party_code, party_areas::area_code))
        .load::<(String, String)>(conn)?
    {
        served.entry(party).or_default().push(area);
    }
    let parties = rows
        .into_iter()
        .map(|row| {
            let areas = served.remove(&row.code).unwrap_or_default();
            party_from_row(row, areas)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(parties, limit, |p| p.code.clone()))
}

fn party_from_row(row: PartyRow, areas: Vec<String>) -> Result<Party, DbError> {
    Ok(Party {
        kind: PartyKind::parse(&row.kind).ok_or_else(|| {
            DbError::Corrupt(format!("party {}: unknown kind {}", row.code, row.kind))
        })?,
        code: row.code,
        name: row.name,
        name_en: row.name_en,
        contact_phone: row.contact_phone,
        areas,
    })
}

pub fn exists(conn: &mut DbConnection, code: &str) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(parties::table.find(code))).get_result(conn)?)
}

/// Stores a new party with the areas it serves. Call inside a write transaction.
pub fn insert(conn: &mut DbConnection, party: &Party) -> Result<(), DbError> {
    diesel::insert_into(parties::table)
        .values(NewPartyRow {
            code: &party.code,
            name: &party.name,
            name_en: &party.name_en,
            kind: party.kind.as_str(),
            contact_phone: party.contact_phone.as_deref(),
            created_at: now(),
        })
        .execute(conn)?;
    for area in &party.areas {
        diesel::insert_into(party_areas::table)
            .values((
                party_areas::party_code.eq(&party.code),
                party_areas::area_code.eq(area),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Every party's names (Chinese, English) by code: labels for tables.
pub fn names(conn: &mut DbConnection) -> Result<HashMap<String, (String, String)>, DbError> {
    Ok(parties::table
        .select((parties::code, parties::name, parties::name_en))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(code, zh, en)| (code, (zh, en)))
        .collect())
}
