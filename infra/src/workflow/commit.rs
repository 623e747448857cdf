//! Inside one write transaction: keeps a change the domain decided and
//! everything it sets off. Nothing here decides; each function stores what
//! a domain function returned and asks the domain what follows.
//!
//! A step of the lifecycle ([`step`]):
//! 1. the incident and its timeline event (`repo::incidents::save_step`,
//!    only if nobody changed the incident meanwhile), and the assists the
//!    step changed (a resolve on the spot stands the called parties down);
//! 2. its clocks, on the stored working calendar with the configured warning
//!    share (`deadline::clocks_after_step`);
//! 3. who is told (`notification::after_step`), written as inbox entries and
//!    outbox rows (`repo::notifications`);
//! 4. the reporter of a duplicate follows the incident it repeats;
//! 5. routing, when the domain says the step hands the case to it
//!    (`incident::routing_cause`): the decision is kept, and a dispatch by
//!    rule is itself a step through 1–6, with its assisting parties called
//!    through [`assists`];
//! 6. the statistics: the case's fact derived again and the daily counters
//!    moved by the difference (`repo::stats::follow_into`), so the KPIs a
//!    city publishes change with the step or not at all. The counters' rows
//!    are shared by every case of a grid, category and day: their upserts
//!    wait in the [`Tx`] and are the transaction's last statements
//!    ([`Tx::finish`]), so those rows stay locked only for the commit.
//!
//! A new report ([`report`]) is stored with its clocks and is routed; a
//! finding handled on the spot ([`report_handled`]) starts the same clocks,
//! then is resolved by the step 1–4 above and never routed.

use chrono::NaiveDateTime;
use gridops_domain::category::{Category, Priority};
use gridops_domain::deadline::ledger::leaves_the_ledger;
use gridops_domain::deadline::{Limits, WorkingCalendar, report_clock};
use gridops_domain::evidence::Radius;
use gridops_domain::incident::{AssistEvent, AssistStep, Incident, TimelineEvent, assist};
use gridops_domain::notification::{self, Tell};

use super::route;
use crate::db::{DbConnection, DbError};
use crate::repo::deadlines::ReportClocks;
use crate::repo::evidence;
use crate::repo::incidents::{self, StoredIncident};
use crate::repo::notifications::{self, Told};
use crate::repo::{assists as assist_rows, calendar, categories, deadlines, ledger, stats};

/// What every commit reads besides the change: the share of a clock's time
/// after which its holder is warned (`GRIDOPS_DEADLINE_WARN_FRACTION`), and
/// how near the incident an after-photo must be taken to count as evidence
/// (`GRIDOPS_EVIDENCE_RADIUS_M`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub warn_fraction: f64,
    pub evidence_radius: Radius,
}

/// One transaction of the workflow: the settings it runs on, the case's
/// category, limits and the working calendar (read once, however many
/// steps follow), the counter moves it owes, and what it queued that
/// someone must hear of after the commit. End it with [`Tx::finish`].
#[derive(Debug)]
pub struct Tx {
    pub settings: Settings,
    /// Pushes written to the outbox: the delivery workers are woken only
    /// when there are some.
    pub pushes: usize,
    category: Option<Category>,
    /// The limits of (category code, priority).
    limits: Option<(String, Priority, Limits)>,
    calendar: Option<WorkingCalendar>,
    /// The case was reported in this transaction and its fact is not
    /// stored yet: nothing to read back for the statistics.
    fresh: bool,
    /// (incident, version, hash) of the last event this transaction wrote
    /// for a step: the next step's event links to it without reading it.
    sealed: Option<(String, i64, String)>,
    counters: stats::Pending,
}

impl Tx {
    pub fn new(settings: Settings) -> Self {
        Tx {
            settings,
            pushes: 0,
            category: None,
            limits: None,
            calendar: None,
            fresh: false,
            sealed: None,
            counters: stats::Pending::default(),
        }
    }

    /// The transaction of a new report: its category and the calendar
    /// already read.
    pub fn reporting(settings: Settings, category: Category, calendar: WorkingCalendar) -> Self {
        Tx {
            category: Some(category),
            calendar: Some(calendar),
            fresh: true,
            ..Tx::new(settings)
        }
    }

    /// The working calendar, read at most once in the transaction.
    pub fn calendar(
        &mut self,
        conn: &mut DbConnection,
        at: NaiveDateTime,
    ) -> Result<WorkingCalendar, DbError> {
        if let Some(calendar) = &self.calendar {
            return Ok(calendar.clone());
        }
        let calendar = calendar::load(conn, at)?;
        self.calendar = Some(calendar.clone());
        Ok(calendar)
    }

    /// The case's fact follows it; its counter moves wait for [`Tx::finish`].
    fn follow(
        &mut self,
        conn: &mut DbConnection,
        calendar: &WorkingCalendar,
        stored: &StoredIncident,
    ) -> Result<(), DbError> {
        stats::follow_into(conn, calendar, stored, self.fresh, &mut self.counters)?;
        self.fresh = false;
        Ok(())
    }

    /// The transaction's last statements: the counter moves it owes.
    pub fn finish(&mut self, conn: &mut DbConnection) -> Result<(), DbError> {
        self.counters.write(conn)
    }

    /// The category `code`, read at most once in the transaction.
    pub fn category(&mut self, conn: &mut DbConnection, code: &str) -> Result<&Category, DbError> {
        let category = match self.category.take() {
            Some(known) if known.code == code => known,
            _ => categories::find(conn, code)?,
        };
        Ok(self.category.insert(category))
    }

    /// The time limits the incident runs on (its category's, or the
    /// override for its priority).
    pub fn limits(
        &mut self,
        conn: &mut DbConnection,
        incident: &Incident,
    ) -> Result<Limits, DbError> {
        if let Some((code, priority, limits)) = &self.limits
            && *code == incident.category
            && *priority == incident.priority
        {
            return Ok(*limits);
        }
        let limits = {
            let category = self.category(conn, &incident.category)?;
            deadlines::limits_in(conn, category, incident.priority)?
        };
        self.limits = Some((incident.category.clone(), incident.priority, limits));
        Ok(limits)
    }

    /// Writes the inbox entries and pushes of `tells` (the actor never,
    /// nobody twice: `notification::audience`), counting the pushes.
    pub fn tell(
        &mut self,
        conn: &mut DbConnection,
        incident: &Incident,
        tells: &[Tell],
        actor_id: &str,
        at: NaiveDateTime,
    ) -> Result<(), DbError> {
        if tells.is_empty() {
            return Ok(());
        }
        let told = {
            let category = self.category(conn, &incident.category)?;
            notifications::tell_of_category(conn, incident, category, tells, actor_id, at)?
        };
        self.pushes += told.pushes;
        Ok(())
    }
}

/// Keeps a lifecycle step decided on `before`: `None` when somebody changed
/// the incident since it was read (nothing was written). The incident as it
/// stands after everything the step set off.
pub fn step(
    conn: &mut DbConnection,
    tx: &mut Tx,
    before: &StoredIncident,
    next: Incident,
    event: &TimelineEvent,
) -> Result<Option<StoredIncident>, DbError> {
    let calendar = tx.calendar(conn, event.at)?;
    step_on(conn, tx, &calendar, before, next, event)
}

/// [`step`] on a calendar already read in this transaction.
pub fn step_on(
    conn: &mut DbConnection,
    tx: &mut Tx,
    calendar: &WorkingCalendar,
    before: &StoredIncident,
    next: Incident,
    event: &TimelineEvent,
) -> Result<Option<StoredIncident>, DbError> {
    let next = StoredIncident {
        incident: next,
        ..before.clone()
    };
    let known = tx
        .sealed
        .take()
        .filter(|(id, version, _)| *id == before.incident.id && *version == before.incident.version)
        .map(|(_, _, hash)| hash);
    let Some(hash) = incidents::save_step(conn, &next, before.incident.version, event, known)?
    else {
        return Ok(None);
    };
    tx.sealed = Some((next.incident.id.clone(), next.incident.version, hash));
    // A resolve or verify is judged on the photos the case has now.
    evidence::record(conn, &next, event, tx.settings.evidence_radius)?;
    for assist in &next.incident.assists {
        if !before.incident.assists.contains(assist) {
            assist_rows::put(conn, &next.incident.id, assist)?;
        }
    }
    if leaves_the_ledger(&before.incident, &next.incident) {
        // Resolved or returned while in the problem ledger: the books never
        // keep a case its party no longer holds as stuck.
        ledger::left_with_case(conn, &next.incident.id, event.at)?;
    }
    let limits = tx.limits(conn, &next.incident)?;
    let next = deadlines::follow_step(
        conn,
        Some(&before.incident),
        &next.incident,
        event.at,
        (calendar, limits),
        tx.settings.warn_fraction,
    )?
    .on(next);
    let tells = notification::after_step(&before.incident, &next.incident, event);
    tx.tell(conn, &next.incident, &tells, &event.actor_id, event.at)?;
    if before.incident.duplicate_of.is_none()
        && let Some(original) = &next.incident.duplicate_of
    {
        // The later reporter follows the first report from now on.
        incidents::follow(conn, original, &next.incident.reporter_id)?;
    }
    let next = route::after_step(conn, tx, calendar, &before.incident, next, event)?;
    // Last: the fact reads the case as everything above left it.
    tx.follow(conn, calendar, &next)?;
    Ok(Some(next))
}

/// The clocks a report starts and the dues they give it, decided before
/// it is stored ([`store_report`]).
pub fn report_clocks(
    conn: &mut DbConnection,
    tx: &mut Tx,
    calendar: &WorkingCalendar,
    incident: &Incident,
) -> Result<ReportClocks, DbError> {
    let limits = tx.limits(conn, incident)?;
    Ok(deadlines::report_clocks(
        incident,
        incident.created_at,
        (calendar, limits),
        tx.settings.warn_fraction,
    ))
}

/// Stores a new report with its first event, its dues (`stored` carries
/// them) and its clocks. `Ok(false)` when its id is taken: nothing stored.
pub fn store_report(
    conn: &mut DbConnection,
    tx: &mut Tx,
    stored: &StoredIncident,
    clocks: &ReportClocks,
) -> Result<bool, DbError> {
    let i = &stored.incident;
    match incidents::insert(conn, stored, None) {
        Ok(hash) => tx.sealed = Some((i.id.clone(), i.version, hash)),
        Err(DbError::Conflict(_)) => return Ok(false),
        Err(e) => return Err(e),
    }
    deadlines::start_report_clocks(conn, &i.id, clocks)?;
    Ok(true)
}

/// Keeps a new report, stored by [`store_report`]: routing or the on-site
/// check the domain asks for.
pub fn report(
    conn: &mut DbConnection,
    tx: &mut Tx,
    calendar: &WorkingCalendar,
    stored: StoredIncident,
) -> Result<StoredIncident, DbError> {
    let reported = stored.incident.version;
    let stored = route::after_report(conn, tx, calendar, stored)?;
    if stored.incident.version == reported {
        // Routing took no step (a step keeps the statistics itself).
        stats::follow_new_report(conn, calendar, &stored, &mut tx.counters)?;
        tx.fresh = false;
    }
    Ok(stored)
}

/// Keeps a finding handled on the spot (小事不出网格), stored as reported by
/// [`store_report`] with the report's clocks: the resolve on the spot the
/// domain decided with it (`incident::report_handled_on_spot`) as a step
/// ([`step_on`]: its clocks, who is told). Never routed: nobody else is
/// needed, and nobody else hears of it. The incident as resolved.
pub fn report_handled(
    conn: &mut DbConnection,
    tx: &mut Tx,
    calendar: &WorkingCalendar,
    stored: StoredIncident,
    resolved: Incident,
    event: &TimelineEvent,
) -> Result<StoredIncident, DbError> {
    let id = stored.incident.id.clone();
    // The caller's transaction inserted the incident: nobody can have moved it.
    step_on(conn, tx, calendar, &stored, resolved, event)?.ok_or_else(|| {
        DbError::Other(format!(
            "incident {id} changed while it was resolved on the spot"
        ))
    })
}

/// Keeps an assist step decided on the incident as locked: each assist as
/// `next` holds it, a `report` clock for each party called (met when it
/// reports), one timeline event per party, and who hears of each. The
/// incident as it is now.
pub fn assists(
    conn: &mut DbConnection,
    tx: &mut Tx,
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
                let within = tx.limits(conn, next)?.resolve;
                let calendar = tx.calendar(conn, event.at)?;
                let times =
                    report_clock(lead, within, &calendar, event.at, tx.settings.warn_fraction);
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
        tx.tell(conn, &stored.incident, &tells, &event.actor_id, event.at)?;
    }
    Ok(stored)
}

/// A timeline entry that keeps the status (an escalation, a clock request),
/// and who hears of it.
pub fn note(
    conn: &mut DbConnection,
    incident: &Incident,
    action: &str,
    actor_id: &str,
    note: Option<&str>,
    at: NaiveDateTime,
    tells: &[Tell],
) -> Result<Told, DbError> {
    incidents::append_event(conn, &incident.id, action, actor_id, note, at)?;
    tell(conn, incident, tells, actor_id, at)
}

/// Writes the inbox entries and pushes of `tells` (the actor never, nobody
/// twice: the domain's rule, kept by `repo::notifications`).
pub fn tell(
    conn: &mut DbConnection,
    incident: &Incident,
    tells: &[Tell],
    actor_id: &str,
    at: NaiveDateTime,
) -> Result<Told, DbError> {
    notifications::tell_about_incident(conn, incident, tells, actor_id, at)
}
