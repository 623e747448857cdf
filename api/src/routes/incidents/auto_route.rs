//! Routing a case in the transaction of the step that calls for it: the
//! report itself, its registration after the on-site check, a return. The
//! domain decides where it goes (`routing::route`) and whether the system
//! dispatches it (`incident::dispatch_by_rule`); this stores the decision and
//! what follows from it, so a report is never stored unrouted and a decision
//! never without its incident.

use chrono::{Duration, NaiveDateTime};
use gridops_domain::category::Category;
use gridops_domain::incident::{
    ActionKind, Cause, Incident, SYSTEM_ACTOR, dispatch_by_rule, needs_on_site_check, routing_cause,
};
use gridops_domain::notification::{self, Audience, on_waiting_for_grid_staff};
use gridops_domain::routing::{Case, Recipient, route};
use gridops_infra::repo::assists::{self, AssistStepError};
use gridops_infra::repo::incidents::{self, StoredIncident};
use gridops_infra::repo::{deadlines, notifications, routing};
use gridops_infra::{DbConnection, DbError};

/// Rules' time windows are written in the hours people keep: Beijing time.
const LOCAL_OFFSET_HOURS: i64 = 8;

/// After a new report is stored: routes it, or tells the grid's staff to
/// check it on site first. Returns the incident as it now stands.
pub fn after_report(
    conn: &mut DbConnection,
    stored: StoredIncident,
    category: &Category,
    at: NaiveDateTime,
    warn_fraction: f64,
) -> Result<StoredIncident, DbError> {
    if needs_on_site_check(&stored.incident, category) {
        let tell = on_waiting_for_grid_staff(Audience::GridStaffOf(stored.incident.grid.clone()));
        notifications::tell_about_incident(
            conn,
            &stored.incident,
            &[tell],
            &stored.incident.reporter_id,
            at,
        )?;
        return Ok(stored);
    }
    route_case(conn, stored, Cause::Report, at, warn_fraction)
}

/// After a step by hand: routes the case again when the step calls for it
/// (a registration after the on-site check, a return).
pub fn after_step(
    conn: &mut DbConnection,
    before: &Incident,
    stored: StoredIncident,
    action: ActionKind,
    at: NaiveDateTime,
    warn_fraction: f64,
) -> Result<StoredIncident, DbError> {
    if !matches!(action, ActionKind::Accept | ActionKind::Return) {
        return Ok(stored);
    }
    let category = gridops_infra::repo::categories::find(conn, &stored.incident.category)?;
    let routed_before = routing::was_routed(conn, &stored.incident.id)?;
    match routing_cause(
        Some(before),
        &stored.incident,
        Some(action),
        &category,
        routed_before,
    ) {
        Some(cause) => route_case(conn, stored, cause, at, warn_fraction),
        None => Ok(stored),
    }
}

/// Routes the case, records the decision with its explanation, and takes the
/// dispatch the rule makes (calling its assisting parties), or tells whoever
/// the case now waits for.
fn route_case(
    conn: &mut DbConnection,
    stored: StoredIncident,
    cause: Cause,
    at: NaiveDateTime,
    warn_fraction: f64,
) -> Result<StoredIncident, DbError> {
    let rules = routing::rules_for_category(conn, &stored.incident.category)?;
    let directory = routing::StoreDirectory::load(conn, &stored.incident.grid)?;
    let local = (at + Duration::hours(LOCAL_OFFSET_HOURS)).time();
    let decision = route(&rules, &Case::of(&stored.incident, local), &directory);
    routing::record_decision(conn, &stored.incident.id, cause.as_str(), &decision, at)?;

    let Some((incident, event)) = dispatch_by_rule(&stored.incident, &decision, at) else {
        // Grid staff the rule names are told on their phones: they are out
        // on patrol. A case left for triage is not pushed: dispatchers work
        // at the console, whose queue and live stream show it.
        if let Recipient::Users { users, .. } = &decision.recipient {
            notifications::tell_about_incident(
                conn,
                &stored.incident,
                &[on_waiting_for_grid_staff(Audience::Users(users.clone()))],
                SYSTEM_ACTOR,
                at,
            )?;
        }
        return Ok(stored);
    };
    let before = stored.incident.clone();
    let next = StoredIncident { incident, ..stored };
    // The caller's transaction holds the incident since its own step, so
    // nobody can have moved it in between.
    if !incidents::save_step(conn, &next, before.version, &event)? {
        return Err(DbError::Other(format!(
            "incident {} changed while it was being routed",
            before.id
        )));
    }
    deadlines::follow_step_with(conn, Some(&before), &next.incident, at, warn_fraction)?;
    let tells = notification::after_step(&before, &next.incident, &event);
    notifications::tell_about_incident(conn, &next.incident, &tells, SYSTEM_ACTOR, at)?;
    if !decision.assists.is_empty() {
        assists::call(conn, &next.incident.id, &decision.assists, SYSTEM_ACTOR, at).map_err(
            |e| match e {
                AssistStepError::Db(e) => e,
                other => DbError::Other(format!(
                    "routing could not call the assisting parties of {}: {other}",
                    before.id
                )),
            },
        )?;
    }
    // The dues the dispatch set, and the version calling assists moved on.
    incidents::find(conn, &next.incident.id)
}
