//! The evidence of each closure: one judgement per resolve, resolve on the
//! spot and verify (`domain::evidence`), written in the step's transaction
//! on the photos the case has at that moment.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use gridops_domain::evidence::{self, Check, Closure, PhotoFacts, Radius, Since};
use gridops_domain::geo::Coordinates;
use gridops_domain::incident::{ActionKind, TimelineEvent};
use gridops_domain::photo::PhotoKind;

use super::incidents::{self, StoredIncident};
use super::now;
use crate::db::{DbConnection, DbError};
use crate::schema::{closure_evidence, incident_events};

/// One judgement as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = closure_evidence)]
pub struct EvidenceRow {
    pub incident_id: String,
    /// The timeline event of the step judged.
    pub event_seq: i32,
    /// `resolve`, `resolve_on_spot` or `verify`.
    pub action: String,
    pub taken_after: bool,
    pub taken_after_reason: Option<String>,
    pub taken_near: bool,
    pub taken_near_reason: Option<String>,
    pub before_and_after: bool,
    pub before_and_after_reason: Option<String>,
    pub complete: bool,
    pub radius_m: f64,
    pub recorded_at: NaiveDateTime,
}

fn split(check: &Check) -> (bool, Option<String>) {
    (check.is_ok(), check.as_ref().err().map(ToString::to_string))
}

/// Judges and stores the evidence of the step `event` that made `next`
/// (its event is `next`'s version), for the steps the domain judges
/// (`evidence::is_judged`); nothing for the others.
pub fn record(
    conn: &mut DbConnection,
    next: &StoredIncident,
    event: &TimelineEvent,
    radius: Radius,
) -> Result<(), DbError> {
    if !evidence::is_judged(event.action) {
        return Ok(());
    }
    let id = &next.incident.id;
    let photos: Vec<PhotoFacts> = incidents::photos(conn, id)?
        .into_iter()
        .filter_map(|p| {
            Some(PhotoFacts {
                kind: PhotoKind::parse(&p.kind)?,
                taken_at: p.taken_at,
                taken_where: p
                    .taken_lat
                    .zip(p.taken_lng)
                    .and_then(|(lat, lng)| Coordinates::new(lat, lng).ok()),
            })
        })
        .collect();
    let dispatched_at: Option<NaiveDateTime> = incident_events::table
        .filter(incident_events::incident_id.eq(id))
        .filter(incident_events::action.eq(ActionKind::Dispatch.as_str()))
        .order(incident_events::seq.desc())
        .select(incident_events::occurred_at)
        .first(conn)
        .optional()?;
    let incident_at = Coordinates::new(next.lat, next.lng)
        .map_err(|e| DbError::Corrupt(format!("incident {id}: {e}")))?;
    let judged = evidence::judge(&Closure {
        photos: &photos,
        since: Since::of(dispatched_at, next.occurred_at),
        incident_at,
        radius,
    });
    let (taken_after, taken_after_reason) = split(&judged.taken_after);
    let (taken_near, taken_near_reason) = split(&judged.taken_near);
    let (before_and_after, before_and_after_reason) = split(&judged.before_and_after);
    diesel::insert_into(closure_evidence::table)
        .values(EvidenceRow {
            incident_id: id.clone(),
            event_seq: i32::try_from(next.incident.version).unwrap_or(i32::MAX),
            action: event.action.as_str().to_owned(),
            taken_after,
            taken_after_reason,
            taken_near,
            taken_near_reason,
            before_and_after,
            before_and_after_reason,
            complete: judged.complete,
            radius_m: radius.metres(),
            recorded_at: now(),
        })
        .execute(conn)?;
    Ok(())
}

/// The latest judgement of the incident, if any step was judged.
pub fn latest(conn: &mut DbConnection, incident_id: &str) -> Result<Option<EvidenceRow>, DbError> {
    Ok(closure_evidence::table
        .filter(closure_evidence::incident_id.eq(incident_id))
        .order(closure_evidence::event_seq.desc())
        .select(EvidenceRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether the latest judgement of the incident found its evidence
/// complete; `None` when no step was judged yet. At a verify, that is the
/// verify's own judgement.
pub fn closure_complete(
    conn: &mut DbConnection,
    incident_id: &str,
) -> Result<Option<bool>, DbError> {
    Ok(closure_evidence::table
        .filter(closure_evidence::incident_id.eq(incident_id))
        .order(closure_evidence::event_seq.desc())
        .select(closure_evidence::complete)
        .first(conn)
        .optional()?)
}
