//! Failed sign-in counts per key; the rules are in `gridops_domain::session`.

use diesel::prelude::*;
use gridops_domain::session::FailureRecord;

use crate::db::{DbConnection, DbError};
use crate::schema::login_throttle;

pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<FailureRecord>, DbError> {
    let row: Option<(i32, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> =
        login_throttle::table
            .find(key)
            .select((
                login_throttle::failures,
                login_throttle::window_start,
                login_throttle::locked_until,
            ))
            .first(conn)
            .optional()?;
    Ok(
        row.map(|(failures, window_start, locked_until)| FailureRecord {
            failures: u32::try_from(failures).unwrap_or(0),
            window_start,
            locked_until,
        }),
    )
}

pub fn put(conn: &mut DbConnection, key: &str, record: &FailureRecord) -> Result<(), DbError> {
    let failures = i32::try_from(record.failures).unwrap_or(i32::MAX);
    let changed = diesel::update(login_throttle::table.find(key))
        .set((
            login_throttle::failures.eq(failures),
            login_throttle::window_start.eq(record.window_start),
            login_throttle::locked_until.eq(record.locked_until),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::throttle_key.eq(key),
                login_throttle::failures.eq(failures),
                login_throttle::window_start.eq(record.window_start),
                login_throttle::locked_until.eq(record.locked_until),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn clear(conn: &mut DbConnection, key: &str) -> Result<(), DbError> {
    diesel::delete(login_throttle::table.find(key)).execute(conn)?;
    Ok(())
}
