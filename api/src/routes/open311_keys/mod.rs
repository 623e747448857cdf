//! `/api/v1/open311/keys`: the keys Open311 client applications send as
//! `api_key` (administrators). A key is shown once, when it is issued; only
//! its hash is stored. The command line (`gridops open311 key …`) issues
//! and revokes keys through the same functions, so both are audited alike.

pub mod create;
pub mod list;
pub mod revoke;

use chrono::{DateTime, NaiveDateTime, Utc};
use gridops_infra::repo::audit::{self, AuditEvent};
use gridops_infra::repo::open311::{self, KeyRow};
use gridops_infra::{DbConnection, DbError};
use serde::Serialize;
use utoipa::ToSchema;

/// The 403 of `Capability::ManageOpen311Keys` (who may: `domain::access`).
pub const REFUSED: &str = "only administrators manage Open311 keys";
pub const NO_SUCH_KEY: &str = "no such Open311 key";

/// Requests a minute a key may send when its issuer names no quota.
pub const DEFAULT_PER_MINUTE: u32 = 60;
/// The largest quota a key may have.
pub const MAX_PER_MINUTE: u32 = 6000;
/// The longest client application name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A client application's name as stored: trimmed, 1 to 100 characters.
pub fn check_name(name: &str) -> Result<&str, &'static str> {
    let name = name.trim();
    if name.is_empty() {
        Err("the client application's name is blank")
    } else if name.chars().count() > MAX_NAME_CHARS {
        Err("at most 100 characters")
    } else {
        Ok(name)
    }
}

/// `check_name` for the `validator` derive.
pub fn validate_name(name: &str) -> Result<(), validator::ValidationError> {
    check_name(name)
        .map(|_| ())
        .map_err(|message| validator::ValidationError::new("name").with_message(message.into()))
}

/// An Open311 key as listed: never the key itself.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyView {
    pub id: String,
    /// The client application it was issued to.
    #[schema(example = "郑州12345市民热线App")]
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    #[schema(example = "o311_Xb3k9Q")]
    pub key_prefix: String,
    /// Requests a minute the key may send; more are answered 429.
    #[schema(example = 60)]
    pub per_minute: u32,
    pub created_at: DateTime<Utc>,
    /// When it was revoked (requests with it are answered 403); null while valid.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<&KeyRow> for KeyView {
    fn from(row: &KeyRow) -> Self {
        KeyView {
            id: row.id.clone(),
            name: row.name.clone(),
            key_prefix: row.key_prefix.clone(),
            per_minute: u32::try_from(row.per_minute).unwrap_or(0),
            created_at: row.created_at.and_utc(),
            revoked_at: row.revoked_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyList {
    /// Newest first, revoked keys included.
    pub items: Vec<KeyView>,
}

/// Who issues or revokes a key, for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    /// The administrator; `None` on the command line.
    pub actor_id: Option<&'a str>,
    /// The client address, or `command line`.
    pub client_addr: &'a str,
}

/// Issues a key and audits it (`open311_key_created`), in the caller's
/// transaction: the row and the key in plain text, which is never stored.
pub fn issue(
    conn: &mut DbConnection,
    name: &str,
    per_minute: u32,
    by: By<'_>,
    at: NaiveDateTime,
) -> Result<(KeyRow, String), DbError> {
    let (row, key) = open311::create_key(conn, name, per_minute, by.actor_id, at)?;
    audit::record(
        conn,
        &AuditEvent {
            action: "open311_key_created",
            actor_id: by.actor_id,
            subject: Some(&row.id),
            client_addr: Some(by.client_addr),
            detail: &format!("{} per_minute={}", row.key_prefix, row.per_minute),
        },
    )?;
    Ok((row, key))
}

/// Revokes a key and audits it (`open311_key_revoked`), in the caller's
/// transaction. A key already revoked keeps its first time and is not
/// audited again. [`DbError::NotFound`] for an unknown id.
pub fn revoke(
    conn: &mut DbConnection,
    id: &str,
    by: By<'_>,
    at: NaiveDateTime,
) -> Result<KeyRow, DbError> {
    let before = open311::key_by_id(conn, id)?;
    if before.revoked_at.is_some() {
        return Ok(before);
    }
    let row = open311::revoke_key(conn, id, at)?;
    audit::record(
        conn,
        &AuditEvent {
            action: "open311_key_revoked",
            actor_id: by.actor_id,
            subject: Some(&row.id),
            client_addr: Some(by.client_addr),
            detail: &row.key_prefix,
        },
    )?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  郑州12345 App "), Ok("郑州12345 App"));
        assert!(check_name(" \t ").is_err());
        assert!(check_name(&"键".repeat(100)).is_ok());
        assert!(check_name(&"键".repeat(101)).is_err());
    }
}
