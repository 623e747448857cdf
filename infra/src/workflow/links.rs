//! Linking repeated reports to their root-cause case, and unlinking them:
//! each in one write transaction that locks every incident involved, asks
//! the domain (`hotspot::link`, `access`) and keeps the links with a
//! timeline entry on each linked incident and one on the root
//! ([`commit::note`]). Nobody is told: the entries are for the console, and
//! each reporter keeps following their own case.

use std::collections::HashMap;

use gridops_domain::access::{Actor, Capability, Place, decide};
use gridops_domain::area::AreaCode;
use gridops_domain::hotspot::link::{self, LinkError, Linkable};
use gridops_domain::incident::can_see;

use super::{Workflow, commit};
use crate::db::{DbConnection, DbError};
use crate::repo::incidents::{self, StoredIncident};
use crate::repo::links::{self, LinkedIncident};
use crate::repo::now;

const NO_SUCH_INCIDENT: &str = "no such incident";
const NOT_LINKED: &str = "this incident is not linked to that root";
const NOT_A_DISPATCHER: &str = "only a dispatcher over the root-cause case and every linked incident, or an administrator, links incidents";

/// Why nothing was linked or unlinked.
#[derive(Debug, thiserror::Error)]
pub enum LinkFailure {
    /// The root (or the incident to unlink) does not exist for the caller.
    #[error("{0}")]
    Missing(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// The caller read another version of the root (`If-Match`).
    #[error("the incident is now at version {current}")]
    Stale { current: i64 },
    /// The request or the links as they stand do not allow it.
    #[error(transparent)]
    Refused(#[from] LinkError),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A root as it stands after the change, with every incident linked to it.
#[derive(Debug, Clone)]
pub struct RootLinks {
    pub root: StoredIncident,
    pub linked: Vec<LinkedIncident>,
}

type Outcome<T> = Result<Result<T, LinkFailure>, DbError>;

fn refuse<T>(e: impl Into<LinkFailure>) -> Outcome<T> {
    match e.into() {
        LinkFailure::Db(e) => Err(e),
        other => Ok(Err(other)),
    }
}

/// Whether `actor` may link incidents lying in `grids`.
fn may_link(actor: &Actor, grids: &[AreaCode]) -> bool {
    decide(
        actor,
        Capability::LinkIncidents,
        Place {
            areas: grids,
            ..Place::default()
        },
    )
    .is_granted()
}

/// Locks `ids` and reads those that exist and the actor sees.
fn lock_visible(
    conn: &mut DbConnection,
    actor: &Actor,
    ids: &[String],
) -> Result<HashMap<String, StoredIncident>, DbError> {
    let mut sorted = ids.to_vec();
    sorted.sort();
    sorted.dedup();
    links::lock(conn, &sorted)?;
    Ok(incidents::find_many(conn, &sorted)?
        .into_iter()
        .filter(|s| can_see(&s.incident, actor).is_granted())
        .map(|s| (s.incident.id.clone(), s))
        .collect())
}

/// The root, visible to the actor and at the version they expect, which
/// they may link to.
fn checked_root<'a>(
    found: &'a HashMap<String, StoredIncident>,
    actor: &Actor,
    root: &str,
    expected: Option<i64>,
) -> Result<&'a StoredIncident, LinkFailure> {
    let stored = found
        .get(root)
        .ok_or(LinkFailure::Missing(NO_SUCH_INCIDENT))?;
    if let Some(expected) = expected
        && expected != stored.incident.version
    {
        return Err(LinkFailure::Stale {
            current: stored.incident.version,
        });
    }
    if !may_link(actor, std::slice::from_ref(&stored.incident.grid)) {
        return Err(LinkFailure::Forbidden(NOT_A_DISPATCHER));
    }
    Ok(stored)
}

impl Workflow {
    /// Links `wanted` to the root-cause case `root` (those linked to it
    /// already stay as they are). `expected`: the root's version from
    /// `If-Match`.
    pub async fn link(
        &self,
        actor: &Actor,
        root: &str,
        wanted: Vec<String>,
        expected: Option<i64>,
    ) -> Result<RootLinks, LinkFailure> {
        let (actor, root) = (actor.clone(), root.to_owned());
        let done = self
            .db
            .write(move |conn| -> Outcome<RootLinks> {
                let mut all = wanted.clone();
                all.push(root.clone());
                let found = lock_visible(conn, &actor, &all)?;
                let stored_root = match checked_root(&found, &actor, &root, expected) {
                    Ok(r) => r,
                    Err(e) => return refuse(e),
                };
                if let Err(e) = link::check_list(&root, &wanted) {
                    return refuse(e);
                }
                let mut chosen: Vec<&StoredIncident> = Vec::with_capacity(wanted.len());
                for (index, id) in wanted.iter().enumerate() {
                    match found.get(id) {
                        Some(s) => chosen.push(s),
                        None => return refuse(LinkError::Unknown { index }),
                    }
                }
                let mut grids: Vec<AreaCode> =
                    chosen.iter().map(|s| s.incident.grid.clone()).collect();
                grids.push(stored_root.incident.grid.clone());
                if !may_link(&actor, &grids) {
                    return refuse(LinkFailure::Forbidden(NOT_A_DISPATCHER));
                }
                let mut states = links::linkables(conn, &all)?;
                let free = |id: &str| Linkable {
                    id: id.to_owned(),
                    root_id: None,
                    linked_count: 0,
                };
                let root_state = states.remove(&root).unwrap_or_else(|| free(&root));
                let wanted_states: Vec<Linkable> = wanted
                    .iter()
                    .map(|id| states.remove(id).unwrap_or_else(|| free(id)))
                    .collect();
                let new = match link::plan(&root_state, &wanted_states) {
                    Ok(new) => new,
                    Err(e) => return refuse(e),
                };
                let at = now();
                let root_reference = stored_root.incident.reference.as_str();
                let mut references = Vec::with_capacity(new.len());
                for state in new {
                    if !links::insert(conn, &state.id, &root, &actor.user_id, at)? {
                        // The rows are locked: only a bug gets here.
                        return Err(DbError::Conflict(format!("{} linked twice", state.id)));
                    }
                    let incident = &found[&state.id].incident;
                    commit::note(
                        conn,
                        incident,
                        link::LINKED,
                        &actor.user_id,
                        Some(&link::linked_note(root_reference)),
                        at,
                        &[],
                    )?;
                    references.push(incident.reference.as_str());
                }
                if !references.is_empty() {
                    commit::note(
                        conn,
                        &stored_root.incident,
                        link::INCIDENTS_LINKED,
                        &actor.user_id,
                        Some(&link::root_note(&references)),
                        at,
                        &[],
                    )?;
                }
                Ok(Ok(RootLinks {
                    root: incidents::find(conn, &root)?,
                    linked: links::of_root(conn, &root)?,
                }))
            })
            .await??;
        self.committed(0);
        Ok(done)
    }

    /// Unlinks `incident` from the root-cause case `root`.
    pub async fn unlink(
        &self,
        actor: &Actor,
        root: &str,
        incident: &str,
        expected: Option<i64>,
    ) -> Result<RootLinks, LinkFailure> {
        let (actor, root, incident) = (actor.clone(), root.to_owned(), incident.to_owned());
        let done = self
            .db
            .write(move |conn| -> Outcome<RootLinks> {
                let found = lock_visible(conn, &actor, &[root.clone(), incident.clone()])?;
                let stored_root = match checked_root(&found, &actor, &root, expected) {
                    Ok(r) => r,
                    Err(e) => return refuse(e),
                };
                let Some(linked) = found.get(&incident).filter(|_| incident != root) else {
                    return refuse(LinkFailure::Missing(NOT_LINKED));
                };
                let grids = [
                    stored_root.incident.grid.clone(),
                    linked.incident.grid.clone(),
                ];
                if !may_link(&actor, &grids) {
                    return refuse(LinkFailure::Forbidden(NOT_A_DISPATCHER));
                }
                if !links::delete(conn, &incident, &root)? {
                    return refuse(LinkFailure::Missing(NOT_LINKED));
                }
                let at = now();
                let root_reference = stored_root.incident.reference.as_str();
                commit::note(
                    conn,
                    &linked.incident,
                    link::UNLINKED,
                    &actor.user_id,
                    Some(&link::unlinked_note(root_reference)),
                    at,
                    &[],
                )?;
                commit::note(
                    conn,
                    &stored_root.incident,
                    link::INCIDENT_UNLINKED,
                    &actor.user_id,
                    Some(&linked.incident.reference),
                    at,
                    &[],
                )?;
                Ok(Ok(RootLinks {
                    root: incidents::find(conn, &root)?,
                    linked: links::of_root(conn, &root)?,
                }))
            })
            .await??;
        self.committed(0);
        Ok(done)
    }
}
