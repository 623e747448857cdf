//! Refresh tokens, stored as hashes, grouped in families (one per sign-in).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use gridops_domain::session::RefreshTokenState;
use uuid::Uuid;

use super::now;
use crate::db::{DbConnection, DbError};
use crate::schema::refresh_tokens;
use crate::token::{hash_token, new_opaque_token};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub token_hash: String,
    pub family_id: String,
    pub user_id: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl RefreshTokenRow {
    pub fn state(&self) -> RefreshTokenState {
        RefreshTokenState {
            used: self.used_at.is_some(),
            revoked: self.revoked_at.is_some(),
            expires_at: self.expires_at,
        }
    }
}

/// Stores a new token of `family` (a new family when `None`) and returns the
/// token itself, which exists nowhere else.
pub fn issue(
    conn: &mut DbConnection,
    user_id: &str,
    family: Option<&str>,
    lifetime: TimeDelta,
) -> Result<String, DbError> {
    let token = new_opaque_token().map_err(|e| DbError::Other(format!("no randomness: {e}")))?;
    let issued_at = now();
    let family_id = family.map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(hash_token(&token)),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::issued_at.eq(issued_at),
            refresh_tokens::expires_at.eq(issued_at + lifetime),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The stored row of a presented token, if it was ever issued.
pub fn find(conn: &mut DbConnection, token: &str) -> Result<Option<RefreshTokenRow>, DbError> {
    Ok(refresh_tokens::table
        .find(hash_token(token))
        .select(RefreshTokenRow::as_select())
        .first(conn)
        .optional()?)
}

/// Marks a token used, only if it still is unused: of two concurrent
/// refreshes with one token, one gets `true`, the other `false` (a reuse).
pub fn mark_used(conn: &mut DbConnection, token_hash: &str) -> Result<bool, DbError> {
    let changed = diesel::update(
        refresh_tokens::table
            .find(token_hash)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now()))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn revoke_family(conn: &mut DbConnection, family_id: &str) -> Result<usize, DbError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?)
}

/// Ends every session of a user (account disabled).
pub fn revoke_user(conn: &mut DbConnection, user_id: &str) -> Result<usize, DbError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)?)
}
