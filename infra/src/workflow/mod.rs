//! The case workflow: the one place that commits a change the domain has
//! decided. Every entry point calls it — an HTTP step, a report, an assist
//! step, a request for more time, the escalation sweep — and routing runs
//! inside it.
//!
//! How a change flows: the handler parses and asks `domain::access`; the
//! [`Workflow`] reads the incident, lets the domain decide (`incident::apply`,
//! `incident::report`, `incident::assist`, `deadline::request`), then in ONE
//! write transaction keeps the decision and what it sets off ([`commit`]:
//! timeline, clocks on the stored calendar, who is told, inbox and outbox,
//! routing and the assisting parties it calls), and after the commit raises
//! the signals that wake the push workers and the live event streams. A
//! change that rolls back tells nobody and starts no clock.
//!
//! What happens after a dispatch: [`commit::step`].

pub mod commit;
pub mod error;
pub mod ledger;
pub mod links;
pub mod patrol;
mod route;

use chrono::NaiveDateTime;
use gridops_domain::access::{Access, Actor};
use gridops_domain::area::AreaCode;
use gridops_domain::category::{Category, Priority};
use gridops_domain::deadline::request::{
    self, Ask, CaseTime, ClockEffect, ClockRequest, NOTHING_TO_EXTEND,
};
use gridops_domain::escalation::WarnFraction;
use gridops_domain::evidence::Radius;
use gridops_domain::incident::{
    AssistEvent, Channel, Command, Incident, IncidentError, Report, TimelineEvent, apply, can_see,
    report, report_handled_on_spot,
};

pub use commit::{Settings, Tx};
pub use error::StepError;

use crate::db::{Backend, Db, DbConnection, DbError};
use crate::repo::incidents::{self, StoredIncident};
use crate::repo::{calendar, clock_requests, deadlines, now, stats};
use crate::signals::{INCIDENT_EVENTS, OUTBOX, Signals};

const NO_SUCH_INCIDENT: &str = "no such incident";
const NO_SUCH_REQUEST: &str = "no such request for more time on this incident";

/// A lost race is taken again on the fresh incident this many times.
const ATTEMPTS: usize = 3;

/// A new report, located and checked by the caller.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// The client's id for an offline report, or a fresh one.
    pub id: String,
    /// The district whose daily counter numbers it.
    pub district: String,
    pub category: Category,
    pub description: String,
    pub grid: AreaCode,
    pub priority: Option<Priority>,
    pub channel: Channel,
    /// WGS-84.
    pub lat: f64,
    pub lng: f64,
    pub address: Option<String>,
    pub occurred_at: NaiveDateTime,
    /// The result, when the reporter handled it at once (小事不出网格): the
    /// report is resolved on the spot in the same transaction, never routed.
    pub handled_on_spot: Option<String>,
}

/// Commits decided changes; cheap to clone, one per server.
#[derive(Debug, Clone)]
pub struct Workflow {
    db: Db,
    signals: Signals,
    settings: Settings,
}

/// A write that the rules may refuse: the refusal commits nothing.
type Outcome<T> = Result<Result<T, StepError>, DbError>;

/// Splits a refusal from a storage failure, so the transaction rolls back on
/// the second and commits nothing on the first.
fn refuse<T>(e: StepError) -> Outcome<T> {
    match e {
        StepError::Db(e) => Err(e),
        other => Ok(Err(other)),
    }
}

impl Workflow {
    pub fn new(db: Db, signals: Signals, warn_fraction: WarnFraction) -> Self {
        Workflow {
            db,
            signals,
            settings: Settings {
                warn_fraction: warn_fraction.get(),
                evidence_radius: Radius::DEFAULT,
            },
        }
    }

    /// The same, judging after-photos within `radius` of the incident as
    /// taken on the spot (`GRIDOPS_EVIDENCE_RADIUS_M`).
    pub fn with_evidence_radius(mut self, radius: Radius) -> Self {
        self.settings.evidence_radius = radius;
        self
    }

    /// After a commit: wakes the event streams of this process, and its push
    /// workers when the commit queued pushes (other processes hear
    /// PostgreSQL's NOTIFY of the commit). A worker woken for nothing would
    /// take a write transaction to find so: on SQLite, a turn every writer
    /// waits for.
    fn committed(&self, pushes: usize) {
        if pushes > 0 {
            self.signals.raise_local(OUTBOX);
        }
        self.signals.raise_local(INCIDENT_EVENTS);
    }

    /// The incident if the actor may see it; else as if it did not exist.
    pub async fn visible(&self, actor: &Actor, id: &str) -> Result<StoredIncident, StepError> {
        let id = id.to_owned();
        let stored = self
            .db
            .run(move |conn| incidents::find(conn, &id))
            .await
            .map_err(not_found(NO_SUCH_INCIDENT))?;
        match can_see(&stored.incident, actor) {
            Access::Granted => Ok(stored),
            _ => Err(StepError::Missing(NO_SUCH_INCIDENT)),
        }
    }

    /// A new report by `actor`: numbered in its district, stored with its
    /// first event, its clocks started, routed (or held for the on-site
    /// check), all in one transaction. A finding handled on the spot is
    /// resolved instead, in the same transaction, and never routed. `finish`
    /// runs last in that transaction with the incident as it stands (the
    /// idempotency record).
    pub async fn report<T: Send + 'static>(
        &self,
        actor: &Actor,
        new: NewReport,
        finish: impl FnOnce(&mut DbConnection, &StoredIncident) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, StepError> {
        let (actor, settings, at) = (actor.clone(), self.settings, now());
        // On PostgreSQL the number is taken before the transaction, in a
        // statement of its own: the district's counter row is held only
        // while it runs, not until the report commits. On SQLite the writer
        // lock serialises every write anyway; a turn of its own would only
        // add a wait.
        let numbered = match self.db.backend() {
            Backend::Postgresql => {
                let district = new.district.clone();
                let numbered = self
                    .db
                    .run(move |conn| {
                        let calendar = calendar::load(conn, at)?;
                        let day = calendar.local_date(at);
                        Ok((calendar, incidents::next_reference(conn, &district, day)?))
                    })
                    .await?;
                Some(numbered)
            }
            Backend::Sqlite => None,
        };
        let (done, pushes) = self
            .db
            .write(move |conn| -> Outcome<(T, usize)> {
                let (calendar, reference) = match numbered {
                    Some(numbered) => numbered,
                    None => {
                        let calendar = calendar::load(conn, at)?;
                        let day = calendar.local_date(at);
                        let reference = incidents::next_reference(conn, &new.district, day)?;
                        (calendar, reference)
                    }
                };
                let draft = Report {
                    id: new.id,
                    reference,
                    category: &new.category,
                    description: new.description,
                    grid: new.grid,
                    priority: new.priority,
                    channel: new.channel,
                };
                // The report, and the resolve on the spot decided with it.
                let decided: Result<(Incident, Option<(Incident, TimelineEvent)>), _> =
                    match new.handled_on_spot {
                        None => report(draft, &actor, at).map(|incident| (incident, None)),
                        Some(result) => report_handled_on_spot(draft, result, &actor, at)
                            .map(|(incident, resolved)| (incident, Some(resolved))),
                    };
                let (incident, resolved) = match decided {
                    Ok(decided) => decided,
                    Err(e) => return Ok(Err(e.into())),
                };
                let mut tx = Tx::reporting(settings, new.category, calendar.clone());
                let clocks = commit::report_clocks(conn, &mut tx, &calendar, &incident)?;
                let stored = StoredIncident {
                    incident,
                    lat: new.lat,
                    lng: new.lng,
                    address: new.address,
                    occurred_at: new.occurred_at,
                    acknowledge_due: clocks.dues.acknowledge,
                    resolve_due: clocks.dues.resolve,
                };
                if !commit::store_report(conn, &mut tx, &stored, &clocks)? {
                    return Ok(Err(StepError::Taken("an incident with this id exists")));
                }
                let stored = match resolved {
                    None => commit::report(conn, &mut tx, &calendar, stored)?,
                    Some((resolved, event)) => {
                        commit::report_handled(conn, &mut tx, &calendar, stored, resolved, &event)?
                    }
                };
                let done = finish(conn, &stored)?;
                tx.finish(conn)?;
                Ok(Ok((done, tx.pushes)))
            })
            .await??;
        self.committed(pushes);
        Ok(done)
    }

    /// Takes one lifecycle step. The domain decides on the incident as read;
    /// the store keeps it if nobody was faster. Without `expected` a lost
    /// race is decided again on the fresh incident (so the loser of two
    /// identical steps hears the domain's 409); with it, the client asked
    /// for that version and hears [`StepError::Stale`]. `check` runs in the
    /// step's transaction, for what only the store knows.
    pub async fn step(
        &self,
        actor: &Actor,
        id: &str,
        expected: Option<i64>,
        command: Command,
        check: impl Fn(&mut DbConnection, &StoredIncident) -> Result<(), StepError>
        + Send
        + Sync
        + Clone
        + 'static,
    ) -> Result<StoredIncident, StepError> {
        for _ in 0..ATTEMPTS {
            let before = self.visible(actor, id).await?;
            if let Some(expected) = expected
                && expected != before.incident.version
            {
                return Err(StepError::Stale {
                    current: before.incident.version,
                });
            }
            let (next, event) = apply(&before.incident, command.clone(), actor, now())?;
            let (check, settings) = (check.clone(), self.settings);
            let saved = self
                .db
                .write(move |conn| -> Outcome<Option<(StoredIncident, usize)>> {
                    if let Err(e) = check(conn, &before) {
                        return refuse(e);
                    }
                    let mut tx = Tx::new(settings);
                    let saved = commit::step(conn, &mut tx, &before, next, &event)?;
                    tx.finish(conn)?;
                    Ok(Ok(saved.map(|next| (next, tx.pushes))))
                })
                .await??;
            match saved {
                Some((next, pushes)) => {
                    self.committed(pushes);
                    return Ok(next);
                }
                None if expected.is_some() => {
                    let current = self.visible(actor, id).await?;
                    return Err(StepError::Stale {
                        current: current.incident.version,
                    });
                }
                None => continue,
            }
        }
        Err(StepError::Busy)
    }

    /// Takes an assist step (吹哨报到) in one write transaction on the
    /// incident locked: hidden → missing, then the version, then whether the
    /// actor `may`, then the domain's `decide` (which may read the store).
    pub async fn assist_step(
        &self,
        actor: &Actor,
        id: &str,
        expected: Option<i64>,
        may: impl FnOnce(&Incident, &Actor) -> Result<(), IncidentError> + Send + 'static,
        decide: impl FnOnce(
            &mut DbConnection,
            &Incident,
        ) -> Result<(Incident, Vec<AssistEvent>), StepError>
        + Send
        + 'static,
    ) -> Result<StoredIncident, StepError> {
        let (actor, id, settings) = (actor.clone(), id.to_owned(), self.settings);
        let (saved, pushes) = self
            .db
            .write(move |conn| -> Outcome<(StoredIncident, usize)> {
                let before = match incidents::lock(conn, &id) {
                    Ok(before) => before,
                    Err(DbError::NotFound) => return Ok(Err(StepError::Missing(NO_SUCH_INCIDENT))),
                    Err(e) => return Err(e),
                };
                let incident = &before.incident;
                // Hidden before the version: a stranger learns nothing from a 412.
                if can_see(incident, &actor) != Access::Granted {
                    return Ok(Err(IncidentError::Hidden.into()));
                }
                if let Some(expected) = expected
                    && expected != incident.version
                {
                    return Ok(Err(StepError::Stale {
                        current: incident.version,
                    }));
                }
                if let Err(e) = may(incident, &actor) {
                    return Ok(Err(e.into()));
                }
                let (next, events) = match decide(conn, incident) {
                    Ok(decided) => decided,
                    Err(e) => return refuse(e),
                };
                let mut tx = Tx::new(settings);
                let saved = commit::assists(conn, &mut tx, &next, &events)?;
                tx.finish(conn)?;
                Ok(Ok((saved, tx.pushes)))
            })
            .await??;
        self.committed(pushes);
        Ok(saved)
    }

    /// The handler in charge asks for a suspension, an extension or the
    /// problem ledger (挂账: whether the case is one for it reads its clocks
    /// and today's date in the city's calendar).
    pub async fn ask_for_time(
        &self,
        actor: &Actor,
        id: &str,
        ask: Ask,
    ) -> Result<ClockRequest, StepError> {
        self.visible(actor, id).await?;
        let actor = actor.clone();
        self.request_step(
            move |conn, incident| {
                let requests = clock_requests::of_incident(conn, &incident.id)?;
                let clocks = deadlines::list(conn, &incident.id)?;
                let at = now();
                let case = CaseTime {
                    requests: &requests,
                    clocks: &clocks,
                    today: calendar::load(conn, at)?.local_date(at),
                };
                Ok(request::ask(incident, &actor, ask, case, at)?)
            },
            id,
        )
        .await
    }

    /// A dispatcher covering the case approves or refuses a request.
    pub async fn decide_request(
        &self,
        actor: &Actor,
        id: &str,
        rid: &str,
        approve: bool,
    ) -> Result<ClockRequest, StepError> {
        self.visible(actor, id).await?;
        let (actor, rid) = (actor.clone(), rid.to_owned());
        self.request_step(
            move |conn, incident| {
                let request = find_request(conn, &incident.id, &rid)?;
                Ok(request::decide(incident, &actor, &request, approve, now())?)
            },
            id,
        )
        .await
    }

    /// The handler in charge or a covering dispatcher ends a suspension
    /// (or takes a case out of the ledger: [`Workflow::end_request`]).
    pub async fn end_suspension(
        &self,
        actor: &Actor,
        id: &str,
        rid: &str,
    ) -> Result<ClockRequest, StepError> {
        self.end_request(actor, id, rid, None).await
    }

    /// Keeps a step of a request for more time: the request (only if still
    /// in the state the step was decided on), what it does to the clocks, and
    /// its timeline entry, in one transaction.
    async fn request_step(
        &self,
        decide: impl FnOnce(&mut DbConnection, &Incident) -> Result<request::RequestStep, StepError>
        + Send
        + 'static,
        id: &str,
    ) -> Result<ClockRequest, StepError> {
        let (id, settings) = (id.to_owned(), self.settings);
        let request = self
            .db
            .write(move |conn| -> Outcome<ClockRequest> {
                let stored = incidents::find(conn, &id)?;
                let incident = stored.incident.clone();
                let step = match decide(conn, &incident) {
                    Ok(step) => step,
                    Err(e) => return refuse(e),
                };
                let at = step.at;
                // The clocks first: an extension with no clock to move is
                // refused before anything is written.
                match step.effect {
                    ClockEffect::Nothing => {}
                    ClockEffect::PauseAll => {
                        deadlines::pause(conn, &id, at)?;
                    }
                    ClockEffect::ResumeAll => {
                        deadlines::resume(conn, &incident, at)?;
                    }
                    ClockEffect::ExtendResolve(by) => {
                        if !deadlines::extend(conn, &incident, by, at, settings.warn_fraction)? {
                            return Ok(Err(NOTHING_TO_EXTEND.into()));
                        }
                    }
                }
                match step.expected {
                    None => clock_requests::insert(conn, &step.request)?,
                    Some(state) => {
                        if !clock_requests::save(conn, &step.request, state)? {
                            // Somebody decided first; this rolls back.
                            return Err(DbError::Conflict(format!(
                                "request {} taken twice",
                                step.request.id
                            )));
                        }
                    }
                }
                commit::note(
                    conn,
                    &incident,
                    step.action,
                    &step.actor_id,
                    step.note.as_deref(),
                    at,
                    &[],
                )?;
                // An extension, a suspension or the ledger moves the KPIs.
                let calendar = calendar::load(conn, at)?;
                stats::follow(conn, &calendar, &stored)?;
                Ok(Ok(step.request))
            })
            .await??;
        // Nobody is told of a request: its timeline entry is for the console.
        self.committed(0);
        Ok(request)
    }
}

fn find_request(conn: &mut DbConnection, id: &str, rid: &str) -> Result<ClockRequest, StepError> {
    match clock_requests::find(conn, id, rid) {
        Ok(r) => Ok(r),
        Err(DbError::NotFound) => Err(StepError::Missing(NO_SUCH_REQUEST)),
        Err(e) => Err(e.into()),
    }
}

fn not_found(what: &'static str) -> impl FnOnce(DbError) -> StepError {
    move |e| match e {
        DbError::NotFound => StepError::Missing(what),
        other => other.into(),
    }
}
