use diesel::prelude::*;

use super::now;
use crate::db::{DbConnection, DbError, insert_unless_exists};
use crate::schema::secrets;

/// The named secret, created with `generate` on first use. Nodes starting
/// together may both generate; the first insert wins and both read it.
pub fn get_or_create(
    conn: &mut DbConnection,
    name: &str,
    generate: impl FnOnce() -> Result<String, DbError>,
) -> Result<String, DbError> {
    let read = |conn: &mut DbConnection| {
        secrets::table
            .find(name)
            .select(secrets::value)
            .first::<String>(conn)
            .optional()
    };
    if let Some(value) = read(conn)? {
        return Ok(value);
    }
    let value = generate()?;
    // Nodes starting together may both generate; the first insert wins.
    insert_unless_exists(conn, |conn| {
        diesel::insert_into(secrets::table)
            .values((
                secrets::name.eq(name),
                secrets::value.eq(&value),
                secrets::created_at.eq(now()),
            ))
            .execute(conn)
    })?;
    read(conn)?.ok_or(DbError::NotFound)
}
