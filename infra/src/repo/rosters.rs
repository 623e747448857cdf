//! Duty rosters 值班表 (duty_rosters, duty_exceptions): who is on duty in a
//! grid, or in every grid of a community, by weekday and local time, the
//! days someone is on or off whatever the roster says, and — with the
//! running patrols of the grid — who is on duty there now.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use gridops_domain::area::{AreaCode, AreaLevel};
use gridops_domain::duty::{self, Exception, OnDuty, Shift, parse_weekdays};
use gridops_domain::patrol::PatrolStatus;
use gridops_domain::routing::{TimeWindow, format_time, parse_time};

use crate::db::{DbConnection, DbError};
use crate::schema::{duty_exceptions, duty_rosters, patrol_grids, patrols, users};

/// A line of an area's roster as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredShift {
    pub id: String,
    pub area: String,
    pub shift: Shift,
    pub created_at: NaiveDateTime,
}

/// A day someone is on or off duty in an area, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredException {
    pub id: String,
    pub area: String,
    pub exception: Exception,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = duty_rosters)]
struct ShiftRow {
    id: String,
    area_code: String,
    user_id: String,
    weekdays: String,
    starts: String,
    ends: String,
    created_at: NaiveDateTime,
}

impl TryFrom<ShiftRow> for StoredShift {
    type Error = DbError;

    fn try_from(row: ShiftRow) -> Result<Self, DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("duty roster {}: {what}", row.id));
        let weekdays = parse_weekdays(&row.weekdays).ok_or_else(|| corrupt("weekdays"))?;
        let (Some(starts), Some(ends)) = (parse_time(&row.starts), parse_time(&row.ends)) else {
            return Err(corrupt("times are not HH:MM"));
        };
        let window = TimeWindow::new(starts, ends).map_err(|e| corrupt(&e.to_string()))?;
        Ok(StoredShift {
            id: row.id,
            area: row.area_code,
            shift: Shift {
                user: row.user_id,
                weekdays,
                window,
            },
            created_at: row.created_at,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = duty_exceptions)]
struct ExceptionRow {
    id: String,
    area_code: String,
    user_id: String,
    on_date: String,
    on_duty: bool,
    created_at: NaiveDateTime,
}

impl TryFrom<ExceptionRow> for StoredException {
    type Error = DbError;

    fn try_from(row: ExceptionRow) -> Result<Self, DbError> {
        let date = NaiveDate::parse_from_str(&row.on_date, DATE).map_err(|_| {
            DbError::Corrupt(format!("duty exception {}: date {}", row.id, row.on_date))
        })?;
        Ok(StoredException {
            id: row.id,
            area: row.area_code,
            exception: Exception {
                user: row.user_id,
                date,
                on_duty: row.on_duty,
            },
            created_at: row.created_at,
        })
    }
}

const DATE: &str = "%Y-%m-%d";

fn day(date: NaiveDate) -> String {
    date.format(DATE).to_string()
}

/// The roster lines of these areas, oldest first.
pub fn shifts(conn: &mut DbConnection, areas: &[&str]) -> Result<Vec<StoredShift>, DbError> {
    duty_rosters::table
        .filter(duty_rosters::area_code.eq_any(areas))
        .select(ShiftRow::as_select())
        .order((duty_rosters::created_at.asc(), duty_rosters::id.asc()))
        .load(conn)?
        .into_iter()
        .map(StoredShift::try_from)
        .collect()
}

/// The day exceptions of these areas on `from` or later, by date.
pub fn exceptions(
    conn: &mut DbConnection,
    areas: &[&str],
    from: NaiveDate,
) -> Result<Vec<StoredException>, DbError> {
    exceptions_between(conn, areas, from, None)
}

fn exceptions_between(
    conn: &mut DbConnection,
    areas: &[&str],
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Result<Vec<StoredException>, DbError> {
    // YYYY-MM-DD sorts as the dates do.
    let mut query = duty_exceptions::table
        .filter(duty_exceptions::area_code.eq_any(areas))
        .filter(duty_exceptions::on_date.ge(day(from)))
        .into_boxed();
    if let Some(to) = to {
        query = query.filter(duty_exceptions::on_date.le(day(to)));
    }
    query
        .select(ExceptionRow::as_select())
        .order((duty_exceptions::on_date.asc(), duty_exceptions::id.asc()))
        .load(conn)?
        .into_iter()
        .map(StoredException::try_from)
        .collect()
}

/// Adds a line to `area`'s roster; returns it as stored.
pub fn insert_shift(
    conn: &mut DbConnection,
    area: &str,
    shift: &Shift,
    at: NaiveDateTime,
) -> Result<StoredShift, DbError> {
    let row = ShiftRow {
        id: uuid::Uuid::now_v7().to_string(),
        area_code: area.to_owned(),
        user_id: shift.user.clone(),
        weekdays: shift
            .weekdays
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        starts: format_time(shift.window.start()),
        ends: format_time(shift.window.end()),
        created_at: at,
    };
    diesel::insert_into(duty_rosters::table)
        .values(&row)
        .execute(conn)?;
    row.try_into()
}

/// Removes a line of `area`'s roster; `false` when it has none with this id.
pub fn delete_shift(conn: &mut DbConnection, area: &str, id: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        duty_rosters::table
            .filter(duty_rosters::area_code.eq(area))
            .filter(duty_rosters::id.eq(id)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// Sets whether the user is on duty in `area` that day, replacing what was
/// set for that day before; returns it as stored. Call inside a write
/// transaction.
pub fn put_exception(
    conn: &mut DbConnection,
    area: &str,
    exception: &Exception,
    at: NaiveDateTime,
) -> Result<StoredException, DbError> {
    let date = day(exception.date);
    let existing: Option<ExceptionRow> = duty_exceptions::table
        .filter(duty_exceptions::area_code.eq(area))
        .filter(duty_exceptions::user_id.eq(&exception.user))
        .filter(duty_exceptions::on_date.eq(&date))
        .select(ExceptionRow::as_select())
        .first(conn)
        .optional()?;
    let row = match existing {
        Some(row) => {
            diesel::update(duty_exceptions::table.find(&row.id))
                .set(duty_exceptions::on_duty.eq(exception.on_duty))
                .execute(conn)?;
            ExceptionRow {
                on_duty: exception.on_duty,
                ..row
            }
        }
        None => {
            let row = ExceptionRow {
                id: uuid::Uuid::now_v7().to_string(),
                area_code: area.to_owned(),
                user_id: exception.user.clone(),
                on_date: date,
                on_duty: exception.on_duty,
                created_at: at,
            };
            diesel::insert_into(duty_exceptions::table)
                .values(&row)
                .execute(conn)?;
            row
        }
    };
    row.try_into()
}

/// Removes a day exception of `area`; `false` when it has none with this id.
pub fn delete_exception(conn: &mut DbConnection, area: &str, id: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        duty_exceptions::table
            .filter(duty_exceptions::area_code.eq(area))
            .filter(duty_exceptions::id.eq(id)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// The walkers of the patrols running in `grid`, the earliest started first.
pub fn walkers_in(conn: &mut DbConnection, grid: &str) -> Result<Vec<String>, DbError> {
    let mut walkers: Vec<String> = patrols::table
        .inner_join(patrol_grids::table)
        .filter(patrol_grids::grid_code.eq(grid))
        .filter(patrols::status.eq(PatrolStatus::Running.as_str()))
        .select(patrols::walker_id)
        .order((patrols::started_at.asc(), patrols::id.asc()))
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    walkers.retain(|w| seen.insert(w.clone()));
    Ok(walkers)
}

/// The areas whose roster covers `grid`: the grid and its community.
pub fn roster_areas(grid: &AreaCode) -> Vec<AreaCode> {
    grid.lineage()
        .into_iter()
        .filter(|a| a.fits_level(AreaLevel::Grid) || a.fits_level(AreaLevel::Community))
        .collect()
}

/// Who is on duty in `grid` at local time `local_at`: the walkers of its
/// running patrols, then the roster of the grid and of its community (a
/// community's roster covers every grid of it) with their day exceptions;
/// disabled accounts are on duty nowhere.
pub fn on_duty_in_grid(
    conn: &mut DbConnection,
    grid: &AreaCode,
    local_at: NaiveDateTime,
) -> Result<Vec<OnDuty>, DbError> {
    let areas: Vec<String> = roster_areas(grid).iter().map(ToString::to_string).collect();
    let areas: Vec<&str> = areas.iter().map(String::as_str).collect();
    let shifts: Vec<Shift> = shifts(conn, &areas)?.into_iter().map(|s| s.shift).collect();
    // A night that started yesterday is yesterday's: its day off counts.
    let today = local_at.date();
    let exceptions: Vec<Exception> =
        exceptions_between(conn, &areas, today - Duration::days(1), Some(today))?
            .into_iter()
            .map(|e| e.exception)
            .collect();
    let walkers = walkers_in(conn, grid.as_str())?;
    let found = duty::on_duty(&shifts, &exceptions, &walkers, local_at);
    if found.is_empty() {
        return Ok(found);
    }
    let ids: Vec<&str> = found.iter().map(|d| d.user.as_str()).collect();
    let enabled: Vec<String> = users::table
        .filter(users::id.eq_any(&ids))
        .filter(users::disabled.eq(false))
        .select(users::id)
        .load(conn)?;
    Ok(found
        .into_iter()
        .filter(|d| enabled.contains(&d.user))
        .collect())
}
