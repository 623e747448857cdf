//! Routing a case in the transaction of the step that calls for it: the
//! report itself, its registration after the on-site check, a return. The
//! domain decides whether the step hands the case to routing
//! (`incident::routing_cause`), where it goes (`routing::route`) and whether
//! the system dispatches it (`incident::dispatch_by_rule`); this keeps the
//! decision and takes the dispatch through the workflow like any step, so a
//! report is never stored unrouted and a decision never without its incident.

use chrono::NaiveDateTime;
use gridops_domain::deadline::WorkingCalendar;
use gridops_domain::incident::{
    Cause, Incident, SYSTEM_ACTOR, TimelineEvent, assist, dispatch_by_rule, may_hand_to_routing,
    needs_on_site_check, routing_cause,
};
use gridops_domain::notification::{Audience, on_waiting_for_grid_staff};
use gridops_domain::routing::{Case, Recipient, route};

use super::commit::{self, Tx};
use crate::db::{DbConnection, DbError};
use crate::repo::incidents::StoredIncident;
use crate::repo::{rosters, routing};

/// After a new report is stored: routes it, or tells the grid's staff to
/// check it on site first — whoever is on duty in the grid now when someone
/// is (a dog barking at 1 a.m. wakes the worker on the night shift, not the
/// whole grid), else all of them.
pub fn after_report(
    conn: &mut DbConnection,
    tx: &mut Tx,
    calendar: &WorkingCalendar,
    stored: StoredIncident,
) -> Result<StoredIncident, DbError> {
    let category = tx.category(conn, &stored.incident.category)?;
    if needs_on_site_check(&stored.incident, category) {
        let local = calendar.local(stored.incident.created_at);
        let on_duty: Vec<String> = rosters::on_duty_in_grid(conn, &stored.incident.grid, local)?
            .into_iter()
            .map(|d| d.user)
            .collect();
        let audience = if on_duty.is_empty() {
            Audience::GridStaffOf(stored.incident.grid.clone())
        } else {
            Audience::Users(on_duty)
        };
        let tell = on_waiting_for_grid_staff(audience);
        tx.tell(
            conn,
            &stored.incident,
            &[tell],
            &stored.incident.reporter_id,
            stored.incident.created_at,
        )?;
        return Ok(stored);
    }
    let at = stored.incident.created_at;
    route_case(conn, tx, calendar, stored, Cause::Report, at)
}

/// After a step by hand: routes the case again when the domain says the step
/// hands it to routing (a registration after the on-site check, a return).
pub fn after_step(
    conn: &mut DbConnection,
    tx: &mut Tx,
    calendar: &WorkingCalendar,
    before: &Incident,
    stored: StoredIncident,
    event: &TimelineEvent,
) -> Result<StoredIncident, DbError> {
    if !may_hand_to_routing(event.action) {
        return Ok(stored);
    }
    let routed_before = routing::was_routed(conn, &stored.incident.id)?;
    let category = tx.category(conn, &stored.incident.category)?;
    match routing_cause(
        Some(before),
        &stored.incident,
        Some(event.action),
        category,
        routed_before,
    ) {
        Some(cause) => route_case(conn, tx, calendar, stored, cause, event.at),
        None => Ok(stored),
    }
}

/// Routes the case, keeps the decision with its explanation, and takes the
/// dispatch the rule makes (calling its assisting parties), or tells whoever
/// the case now waits for.
fn route_case(
    conn: &mut DbConnection,
    tx: &mut Tx,
    calendar: &WorkingCalendar,
    stored: StoredIncident,
    cause: Cause,
    at: NaiveDateTime,
) -> Result<StoredIncident, DbError> {
    let rules = routing::rules_for_category(conn, &stored.incident.category)?;
    // Rules' time windows and duty rosters are written in the hours people keep.
    let local = calendar.local(at);
    let directory = routing::StoreDirectory::load(conn, &stored.incident.grid, local, &rules)?;
    let decision = route(
        &rules,
        &Case::of(&stored.incident, local.time()),
        &directory,
    );
    routing::record_decision(conn, &stored.incident.id, cause.as_str(), &decision, at)?;

    let Some((incident, event)) = dispatch_by_rule(&stored.incident, &decision, at) else {
        // Grid staff the rule names are told on their phones: they are out
        // on patrol. A case left for triage is not pushed: dispatchers work
        // at the console, whose queue and live stream show it.
        if let Recipient::Users { users, .. } = &decision.recipient {
            tx.tell(
                conn,
                &stored.incident,
                &[on_waiting_for_grid_staff(Audience::Users(users.clone()))],
                SYSTEM_ACTOR,
                at,
            )?;
        }
        return Ok(stored);
    };
    let id = stored.incident.id.clone();
    // The caller's transaction holds the incident since its own step, so
    // nobody can have moved it in between.
    let Some(dispatched) = commit::step_on(conn, tx, calendar, &stored, incident, &event)? else {
        return Err(DbError::Other(format!(
            "incident {id} changed while it was being routed"
        )));
    };
    if decision.assists.is_empty() {
        return Ok(dispatched);
    }
    let (next, events) = assist::call(
        &dispatched.incident,
        &decision.assists,
        None,
        SYSTEM_ACTOR,
        at,
    )
    .map_err(|e| {
        DbError::Other(format!(
            "routing could not call the assisting parties of {id}: {e}"
        ))
    })?;
    // As stored after the calls: the dues the dispatch set, the version
    // calling assists moved on.
    commit::assists(conn, tx, &next, &events)
}
