//! Who hears of what: the domain events of an incident's life and of area
//! notices, the people each concerns (by role and relation to the incident),
//! the words they read in their own language, how a user's phones' answers
//! settle a push, and how a failed push is retried.
//!
//! The store runs the queries an audience names ([`audience::Reach`]) and
//! writes one inbox entry and one outbox row per recipient the rules here
//! choose, in the transaction that made the change, so a change that rolls
//! back notifies nobody.

pub mod audience;
pub mod push;
pub mod retry;
pub mod template;

pub use audience::{Member, Reach};
pub use push::{PushOutcome, Settlement};

use crate::access::Actor;
use crate::area::AreaCode;
use crate::incident::{ActionKind, Incident, Status, TimelineEvent};
use crate::role::Role;

/// What happened, as a recipient hears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A new case waits for the hearer, grid staff, on site.
    Reported,
    Accepted,
    Rejected,
    Dispatched,
    Acknowledged,
    Returned,
    Resolved,
    Reopened,
    Closed,
    Commented,
    /// A deadline passed and the case moved one level up the area tree.
    Escalated,
    /// A deadline is near (yellow).
    DeadlineWarning,
    /// An announcement to the people of an area.
    Notice,
    /// The recipient's party is called to assist on a case (吹哨报到).
    AssistCalled,
    /// An assisting party reported its part to the lead.
    AssistReported,
    /// A case sent to the hearer's party (to lead or to assist) was handled
    /// on the spot by the grid worker who found it: nothing left to do.
    HandledOnSpot,
    /// A checklist for the hearer's grid: a campaign started over it
    /// (未诉先办: a blizzard warning, the heating season).
    CheckTask,
    /// A case in the problem ledger 挂账 has come to its review date.
    LedgerReviewDue,
}

impl Topic {
    pub const ALL: [Topic; 18] = [
        Topic::Reported,
        Topic::Accepted,
        Topic::Rejected,
        Topic::Dispatched,
        Topic::Acknowledged,
        Topic::Returned,
        Topic::Resolved,
        Topic::Reopened,
        Topic::Closed,
        Topic::Commented,
        Topic::Escalated,
        Topic::DeadlineWarning,
        Topic::Notice,
        Topic::AssistCalled,
        Topic::AssistReported,
        Topic::HandledOnSpot,
        Topic::CheckTask,
        Topic::LedgerReviewDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Reported => "reported",
            Topic::Accepted => "accepted",
            Topic::Rejected => "rejected",
            Topic::Dispatched => "dispatched",
            Topic::Acknowledged => "acknowledged",
            Topic::Returned => "returned",
            Topic::Resolved => "resolved",
            Topic::Reopened => "reopened",
            Topic::Closed => "closed",
            Topic::Commented => "commented",
            Topic::Escalated => "escalated",
            Topic::DeadlineWarning => "deadline_warning",
            Topic::Notice => "notice",
            Topic::AssistCalled => "assist_called",
            Topic::AssistReported => "assist_reported",
            Topic::HandledOnSpot => "handled_on_spot",
            Topic::CheckTask => "check_task",
            Topic::LedgerReviewDue => "ledger_review_due",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Why a person hears of an incident: it decides the words they read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Why {
    /// They reported it, or reported a duplicate and follow it.
    Reporter,
    /// Their party must act on it.
    Handler,
    /// They dispatch the area it lies in.
    Dispatcher,
    /// They patrol its grid.
    GridStaff,
}

/// A group of people, resolved to users by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// These users.
    Users(Vec<String>),
    /// Every handler of the party.
    PartyHandlers(String),
    /// Dispatchers whose area holds the grid.
    DispatchersOf(AreaCode),
    /// Grid workers and chiefs whose area holds the grid.
    GridStaffOf(AreaCode),
}

/// One group to tell, what, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tell {
    pub topic: Topic,
    pub audience: Audience,
    pub why: Why,
}

/// Whom a lifecycle step concerns. `before` is the incident as the step
/// found it, `after` as the step left it. Nobody is told of their own step,
/// nor twice: see [`audience::recipients`].
pub fn after_step(before: &Incident, after: &Incident, event: &TimelineEvent) -> Vec<Tell> {
    let tell = |topic, audience, why| Tell {
        topic,
        audience,
        why,
    };
    let reporters = || {
        let mut users = vec![after.reporter_id.clone()];
        users.extend(after.followers.iter().cloned());
        Audience::Users(users)
    };
    // The assignee when one was named, else everyone at the party.
    let handlers = |incident: &Incident| match (&incident.assignee, &incident.party) {
        (Some(assignee), _) => Some(Audience::Users(vec![assignee.clone()])),
        (None, Some(party)) => Some(Audience::PartyHandlers(party.clone())),
        (None, None) => None,
    };
    let dispatchers = || Audience::DispatchersOf(after.grid.clone());
    let mut out = Vec::new();
    match event.action {
        ActionKind::Accept => out.push(tell(Topic::Accepted, reporters(), Why::Reporter)),
        ActionKind::Reject => out.push(tell(Topic::Rejected, reporters(), Why::Reporter)),
        ActionKind::Dispatch => {
            if let Some(h) = handlers(after) {
                out.push(tell(Topic::Dispatched, h, Why::Handler));
            }
            out.push(tell(Topic::Dispatched, reporters(), Why::Reporter));
        }
        ActionKind::Acknowledge => {
            out.push(tell(Topic::Acknowledged, reporters(), Why::Reporter));
        }
        ActionKind::Return => out.push(tell(Topic::Returned, dispatchers(), Why::Dispatcher)),
        ActionKind::Resolve => {
            out.push(tell(Topic::Resolved, dispatchers(), Why::Dispatcher));
            out.push(tell(Topic::Resolved, reporters(), Why::Reporter));
        }
        ActionKind::ResolveOnSpot => {
            out.push(tell(Topic::Resolved, reporters(), Why::Reporter));
            // The worker's own report, dispatched before they fixed it: the
            // party it went to and those called to help stand down.
            if let Some(h) = handlers(before) {
                out.push(tell(Topic::HandledOnSpot, h, Why::Handler));
            }
            for party in crate::incident::assist::stood_down(before, after) {
                out.push(tell(
                    Topic::HandledOnSpot,
                    Audience::PartyHandlers(party),
                    Why::Handler,
                ));
            }
        }
        ActionKind::Verify => {
            out.push(tell(Topic::Closed, reporters(), Why::Reporter));
            if let Some(h) = handlers(after) {
                out.push(tell(Topic::Closed, h, Why::Handler));
            }
        }
        ActionKind::Reopen => {
            if let Some(h) = handlers(after).or_else(|| handlers(before)) {
                out.push(tell(Topic::Reopened, h, Why::Handler));
            }
        }
        ActionKind::Comment => {
            let by_a_reporter =
                event.actor_id == after.reporter_id || after.followers.contains(&event.actor_id);
            if by_a_reporter {
                // The reporter asks: whoever holds the case answers.
                match handlers(after) {
                    Some(h) if after.status != Status::Closed => {
                        out.push(tell(Topic::Commented, h, Why::Handler));
                    }
                    _ => out.push(tell(Topic::Commented, dispatchers(), Why::Dispatcher)),
                }
            } else {
                out.push(tell(Topic::Commented, reporters(), Why::Reporter));
            }
        }
        // A rating feeds the statistics; nobody is woken for it.
        ActionKind::Rate => {}
    }
    out
}

/// Whom a new case waiting on grid staff tells: the grid's workers and chiefs
/// when a resident's report must first be checked on site, or the staff a
/// routing rule names. They are out on patrol, so they hear it on the phone;
/// a case waiting for triage is not pushed (dispatchers work at the console,
/// whose queue and live stream show it).
pub fn on_waiting_for_grid_staff(audience: Audience) -> Tell {
    Tell {
        topic: Topic::Reported,
        audience,
        why: Why::GridStaff,
    }
}

/// Whom an escalation tells: the dispatchers of the level it reached.
pub fn on_escalation(level: AreaCode) -> Tell {
    Tell {
        topic: Topic::Escalated,
        audience: Audience::DispatchersOf(level),
        why: Why::Dispatcher,
    }
}

/// Whom a ledger entry's review date tells: the dispatchers covering the
/// case, who review it.
pub fn on_ledger_review_due(incident: &Incident) -> Tell {
    Tell {
        topic: Topic::LedgerReviewDue,
        audience: Audience::DispatchersOf(incident.grid.clone()),
        why: Why::Dispatcher,
    }
}

/// Whom a deadline warning tells: whoever holds the step.
pub fn on_deadline_warning(incident: &Incident) -> Tell {
    let audience = match (&incident.assignee, &incident.party) {
        (Some(assignee), _) => Audience::Users(vec![assignee.clone()]),
        (None, Some(party)) => Audience::PartyHandlers(party.clone()),
        (None, None) => Audience::DispatchersOf(incident.grid.clone()),
    };
    Tell {
        topic: Topic::DeadlineWarning,
        audience,
        why: Why::Handler,
    }
}

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeAudience {
    Residents,
    Workers,
}

impl NoticeAudience {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeAudience::Residents => "residents",
            NoticeAudience::Workers => "workers",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeAudience> {
        [NoticeAudience::Residents, NoticeAudience::Workers]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// Dispatchers and grid chiefs announce to the area they serve or a part of
/// it; administrators anywhere.
pub fn may_post_notice(actor: &Actor, area: &AreaCode) -> bool {
    actor.is_admin()
        || actor.grants.iter().any(|g| {
            matches!(g.role, Role::Dispatcher | Role::GridChief)
                && g.area.as_ref().is_some_and(|served| served.covers(area))
        })
}

#[cfg(test)]
mod tests;
