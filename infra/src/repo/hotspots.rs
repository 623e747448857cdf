//! Recurring hotspots: the rule of each category, and the reports a search
//! reads (`gridops_domain::hotspot` finds the hotspots among them).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use gridops_domain::area::AreaCode;
use gridops_domain::hotspot::HotspotRule;
use gridops_domain::incident::Status;

use crate::db::{DbConnection, DbError, MultiBackend, insert_unless_exists};
use crate::schema::{categories, hotspot_rules, incidents};

type Condition = Box<dyn BoxableExpression<incidents::table, MultiBackend, SqlType = Bool>>;

diesel::define_sql_function! {
    /// `substr(text, start, length)`, 1-based, the same on both backends.
    fn substr(text: diesel::sql_types::Text, start: diesel::sql_types::Integer, length: diesel::sql_types::Integer) -> diesel::sql_types::Text;
}

/// A category's own rule, as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = hotspot_rules)]
pub struct HotspotRuleRow {
    pub category_code: String,
    pub radius_m: i32,
    pub min_reports: i32,
    pub within_days: i32,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
}

impl HotspotRuleRow {
    pub fn new(category: &str, rule: HotspotRule, by: &str, at: NaiveDateTime) -> Self {
        let int = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        HotspotRuleRow {
            category_code: category.to_owned(),
            radius_m: int(rule.radius_m()),
            min_reports: int(rule.min_reports()),
            within_days: int(rule.within_days()),
            updated_at: at,
            updated_by: by.to_owned(),
        }
    }

    pub fn rule(&self) -> Result<HotspotRule, DbError> {
        HotspotRule::new(
            i64::from(self.radius_m),
            i64::from(self.min_reports),
            i64::from(self.within_days),
        )
        .map_err(|problems| {
            DbError::Corrupt(format!(
                "hotspot rule of {}: {problems:?}",
                self.category_code
            ))
        })
    }
}

/// Every category's own rule, by category code.
pub fn rules(conn: &mut DbConnection) -> Result<Vec<HotspotRuleRow>, DbError> {
    Ok(hotspot_rules::table
        .order(hotspot_rules::category_code.asc())
        .select(HotspotRuleRow::as_select())
        .load(conn)?)
}

/// Sets a category's rule (the category must exist).
pub fn put_rule(conn: &mut DbConnection, row: &HotspotRuleRow) -> Result<(), DbError> {
    let inserted = insert_unless_exists(conn, |conn| {
        diesel::insert_into(hotspot_rules::table)
            .values(row)
            .execute(conn)
    })?;
    if !inserted {
        diesel::update(hotspot_rules::table.find(&row.category_code))
            .set(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Removes a category's rule: the server's default applies again. `false`
/// when it had none.
pub fn delete_rule(conn: &mut DbConnection, category: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(hotspot_rules::table.find(category)).execute(conn)? > 0)
}

/// Where the reports a search reads lie: a set of grids (the
/// `(grid_code, created_at)` index serves it), or an area of too many grids
/// for that, by the prefix of its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Within {
    Grids(Vec<String>),
    Area(AreaCode),
}

impl Within {
    fn condition(&self) -> Condition {
        match self {
            Within::Grids(grids) => Box::new(incidents::grid_code.eq_any(grids.clone())),
            Within::Area(area) => {
                let prefix = area.subtree_prefix().to_owned();
                let length = i32::try_from(prefix.len()).unwrap_or(i32::MAX);
                Box::new(substr(incidents::grid_code, 1, length).eq(prefix))
            }
        }
    }
}

/// Whose reports a search reads besides its filters: all, or those lying
/// in some places or held by some parties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    Some {
        places: Vec<Within>,
        parties: Vec<String>,
    },
}

/// A report as a hotspot search reads it.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ReportedAt {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub category_code: String,
    /// WGS-84.
    pub lat: f64,
    pub lng: f64,
    pub created_at: NaiveDateTime,
}

/// The codes of `category` and the categories below it; empty when there is
/// no such category.
pub fn category_and_below(conn: &mut DbConnection, category: &str) -> Result<Vec<String>, DbError> {
    Ok(categories::table
        .filter(
            categories::code
                .eq(category)
                .or(categories::code.like(format!("{category}.%"))),
        )
        .order(categories::code.asc())
        .select(categories::code)
        .load(conn)?)
}

/// The reports made since `since` within `reach`, of `categories` and in
/// `within` when given, at most `limit`, in one statement. Its index is the
/// planner's pick of `(category_code, created_at)`, `(grid_code,
/// created_at)`, `(party_code, created_at)` or `(created_at, id)`: each
/// filter here is one of their ranges. Incidents rejected as invalid or out
/// of scope are no reports of a problem; those rejected as duplicates are
/// (重复上报 is what a hotspot counts).
pub fn reported_since(
    conn: &mut DbConnection,
    reach: &Reach,
    categories: Option<&[String]>,
    within: Option<&Within>,
    since: NaiveDateTime,
    limit: usize,
) -> Result<Vec<ReportedAt>, DbError> {
    let mut query = incidents::table
        .filter(incidents::created_at.ge(since))
        .filter(
            incidents::status
                .ne(Status::Rejected.as_str())
                .or(incidents::duplicate_of.is_not_null()),
        )
        .select((
            incidents::id,
            incidents::reference,
            incidents::status,
            incidents::category_code,
            incidents::lat,
            incidents::lng,
            incidents::created_at,
        ))
        .into_boxed();
    if let Some(codes) = categories {
        query = query.filter(incidents::category_code.eq_any(codes.to_vec()));
    }
    if let Some(within) = within {
        query = query.filter(within.condition());
    }
    if let Reach::Some { places, parties } = reach {
        let mut relations: Vec<Condition> = places.iter().map(Within::condition).collect();
        if !parties.is_empty() {
            relations.push(Box::new(
                incidents::party_code
                    .assume_not_null()
                    .eq_any(parties.clone()),
            ));
        }
        let Some(first) = relations.pop() else {
            return Ok(Vec::new());
        };
        let any: Condition = relations
            .into_iter()
            .fold(first, |all, next| Box::new(all.or(next)));
        query = query.filter(any);
    }
    Ok(query
        .limit(i64::try_from(limit).unwrap_or(i64::MAX))
        .load(conn)?)
}
