//! The problem ledger 挂账: a case that cannot be solved in its time even
//! after an extension (a compound three months without any property
//! company: no deadline closes that) is kept on the books apart from the
//! overdue ones, with a written reason and a review date, until its cause
//! is removed.
//!
//! It is the third kind of request for more time
//! ([`RequestKind::Ledger`](super::request::RequestKind::Ledger)):
//!
//! | step | who | when | what |
//! |---|---|---|---|
//! | ask (`ledger_requested`) | the handler in charge | while the party holds the case, its resolve clock extended at least once or overdue ([`cannot_meet_its_time`]); not while suspended; with a reason and a review date after today | nothing yet |
//! | approve (`ledger_entered`) / refuse | a dispatcher covering the case | while pending | every running clock pauses: out of the overdue counts, ignored by the escalation sweep |
//! | review (`ledger_reviewed`, [`review`]) | a dispatcher covering the case | while in the ledger | a note, and the next review date after today |
//! | back into work (`ledger_left`) | the handler in charge or a dispatcher covering the case | while in the ledger | every paused clock runs again |
//!
//! Back into work gives the case the time it had left, as the end of a
//! suspension does (each due moves by the working time it was held): a
//! case that entered the ledger overdue comes back overdue, one with days
//! left gets those days. One rule for both kinds of stopped clock, and the
//! months in the ledger are never counted against the party.
//!
//! "In the ledger" is exactly an approved ledger request
//! ([`ClockRequest::in_ledger`]); a case that leaves its party's hands
//! (resolved, returned) leaves the ledger with it ([`leaves_the_ledger`]),
//! so the books never keep a solved case as stuck. The dispatchers covering
//! the case are reminded once per review date when it comes
//! ([`review_due`]).

use chrono::{NaiveDate, NaiveDateTime};

use super::clock::{Clock, ClockStep, Light};
use super::request::{ClockRequest, RequestError, covering_dispatcher, holds, visible};
use crate::access::{Actor, Capability, Place, decide};
use crate::area::AreaCode;
use crate::incident::Incident;
use crate::role::Role;

/// The timeline action of a review.
pub const REVIEWED: &str = "ledger_reviewed";

/// Whether the case cannot be solved in its time even after an extension:
/// its latest open resolve clock was extended at least once, or is overdue
/// at `at` (running past its due, or found overdue by the sweep).
pub fn cannot_meet_its_time(clocks: &[Clock], at: NaiveDateTime) -> bool {
    clocks
        .iter()
        .filter(|c| c.step == ClockStep::Resolve && c.state.is_open())
        .max_by_key(|c| c.started_at)
        .is_some_and(|c| c.extensions > 0 || c.overdue_at.is_some() || c.light(at) == Light::Red)
}

/// A review 复核 of a case in the ledger, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerReview {
    /// The request with its next review date.
    pub request: ClockRequest,
    /// What the dispatcher found.
    pub note: String,
    pub actor_id: String,
    pub at: NaiveDateTime,
}

/// A dispatcher covering the case reviews it in the ledger: a note, and
/// when to look again (after `today`, the city's calendar day).
pub fn review(
    incident: &Incident,
    actor: &Actor,
    request: &ClockRequest,
    note: String,
    next_review_on: NaiveDate,
    today: NaiveDate,
    at: NaiveDateTime,
) -> Result<LedgerReview, RequestError> {
    visible(incident, actor)?;
    if !covering_dispatcher(incident, actor) {
        return Err(RequestError::Forbidden(
            "a dispatcher covering the case reviews it in the ledger",
        ));
    }
    if note.trim().is_empty() {
        return Err(RequestError::Invalid {
            field: "note",
            message: "say what the review found",
        });
    }
    if next_review_on <= today {
        return Err(RequestError::Invalid {
            field: "next_review_on",
            message: "the next review date must be after today",
        });
    }
    if !request.in_ledger() {
        return Err(RequestError::Conflict(
            "only a case in the ledger is reviewed",
        ));
    }
    Ok(LedgerReview {
        request: ClockRequest {
            review_on: Some(next_review_on),
            ..request.clone()
        },
        note,
        actor_id: actor.user_id.clone(),
        at,
    })
}

/// Whether the dispatchers are to be reminded of a ledger entry today: its
/// review date has come and was not reminded of yet (`reminded_on`: the
/// review date last reminded of). A review with a new date re-arms it.
pub fn review_due(
    review_on: Option<NaiveDate>,
    reminded_on: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    review_on.is_some_and(|day| day <= today && reminded_on.is_none_or(|r| r < day))
}

/// Whether a lifecycle step from `before` to `after` takes the case out of
/// its party's hands, and so out of the ledger.
pub fn leaves_the_ledger(before: &Incident, after: &Incident) -> bool {
    holds(before) && !holds(after)
}

/// Whose ledger entries an actor reads: a dispatcher's area, a handler's
/// party, an administrator's everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerScope {
    pub everything: bool,
    /// Cases in these areas or below them.
    pub areas: Vec<AreaCode>,
    /// Cases these parties hold.
    pub parties: Vec<String>,
}

impl LedgerScope {
    /// `None` for anyone the ledger is not for (residents, grid staff).
    pub fn of(actor: &Actor) -> Option<LedgerScope> {
        if !decide(actor, Capability::ReadLedger, Place::default()).is_granted() {
            return None;
        }
        let mut parties: Vec<String> = actor
            .grants
            .iter()
            .filter(|g| g.role == Role::Handler)
            .filter_map(|g| g.party.clone())
            .collect();
        parties.sort();
        parties.dedup();
        Some(LedgerScope {
            everything: actor.is_admin(),
            areas: actor.dispatch_areas().cloned().collect(),
            parties,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::category::TimeLimit;
    use crate::deadline::ClockState;
    use crate::deadline::request::{
        Ask, CaseTime, ClockEffect, RequestKind, RequestState, ask, decide, end, may_ask,
    };
    use crate::incident::Status;
    use crate::incident::fixtures::{PARTY, actor, at, incident};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, d).unwrap_or_default()
    }

    /// The case's resolve clock, due at minute `due`, extended `extensions` times.
    fn resolve_clock(due: i64, extensions: u32) -> Clock {
        Clock {
            id: "c".into(),
            incident_id: "inc-1".into(),
            step: ClockStep::Resolve,
            party: Some(PARTY.into()),
            area: "410102003001002".into(),
            started_at: at(0),
            due_at: at(due),
            warn_at: at(due - 1),
            state: ClockState::Running,
            ended_at: None,
            paused_at: None,
            warned_at: None,
            overdue_at: None,
            escalated_to: None,
            extensions,
            suspensions: 0,
        }
    }

    fn request(kind: RequestKind, state: RequestState) -> ClockRequest {
        ClockRequest {
            id: "r".into(),
            incident_id: "inc-1".into(),
            kind,
            reason: "no property company for three months".into(),
            extend_by: (kind == RequestKind::Extend).then_some(TimeLimit::working_days(5)),
            requested_by: "h".into(),
            requested_at: at(0),
            state,
            decided_by: None,
            decided_at: None,
            ended_at: None,
            review_on: (kind == RequestKind::Ledger).then_some(day(20)),
        }
    }

    fn ledger_ask(reason: &str, review_on: Option<NaiveDate>) -> Ask {
        Ask {
            id: "l".into(),
            kind: RequestKind::Ledger,
            reason: reason.into(),
            extend_by: None,
            review_on,
        }
    }

    fn case_time<'a>(requests: &'a [ClockRequest], clocks: &'a [Clock]) -> CaseTime<'a> {
        CaseTime {
            requests,
            clocks,
            today: day(10),
        }
    }

    #[test]
    fn only_a_case_extended_or_overdue_cannot_meet_its_time() {
        let now = at(100);
        assert!(!cannot_meet_its_time(&[], now), "no resolve clock");
        assert!(!cannot_meet_its_time(&[resolve_clock(200, 0)], now));
        assert!(cannot_meet_its_time(&[resolve_clock(200, 1)], now));
        assert!(cannot_meet_its_time(&[resolve_clock(50, 0)], now));
        let escalated = Clock {
            overdue_at: Some(at(60)),
            state: ClockState::Paused,
            ..resolve_clock(50, 0)
        };
        assert!(cannot_meet_its_time(&[escalated], now));
        let met = Clock {
            state: ClockState::Met,
            ..resolve_clock(200, 1)
        };
        assert!(
            !cannot_meet_its_time(&[met], now),
            "a resolved case is not stuck"
        );
    }

    #[test]
    fn the_handler_in_charge_asks_with_a_reason_and_a_review_date_after_today() {
        let case = incident(Status::InProgress);
        let handler = actor("h", Role::Handler, None, Some(PARTY));
        let dispatcher = actor("d", Role::Dispatcher, Some("410102003"), None);
        let extended = [resolve_clock(200, 1)];
        let now = at(100);
        let asked = ask(
            &case,
            &handler,
            ledger_ask("原物业撤出三个月，无人接管", Some(day(11))),
            case_time(&[], &extended),
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(asked.action, "ledger_requested");
        assert_eq!(asked.effect, ClockEffect::Nothing);
        assert_eq!(asked.request.review_on, Some(day(11)));
        assert_eq!(asked.request.state, RequestState::Pending);

        let refused = |a: Ask, requests: &[ClockRequest], clocks: &[Clock]| {
            ask(&case, &handler, a, case_time(requests, clocks), now).map(|s| s.action)
        };
        for (a, field) in [
            (ledger_ask("x", None), "review_on"),
            (ledger_ask("x", Some(day(10))), "review_on"),
            (ledger_ask("x", Some(day(9))), "review_on"),
            (ledger_ask("  ", Some(day(11))), "reason"),
            (
                Ask {
                    kind: RequestKind::Suspend,
                    ..ledger_ask("x", Some(day(11)))
                },
                "review_on",
            ),
        ] {
            assert!(
                matches!(refused(a, &[], &extended), Err(RequestError::Invalid { field: f, .. }) if f == field),
                "{field}"
            );
        }
        // Neither extended nor overdue: an extension comes first.
        assert!(matches!(
            refused(
                ledger_ask("x", Some(day(11))),
                &[],
                &[resolve_clock(200, 0)]
            ),
            Err(RequestError::Conflict(_))
        ));
        // Only the handler in charge asks.
        assert!(matches!(
            ask(
                &case,
                &dispatcher,
                ledger_ask("x", Some(day(11))),
                case_time(&[], &extended),
                now
            ),
            Err(RequestError::Forbidden(_))
        ));
        // Only while the party holds the case.
        assert!(matches!(
            ask(
                &incident(Status::Resolved),
                &handler,
                ledger_ask("x", Some(day(11))),
                case_time(&[], &extended),
                now
            ),
            Err(RequestError::Conflict(_))
        ));
    }

    #[test]
    fn the_ledger_and_a_suspension_never_overlap_and_one_ledger_request_is_open_at_a_time() {
        let case = incident(Status::InProgress);
        let handler = actor("h", Role::Handler, None, Some(PARTY));
        let conflict = |kind, open: &[ClockRequest]| {
            matches!(
                may_ask(&case, &handler, kind, open),
                Err(RequestError::Conflict(_))
            )
        };
        use RequestKind::{Extend, Ledger, Suspend};
        use RequestState::{Approved, Ended, Pending, Refused};
        for suspension in [Pending, Approved] {
            assert!(conflict(Ledger, &[request(Suspend, suspension)]));
        }
        assert!(!conflict(Ledger, &[request(Suspend, Ended)]));
        assert!(conflict(Ledger, &[request(Ledger, Pending)]));
        assert!(conflict(Suspend, &[request(Ledger, Pending)]));
        assert!(!conflict(Extend, &[request(Ledger, Pending)]));
        // In the ledger: nothing more until back into work.
        for kind in [Suspend, Extend, Ledger] {
            assert!(conflict(kind, &[request(Ledger, Approved)]), "{kind:?}");
        }
        for over in [Refused, Ended] {
            assert!(!conflict(Ledger, &[request(Ledger, over)]));
        }
    }

    #[test]
    fn approved_the_clocks_pause_and_back_into_work_they_run_again() {
        let case = incident(Status::InProgress);
        let handler = actor("h", Role::Handler, None, Some(PARTY));
        let dispatcher = actor("d", Role::Dispatcher, Some("410102003"), None);
        let pending = request(RequestKind::Ledger, RequestState::Pending);
        let entered =
            decide(&case, &dispatcher, &pending, true, at(1)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (entered.action, entered.effect),
            ("ledger_entered", ClockEffect::PauseAll)
        );
        assert!(entered.request.in_ledger());
        assert!(entered.request.is_open());
        let refused =
            decide(&case, &dispatcher, &pending, false, at(1)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (refused.action, refused.effect),
            ("refused", ClockEffect::Nothing)
        );

        let left = end(
            &case,
            &handler,
            &entered.request,
            Some("众博物业进驻".into()),
            at(2),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (left.action, left.effect),
            ("ledger_left", ClockEffect::ResumeAll)
        );
        assert_eq!(left.note.as_deref(), Some("众博物业进驻"));
        assert!(!left.request.in_ledger());
        assert!(end(&case, &dispatcher, &left.request, None, at(3)).is_err());
    }

    #[test]
    fn a_covering_dispatcher_reviews_with_a_note_and_a_later_date() {
        let case = incident(Status::InProgress);
        let dispatcher = actor("d", Role::Dispatcher, Some("410102003"), None);
        let far = actor("f", Role::Dispatcher, Some("410181"), None);
        let handler = actor("h", Role::Handler, None, Some(PARTY));
        let entry = request(RequestKind::Ledger, RequestState::Approved);
        let reviewed = review(
            &case,
            &dispatcher,
            &entry,
            "仍在招募物业".into(),
            day(20),
            day(10),
            at(5),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reviewed.request.review_on, Some(day(20)));
        assert_eq!(reviewed.actor_id, "d");
        let attempt = |who: &Actor, r: &ClockRequest, note: &str, next| {
            review(&case, who, r, note.into(), next, day(10), at(5))
        };
        assert_eq!(
            attempt(&far, &entry, "x", day(20)),
            Err(RequestError::Hidden)
        );
        assert!(matches!(
            attempt(&handler, &entry, "x", day(20)),
            Err(RequestError::Forbidden(_))
        ));
        assert!(matches!(
            attempt(&dispatcher, &entry, " ", day(20)),
            Err(RequestError::Invalid { field: "note", .. })
        ));
        assert!(matches!(
            attempt(&dispatcher, &entry, "x", day(10)),
            Err(RequestError::Invalid {
                field: "next_review_on",
                ..
            })
        ));
        let pending = request(RequestKind::Ledger, RequestState::Pending);
        assert!(matches!(
            attempt(&dispatcher, &pending, "x", day(20)),
            Err(RequestError::Conflict(_))
        ));
    }

    #[test]
    fn a_review_date_reminds_once_and_a_new_date_rearms_it() {
        assert!(!review_due(None, None, day(10)));
        assert!(!review_due(Some(day(11)), None, day(10)));
        assert!(review_due(Some(day(10)), None, day(10)));
        assert!(
            review_due(Some(day(8)), None, day(10)),
            "a worker down that day catches up"
        );
        assert!(!review_due(Some(day(10)), Some(day(10)), day(12)));
        assert!(review_due(Some(day(12)), Some(day(10)), day(12)));
    }

    #[test]
    fn a_case_leaving_its_partys_hands_leaves_the_ledger() {
        let held = incident(Status::InProgress);
        assert!(leaves_the_ledger(&held, &incident(Status::Resolved)));
        assert!(leaves_the_ledger(
            &incident(Status::Dispatched),
            &incident(Status::Accepted)
        ));
        assert!(!leaves_the_ledger(&incident(Status::Dispatched), &held));
        assert!(!leaves_the_ledger(
            &incident(Status::Resolved),
            &incident(Status::Closed)
        ));
    }

    #[test]
    fn dispatchers_handlers_and_administrators_read_the_ledger() {
        let dispatcher = actor("d", Role::Dispatcher, Some("410102003"), None);
        let scope = LedgerScope::of(&dispatcher).unwrap_or_else(|| panic!("a dispatcher reads it"));
        assert!(!scope.everything);
        assert_eq!(scope.areas.len(), 1);
        let handler = LedgerScope::of(&actor("h", Role::Handler, None, Some(PARTY)));
        assert_eq!(handler.map(|s| s.parties), Some(vec![PARTY.to_owned()]));
        assert!(
            LedgerScope::of(&actor("a", Role::Admin, None, None)).is_some_and(|s| s.everything)
        );
        for role in [Role::Resident, Role::GridWorker, Role::GridChief] {
            assert_eq!(
                LedgerScope::of(&actor("x", role, Some("410102003001002"), None)),
                None,
                "{role:?}"
            );
        }
    }
}
