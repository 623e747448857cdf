use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::area::{Area, AreaCode, AreaLevel};

use super::{Page, now};
use crate::area_file::{boundary_from_geojson, boundary_to_geojson};
use crate::db::{DbConnection, DbError};
use crate::schema::{area_revisions, areas};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = areas)]
pub struct AreaRow {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub boundary: Option<String>,
    pub synthetic: bool,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = areas, treat_none_as_null = true)]
struct AreaForm<'a> {
    code: &'a str,
    name: &'a str,
    name_en: &'a str,
    level: &'a str,
    parent_code: Option<&'a str>,
    boundary: Option<String>,
    synthetic: bool,
    updated_at: NaiveDateTime,
}

/// An area without its boundary: what lists show.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = areas)]
pub struct AreaSummary {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub synthetic: bool,
}

impl TryFrom<AreaRow> for Area {
    type Error = DbError;
    fn try_from(row: AreaRow) -> Result<Self, DbError> {
        let corrupt = |what: String| DbError::Corrupt(format!("area {}: {what}", row.code));
        Ok(Area {
            code: AreaCode::parse(&row.code).map_err(|e| corrupt(e.to_string()))?,
            level: row
                .level
                .parse::<AreaLevel>()
                .map_err(|e| corrupt(e.to_string()))?,
            parent_code: row
                .parent_code
                .as_deref()
                .map(AreaCode::parse)
                .transpose()
                .map_err(|e| corrupt(e.to_string()))?,
            boundary: row
                .boundary
                .as_deref()
                .map(boundary_from_geojson)
                .transpose()
                .map_err(corrupt)?,
            name: row.name,
            name_en: row.name_en,
            synthetic: row.synthetic,
        })
    }
}

/// Every area with its boundary, for the in-memory map.
pub fn load_all(conn: &mut DbConnection) -> Result<Vec<Area>, DbError> {
    areas::table
        .select(AreaRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Area::try_from)
        .collect()
}

pub fn find(conn: &mut DbConnection, code: &str) -> Result<Area, DbError> {
    areas::table
        .find(code)
        .select(AreaRow::as_select())
        .first(conn)?
        .try_into()
}

#[derive(Debug, Default, Clone)]
pub struct AreaFilter {
    pub level: Option<AreaLevel>,
    pub parent: Option<String>,
    /// Only areas whose code sorts after this one (the page cursor).
    pub after: Option<String>,
    /// Leave out grids and micro-grids (what anonymous callers see).
    pub without_grids: bool,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &AreaFilter,
    limit: usize,
) -> Result<Page<AreaSummary>, DbError> {
    let mut query = areas::table.select(AreaSummary::as_select()).into_boxed();
    if let Some(level) = filter.level {
        query = query.filter(areas::level.eq(level.as_str()));
    }
    if let Some(parent) = &filter.parent {
        query = query.filter(areas::parent_code.eq(parent));
    }
    if let Some(after) = &filter.after {
        query = query.filter(areas::code.gt(after));
    }
    if filter.without_grids {
        let grids = [AreaLevel::Grid.as_str(), AreaLevel::MicroGrid.as_str()];
        query = query.filter(diesel::dsl::not(areas::level.eq_any(grids)));
    }
    let rows = query
        .order(areas::code.asc())
        .limit(i64::try_from(limit + 1).unwrap_or(i64::MAX))
        .load(conn)?;
    Ok(Page::from_overfetch(rows, limit, |a| a.code.clone()))
}

pub fn children(conn: &mut DbConnection, code: &str) -> Result<Vec<AreaSummary>, DbError> {
    Ok(areas::table
        .filter(areas::parent_code.eq(code))
        .select(AreaSummary::as_select())
        .order(areas::code.asc())
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(areas::table.count().get_result(conn)?)
}

/// Inserts or replaces `list` (parents first) and bumps the area revision so
/// every server rebuilds its grid index. Call inside a write transaction.
pub fn upsert_all(conn: &mut DbConnection, list: &[Area]) -> Result<i64, DbError> {
    let updated_at = now();
    for area in list {
        let form = AreaForm {
            code: area.code.as_str(),
            name: &area.name,
            name_en: &area.name_en,
            level: area.level.as_str(),
            parent_code: area.parent_code.as_ref().map(AreaCode::as_str),
            boundary: area.boundary.as_ref().map(boundary_to_geojson),
            synthetic: area.synthetic,
            updated_at,
        };
        // Portable upsert: ON CONFLICT does not compile on the multi-connection.
        let changed = diesel::update(areas::table.find(form.code))
            .set(&form)
            .execute(conn)?;
        if changed == 0 {
            diesel::insert_into(areas::table)
                .values(&form)
                .execute(conn)?;
        }
    }
    bump_revision(conn)
}

fn bump_revision(conn: &mut DbConnection) -> Result<i64, DbError> {
    diesel::update(area_revisions::table.find(1))
        .set((
            area_revisions::revision.eq(area_revisions::revision + 1),
            area_revisions::changed_at.eq(now()),
        ))
        .execute(conn)?;
    revision(conn)
}

/// Makes concurrent changes of the areas take turns until this transaction
/// ends: a change must be checked against the areas as the previous change
/// left them (two imports racing could otherwise both pass the overlap check
/// on PostgreSQL's READ COMMITTED). An UPDATE locks the row on PostgreSQL;
/// SQLite's write transactions are serial already.
pub fn lock_for_change(conn: &mut DbConnection) -> Result<(), DbError> {
    diesel::update(area_revisions::table.find(1))
        .set(area_revisions::revision.eq(area_revisions::revision))
        .execute(conn)?;
    Ok(())
}

/// The counter bumped by every change of the areas.
pub fn revision(conn: &mut DbConnection) -> Result<i64, DbError> {
    Ok(area_revisions::table
        .find(1)
        .select(area_revisions::revision)
        .first(conn)?)
}
