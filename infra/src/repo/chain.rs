//! The timeline's hash chain in the store: the seal every insert into
//! `incident_events` writes (`repo::incidents`), and the check of an
//! incident's chain. How an event is encoded and what a difference means is
//! the domain's (`incident::chain`); here only the reads they need.
//!
//! Two events of one incident cannot fork the chain: every writer of an
//! incident's timeline first writes the incident's row (the insert of a new
//! report, the version bump of a step or a note), which holds its lock until
//! the commit, and only then reads the hash to link to.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::incident::chain::{self, ChainCheck, EventFields, PhotoSeal, StoredEvent};

use crate::db::{DbConnection, DbError};
use crate::schema::{incident_events, incident_photos, incidents, timeline_sealing};

/// What an event row stores of its seal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seal {
    pub prev_hash: String,
    pub hash: String,
    /// The sha256 of each attachment's original, comma-separated; `None`
    /// without attachments.
    pub photo_sha256: Option<String>,
}

/// Seals `event` after `prev_hash`. Reads the photos only when the event
/// has attachments (the after-photos of a resolve).
pub(crate) fn seal(
    conn: &mut DbConnection,
    prev_hash: String,
    event: &EventFields<'_>,
    attachments: &[String],
) -> Result<Seal, DbError> {
    let sha256: Vec<String> = if attachments.is_empty() {
        Vec::new()
    } else {
        let mut found: HashMap<String, String> = incident_photos::table
            .filter(incident_photos::incident_id.eq(event.incident_id))
            .filter(incident_photos::photo_key.eq_any(attachments))
            .select((incident_photos::photo_key, incident_photos::original_sha256))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        attachments
            .iter()
            .map(|key| found.remove(key).unwrap_or_default())
            .collect()
    };
    let photos: Vec<PhotoSeal<'_>> = attachments
        .iter()
        .zip(&sha256)
        .map(|(key, sha)| PhotoSeal {
            key,
            original_sha256: sha,
        })
        .collect();
    let hash = chain::seal(&prev_hash, event, &photos);
    Ok(Seal {
        prev_hash,
        hash,
        photo_sha256: (!attachments.is_empty()).then(|| sha256.join(",")),
    })
}

/// The hash the event `seq` of the incident links to: that of the event
/// before it, "" when there is none or it was stored unsealed. Call after
/// writing the incident's row in the same transaction.
pub(crate) fn hash_before(
    conn: &mut DbConnection,
    incident_id: &str,
    seq: i32,
) -> Result<String, DbError> {
    let before: Option<Option<String>> = incident_events::table
        .filter(incident_events::incident_id.eq(incident_id))
        .filter(incident_events::seq.lt(seq))
        .order(incident_events::seq.desc())
        .select(incident_events::hash)
        .first(conn)
        .optional()?;
    Ok(before.flatten().unwrap_or_default())
}

/// An event row as the check reads it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = incident_events)]
struct SealedRow {
    seq: i32,
    action: String,
    actor_id: String,
    occurred_at: NaiveDateTime,
    from_status: Option<String>,
    to_status: String,
    note: Option<String>,
    attachments: String,
    detail: Option<String>,
    photo_sha256: Option<String>,
    prev_hash: Option<String>,
    hash: Option<String>,
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::to_owned).collect()
}

impl From<SealedRow> for StoredEvent {
    fn from(row: SealedRow) -> Self {
        StoredEvent {
            seq: row.seq,
            action: row.action,
            actor_id: row.actor_id,
            occurred_at: row.occurred_at,
            from_status: row.from_status,
            to_status: row.to_status,
            note: row.note,
            detail: row.detail,
            attachments: list(&row.attachments)
                .into_iter()
                .filter(|key| !key.is_empty())
                .collect(),
            sealed_photos: row.photo_sha256.as_deref().map(list).unwrap_or_default(),
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

/// Recomputes the chain of the incident `id` as stored now; `NotFound` when
/// there is no such incident.
pub fn verify(conn: &mut DbConnection, id: &str) -> Result<ChainCheck, DbError> {
    let version: i64 = incidents::table
        .find(id)
        .select(incidents::version)
        .first(conn)?;
    let events: Vec<StoredEvent> = incident_events::table
        .filter(incident_events::incident_id.eq(id))
        .order(incident_events::seq.asc())
        .select(SealedRow::as_select())
        .load::<SealedRow>(conn)?
        .into_iter()
        .map(StoredEvent::from)
        .collect();
    let photos: HashMap<String, String> = incident_photos::table
        .filter(incident_photos::incident_id.eq(id))
        .select((incident_photos::photo_key, incident_photos::original_sha256))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let began: Option<NaiveDateTime> = timeline_sealing::table
        .select(diesel::dsl::min(timeline_sealing::began_at))
        .first(conn)?;
    Ok(chain::verify(
        id,
        version,
        &events,
        |key| photos.get(key).cloned(),
        began,
    ))
}
