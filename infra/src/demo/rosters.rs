//! The demo duty roster: the 观澜 grid's worker on duty every night, so the
//! demo's night rule for dogs barking (`demo-dog-noise-night`) reaches
//! someone at 1 a.m.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::duty::Shift;
use gridops_domain::routing::{TimeWindow, parse_time};

use crate::db::{DbConnection, DbError};
use crate::repo::rosters;
use crate::schema::{duty_rosters, users};

/// The grid of the demo roster (观澜社区第二网格).
pub const DEMO_ROSTER_GRID: &str = "410102003001002";
/// Its worker, on duty Monday to Sunday, 22:00–08:00.
pub const DEMO_ON_DUTY: &str = "worker.guanlan";

/// Puts the demo worker on nights when no roster has a line yet and the
/// demo login exists; `true` when it did. Call after the demo logins are
/// created.
pub fn seed_if_empty(conn: &mut DbConnection, at: NaiveDateTime) -> Result<bool, DbError> {
    let lines: i64 = duty_rosters::table.count().get_result(conn)?;
    if lines > 0 {
        return Ok(false);
    }
    let Some(user) = users::table
        .filter(users::username.eq(DEMO_ON_DUTY))
        .select(users::id)
        .first::<String>(conn)
        .optional()?
    else {
        return Ok(false);
    };
    let (Some(starts), Some(ends)) = (parse_time("22:00"), parse_time("08:00")) else {
        return Err(DbError::Other("demo roster: bad times".into()));
    };
    let window = TimeWindow::new(starts, ends).map_err(|e| DbError::Other(e.to_string()))?;
    rosters::insert_shift(
        conn,
        DEMO_ROSTER_GRID,
        &Shift {
            user,
            weekdays: (1..=7).collect(),
            window,
        },
        at,
    )?;
    Ok(true)
}
