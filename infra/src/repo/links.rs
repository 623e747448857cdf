//! Links of repeated reports to their root-cause case (`incident_links`).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::hotspot::link::Linkable;

use crate::db::{DbConnection, DbError, insert_unless_exists};
use crate::schema::{incident_links, incidents};

/// An incident linked to a root, as the root lists it.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct LinkedIncident {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub linked_by: String,
    pub linked_at: NaiveDateTime,
}

/// Locks the rows of `ids` until the transaction ends, one by one in the
/// order given (sorted by the caller): two requests linking around the same
/// incidents take turns, neither can make a chain of the other's root, and
/// locking in one order cannot deadlock.
pub fn lock(conn: &mut DbConnection, ids: &[String]) -> Result<(), DbError> {
    for id in ids {
        diesel::update(incidents::table.find(id))
            .set(incidents::version.eq(incidents::version))
            .execute(conn)?;
    }
    Ok(())
}

/// What the store says of each of `ids` as far as links go (ids without
/// any link are free), in one statement.
pub fn linkables(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, Linkable>, DbError> {
    let rows: Vec<(String, String)> = incident_links::table
        .filter(
            incident_links::incident_id
                .eq_any(ids)
                .or(incident_links::root_id.eq_any(ids)),
        )
        .select((incident_links::incident_id, incident_links::root_id))
        .load(conn)?;
    let mut out: HashMap<String, Linkable> = ids
        .iter()
        .map(|id| {
            (
                id.clone(),
                Linkable {
                    id: id.clone(),
                    root_id: None,
                    linked_count: 0,
                },
            )
        })
        .collect();
    for (incident, root) in rows {
        if let Some(l) = out.get_mut(&incident) {
            l.root_id = Some(root.clone());
        }
        if let Some(l) = out.get_mut(&root) {
            l.linked_count += 1;
        }
    }
    Ok(out)
}

/// Links `incident` to `root`; `false` when the incident is linked already
/// (a concurrent link won).
pub fn insert(
    conn: &mut DbConnection,
    incident: &str,
    root: &str,
    by: &str,
    at: NaiveDateTime,
) -> Result<bool, DbError> {
    insert_unless_exists(conn, |conn| {
        diesel::insert_into(incident_links::table)
            .values((
                incident_links::incident_id.eq(incident),
                incident_links::root_id.eq(root),
                incident_links::linked_by.eq(by),
                incident_links::linked_at.eq(at),
            ))
            .execute(conn)
    })
}

/// Unlinks `incident` from `root`; `false` when it was not linked to it.
pub fn delete(conn: &mut DbConnection, incident: &str, root: &str) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        incident_links::table
            .filter(incident_links::incident_id.eq(incident))
            .filter(incident_links::root_id.eq(root)),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// The incidents linked to `root`, oldest report first.
pub fn of_root(conn: &mut DbConnection, root: &str) -> Result<Vec<LinkedIncident>, DbError> {
    Ok(incident_links::table
        .inner_join(incidents::table.on(incidents::id.eq(incident_links::incident_id)))
        .filter(incident_links::root_id.eq(root))
        .order((incidents::created_at.asc(), incidents::id.asc()))
        .select((
            incidents::id,
            incidents::reference,
            incidents::status,
            incidents::created_at,
            incident_links::linked_by,
            incident_links::linked_at,
        ))
        .load(conn)?)
}

/// The root `id` is linked to, and how many are linked to it, in one
/// statement (both index reads).
pub fn of_incident(conn: &mut DbConnection, id: &str) -> Result<(Option<String>, u32), DbError> {
    let roots: Vec<String> = incident_links::table
        .filter(
            incident_links::incident_id
                .eq(id)
                .or(incident_links::root_id.eq(id)),
        )
        .select(incident_links::root_id)
        .load(conn)?;
    let linked = roots.iter().filter(|r| *r == id).count();
    let root = roots.into_iter().find(|r| r != id);
    Ok((root, u32::try_from(linked).unwrap_or(u32::MAX)))
}

/// The roots of those of `ids` that are linked.
pub fn roots_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, String>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(incident_links::table
        .filter(incident_links::incident_id.eq_any(ids))
        .select((incident_links::incident_id, incident_links::root_id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
