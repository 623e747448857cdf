//! The lifecycle diagram: the states an incident passes through and the
//! actions that move it from one to the next.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Collected: reported by a resident, a grid worker, the hotline…, not yet triaged.
    Reported,
    /// Registered 立案: a real case, waiting to be dispatched (again, after a return).
    Accepted,
    /// Sent to a responsible party, not yet acknowledged 签收.
    Dispatched,
    /// Acknowledged and being handled.
    InProgress,
    /// Handled and reported back, waiting to be verified 核查.
    Resolved,
    /// Verified and closed 结案; the reporter may still rate it.
    Closed,
    /// Not a case: a duplicate, out of scope, or not true.
    Rejected,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Reported,
        Status::Accepted,
        Status::Dispatched,
        Status::InProgress,
        Status::Resolved,
        Status::Closed,
        Status::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Accepted => "accepted",
            Status::Dispatched => "dispatched",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The final states: closed and rejected incidents take only comments
    /// (and a closed one its rating), and are no longer open.
    pub const FINAL: [Status; 2] = [Status::Closed, Status::Rejected];

    /// Settled one way or the other: resolved (waiting only to be verified),
    /// closed or rejected. A settled incident is no longer overdue.
    pub const SETTLED: [Status; 3] = [Status::Resolved, Status::Closed, Status::Rejected];

    /// One of [`Status::FINAL`].
    pub fn is_final(self) -> bool {
        Status::FINAL.contains(&self)
    }

    /// One of [`Status::SETTLED`].
    pub fn is_settled(self) -> bool {
        Status::SETTLED.contains(&self)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The steps of the loop, as named in the API (`POST …/incidents/{id}/{action}`)
/// and on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Accept,
    Reject,
    Dispatch,
    /// 签收
    Acknowledge,
    /// 回退: the party says the case is not theirs.
    Return,
    Resolve,
    /// 小事不出网格: a grid worker fixes a small thing where they find it.
    ResolveOnSpot,
    /// 核查 and close.
    Verify,
    /// 返工: the result does not meet the closing standard.
    Reopen,
    Rate,
    Comment,
}

impl ActionKind {
    pub const ALL: [ActionKind; 11] = [
        ActionKind::Accept,
        ActionKind::Reject,
        ActionKind::Dispatch,
        ActionKind::Acknowledge,
        ActionKind::Return,
        ActionKind::Resolve,
        ActionKind::ResolveOnSpot,
        ActionKind::Verify,
        ActionKind::Reopen,
        ActionKind::Rate,
        ActionKind::Comment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Accept => "accept",
            ActionKind::Reject => "reject",
            ActionKind::Dispatch => "dispatch",
            ActionKind::Acknowledge => "acknowledge",
            ActionKind::Return => "return",
            ActionKind::Resolve => "resolve",
            ActionKind::ResolveOnSpot => "resolve_on_spot",
            ActionKind::Verify => "verify",
            ActionKind::Reopen => "reopen",
            ActionKind::Rate => "rate",
            ActionKind::Comment => "comment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ActionKind::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The arrows of the diagram in DESIGN.md: where `action` takes an incident
/// that is in `from`, or `None` when there is no such arrow.
///
/// One exception depends on more than the state and lives in
/// [`next_status`](super::next_status): an incident resolved on the spot has no
/// party to hand a reopened case back to, so it goes back to `accepted` to be
/// dispatched.
///
/// Resolving on the spot from `accepted` and `dispatched` is an arrow for
/// one actor only: the grid worker (or chief) whose own report it is, while
/// no party has acknowledged it. Routing may have dispatched their finding
/// in the request that stored it; they stand in front of it and fix it.
/// Who that is, [`policy`](super::policy) decides.
pub fn transition(from: Status, action: ActionKind) -> Option<Status> {
    use ActionKind as A;
    use Status as S;
    match (from, action) {
        (S::Reported, A::Accept) => Some(S::Accepted),
        (S::Reported, A::Reject) => Some(S::Rejected),
        (S::Reported | S::Accepted | S::Dispatched, A::ResolveOnSpot) => Some(S::Resolved),
        (S::Accepted, A::Dispatch) => Some(S::Dispatched),
        (S::Dispatched, A::Acknowledge) => Some(S::InProgress),
        (S::Dispatched | S::InProgress, A::Return) => Some(S::Accepted),
        (S::InProgress, A::Resolve) => Some(S::Resolved),
        (S::Resolved, A::Verify) => Some(S::Closed),
        (S::Resolved, A::Reopen) => Some(S::InProgress),
        (S::Closed, A::Rate) => Some(S::Closed),
        (status, A::Comment) => Some(status),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The diagram, read from the test: one row per state, one column per
    /// action, each cell the state the action leads to (`-`: not allowed).
    /// `resolve_on_spot` from accepted and dispatched: only the reporter's
    /// own untouched report (the policy's table says who).
    const DIAGRAM: &str = "
                 accept    reject    dispatch    acknowledge  return    resolve   resolve_on_spot  verify  reopen       rate    comment
    reported     accepted  rejected  -           -            -         -         resolved         -       -            -       reported
    accepted     -         -         dispatched  -            -         -         resolved         -       -            -       accepted
    dispatched   -         -         -           in_progress  accepted  -         resolved         -       -            -       dispatched
    in_progress  -         -         -           -            accepted  resolved  -                -       -            -       in_progress
    resolved     -         -         -           -            -         -         -                closed  in_progress  -       resolved
    closed       -         -         -           -            -         -         -                -       -            closed  closed
    rejected     -         -         -           -            -         -         -                -       -            -       rejected
    ";

    #[test]
    fn every_state_and_action_follows_the_diagram() {
        let mut lines = DIAGRAM.lines().map(str::trim).filter(|l| !l.is_empty());
        let actions: Vec<ActionKind> = lines
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .map(|a| ActionKind::parse(a).unwrap_or_else(|| panic!("action {a}")))
            .collect();
        assert_eq!(actions, ActionKind::ALL, "one column per action");
        let mut states = Vec::new();
        for line in lines {
            let mut cells = line.split_whitespace();
            let from = cells.next().and_then(Status::parse);
            let from = from.unwrap_or_else(|| panic!("row {line}"));
            states.push(from);
            let cells: Vec<&str> = cells.collect();
            assert_eq!(cells.len(), actions.len(), "row {from}");
            for (&action, cell) in actions.iter().zip(cells) {
                let expected = match cell {
                    "-" => None,
                    to => Some(Status::parse(to).unwrap_or_else(|| panic!("state {to}"))),
                };
                assert_eq!(transition(from, action), expected, "{action} from {from}");
            }
        }
        assert_eq!(states, Status::ALL, "one row per state");
    }

    #[test]
    fn final_states_take_only_comments_and_the_rating() {
        for from in Status::ALL.into_iter().filter(|s| s.is_final()) {
            for action in ActionKind::ALL {
                let stays = matches!(action, ActionKind::Comment | ActionKind::Rate);
                assert!(
                    transition(from, action).is_none_or(|to| stays && to == from),
                    "{action} from {from}"
                );
            }
        }
    }

    /// Final states are settled; an unsettled state is one from which a step
    /// still leads towards resolving the incident.
    #[test]
    fn final_and_settled_states() {
        let expected = [
            // (status, final, settled)
            (Status::Reported, false, false),
            (Status::Accepted, false, false),
            (Status::Dispatched, false, false),
            (Status::InProgress, false, false),
            (Status::Resolved, false, true),
            (Status::Closed, true, true),
            (Status::Rejected, true, true),
        ];
        assert_eq!(expected.map(|(s, _, _)| s), Status::ALL);
        for (status, is_final, settled) in expected {
            assert_eq!(status.is_final(), is_final, "{status} final");
            assert_eq!(status.is_settled(), settled, "{status} settled");
            let on_the_way = [
                ActionKind::Accept,
                ActionKind::Dispatch,
                ActionKind::Acknowledge,
                ActionKind::Resolve,
                ActionKind::ResolveOnSpot,
            ]
            .into_iter()
            .any(|a| transition(status, a).is_some());
            assert_eq!(!settled, on_the_way, "{status}");
        }
    }

    #[test]
    fn names_round_trip() {
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
        for action in ActionKind::ALL {
            assert_eq!(ActionKind::parse(action.as_str()), Some(action));
        }
        assert_eq!(Status::InProgress.as_str(), "in_progress");
        assert_eq!(ActionKind::ResolveOnSpot.as_str(), "resolve_on_spot");
        assert_eq!(Status::parse("open"), None);
        assert_eq!(ActionKind::parse("close"), None);
    }
}
