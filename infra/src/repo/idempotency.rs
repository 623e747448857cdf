//! `Idempotency-Key`: the first response to a (user, key) pair is kept and
//! replayed to retries, so a phone that resends a report after a timeout
//! does not create a second incident.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::{DbConnection, DbError, insert_unless_exists};
use crate::schema::idempotency_keys;

/// How a request with an idempotency key may proceed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First time: do the work, then [`finish`].
    Fresh,
    /// Done before with the same body: answer this again.
    Replay { status: u16, body: String },
    /// The key was used for a different body.
    Mismatch,
    /// The first request with this key is still running.
    InFlight,
}

/// A claim older than this whose request never finished (the node died)
/// may be taken over by a retry.
const ABANDONED_AFTER: TimeDelta = TimeDelta::minutes(2);

/// Claims `key` for `user_id` in its own transaction (so that a concurrent
/// retry sees the claim at once).
pub fn claim(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    request_hash: &str,
    now: NaiveDateTime,
) -> Result<Claim, DbError> {
    let inserted = insert_unless_exists(conn, |conn| {
        diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::user_id.eq(user_id),
                idempotency_keys::idem_key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::created_at.eq(now),
            ))
            .execute(conn)
    })?;
    if inserted {
        return Ok(Claim::Fresh);
    }
    let (hash, status, body, created_at): (String, Option<i32>, Option<String>, NaiveDateTime) =
        idempotency_keys::table
            .find((user_id, key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::response_status,
                idempotency_keys::response_body,
                idempotency_keys::created_at,
            ))
            .first(conn)?;
    if hash != request_hash {
        return Ok(Claim::Mismatch);
    }
    match (status, body) {
        (Some(status), Some(body)) => Ok(Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body,
        }),
        _ if now - created_at > ABANDONED_AFTER => {
            // Take over: only one retry wins the update.
            let taken = diesel::update(
                idempotency_keys::table
                    .find((user_id, key))
                    .filter(idempotency_keys::created_at.eq(created_at)),
            )
            .set(idempotency_keys::created_at.eq(now))
            .execute(conn)?;
            Ok(if taken == 1 {
                Claim::Fresh
            } else {
                Claim::InFlight
            })
        }
        _ => Ok(Claim::InFlight),
    }
}

/// Records the response to replay. Call in the transaction that did the work.
pub fn finish(
    conn: &mut DbConnection,
    user_id: &str,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), DbError> {
    diesel::update(idempotency_keys::table.find((user_id, key)))
        .set((
            idempotency_keys::response_status.eq(i32::from(status)),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

/// Releases a claim whose request failed without a response worth keeping
/// (a server error), so the client's retry runs again.
pub fn release(conn: &mut DbConnection, user_id: &str, key: &str) -> Result<(), DbError> {
    diesel::delete(
        idempotency_keys::table
            .find((user_id, key))
            .filter(idempotency_keys::response_status.is_null()),
    )
    .execute(conn)?;
    Ok(())
}
