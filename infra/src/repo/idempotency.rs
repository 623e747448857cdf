//! `Idempotency-Key`: the first answer to a (user, key) pair is kept and
//! replayed to retries, so a phone that resends a report after a timeout
//! does not create a second incident.
//!
//! The key's row is written in the transaction that does the work, together
//! with the answer, and nowhere else: an attempt cut short (the node killed,
//! the database gone, the transaction rolled back) leaves nothing behind, so
//! its retry simply runs again. A truly concurrent duplicate finds the row
//! once the first commits (on PostgreSQL its insert waits for the first
//! transaction's uncommitted one; on SQLite the writers take turns) and
//! rolls back.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::{DbConnection, DbError};
use crate::schema::idempotency_keys;

/// What is known of a (user, key) pair before the work runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// Never answered: do the work, and [`record`] the answer in its transaction.
    Fresh,
    /// Done before with the same body: answer this again.
    Replay { status: u16, body: String },
    /// The key was used for a different body.
    Mismatch,
}

/// Looks the key up; reads only (a retry of an answered request writes nothing).
pub fn lookup(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    request_hash: &str,
) -> Result<Claim, DbError> {
    let found: Option<(String, Option<i32>, Option<String>)> = idempotency_keys::table
        .find((user_id, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .optional()?;
    Ok(match found {
        // A row without an answer is a claim of the old two-step scheme whose
        // request never finished: [`record`] replaces it.
        None | Some((_, None, _) | (_, _, None)) => Claim::Fresh,
        Some((hash, _, _)) if hash != request_hash => Claim::Mismatch,
        Some((_, Some(status), Some(body))) => Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body,
        },
    })
}

/// Whether the key has an answer, whoever recorded it.
pub fn answered(conn: &mut DbConnection, user_id: &str, key: &str) -> Result<bool, DbError> {
    let status: Option<Option<i32>> = idempotency_keys::table
        .find((user_id, key))
        .select(idempotency_keys::response_status)
        .first(conn)
        .optional()?;
    Ok(matches!(status, Some(Some(_))))
}

/// The key and its answer, recorded in the transaction that did the work. A
/// concurrent attempt that recorded first makes this a [`DbError::Conflict`]
/// (the caller's transaction must roll back).
pub fn record(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    request_hash: &str,
    status: u16,
    body: &str,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::delete(
        idempotency_keys::table
            .find((user_id, key))
            .filter(idempotency_keys::response_status.is_null()),
    )
    .execute(conn)?;
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::response_status.eq(i32::from(status)),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records an answer unless the key has one already (a concurrent attempt
/// answered first): `Ok(false)` then. For answers given outside the work's
/// transaction (a refusal).
pub fn record_unless_answered(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    request_hash: &str,
    status: u16,
    body: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    if answered(conn, user_id, key)? {
        return Ok(false);
    }
    // In a savepoint: on PostgreSQL a conflict would spoil the transaction.
    match conn.transaction(|conn| record(conn, user_id, key, request_hash, status, body, now)) {
        Ok(()) => Ok(true),
        Err(DbError::Conflict(_)) => Ok(false),
        Err(e) => Err(e),
    }
}
