use diesel::prelude::*;

use super::now;
use crate::db::{DbConnection, DbError};
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
    let inserted = diesel::insert_into(secrets::table)
        .values((
            secrets::name.eq(name),
            secrets::value.eq(generate()?),
            secrets::created_at.eq(now()),
        ))
        .execute(conn);
    match inserted.map_err(DbError::from) {
        Ok(_) | Err(DbError::Conflict(_)) => read(conn)?.ok_or(DbError::NotFound),
        Err(e) => Err(e),
    }
}
