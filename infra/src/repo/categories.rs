use diesel::prelude::*;
use gridops_domain::category::{Category, Priority, TimeLimit, TimeUnit};

use crate::db::{DbConnection, DbError};
use crate::schema::categories;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub code: String,
    pub parent_code: Option<String>,
    pub label_zh: String,
    pub label_en: String,
    pub default_priority: String,
    pub acknowledge_amount: i32,
    pub acknowledge_unit: String,
    pub resolve_amount: i32,
    pub resolve_unit: String,
    pub position: i32,
    pub duplicate_radius_m: i32,
    pub verify_on_site: bool,
    pub public_reports: bool,
}

fn limit(code: &str, amount: i32, unit: &str) -> Result<TimeLimit, DbError> {
    Ok(TimeLimit {
        amount: u32::try_from(amount)
            .map_err(|_| DbError::Corrupt(format!("category {code}: negative time limit")))?,
        unit: TimeUnit::parse(unit)
            .ok_or_else(|| DbError::Corrupt(format!("category {code}: unknown unit {unit}")))?,
    })
}

impl TryFrom<CategoryRow> for Category {
    type Error = DbError;
    fn try_from(row: CategoryRow) -> Result<Self, DbError> {
        Ok(Category {
            default_priority: Priority::parse(&row.default_priority).ok_or_else(|| {
                DbError::Corrupt(format!("category {}: unknown priority", row.code))
            })?,
            acknowledge_within: limit(&row.code, row.acknowledge_amount, &row.acknowledge_unit)?,
            resolve_within: limit(&row.code, row.resolve_amount, &row.resolve_unit)?,
            duplicate_radius_m: u32::try_from(row.duplicate_radius_m).unwrap_or(0),
            verify_on_site: row.verify_on_site,
            public_reports: row.public_reports,
            code: row.code,
            parent_code: row.parent_code,
            label_zh: row.label_zh,
            label_en: row.label_en,
        })
    }
}

fn row(category: &Category, position: i32) -> CategoryRow {
    let amount = |l: TimeLimit| i32::try_from(l.amount).unwrap_or(i32::MAX);
    CategoryRow {
        code: category.code.clone(),
        parent_code: category.parent_code.clone(),
        label_zh: category.label_zh.clone(),
        label_en: category.label_en.clone(),
        default_priority: category.default_priority.as_str().to_owned(),
        acknowledge_amount: amount(category.acknowledge_within),
        acknowledge_unit: category.acknowledge_within.unit.as_str().to_owned(),
        resolve_amount: amount(category.resolve_within),
        resolve_unit: category.resolve_within.unit.as_str().to_owned(),
        position,
        duplicate_radius_m: i32::try_from(category.duplicate_radius_m).unwrap_or(i32::MAX),
        verify_on_site: category.verify_on_site,
        public_reports: category.public_reports,
    }
}

/// The whole tree in seed order (parents before children).
pub fn list(conn: &mut DbConnection) -> Result<Vec<Category>, DbError> {
    categories::table
        .select(CategoryRow::as_select())
        .order((categories::position.asc(), categories::code.asc()))
        .load(conn)?
        .into_iter()
        .map(Category::try_from)
        .collect()
}

/// Seeds `defaults` into an empty table; leaves an edited tree alone.
pub fn seed_if_empty(conn: &mut DbConnection, defaults: &[Category]) -> Result<usize, DbError> {
    let existing: i64 = categories::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    for (position, category) in defaults.iter().enumerate() {
        diesel::insert_into(categories::table)
            .values(row(category, i32::try_from(position).unwrap_or(i32::MAX)))
            .execute(conn)?;
    }
    Ok(defaults.len())
}

pub fn find(conn: &mut DbConnection, code: &str) -> Result<Category, DbError> {
    categories::table
        .find(code)
        .select(CategoryRow::as_select())
        .first(conn)?
        .try_into()
}
