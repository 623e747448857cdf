//! Suspension 挂起, extension 延期 and the problem ledger 挂账: the handler
//! in charge of a case asks for more time, a dispatcher covering the case
//! decides.
//!
//! | | who | when |
//! |---|---|---|
//! | ask | the handler in charge (the assignee, else any handler of the party: whoever may resolve it) | while the party holds the case (dispatched, in progress); one open request of a kind at a time; a suspension and the ledger exclude each other; nothing more while in the ledger |
//! | approve, refuse | a dispatcher covering the case (whoever may dispatch it) | while the request is pending; approve only while the party still holds the case |
//! | end a suspension, take a case out of the ledger | the handler in charge or a dispatcher covering the case | while it is approved |
//!
//! An approved suspension pauses every running clock of the case; its end
//! moves each due by the working time it was held (see
//! [`resumed`](super::clock::resumed)). An approved extension moves the
//! resolve clock's due by its amount counted from the current due (see
//! [`extended`](super::clock::extended)). Each clock counts both. The
//! ledger is a long suspension with a written reason and a review date: see
//! [`ledger`](super::ledger).

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};

use super::clock::Clock;
use super::ledger::cannot_meet_its_time;
use crate::access::{Access, Actor};
use crate::category::TimeLimit;
use crate::incident::{ActionKind, Incident, Status, can_see, permits};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    Suspend,
    Extend,
    /// Into the problem ledger 挂账: out of the overdue count until back
    /// into work.
    Ledger,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::Suspend => "suspend",
            RequestKind::Extend => "extend",
            RequestKind::Ledger => "ledger",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            RequestKind::Suspend,
            RequestKind::Extend,
            RequestKind::Ledger,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestState {
    Pending,
    Approved,
    Refused,
    /// A suspension that is over, or a case back into work from the ledger:
    /// the clocks run again.
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
    /// A ledger request's next review 复核, in the city's calendar.
    pub review_on: Option<NaiveDate>,
}

impl ClockRequest {
    /// Still in play: pending, or an approved suspension or ledger entry not
    /// yet ended.
    pub fn is_open(&self) -> bool {
        match self.state {
            RequestState::Pending => true,
            RequestState::Approved => self.kind != RequestKind::Extend,
            RequestState::Refused | RequestState::Ended => false,
        }
    }

    /// In the ledger now.
    pub fn in_ledger(&self) -> bool {
        self.kind == RequestKind::Ledger && self.state == RequestState::Approved
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
    /// What the actor sent cannot be right whatever the case (a blank
    /// reason, a review date not after today).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: &'static str,
    },
}

pub(super) fn holds(incident: &Incident) -> bool {
    matches!(incident.status, Status::Dispatched | Status::InProgress)
}

/// The handler in charge: whoever may resolve the case.
fn in_charge(incident: &Incident, actor: &Actor) -> bool {
    permits(incident, actor, ActionKind::Resolve) == Access::Granted
}

/// A dispatcher covering the case: whoever may dispatch it.
pub(super) fn covering_dispatcher(incident: &Incident, actor: &Actor) -> bool {
    permits(incident, actor, ActionKind::Dispatch) == Access::Granted
}

pub(super) fn visible(incident: &Incident, actor: &Actor) -> Result<(), RequestError> {
    match can_see(incident, actor) {
        Access::Granted => Ok(()),
        Access::Forbidden | Access::Hidden => Err(RequestError::Hidden),
    }
}

/// Whether `actor` may ask for more time of this kind now; `open` are the
/// incident's requests still in play. Whether the case is one for the
/// ledger at all is [`ask`]'s to check, with its clocks.
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
    let in_play = |k: RequestKind| open.iter().any(|r| r.kind == k && r.is_open());
    if in_play(kind) {
        return Err(RequestError::Conflict(match kind {
            RequestKind::Suspend => "the case already has a suspension asked for or running",
            RequestKind::Extend => "the case already has an extension waiting for a decision",
            RequestKind::Ledger => "the case is already in the ledger or waiting to enter it",
        }));
    }
    // Stopped clocks stop once: a suspension and the ledger never overlap,
    // and a case in the ledger asks for nothing until it is back into work.
    if open.iter().any(ClockRequest::in_ledger) {
        return Err(RequestError::Conflict(
            "the case is in the ledger: take it back into work first",
        ));
    }
    match kind {
        RequestKind::Ledger if in_play(RequestKind::Suspend) => Err(RequestError::Conflict(
            "not while the case is suspended or a suspension is asked for",
        )),
        RequestKind::Suspend if in_play(RequestKind::Ledger) => Err(RequestError::Conflict(
            "the case is waiting to enter the ledger",
        )),
        _ => Ok(()),
    }
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

/// Whether `actor` may end the suspension `request`, or take the case out
/// of the ledger, now.
pub fn may_end(
    incident: &Incident,
    actor: &Actor,
    request: &ClockRequest,
) -> Result<(), RequestError> {
    visible(incident, actor)?;
    if !(in_charge(incident, actor) || covering_dispatcher(incident, actor)) {
        return Err(RequestError::Forbidden(
            "the handler in charge or a dispatcher covering the case ends a suspension or the ledger",
        ));
    }
    if request.kind == RequestKind::Extend || request.state != RequestState::Approved {
        return Err(RequestError::Conflict(
            "only a running suspension, or a case in the ledger, ends",
        ));
    }
    Ok(())
}

/// What a request's step does to the case's clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEffect {
    /// Nothing: asked, or refused.
    Nothing,
    /// An approved suspension or ledger entry: every running clock pauses.
    PauseAll,
    /// An approved extension: the resolve clock's due moves by this much.
    ExtendResolve(TimeLimit),
    /// A suspension's end, or back into work from the ledger: every paused
    /// clock runs again.
    ResumeAll,
}

/// A step of a request as the store keeps it: the request after it, the
/// state it must still be in when written (`None`: a new request), what it
/// does to the clocks, and its timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStep {
    pub request: ClockRequest,
    pub expected: Option<RequestState>,
    pub effect: ClockEffect,
    /// The timeline action: `suspend_requested`, `extension_requested`,
    /// `ledger_requested`, `suspended`, `extended`, `ledger_entered`,
    /// `refused`, `resumed`, `ledger_left`.
    pub action: &'static str,
    pub note: Option<String>,
    /// Who took the step, and when.
    pub actor_id: String,
    pub at: NaiveDateTime,
}

/// What a new request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    pub id: String,
    pub kind: RequestKind,
    pub reason: String,
    /// How much more time, for an extension.
    pub extend_by: Option<TimeLimit>,
    /// When to look at it again, for the ledger.
    pub review_on: Option<NaiveDate>,
}

/// What the store knows of a case when more time is asked for.
#[derive(Debug, Clone, Copy)]
pub struct CaseTime<'a> {
    /// Its requests (those no longer in play are ignored).
    pub requests: &'a [ClockRequest],
    /// Its clocks, for whether it can still be solved in its time.
    pub clocks: &'a [Clock],
    /// Today in the city's working calendar.
    pub today: NaiveDate,
}

/// The handler in charge asks for a suspension, an extension or the
/// ledger. Pending until decided. The ledger is for a case that cannot be
/// solved in its time even after an extension
/// ([`cannot_meet_its_time`]), asked with a written reason and a review
/// date after `case.today`.
pub fn ask(
    incident: &Incident,
    actor: &Actor,
    ask: Ask,
    case: CaseTime<'_>,
    at: NaiveDateTime,
) -> Result<RequestStep, RequestError> {
    may_ask(incident, actor, ask.kind, case.requests)?;
    let invalid = |field, message| Err(RequestError::Invalid { field, message });
    match (ask.kind, ask.review_on) {
        (RequestKind::Ledger, None) => {
            return invalid("review_on", "the ledger needs a review date");
        }
        (RequestKind::Ledger, Some(day)) if day <= case.today => {
            return invalid("review_on", "the review date must be after today");
        }
        (RequestKind::Ledger, Some(_)) if ask.reason.trim().is_empty() => {
            return invalid("reason", "say in writing why the case cannot be solved");
        }
        (RequestKind::Ledger, Some(_)) => {}
        (_, Some(_)) => {
            return invalid("review_on", "only a ledger request has a review date");
        }
        (_, None) => {}
    }
    if ask.kind == RequestKind::Extend && ask.extend_by.is_none() {
        return Err(RequestError::Conflict(
            "an extension names how much more time",
        ));
    }
    if ask.kind == RequestKind::Ledger && !cannot_meet_its_time(case.clocks, at) {
        return Err(RequestError::Conflict(
            "the ledger is for a case that cannot be solved in its time even after an extension: ask for an extension first",
        ));
    }
    let action = match ask.kind {
        RequestKind::Suspend => "suspend_requested",
        RequestKind::Extend => "extension_requested",
        RequestKind::Ledger => "ledger_requested",
    };
    Ok(RequestStep {
        note: Some(ask.reason.clone()),
        request: ClockRequest {
            id: ask.id,
            incident_id: incident.id.clone(),
            kind: ask.kind,
            reason: ask.reason,
            extend_by: ask.extend_by.filter(|_| ask.kind == RequestKind::Extend),
            requested_by: actor.user_id.clone(),
            requested_at: at,
            state: RequestState::Pending,
            decided_by: None,
            decided_at: None,
            ended_at: None,
            review_on: ask.review_on,
        },
        expected: None,
        effect: ClockEffect::Nothing,
        action,
        actor_id: actor.user_id.clone(),
        at,
    })
}

/// A dispatcher covering the case approves or refuses a pending request.
pub fn decide(
    incident: &Incident,
    actor: &Actor,
    request: &ClockRequest,
    approve: bool,
    at: NaiveDateTime,
) -> Result<RequestStep, RequestError> {
    may_decide(incident, actor, request, approve)?;
    let (effect, action) = match (approve, request.kind, request.extend_by) {
        (false, _, _) => (ClockEffect::Nothing, "refused"),
        (true, RequestKind::Suspend, _) => (ClockEffect::PauseAll, "suspended"),
        (true, RequestKind::Ledger, _) => (ClockEffect::PauseAll, "ledger_entered"),
        (true, RequestKind::Extend, Some(by)) => (ClockEffect::ExtendResolve(by), "extended"),
        (true, RequestKind::Extend, None) => {
            return Err(RequestError::Conflict(
                "the extension names no amount: refuse the request",
            ));
        }
    };
    let state = if approve {
        RequestState::Approved
    } else {
        RequestState::Refused
    };
    Ok(RequestStep {
        note: Some(request.reason.clone()),
        request: ClockRequest {
            state,
            decided_by: Some(actor.user_id.clone()),
            decided_at: Some(at),
            ..request.clone()
        },
        expected: Some(RequestState::Pending),
        effect,
        action,
        actor_id: actor.user_id.clone(),
        at,
    })
}

/// The handler in charge or a covering dispatcher ends a running
/// suspension, or takes the case out of the ledger back into work, with an
/// optional word of why (a new property company took over).
pub fn end(
    incident: &Incident,
    actor: &Actor,
    request: &ClockRequest,
    note: Option<String>,
    at: NaiveDateTime,
) -> Result<RequestStep, RequestError> {
    may_end(incident, actor, request)?;
    let action = if request.kind == RequestKind::Ledger {
        "ledger_left"
    } else {
        "resumed"
    };
    Ok(RequestStep {
        request: ClockRequest {
            state: RequestState::Ended,
            ended_at: Some(at),
            ..request.clone()
        },
        expected: Some(RequestState::Approved),
        effect: ClockEffect::ResumeAll,
        action,
        note: note.filter(|n| !n.trim().is_empty()),
        actor_id: actor.user_id.clone(),
        at,
    })
}

/// Said when an approved extension finds no resolve clock to move.
pub const NOTHING_TO_EXTEND: RequestError =
    RequestError::Conflict("no resolve clock runs to extend: refuse the request");

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
            review_on: None,
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
    #[test]
    fn a_request_walks_from_asked_to_decided_to_ended() {
        let case = incident(Status::InProgress);
        let handler = actor("h", Role::Handler, None, Some(PARTY));
        let dispatcher = actor("d", Role::Dispatcher, Some("410102003"), None);
        let at = NaiveDateTime::default();
        let asked = ask(
            &case,
            &handler,
            Ask {
                id: "r1".into(),
                kind: RequestKind::Suspend,
                reason: "waiting for the court".into(),
                extend_by: None,
                review_on: None,
            },
            CaseTime {
                requests: &[],
                clocks: &[],
                today: at.date(),
            },
            at,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(asked.request.state, RequestState::Pending);
        assert_eq!(asked.request.requested_by, "h");
        assert_eq!(
            (asked.action, asked.effect),
            ("suspend_requested", ClockEffect::Nothing)
        );
        assert_eq!(asked.expected, None);

        let approved =
            decide(&case, &dispatcher, &asked.request, true, at).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(approved.request.state, RequestState::Approved);
        assert_eq!(approved.request.decided_by.as_deref(), Some("d"));
        assert_eq!(
            (approved.action, approved.effect),
            ("suspended", ClockEffect::PauseAll)
        );
        assert_eq!(approved.expected, Some(RequestState::Pending));

        let ended =
            end(&case, &handler, &approved.request, None, at).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ended.request.state, RequestState::Ended);
        assert_eq!(
            (ended.action, ended.effect),
            ("resumed", ClockEffect::ResumeAll)
        );
        assert_eq!(ended.expected, Some(RequestState::Approved));
        assert!(end(&case, &handler, &ended.request, None, at).is_err());
    }

    #[test]
    fn an_approved_extension_moves_the_resolve_clock_and_a_refusal_moves_nothing() {
        let case = incident(Status::Dispatched);
        let dispatcher = actor("d", Role::Dispatcher, Some("410102003"), None);
        let pending = request(RequestKind::Extend, RequestState::Pending);
        let at = NaiveDateTime::default();
        let approved =
            decide(&case, &dispatcher, &pending, true, at).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            approved.effect,
            ClockEffect::ExtendResolve(TimeLimit::working_days(2))
        );
        assert_eq!(approved.action, "extended");
        let refused =
            decide(&case, &dispatcher, &pending, false, at).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (refused.action, refused.effect),
            ("refused", ClockEffect::Nothing)
        );
        assert_eq!(refused.request.state, RequestState::Refused);
        let no_amount = ClockRequest {
            extend_by: None,
            ..pending
        };
        assert!(matches!(
            decide(&case, &dispatcher, &no_amount, true, at),
            Err(RequestError::Conflict(_))
        ));
    }
}
