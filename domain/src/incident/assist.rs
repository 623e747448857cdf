//! Lead and assist 吹哨报到: a dispatcher calls other parties onto a case
//! beside its lead party. Each assisting party acknowledges its part, then
//! reports what it did, on its own clock; the lead may resolve only once
//! every assist has reported.
//!
//! ```text
//! called ─acknowledge─▶ acknowledged ─report─▶ reported
//!   │ ▲                                           │
//!   │ └──────────── called again (a new round) ───┤
//!   │                                             │
//!   └─the case handled on the spot─▶ stood_down ──┘
//! ```
//!
//! What users expect, decided here:
//!
//! - Parties are called while the case is dispatched or in progress: before
//!   there is a lead nobody coordinates, after the resolve it is too late.
//!   Not the lead itself, not a party whose assist is still open, at most
//!   [`MAX_ASSISTS`] parties on one case.
//! - A return by the lead keeps the assists: their work does not depend on
//!   who leads, and the next lead finds them at it.
//! - A reopen (返工) keeps the assists as they are. Reports stay reported:
//!   most rework is the lead's, and making every assisting party report
//!   again would hold the case up for nothing. When the rework is an
//!   assisting party's, the dispatcher calls that party again, which starts a
//!   new round for it (back to `called`, a new clock; its earlier report
//!   stays on the timeline).
//! - A party that assists and later becomes the lead (dispatched to it after
//!   a return) answers for the whole case: its open assist no longer holds
//!   the resolve up.
//! - A grid worker who resolves their own report on the spot before anyone
//!   acknowledged it ([`policy`](super::policy)) stands every called party
//!   down ([`stand_down`]): it is told, its clock stops, and it takes no
//!   further step on this round; a dispatcher may call it again later.
//!
//! Each step is a pure function of the incident: the next incident (its
//! `assists` changed, nothing else: the store bumps the version when it
//! appends the timeline event) and the [`AssistEvent`] to append. Who may
//! take the step is asked of [`policy`](super::policy) by the caller, as the
//! automatic routing calls parties with no user behind it.

use std::fmt;

use chrono::NaiveDateTime;

use super::command::{identifier, optional_text, required_text};
use super::{Incident, IncidentError, Status};
use crate::notification::{Audience, Tell, Topic, Why};

/// At most this many parties assist on one case.
pub const MAX_ASSISTS: usize = 10;

/// Where an assisting party stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssistState {
    /// Called onto the case, not yet acknowledged.
    Called,
    /// Acknowledged (签收) and at work.
    Acknowledged,
    /// Reported what it did.
    Reported,
    /// Called, then told it is not needed: the case was handled on the spot
    /// before it acknowledged.
    StoodDown,
}

impl AssistState {
    pub const ALL: [AssistState; 4] = [
        AssistState::Called,
        AssistState::Acknowledged,
        AssistState::Reported,
        AssistState::StoodDown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssistState::Called => "called",
            AssistState::Acknowledged => "acknowledged",
            AssistState::Reported => "reported",
            AssistState::StoodDown => "stood_down",
        }
    }

    /// Whether the party has put a hand to the case: acknowledged its part,
    /// or reported it.
    pub fn answered(self) -> bool {
        matches!(self, AssistState::Acknowledged | AssistState::Reported)
    }

    /// Whether this round of the assist is over: reported, or stood down.
    /// A party whose round is over may be called again.
    pub fn is_over(self) -> bool {
        matches!(self, AssistState::Reported | AssistState::StoodDown)
    }

    pub fn parse(s: &str) -> Option<Self> {
        AssistState::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl fmt::Display for AssistState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One party called to assist on a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assist {
    /// The assisting party's code.
    pub party: String,
    pub state: AssistState,
    /// The user who called it, or the routing's system actor.
    pub called_by: String,
    pub called_at: NaiveDateTime,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub reported_at: Option<NaiveDateTime>,
    /// What it reported it did.
    pub report: Option<String>,
}

/// The steps of an assist, as named on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssistStep {
    Call,
    Acknowledge,
    Report,
}

impl AssistStep {
    /// The timeline action: `assist_called`, `assist_acknowledged`, `assist_reported`.
    pub fn action(self) -> &'static str {
        match self {
            AssistStep::Call => "assist_called",
            AssistStep::Acknowledge => "assist_acknowledged",
            AssistStep::Report => "assist_reported",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            AssistStep::Call => "call parties to assist on",
            AssistStep::Acknowledge => "acknowledge an assist on",
            AssistStep::Report => "report an assist on",
        }
    }
}

impl fmt::Display for AssistStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.verb())
    }
}

/// Why an assist step was refused, beyond what every step may hear
/// ([`IncidentError::Hidden`], [`IncidentError::Invalid`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssistError {
    /// The actor sees the case but may not take this step (403).
    #[error("you may not {step} this incident")]
    Forbidden { step: AssistStep },
    /// The party is not assisting on this case (404).
    #[error("{party} is not assisting on this incident")]
    NotAssisting { party: String },
    /// The step is not possible now (409): the case or the assist is not
    /// where the step starts.
    #[error("{message}")]
    OutOfTurn { step: AssistStep, message: String },
}

/// One line of the timeline for one assisting party. The store appends it
/// without changing the status (`infra::repo::incidents::append_event`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistEvent {
    pub step: AssistStep,
    pub party: String,
    pub actor_id: String,
    pub at: NaiveDateTime,
    /// The caller's note, or the report.
    pub note: Option<String>,
}

impl AssistEvent {
    /// The timeline action, e.g. `assist_called`.
    pub fn action(&self) -> &'static str {
        self.step.action()
    }

    /// The timeline note: the party first, so the line says whose step it
    /// was, then what was written.
    pub fn timeline_note(&self) -> String {
        match &self.note {
            Some(note) => format!("{}: {note}", self.party),
            None => self.party.clone(),
        }
    }
}

fn out_of_turn(step: AssistStep, message: impl Into<String>) -> IncidentError {
    IncidentError::Assist(AssistError::OutOfTurn {
        step,
        message: message.into(),
    })
}

/// Calls `parties` onto the case, by `called_by` (a user, or the routing's
/// system actor) at `now`: one event per party, in the order given. Whether
/// the caller may is [`policy::may_call_assists`](super::policy::may_call_assists)'s
/// to say; that each party exists is the store's to check.
pub fn call(
    incident: &Incident,
    parties: &[String],
    note: Option<String>,
    called_by: &str,
    now: NaiveDateTime,
) -> Result<(Incident, Vec<AssistEvent>), IncidentError> {
    if !matches!(incident.status, Status::Dispatched | Status::InProgress) {
        return Err(out_of_turn(
            AssistStep::Call,
            format!(
                "parties are called to assist while the incident is dispatched or in progress, not {}",
                incident.status
            ),
        ));
    }
    let invalid = |message: String| IncidentError::Invalid {
        field: "parties",
        message,
    };
    if parties.is_empty() {
        return Err(invalid("name at least one party".into()));
    }
    let note = optional_text("note", note)?;
    let mut next = incident.clone();
    let mut events = Vec::new();
    for party in parties {
        let party = identifier("parties", party.clone())?;
        if incident.party.as_deref() == Some(party.as_str()) {
            return Err(invalid(format!("{party} leads this incident")));
        }
        if events.iter().any(|e: &AssistEvent| e.party == party) {
            return Err(invalid(format!("{party} is named twice")));
        }
        match next.assists.iter_mut().find(|a| a.party == party) {
            Some(assist) if !assist.state.is_over() => {
                return Err(invalid(format!(
                    "{party} is already assisting ({})",
                    assist.state
                )));
            }
            // Called again after it reported or stood down: a new round of
            // the same assist.
            Some(assist) => {
                *assist = called(&party, called_by, now);
            }
            None => next.assists.push(called(&party, called_by, now)),
        }
        events.push(AssistEvent {
            step: AssistStep::Call,
            party,
            actor_id: called_by.to_owned(),
            at: now,
            note: note.clone(),
        });
    }
    if next.assists.len() > MAX_ASSISTS {
        return Err(invalid(format!(
            "at most {MAX_ASSISTS} parties assist on one incident"
        )));
    }
    Ok((next, events))
}

fn called(party: &str, called_by: &str, now: NaiveDateTime) -> Assist {
    Assist {
        party: party.to_owned(),
        state: AssistState::Called,
        called_by: called_by.to_owned(),
        called_at: now,
        acknowledged_at: None,
        reported_at: None,
        report: None,
    }
}

/// The assist of `party`, for a step on it while the case is open.
fn open_assist<'a>(
    incident: &'a mut Incident,
    party: &str,
    step: AssistStep,
) -> Result<&'a mut Assist, IncidentError> {
    let status = incident.status;
    let assist = incident
        .assists
        .iter_mut()
        .find(|a| a.party == party)
        .ok_or_else(|| {
            IncidentError::Assist(AssistError::NotAssisting {
                party: party.to_owned(),
            })
        })?;
    if status.is_final() {
        return Err(out_of_turn(
            step,
            format!("the incident is {status}: its assists are over"),
        ));
    }
    if assist.state == AssistState::StoodDown {
        return Err(out_of_turn(
            step,
            format!("{party} was stood down: the incident was handled on the spot"),
        ));
    }
    Ok(assist)
}

/// The assisting `party` acknowledges its part, by `actor_id` (one of its
/// handlers: [`policy::may_act_for_assist`](super::policy::may_act_for_assist)).
pub fn acknowledge(
    incident: &Incident,
    party: &str,
    note: Option<String>,
    actor_id: &str,
    now: NaiveDateTime,
) -> Result<(Incident, AssistEvent), IncidentError> {
    let step = AssistStep::Acknowledge;
    let mut next = incident.clone();
    let assist = open_assist(&mut next, party, step)?;
    if assist.state != AssistState::Called {
        return Err(out_of_turn(
            step,
            format!("{party} has already acknowledged (it is {})", assist.state),
        ));
    }
    let note = optional_text("note", note)?;
    assist.state = AssistState::Acknowledged;
    assist.acknowledged_at = Some(now);
    let event = AssistEvent {
        step,
        party: party.to_owned(),
        actor_id: actor_id.to_owned(),
        at: now,
        note,
    };
    Ok((next, event))
}

/// The assisting `party` reports what it did (a required text), by
/// `actor_id`, after it acknowledged.
pub fn report(
    incident: &Incident,
    party: &str,
    result: String,
    actor_id: &str,
    now: NaiveDateTime,
) -> Result<(Incident, AssistEvent), IncidentError> {
    let step = AssistStep::Report;
    let mut next = incident.clone();
    let assist = open_assist(&mut next, party, step)?;
    match assist.state {
        AssistState::Acknowledged => {}
        // A party stood down was refused by `open_assist` already.
        AssistState::Called | AssistState::StoodDown => {
            return Err(out_of_turn(step, format!("{party} must acknowledge first")));
        }
        AssistState::Reported => {
            return Err(out_of_turn(step, format!("{party} has already reported")));
        }
    }
    let result = required_text("result", result)?;
    assist.state = AssistState::Reported;
    assist.reported_at = Some(now);
    assist.report = Some(result.clone());
    let event = AssistEvent {
        step,
        party: party.to_owned(),
        actor_id: actor_id.to_owned(),
        at: now,
        note: Some(result),
    };
    Ok((next, event))
}

/// The assisting parties still to report, in the order of `assists`:
/// what holds the lead's resolve up. A party that now leads the case is not
/// waited for: its resolve covers its part.
pub fn still_to_report(incident: &Incident) -> Vec<String> {
    incident
        .assists
        .iter()
        .filter(|a| !a.state.is_over())
        .filter(|a| incident.party.as_deref() != Some(a.party.as_str()))
        .map(|a| a.party.clone())
        .collect()
}

/// Whether any called party has put a hand to the case: acknowledged its
/// part or reported it (in its current round).
pub fn any_answered(incident: &Incident) -> bool {
    incident.assists.iter().any(|a| a.state.answered())
}

/// Stands down every party still called onto the case, when a grid worker
/// handles it on the spot (part of that step, in
/// [`apply`](super::apply)): they had not acknowledged, and now need not.
/// Parties whose round is over keep their state.
pub(super) fn stand_down(incident: &mut Incident) {
    for assist in &mut incident.assists {
        if assist.state == AssistState::Called {
            assist.state = AssistState::StoodDown;
        }
    }
}

/// The parties a step stood down: called before it, stood down after. For
/// whom to tell and which clocks to stop.
pub fn stood_down(before: &Incident, after: &Incident) -> Vec<String> {
    after
        .assists
        .iter()
        .filter(|a| a.state == AssistState::StoodDown)
        .filter(|a| {
            before
                .assists
                .iter()
                .any(|b| b.party == a.party && b.state != AssistState::StoodDown)
        })
        .map(|a| a.party.clone())
        .collect()
}

/// Whom an assist step tells: the called party's handlers when called; the
/// lead (its assignee, else its handlers) when an assist reports. An
/// acknowledgement wakes nobody.
pub fn tells(incident: &Incident, event: &AssistEvent) -> Vec<Tell> {
    match event.step {
        AssistStep::Call => vec![Tell {
            topic: Topic::AssistCalled,
            audience: Audience::PartyHandlers(event.party.clone()),
            why: Why::Handler,
        }],
        AssistStep::Report => {
            let lead = match (&incident.assignee, &incident.party) {
                (Some(assignee), _) => Audience::Users(vec![assignee.clone()]),
                (None, Some(party)) => Audience::PartyHandlers(party.clone()),
                (None, None) => Audience::DispatchersOf(incident.grid.clone()),
            };
            vec![Tell {
                topic: Topic::AssistReported,
                audience: lead,
                why: Why::Handler,
            }]
        }
        AssistStep::Acknowledge => Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::access::Access;
    use crate::incident::fixtures::{OTHER_PARTY, PARTY, at, cast, incident, sample_command};
    use crate::incident::policy::{may_act_for_assist, may_call_assists};
    use crate::incident::{ActionKind, Command, apply, can_see, permits};
    use crate::role::Role;

    const WATER: &str = "zy-water";
    const COMMITTEE: &str = "zy-guanlan-committee";

    fn parties(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| (*c).to_owned()).collect()
    }

    fn who(name: &str) -> crate::access::Actor {
        cast()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a)
            .unwrap()
    }

    fn handler_of(party: &str) -> crate::access::Actor {
        crate::incident::fixtures::actor(&format!("h-{party}"), Role::Handler, None, Some(party))
    }

    /// An in-progress case of PARTY with `codes` assisting, each in `state`.
    fn assisted(codes: &[&str], state: AssistState) -> Incident {
        let mut subject = incident(Status::InProgress);
        for code in codes {
            let mut assist = called(code, "dispatcher", at(1));
            assist.state = state;
            subject.assists.push(assist);
        }
        subject
    }

    #[test]
    fn the_lead_resolves_only_after_every_assist_reported() {
        let dispatched = incident(Status::Dispatched);
        let (called, events) = call(
            &dispatched,
            &parties(&[OTHER_PARTY, WATER]),
            Some("bring a ladder".into()),
            "dispatcher",
            at(1),
        )
        .unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[0].timeline_note(),
            format!("{OTHER_PARTY}: bring a ladder")
        );
        let (mut case, _) = apply(
            &called,
            sample_command(ActionKind::Acknowledge),
            &who("handler"),
            at(2),
        )
        .unwrap();

        // (party acting, step, the parties still to report after it)
        let script: [(&str, AssistStep, &[&str]); 4] = [
            (OTHER_PARTY, AssistStep::Acknowledge, &[OTHER_PARTY, WATER]),
            (OTHER_PARTY, AssistStep::Report, &[WATER]),
            (WATER, AssistStep::Acknowledge, &[WATER]),
            (WATER, AssistStep::Report, &[]),
        ];
        for (minute, (party, step, pending)) in (3..).zip(script) {
            let resolve = apply(
                &case,
                sample_command(ActionKind::Resolve),
                &who("handler"),
                at(minute),
            );
            assert_eq!(
                resolve.map(|_| ()),
                Err(IncidentError::AssistsPending {
                    parties: still_to_report(&case)
                }),
                "before {party} {step}"
            );
            case = match step {
                AssistStep::Acknowledge => acknowledge(&case, party, None, "h", at(minute)),
                _ => report(&case, party, "pipes checked".into(), "h", at(minute)),
            }
            .unwrap()
            .0;
            assert_eq!(
                still_to_report(&case),
                parties(pending),
                "after {party} {step}"
            );
        }
        let (resolved, _) = apply(
            &case,
            sample_command(ActionKind::Resolve),
            &who("handler"),
            at(9),
        )
        .unwrap();
        assert_eq!(resolved.status, Status::Resolved);
        assert_eq!(resolved.assists[1].report.as_deref(), Some("pipes checked"));
        assert_eq!(resolved.assists[1].reported_at, Some(at(6)));
        assert_eq!(
            resolved.version,
            called.version + 2,
            "assists leave the version to the store"
        );
    }

    #[test]
    fn calls_are_checked() {
        let in_progress = incident(Status::InProgress);
        let ten: Vec<String> = (0..MAX_ASSISTS).map(|i| format!("p{i}")).collect();
        let full = call(&in_progress, &ten, None, "d", at(1)).unwrap().0;
        // (case, parties, expected: Ok(number of assists) or the field's message start)
        let rows: Vec<(&Incident, Vec<String>, Result<usize, &str>)> = vec![
            (&in_progress, parties(&[OTHER_PARTY]), Ok(1)),
            (&in_progress, parties(&[" zy-cg "]), Ok(1)),
            (&in_progress, parties(&[]), Err("name at least one party")),
            (&in_progress, parties(&[PARTY]), Err("zy-heating leads")),
            (
                &in_progress,
                parties(&[WATER, WATER]),
                Err("zy-water is named twice"),
            ),
            (&in_progress, parties(&[" "]), Err("must not be blank")),
            (&full, parties(&["p0"]), Err("p0 is already assisting")),
            (&full, parties(&[WATER]), Err("at most 10")),
        ];
        for (case, named, expected) in rows {
            let outcome = call(case, &named, None, "d", at(2));
            match (outcome, expected) {
                (Ok((next, events)), Ok(n)) => {
                    assert_eq!(next.assists.len(), n, "{named:?}");
                    assert_eq!(events.len(), named.len());
                    assert_eq!(next.assists[0].party, OTHER_PARTY);
                }
                (Err(IncidentError::Invalid { field, message }), Err(start)) => {
                    assert_eq!(field, "parties");
                    assert!(message.starts_with(start), "{named:?}: {message}");
                }
                (outcome, expected) => panic!("{named:?}: {outcome:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn parties_are_called_only_while_dispatched_or_in_progress() {
        for status in Status::ALL {
            let outcome = call(&incident(status), &parties(&[WATER]), None, "d", at(1));
            let open = matches!(status, Status::Dispatched | Status::InProgress);
            assert_eq!(outcome.is_ok(), open, "{status}");
            if !open {
                assert!(matches!(
                    outcome,
                    Err(IncidentError::Assist(AssistError::OutOfTurn {
                        step: AssistStep::Call,
                        ..
                    }))
                ));
            }
        }
    }

    #[test]
    fn each_assist_steps_in_turn() {
        use AssistState::*;
        // (state, step, Ok(state after) or Err(what is said))
        let rows: [(AssistState, AssistStep, Result<AssistState, &str>); 6] = [
            (Called, AssistStep::Acknowledge, Ok(Acknowledged)),
            (
                Called,
                AssistStep::Report,
                Err("zy-water must acknowledge first"),
            ),
            (
                Acknowledged,
                AssistStep::Acknowledge,
                Err("zy-water has already acknowledged"),
            ),
            (Acknowledged, AssistStep::Report, Ok(Reported)),
            (
                Reported,
                AssistStep::Acknowledge,
                Err("zy-water has already acknowledged"),
            ),
            (
                Reported,
                AssistStep::Report,
                Err("zy-water has already reported"),
            ),
        ];
        for (state, step, expected) in rows {
            let case = assisted(&[WATER], state);
            let outcome = match step {
                AssistStep::Acknowledge => acknowledge(&case, WATER, None, "h", at(2)),
                _ => report(&case, WATER, "done".into(), "h", at(2)),
            };
            match (outcome, expected) {
                (Ok((next, event)), Ok(after)) => {
                    assert_eq!(next.assists[0].state, after, "{state} {step}");
                    assert_eq!((event.step, event.party.as_str()), (step, WATER));
                }
                (Err(IncidentError::Assist(AssistError::OutOfTurn { message, .. })), Err(said)) => {
                    assert!(message.starts_with(said), "{state} {step}: {message}");
                }
                (outcome, expected) => panic!("{state} {step}: {outcome:?} vs {expected:?}"),
            }
        }
        let case = assisted(&[WATER], Acknowledged);
        assert!(matches!(
            report(&case, WATER, "  ".into(), "h", at(2)),
            Err(IncidentError::Invalid {
                field: "result",
                ..
            })
        ));
        assert_eq!(
            acknowledge(&case, COMMITTEE, None, "h", at(2)).map(|_| ()),
            Err(IncidentError::Assist(AssistError::NotAssisting {
                party: COMMITTEE.into()
            }))
        );
        let mut closed = assisted(&[WATER], Called);
        closed.status = Status::Closed;
        assert!(matches!(
            acknowledge(&closed, WATER, None, "h", at(2)),
            Err(IncidentError::Assist(AssistError::OutOfTurn { .. }))
        ));
    }

    #[test]
    fn a_return_keeps_the_assists_and_a_reopen_keeps_the_reports() {
        let case = assisted(&[WATER], AssistState::Acknowledged);
        let (returned, _) = apply(
            &case,
            sample_command(ActionKind::Return),
            &who("handler"),
            at(2),
        )
        .unwrap();
        assert_eq!(returned.assists, case.assists);
        let reported = report(&returned, WATER, "valve shut".into(), "h", at(3))
            .unwrap()
            .0;
        assert_eq!(
            reported.assists[0].state,
            AssistState::Reported,
            "while re-routed, too"
        );

        let mut resolved = assisted(&[WATER], AssistState::Reported);
        resolved.status = Status::Resolved;
        let (reopened, _) = apply(
            &resolved,
            sample_command(ActionKind::Reopen),
            &who("chief"),
            at(2),
        )
        .unwrap();
        assert_eq!(reopened.assists, resolved.assists);
        assert_eq!(still_to_report(&reopened), Vec::<String>::new());
        // The rework is the assisting party's: it is called again.
        let (again, _) = call(&reopened, &parties(&[WATER]), None, "d", at(3)).unwrap();
        assert_eq!(again.assists.len(), 1);
        assert_eq!(again.assists[0].state, AssistState::Called);
        assert_eq!(again.assists[0].report, None);
        assert_eq!(still_to_report(&again), parties(&[WATER]));
    }

    #[test]
    fn a_finding_handled_on_the_spot_stands_the_called_parties_down() {
        let mut case = assisted(&[WATER, COMMITTEE], AssistState::Called);
        case.status = Status::Dispatched;
        case.reporter_id = "worker".into();
        let (handled, _) = apply(
            &case,
            sample_command(ActionKind::ResolveOnSpot),
            &who("worker"),
            at(2),
        )
        .unwrap();
        let states: Vec<AssistState> = handled.assists.iter().map(|a| a.state).collect();
        assert_eq!(states, [AssistState::StoodDown, AssistState::StoodDown]);
        assert_eq!(stood_down(&case, &handled), parties(&[WATER, COMMITTEE]));
        assert_eq!(stood_down(&handled, &handled), Vec::<String>::new());
        assert_eq!(still_to_report(&handled), Vec::<String>::new());
        for outcome in [
            acknowledge(&handled, WATER, None, "h", at(3)),
            report(&handled, WATER, "done".into(), "h", at(3)),
        ] {
            match outcome {
                Err(IncidentError::Assist(AssistError::OutOfTurn { message, .. })) => {
                    assert_eq!(
                        message,
                        "zy-water was stood down: the incident was handled on the spot"
                    );
                }
                other => panic!("{other:?}"),
            }
        }
        // Reopened and dispatched again, the party may be called anew.
        let mut again = handled.clone();
        again.status = Status::Dispatched;
        again.party = Some(PARTY.into());
        let (called, _) = call(&again, &parties(&[WATER]), None, "d", at(4)).unwrap();
        assert_eq!(called.assists[0].state, AssistState::Called);
        assert_eq!(still_to_report(&called), parties(&[WATER]));
    }

    #[test]
    fn an_assisting_party_that_comes_to_lead_is_not_waited_for() {
        let mut case = assisted(&[WATER, COMMITTEE], AssistState::Called);
        case.party = Some(WATER.into());
        assert_eq!(still_to_report(&case), parties(&[COMMITTEE]));
    }

    #[test]
    fn assisting_handlers_see_and_comment_and_take_no_lead_step() {
        let case = assisted(&[OTHER_PARTY], AssistState::Acknowledged);
        let assisting = who("handler_else");
        assert_eq!(can_see(&case, &assisting), Access::Granted);
        assert_eq!(
            crate::incident::allowed_actions(&case, &assisting),
            [ActionKind::Comment]
        );
        for action in [
            ActionKind::Resolve,
            ActionKind::Return,
            ActionKind::Acknowledge,
        ] {
            assert_eq!(
                permits(&case, &assisting, action),
                Access::Forbidden,
                "{action}"
            );
        }
        assert!(
            apply(
                &case,
                Command::Comment {
                    text: "ladder on its way".into()
                },
                &assisting,
                at(2)
            )
            .is_ok()
        );
        assert_eq!(
            can_see(&incident(Status::InProgress), &assisting),
            Access::Hidden,
            "not before it is called"
        );
    }

    /// Who may call and act for an assist of OTHER_PARTY on an in-progress
    /// case of PARTY. G granted, F forbidden, H hidden.
    const ASSIST_POLICY: &str = "
                 reporter  resident  worker  worker_else  chief  chief_else  dispatcher  dispatcher_else  handler  handler_else  admin
    call         F         H         F       H            F      H           G           H                F        F             F
    act          F         H         F       H            F      H           F           H                F        G             F
    ";

    #[test]
    fn every_role_for_every_assist_step() {
        let case = assisted(&[OTHER_PARTY], AssistState::Called);
        let cast = cast();
        for line in ASSIST_POLICY.lines().map(str::trim).skip(2) {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let Some((&step, cells)) = cells.split_first() else {
                continue;
            };
            assert_eq!(cells.len(), cast.len(), "{line}");
            for ((name, actor), &expected) in cast.iter().zip(cells) {
                let access = match step {
                    "call" => may_call_assists(&case, actor),
                    _ => may_act_for_assist(&case, actor, OTHER_PARTY),
                };
                let letter = match access {
                    Access::Granted => "G",
                    Access::Forbidden => "F",
                    Access::Hidden => "H",
                };
                assert_eq!(letter, expected, "{name} {step}");
            }
        }
        // A handler of a party that is not assisting does not see the case.
        assert_eq!(
            may_act_for_assist(&case, &handler_of(WATER), WATER),
            Access::Hidden
        );
        // A handler of one assisting party does not act for another.
        let two = assisted(&[OTHER_PARTY, WATER], AssistState::Called);
        assert_eq!(
            may_act_for_assist(&two, &handler_of(WATER), OTHER_PARTY),
            Access::Forbidden
        );
    }

    #[test]
    fn calls_tell_the_called_and_reports_tell_the_lead() {
        let case = assisted(&[WATER], AssistState::Acknowledged);
        let (_, events) = call(
            &incident(Status::InProgress),
            &parties(&[WATER]),
            None,
            "d",
            at(1),
        )
        .unwrap();
        assert_eq!(
            tells(&case, &events[0]),
            [Tell {
                topic: Topic::AssistCalled,
                audience: Audience::PartyHandlers(WATER.into()),
                why: Why::Handler
            }]
        );
        let (mut reported, event) = report(&case, WATER, "done".into(), "h", at(2)).unwrap();
        assert_eq!(
            tells(&reported, &event)[0].audience,
            Audience::PartyHandlers(PARTY.into())
        );
        reported.assignee = Some("handler.li".into());
        assert_eq!(
            tells(&reported, &event)[0].audience,
            Audience::Users(vec!["handler.li".into()])
        );
        let (_, ack) = acknowledge(
            &assisted(&[WATER], AssistState::Called),
            WATER,
            None,
            "h",
            at(2),
        )
        .unwrap();
        assert!(tells(&case, &ack).is_empty());
    }

    #[test]
    fn states_round_trip() {
        for state in AssistState::ALL {
            assert_eq!(AssistState::parse(state.as_str()), Some(state));
        }
        assert_eq!(AssistState::parse("done"), None);
    }
}
