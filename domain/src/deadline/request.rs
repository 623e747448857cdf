//! Suspension 挂起 and extension 延期: the handler in charge of a case asks
//! for more time, a dispatcher covering the case decides.
//!
//! | | who | when |
//! |---|---|---|
//! | ask | the handler in charge (the assignee, else any handler of the party: whoever may resolve it) | while the party holds the case (dispatched, in progress); one open suspension and one pending extension at a time |
//! | approve, refuse | a dispatcher covering the case (whoever may dispatch it) | while the request is pending; approve only while the party still holds the case |
//! | end a suspension | the handler in charge or a dispatcher covering the case | while it is approved |
//!
//! An approved suspension pauses every running clock of the case; its end
//! moves each due by the working time it was held (see
//! [`resumed`](super::clock::resumed)). An approved extension moves the
//! resolve clock's due by its amount counted from the current due (see
//! [`extended`](super::clock::extended)). Each clock counts both.

use std::fmt;

use chrono::NaiveDateTime;

use crate::access::{Access, Actor};
use crate::category::TimeLimit;
use crate::incident::{ActionKind, Incident, Status, can_see, permits};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    Suspend,
    Extend,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Suspend => "suspend",
            RequestKind::Extend => "extend",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [RequestKind::Suspend, RequestKind::Extend]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestState {
    Pending,
    Approved,
    Refused,
    /// A suspension that is over: the clocks run again.
    Ended,
}

impl RequestState {
    pub const ALL: [RequestState; 4] = [
        RequestState::Pending,
        RequestState::Approved,
        RequestState::Refused,
        RequestState::Ended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Approved => "approved",
            RequestState::Refused => "refused",
            RequestState::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        RequestState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockRequest {
    pub id: String,
    pub incident_id: String,
    pub kind: RequestKind,
    pub reason: String,
    /// How much more time an extension asks for.
    pub extend_by: Option<TimeLimit>,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub state: RequestState,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
}

impl ClockRequest {
    /// Still in play: pending, or an approved suspension not yet ended.
    pub fn is_open(&self) -> bool {
        match self.state {
            RequestState::Pending => true,
            RequestState::Approved => self.kind == RequestKind::Suspend,
            RequestState::Refused | RequestState::Ended => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The actor may not know the incident exists.
    #[error("no such incident")]
    Hidden,
    #[error("{0}")]
    Forbidden(&'static str),
    /// Allowed to the actor, not now.
    #[error("{0}")]
    Conflict(&'static str),
}

fn holds(incident: &Incident) -> bool {
    matches!(incident.status, Status::Dispatched | Status::InProgress)
}

/// The handler in charge: whoever may resolve the case.
fn in_charge(incident: &Incident, actor: &Actor) -> bool {
    permits(incident, actor, ActionKind::Resolve) == Access::Granted
}

/// A dispatcher covering the case: whoever may dispatch it.
fn covering_dispatcher(incident: &Incident, actor: &Actor) -> bool {
    permits(incident, actor, ActionKind::Dispatch) == Access::Granted
}

fn visible(incident: &Incident, actor: &Actor) -> Result<(), RequestError> {
    match can_see(incident, actor) {
        Access::Granted => Ok(()),
        Access::Forbidden | Access::Hidden => Err(RequestError::Hidden),
    }
}

/// Whether `actor` may ask for a suspension or an extension now; `open` are
/// the incident's requests still in play.
pub fn may_ask(
    incident: &Incident,
    actor: &Actor,
    kind: RequestKind,
    open: &[ClockRequest],
) -> Result<(), RequestError> {
    visible(incident, actor)?;
    if !in_charge(incident, actor) {
        return Err(RequestError::Forbidden(
            "only the handler in charge of the case asks for more time",
        ));
    }
    if !holds(incident) {
        return Err(RequestError::Conflict(
            "more time is asked only while the party holds the case",
        ));
    }
    if open.iter().any(|r| r.kind == kind && r.is_open()) {
        return Err(RequestError::Conflict(match kind {
            RequestKind::Suspend => "the case already has a suspension asked for or running",
            RequestKind::Extend => "the case already has an extension waiting for a decision",
        }));
    }
    Ok(())
}

/// Whether `actor` may approve (or refuse) `request` now.
pub fn may_decide(
    incident: &Incident,
    actor: &Actor,
    request: &ClockRequest,
    approve: bool,
) -> Result<(), RequestError> {
    visible(incident, actor)?;
    if !covering_dispatcher(incident, actor) {
        return Err(RequestError::Forbidden(
            "a dispatcher covering the case decides on more time",
        ));
    }
    if request.state != RequestState::Pending {
        return Err(RequestError::Conflict("the request is already decided"));
    }
    if approve && !holds(incident) {
        return Err(RequestError::Conflict(
            "the party no longer holds the case: refuse the request",
        ));
    }
    Ok(())
}

/// Whether `actor` may end the suspension `request` now.
pub fn may_end(
    incident: &Incident,
    actor: &Actor,
    request: &ClockRequest,
) -> Result<(), RequestError> {
    visible(incident, actor)?;
    if !(in_charge(incident, actor) || covering_dispatcher(incident, actor)) {
        return Err(RequestError::Forbidden(
            "the handler in charge or a dispatcher covering the case ends a suspension",
        ));
    }
    if request.kind != RequestKind::Suspend || request.state != RequestState::Approved {
        return Err(RequestError::Conflict("only a running suspension ends"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::fixtures::{ASSIGNEE, PARTY, actor, incident};
    use crate::role::Role;

    fn request(kind: RequestKind, state: RequestState) -> ClockRequest {
        ClockRequest {
            id: "r".into(),
            incident_id: "inc-1".into(),
            kind,
            reason: "waiting for a spare part".into(),
            extend_by: (kind == RequestKind::Extend).then_some(TimeLimit::working_days(2)),
            requested_by: "h".into(),
            requested_at: NaiveDateTime::default(),
            state,
            decided_by: None,
            decided_at: None,
            ended_at: None,
        }
    }

    #[test]
    fn the_handler_in_charge_asks_and_a_covering_dispatcher_decides() {
        let case = incident(Status::InProgress);
        let handler = actor("h", Role::Handler, None, Some(PARTY));
        let other_party = actor("o", Role::Handler, None, Some("gy-heating"));
        let dispatcher = actor("d", Role::Dispatcher, Some("410102003"), None);
        let far_dispatcher = actor("f", Role::Dispatcher, Some("410181"), None);
        let chief = actor("c", Role::GridChief, Some("410102003001002"), None);
        let kind = RequestKind::Suspend;
        assert_eq!(may_ask(&case, &handler, kind, &[]), Ok(()));
        assert!(matches!(
            may_ask(&case, &dispatcher, kind, &[]),
            Err(RequestError::Forbidden(_))
        ));
        assert!(matches!(
            may_ask(&case, &chief, kind, &[]),
            Err(RequestError::Forbidden(_))
        ));
        assert_eq!(
            may_ask(&case, &other_party, kind, &[]),
            Err(RequestError::Hidden)
        );

        let pending = request(kind, RequestState::Pending);
        assert_eq!(may_decide(&case, &dispatcher, &pending, true), Ok(()));
        assert!(matches!(
            may_decide(&case, &handler, &pending, true),
            Err(RequestError::Forbidden(_))
        ));
        assert_eq!(
            may_decide(&case, &far_dispatcher, &pending, false),
            Err(RequestError::Hidden)
        );

        let running = request(kind, RequestState::Approved);
        assert_eq!(may_end(&case, &handler, &running), Ok(()));
        assert_eq!(may_end(&case, &dispatcher, &running), Ok(()));
        assert!(matches!(
            may_end(&case, &chief, &running),
            Err(RequestError::Forbidden(_))
        ));
    }

    #[test]
    fn a_named_assignee_is_the_only_handler_in_charge() {
        let case = Incident {
            assignee: Some(ASSIGNEE.into()),
            ..incident(Status::Dispatched)
        };
        let assignee = actor(ASSIGNEE, Role::Handler, None, Some(PARTY));
        let colleague = actor("colleague", Role::Handler, None, Some(PARTY));
        assert_eq!(may_ask(&case, &assignee, RequestKind::Extend, &[]), Ok(()));
        assert!(matches!(
            may_ask(&case, &colleague, RequestKind::Extend, &[]),
            Err(RequestError::Forbidden(_))
        ));
    }

    #[test]
    fn one_request_of_a_kind_at_a_time_and_only_while_the_party_holds_it() {
        let case = incident(Status::InProgress);
        let handler = actor("h", Role::Handler, None, Some(PARTY));
        let dispatcher = actor("d", Role::Dispatcher, Some("410102003"), None);
        let suspended = [request(RequestKind::Suspend, RequestState::Approved)];
        assert!(matches!(
            may_ask(&case, &handler, RequestKind::Suspend, &suspended),
            Err(RequestError::Conflict(_))
        ));
        assert_eq!(
            may_ask(&case, &handler, RequestKind::Extend, &suspended),
            Ok(())
        );
        let over = [request(RequestKind::Suspend, RequestState::Ended)];
        assert_eq!(
            may_ask(&case, &handler, RequestKind::Suspend, &over),
            Ok(())
        );

        let resolved = incident(Status::Resolved);
        assert!(matches!(
            may_ask(&resolved, &handler, RequestKind::Suspend, &[]),
            Err(RequestError::Conflict(_))
        ));
        let pending = request(RequestKind::Extend, RequestState::Pending);
        assert!(matches!(
            may_decide(&resolved, &dispatcher, &pending, true),
            Err(RequestError::Conflict(_))
        ));
        assert_eq!(may_decide(&resolved, &dispatcher, &pending, false), Ok(()));
        let refused = request(RequestKind::Extend, RequestState::Refused);
        assert!(matches!(
            may_decide(&case, &dispatcher, &refused, false),
            Err(RequestError::Conflict(_))
        ));
        assert!(matches!(
            may_end(
                &case,
                &handler,
                &request(RequestKind::Extend, RequestState::Approved)
            ),
            Err(RequestError::Conflict(_))
        ));
    }
}
