//! The audit trail (sign-ins, failures, role changes) and the log of
//! unmasked reads of personal data. Neither holds personal data itself:
//! users are named by id, never by phone or name.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use uuid::Uuid;

use super::now;
use crate::db::{DbConnection, DbError};
use crate::schema::{audit_events, personal_data_access};

#[derive(Debug, Clone, Default)]
pub struct AuditEvent<'a> {
    /// `login_succeeded`, `login_failed`, `login_throttled`, `token_reuse`,
    /// `logout`, `user_created`, `role_granted`, `role_revoked`, `user_disabled`,
    /// `open311_key_created`, `open311_key_revoked`, `category_publicity_set`,
    /// `chain_verified` (an incident's timeline chain checked; the verdict
    /// in `detail`).
    pub action: &'a str,
    /// The user who acted, when known.
    pub actor_id: Option<&'a str>,
    /// What it was done to: a user id, the username tried at sign-in, an
    /// Open311 key id, a category code, an incident id.
    pub subject: Option<&'a str>,
    pub client_addr: Option<&'a str>,
    pub detail: &'a str,
}

pub fn record(conn: &mut DbConnection, event: &AuditEvent<'_>) -> Result<(), DbError> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::id.eq(Uuid::now_v7().to_string()),
            audit_events::occurred_at.eq(now()),
            audit_events::action.eq(event.action),
            audit_events::actor_id.eq(event.actor_id),
            audit_events::subject.eq(event.subject),
            audit_events::client_addr.eq(event.client_addr),
            audit_events::detail.eq(event.detail),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub occurred_at: NaiveDateTime,
    pub action: String,
    pub actor_id: Option<String>,
    pub subject: Option<String>,
    pub client_addr: Option<String>,
    pub detail: String,
}

/// Events about `subject`, oldest first.
pub fn about(conn: &mut DbConnection, subject: &str) -> Result<Vec<AuditRow>, DbError> {
    Ok(audit_events::table
        .filter(audit_events::subject.eq(subject))
        .order((audit_events::occurred_at.asc(), audit_events::id.asc()))
        .select(AuditRow::as_select())
        .load(conn)?)
}

pub fn record_personal_data_read(
    conn: &mut DbConnection,
    reader_id: &str,
    subject_id: &str,
    field: &str,
    purpose: &str,
) -> Result<(), DbError> {
    diesel::insert_into(personal_data_access::table)
        .values((
            personal_data_access::id.eq(Uuid::now_v7().to_string()),
            personal_data_access::occurred_at.eq(now()),
            personal_data_access::reader_id.eq(reader_id),
            personal_data_access::subject_id.eq(subject_id),
            personal_data_access::field.eq(field),
            personal_data_access::purpose.eq(purpose),
        ))
        .execute(conn)?;
    Ok(())
}

/// (reader, field, purpose) of the unmasked reads of `subject_id`, oldest first.
pub fn personal_data_reads(
    conn: &mut DbConnection,
    subject_id: &str,
) -> Result<Vec<(String, String, String)>, DbError> {
    Ok(personal_data_access::table
        .filter(personal_data_access::subject_id.eq(subject_id))
        .order((
            personal_data_access::occurred_at.asc(),
            personal_data_access::id.asc(),
        ))
        .select((
            personal_data_access::reader_id,
            personal_data_access::field,
            personal_data_access::purpose,
        ))
        .load(conn)?)
}
