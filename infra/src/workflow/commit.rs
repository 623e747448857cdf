//! Inside one write transaction: keeps a change the domain decided and
//! everything it sets off. Nothing here decides; each function stores what
//! a domain function returned and asks the domain what follows.
//!
//! A step of the lifecycle ([`step`]):
//! 1. the incident and its timeline event (`repo::incidents::save_step`,
//!    only if nobody changed the incident meanwhile);
//! 2. its clocks, on the stored working calendar with the configured warning
//!    share (`deadline::clocks_after_step`);
//! 3. who is told (`notification::after_step`), written as inbox entries and
//!    outbox rows (`repo::notifications`);
//! 4. the reporter of a duplicate follows the incident it repeats;
//! 5. routing, when the domain says the step hands the case to it
//!    (`incident::routing_cause`): the decision is kept, and a dispatch by
//!    rule is itself a step through 1–5, with its assisting parties called
//!    through [`assists`].

use chrono::NaiveDateTime;
use gridops_domain::category::Category;
use gridops_domain::deadline::{WorkingCalendar, report_clock};
use gridops_domain::incident::{AssistEvent, AssistStep, Incident, TimelineEvent, assist};
use gridops_domain::notification::{self, Tell};

use super::route;
use crate::db::{DbConnection, DbError};
use crate::repo::incidents::{self, StoredIncident};
use crate::repo::{assists as assist_rows, calendar, deadlines, notifications};

/// What every commit reads besides the change: the share of a clock's time
/// after which its holder is warned (`GRIDOPS_DEADLINE_WARN_FRACTION`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub warn_fraction: f64,
}

/// Keeps a lifecycle step decided on `before`: `None` when somebody changed
/// the incident since it was read (nothing was written). The incident as it
/// stands after everything the step set off.
pub fn step(
    conn: &mut DbConnection,
    settings: Settings,
    before: &StoredIncident,
    next: Incident,
    event: &TimelineEvent,
) -> Result<Option<StoredIncident>, DbError> {
    let calendar = calendar::load(conn, event.at)?;
    step_on(conn, settings, &calendar, before, next, event)
}

/// [`step`] on a calendar already read in this transaction.
pub fn step_on(
    conn: &mut DbConnection,
    settings: Settings,
    calendar: &WorkingCalendar,
    before: &StoredIncident,
    next: Incident,
    event: &TimelineEvent,
) -> Result<Option<StoredIncident>, DbError> {
    let next = StoredIncident {
        incident: next,
        ..before.clone()
    };
    if !incidents::save_step(conn, &next, before.incident.version, event)? {
        return Ok(None);
    }
    deadlines::follow_step(
        conn,
        Some(&before.incident),
        &next.incident,
        event.at,
        calendar,
        settings.warn_fraction,
    )?;
    let next = deadlines::with_dues(conn, next)?;
    let tells = notification::after_step(&before.incident, &next.incident, event);
    tell(conn, &next.incident, &tells, &event.actor_id, event.at)?;
    if before.incident.duplicate_of.is_none()
        && let Some(original) = &next.incident.duplicate_of
    {
        // The later reporter follows the first report from now on.
        incidents::follow(conn, original, &next.incident.reporter_id)?;
    }
    let next = route::after_step(conn, settings, calendar, &before.incident, next, event)?;
    Ok(Some(next))
}

/// Keeps a new report, numbered and stored by the caller's `insert`: its
/// clocks, then routing or the on-site check the domain asks for.
pub fn report(
    conn: &mut DbConnection,
    settings: Settings,
    calendar: &WorkingCalendar,
    stored: StoredIncident,
    category: &Category,
) -> Result<StoredIncident, DbError> {
    let at = stored.incident.created_at;
    deadlines::follow_step(
        conn,
        None,
        &stored.incident,
        at,
        calendar,
        settings.warn_fraction,
    )?;
    let stored = deadlines::with_dues(conn, stored)?;
    route::after_report(conn, settings, calendar, stored, category)
}

/// Keeps an assist step decided on the incident as locked: each assist as
/// `next` holds it, a `report` clock for each party called (met when it
/// reports), one timeline event per party, and who hears of each. The
/// incident as it is now.
pub fn assists(
    conn: &mut DbConnection,
    settings: Settings,
    next: &Incident,
    events: &[AssistEvent],
) -> Result<StoredIncident, DbError> {
    for event in events {
        let Some(assist) = next.assists.iter().find(|a| a.party == event.party) else {
            return Err(DbError::Other(format!(
                "an assist event for {} without its assist",
                event.party
            )));
        };
        assist_rows::put(conn, &next.id, assist)?;
        match event.step {
            AssistStep::Call => {
                let lead = deadlines::running_resolve(conn, &next.id)?;
                let within = deadlines::limits_of(conn, next)?.resolve;
                let calendar = calendar::load(conn, event.at)?;
                let times = report_clock(lead, within, &calendar, event.at, settings.warn_fraction);
                deadlines::start_report(conn, next, &event.party, event.at, times)?;
            }
            AssistStep::Report => deadlines::meet_report(conn, &next.id, &event.party, event.at)?,
            AssistStep::Acknowledge => {}
        }
        incidents::append_event(
            conn,
            &next.id,
            event.action(),
            &event.actor_id,
            Some(&event.timeline_note()),
            event.at,
        )?;
    }
    let stored = incidents::find(conn, &next.id)?;
    for event in events {
        let tells = assist::tells(&stored.incident, event);
        tell(conn, &stored.incident, &tells, &event.actor_id, event.at)?;
    }
    Ok(stored)
}

/// A timeline entry that keeps the status (an escalation, a clock request),
/// and who hears of it. The incident's new version.
pub fn note(
    conn: &mut DbConnection,
    incident: &Incident,
    action: &str,
    actor_id: &str,
    note: Option<&str>,
    at: NaiveDateTime,
    tells: &[Tell],
) -> Result<i64, DbError> {
    let version = incidents::append_event(conn, &incident.id, action, actor_id, note, at)?;
    tell(conn, incident, tells, actor_id, at)?;
    Ok(version)
}

/// Writes the inbox entries and pushes of `tells` (the actor never, nobody
/// twice: the domain's rule, kept by `repo::notifications`).
pub fn tell(
    conn: &mut DbConnection,
    incident: &Incident,
    tells: &[Tell],
    actor_id: &str,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    notifications::tell_about_incident(conn, incident, tells, actor_id, at)?;
    Ok(())
}
