//! What routing does to the case itself: when a case is routed, and the step
//! the system takes when a rule says to dispatch it at once.
//!
//! Routing ([`crate::routing`]) only decides where a case should go. Here is
//! when it is asked (a new report, a report registered after its on-site
//! check, a case a party returned) and what follows: an automatic dispatch
//! recorded on the timeline as the system's step, or nothing, and the case
//! waits in the queue the decision names.

use chrono::NaiveDateTime;

use crate::category::Category;
use crate::routing::{Decision, Mode, Recipient};

use super::{ActionKind, EventDetail, Incident, Source, Status, TimelineEvent};

/// The actor of steps nobody took by hand: dispatch by a routing rule,
/// escalation of an overdue step.
pub const SYSTEM_ACTOR: &str = "system";

/// Why a case is being routed; stored with the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cause {
    /// A new report.
    Report,
    /// A report registered (立案) after it was checked on site.
    Accept,
    /// A party returned the case (回退): routed again without that party.
    Return,
}

impl Cause {
    pub const ALL: [Cause; 3] = [Cause::Report, Cause::Accept, Cause::Return];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Report => "report",
            Cause::Accept => "accept",
            Cause::Return => "return",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Cause::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Whether a new report waits for a grid worker to check it on site before
/// anything else: a resident's report of a category that says so, from the
/// app or through an Open311 client. Patrol reports were seen by a grid
/// worker already; the hotline and the console are staff who checked with
/// the caller.
pub fn needs_on_site_check(incident: &Incident, category: &Category) -> bool {
    matches!(incident.source, Source::Resident | Source::Open311)
        && category.verify_on_site
        && incident.status == Status::Reported
}

/// Whether the step from `before` to `after` hands the case to routing, and
/// why. A new report is routed unless it waits for its on-site check; that
/// check ends when a grid chief or dispatcher registers it, which routes it
/// (it was never routed). Registering a report that was routed already (a
/// dispatcher accepting a triage case) does not route it again: the
/// dispatcher is choosing.
pub fn routing_cause(
    before: Option<&Incident>,
    after: &Incident,
    action: Option<ActionKind>,
    category: &Category,
    routed_before: bool,
) -> Option<Cause> {
    match (before, action) {
        (None, _) if needs_on_site_check(after, category) => None,
        (None, _) => Some(Cause::Report),
        (Some(_), Some(ActionKind::Accept)) if !routed_before => Some(Cause::Accept),
        (Some(_), Some(ActionKind::Return)) if after.status == Status::Accepted => {
            Some(Cause::Return)
        }
        _ => None,
    }
}

/// Whether a step by hand can hand the case to routing at all (registering
/// it, returning it): the steps for which [`routing_cause`] may answer
/// `Some`, so a store need not read the category for any other.
pub fn may_hand_to_routing(action: ActionKind) -> bool {
    matches!(action, ActionKind::Accept | ActionKind::Return)
}

/// The dispatch a decision makes, taken by the system: to the chosen party,
/// when the rule dispatches at once and the case waits for dispatch
/// (`reported` or `accepted`). `None` leaves the case where it is, for the
/// people the decision names (a dispatcher to triage, grid staff to look).
///
/// A rule's automatic dispatch registers a new report too: the rule is the
/// administrators' standing decision that such reports are cases.
pub fn dispatch_by_rule(
    incident: &Incident,
    decision: &Decision,
    now: NaiveDateTime,
) -> Option<(Incident, TimelineEvent)> {
    let Recipient::Party(party) = &decision.recipient else {
        return None;
    };
    if decision.mode != Mode::AutoDispatch
        || !matches!(incident.status, Status::Reported | Status::Accepted)
    {
        return None;
    }
    let mut next = incident.clone();
    next.party = Some(party.clone());
    next.assignee = None;
    next.status = Status::Dispatched;
    next.version += 1;
    next.updated_at = now;
    let event = TimelineEvent {
        action: ActionKind::Dispatch,
        actor_id: SYSTEM_ACTOR.to_owned(),
        at: now,
        from: incident.status,
        to: Status::Dispatched,
        note: decision.rule.as_ref().map(|rule| format!("rule {rule}")),
        attachments: Vec::new(),
        detail: Some(EventDetail::Dispatched {
            party: party.clone(),
            assignee: None,
        }),
    };
    Some((next, event))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::area::AreaCode;
    use crate::incident::fixtures::{at, incident};
    use crate::routing::{Explanation, Target};

    fn decision(recipient: Recipient, mode: Mode) -> Decision {
        Decision {
            rule: Some("heating".into()),
            target: Target::Party("zy-heating".into()),
            recipient,
            mode,
            explanation: Explanation {
                considered: Vec::new(),
                on_duty: None,
            },
            assists: Vec::new(),
        }
    }

    fn category(verify_on_site: bool) -> Category {
        Category {
            code: "neighbourhood.dog_noise".into(),
            parent_code: Some("neighbourhood".into()),
            label_zh: "犬吠扰民".into(),
            label_en: "Dog noise".into(),
            default_priority: crate::category::Priority::Normal,
            acknowledge_within: crate::category::TimeLimit::working_hours(2),
            resolve_within: crate::category::TimeLimit::working_days(3),
            duplicate_radius_m: 400,
            verify_on_site,
            public_reports: false,
        }
    }

    #[test]
    fn an_auto_dispatch_rule_dispatches_a_new_report_as_the_system() {
        let reported = incident(Status::Reported);
        let (next, event) = dispatch_by_rule(
            &reported,
            &decision(Recipient::Party("zy-heating".into()), Mode::AutoDispatch),
            at(1),
        )
        .unwrap();
        assert_eq!(next.status, Status::Dispatched);
        assert_eq!(next.party.as_deref(), Some("zy-heating"));
        assert_eq!(next.version, reported.version + 1);
        assert_eq!(event.actor_id, SYSTEM_ACTOR);
        assert_eq!(
            (event.from, event.to),
            (Status::Reported, Status::Dispatched)
        );
        assert_eq!(event.note.as_deref(), Some("rule heating"));
    }

    #[test]
    fn triage_queues_and_grid_staff_leave_the_case_waiting() {
        let reported = incident(Status::Reported);
        let queue = Recipient::DispatchQueue(AreaCode::parse("410102004").unwrap());
        for d in [
            decision(Recipient::Party("zy-heating".into()), Mode::Triage),
            decision(queue, Mode::AutoDispatch),
        ] {
            assert_eq!(dispatch_by_rule(&reported, &d, at(1)), None, "{d:?}");
        }
        let dispatched = incident(Status::Dispatched);
        assert_eq!(
            dispatch_by_rule(
                &dispatched,
                &decision(Recipient::Party("zy-heating".into()), Mode::AutoDispatch),
                at(1)
            ),
            None,
            "only a case waiting for dispatch is dispatched"
        );
    }

    #[test]
    fn only_a_registration_or_a_return_hands_a_case_to_routing() {
        let statuses = [Status::Reported, Status::Accepted, Status::Dispatched];
        for action in ActionKind::ALL {
            for from in statuses {
                for to in statuses {
                    for verify in [true, false] {
                        let cause = routing_cause(
                            Some(&incident(from)),
                            &incident(to),
                            Some(action),
                            &category(verify),
                            false,
                        );
                        if !may_hand_to_routing(action) {
                            assert_eq!(cause, None, "{action} from {from} to {to}");
                        }
                    }
                }
            }
        }
        assert!(may_hand_to_routing(ActionKind::Accept));
        assert!(may_hand_to_routing(ActionKind::Return));
    }

    #[test]
    fn residents_reports_of_checked_categories_wait_for_the_grid_worker() {
        let mut report = incident(Status::Reported);
        report.source = Source::Resident;
        assert_eq!(
            routing_cause(None, &report, None, &category(true), false),
            None
        );
        assert_eq!(
            routing_cause(None, &report, None, &category(false), false),
            Some(Cause::Report)
        );
        report.source = Source::Patrol;
        assert_eq!(
            routing_cause(None, &report, None, &category(true), false),
            Some(Cause::Report),
            "a grid worker's own report was seen on site"
        );
        let accepted = Incident {
            status: Status::Accepted,
            ..report.clone()
        };
        assert_eq!(
            routing_cause(
                Some(&report),
                &accepted,
                Some(ActionKind::Accept),
                &category(true),
                false
            ),
            Some(Cause::Accept)
        );
        assert_eq!(
            routing_cause(
                Some(&report),
                &accepted,
                Some(ActionKind::Accept),
                &category(true),
                true
            ),
            None,
            "a dispatcher registering a triaged case chooses the party"
        );
        assert_eq!(
            routing_cause(
                Some(&incident(Status::Dispatched)),
                &accepted,
                Some(ActionKind::Return),
                &category(true),
                false
            ),
            Some(Cause::Return)
        );
    }
}
