//! Taking one step: the next incident and the event that records it.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::access::{Access, Actor};

use super::command::{identifier, optional_text, photo_ids, required_text};
use super::policy::{allowed_actions, in_turn, permits};
use super::{ActionKind, Command, Incident, IncidentError, Rating, RejectReason, Status};

/// One line of an incident's timeline: who did what, when, from which state
/// to which. The caller appends it, in the same transaction as the incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    pub action: ActionKind,
    pub actor_id: String,
    pub at: NaiveDateTime,
    pub from: Status,
    pub to: Status,
    /// What the actor wrote: the note, the reason of a return or reopen, the
    /// result, the rating's comment, the comment itself.
    pub note: Option<String>,
    /// Photo ids: the after-photos of a resolve.
    pub attachments: Vec<String>,
    /// The facts of the step that the incident itself forgets later (where it
    /// was dispatched, who returned it) or holds only in part (why it was
    /// rejected): language-neutral codes for the timeline and statistics.
    pub detail: Option<EventDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventDetail {
    Rejected {
        reason: RejectReason,
    },
    Dispatched {
        party: String,
        assignee: Option<String>,
    },
    Returned {
        party: String,
    },
    Rated {
        rating: Rating,
        /// The reporter's answer to "was it solved?" (解决率), when asked.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        solved: Option<bool>,
    },
}

/// Where `action` takes this incident: the arrow of the diagram
/// ([`transition`](super::transition)), except that reopening an incident
/// resolved on the spot, which has no party to hand it back to, sends it back
/// to `accepted` to be dispatched (DESIGN.md: a result below the closing
/// standard "is dispatched again").
pub fn next_status(incident: &Incident, action: ActionKind) -> Option<Status> {
    let to = super::transition(incident.status, action)?;
    if action == ActionKind::Reopen && incident.party.is_none() {
        Some(Status::Accepted)
    } else {
        Some(to)
    }
}

/// Takes one step of the incident's life for `actor` at `now`: the incident
/// after it (version + 1, `updated_at` = `now`) and the one event to append.
/// Refusals leave everything as it was; see the module documentation for the
/// order in which they are decided.
pub fn apply(
    incident: &Incident,
    command: Command,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(Incident, TimelineEvent), IncidentError> {
    let action = command.kind();
    match permits(incident, actor, action) {
        Access::Granted => {}
        Access::Forbidden => return Err(IncidentError::Forbidden { action }),
        Access::Hidden => return Err(IncidentError::Hidden),
    }
    let Some(to) = next_status(incident, action).filter(|_| in_turn(incident, actor, action))
    else {
        return Err(IncidentError::InvalidTransition {
            current: incident.status,
            allowed: allowed_actions(incident, actor),
        });
    };
    if action == ActionKind::Resolve {
        let parties = super::assist::still_to_report(incident);
        if !parties.is_empty() {
            return Err(IncidentError::AssistsPending { parties });
        }
    }

    let mut next = incident.clone();
    let mut attachments = Vec::new();
    let mut detail = None;
    let note = match command {
        Command::Accept { note } | Command::Acknowledge { note } | Command::Verify { note } => {
            optional_text("note", note)?
        }
        Command::Reject { reason, note } => {
            let reason = match reason {
                RejectReason::Duplicate { of } => {
                    let of = identifier("duplicate_of", of)?;
                    if of == incident.id {
                        return Err(IncidentError::Invalid {
                            field: "duplicate_of",
                            message: "an incident is not a duplicate of itself".into(),
                        });
                    }
                    next.duplicate_of = Some(of.clone());
                    RejectReason::Duplicate { of }
                }
                other => other,
            };
            detail = Some(EventDetail::Rejected { reason });
            optional_text("note", note)?
        }
        Command::Dispatch {
            party,
            assignee,
            note,
        } => {
            let party = identifier("party", party)?;
            let assignee = assignee.map(|a| identifier("assignee", a)).transpose()?;
            next.party = Some(party.clone());
            next.assignee = assignee.clone();
            detail = Some(EventDetail::Dispatched { party, assignee });
            optional_text("note", note)?
        }
        Command::Return { reason } => {
            let reason = required_text("reason", reason)?;
            next.assignee = None;
            if let Some(party) = next.party.take() {
                if !next.returned_by.contains(&party) {
                    next.returned_by.push(party.clone());
                }
                detail = Some(EventDetail::Returned { party });
            }
            Some(reason)
        }
        Command::Resolve { result, photos } => {
            let result = required_text("result", result)?;
            attachments = photo_ids(photos)?;
            next.result = Some(result.clone());
            Some(result)
        }
        Command::ResolveOnSpot { result, photos } => {
            let result = required_text("result", result)?;
            attachments = photo_ids(photos)?;
            next.result = Some(result.clone());
            // Handled in the grid: whoever it had been sent to, and whoever
            // was called to assist, stands down (the timeline keeps where
            // it had gone). A reopen then sends it back to be dispatched.
            next.party = None;
            next.assignee = None;
            super::assist::stand_down(&mut next);
            Some(result)
        }
        Command::Reopen { reason } => {
            let reason = required_text("reason", reason)?;
            next.rework_count = next.rework_count.saturating_add(1);
            next.result = None;
            Some(reason)
        }
        Command::Rate {
            rating,
            comment,
            solved,
        } => {
            if incident.rating.is_some() {
                return Err(IncidentError::Invalid {
                    field: "rating",
                    message: "this incident has already been rated".into(),
                });
            }
            let comment = optional_text("comment", comment)?;
            next.rating = Some((rating, comment.clone()));
            detail = Some(EventDetail::Rated { rating, solved });
            comment
        }
        Command::Comment { text } => Some(required_text("text", text)?),
    };
    next.status = to;
    next.version += 1;
    next.updated_at = now;

    let event = TimelineEvent {
        action,
        actor_id: actor.user_id.clone(),
        at: now,
        from: incident.status,
        to,
        note,
        attachments,
        detail,
    };
    Ok((next, event))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::incident::fixtures::{
        OTHER_PARTY, PARTY, REPORTER, at, cast, incident, sample_command,
    };

    fn who(name: &str) -> Actor {
        cast()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| a)
            .unwrap()
    }

    /// Applies `command` as `name` at minute `minute`, expecting success.
    fn step(
        incident: &Incident,
        name: &str,
        command: Command,
        minute: i64,
    ) -> (Incident, TimelineEvent) {
        apply(incident, command, &who(name), at(minute))
            .unwrap_or_else(|e| panic!("{name} on {}: {e:?}", incident.status))
    }

    #[test]
    fn the_whole_loop_from_report_to_rating() {
        let reported = incident(Status::Reported);
        let (accepted, e1) = step(
            &reported,
            "dispatcher",
            sample_command(ActionKind::Accept),
            1,
        );
        let (dispatched, e2) = step(
            &accepted,
            "dispatcher",
            Command::Dispatch {
                party: format!(" {PARTY} "),
                assignee: None,
                note: Some("  ".into()),
            },
            2,
        );
        let (in_progress, e3) = step(
            &dispatched,
            "handler",
            sample_command(ActionKind::Acknowledge),
            3,
        );
        let (resolved, e4) = step(
            &in_progress,
            "handler",
            sample_command(ActionKind::Resolve),
            4,
        );
        let (closed, e5) = step(&resolved, "chief", sample_command(ActionKind::Verify), 5);
        let (rated, e6) = step(
            &closed,
            REPORTER,
            Command::Rate {
                rating: Rating::BasicallySatisfied,
                comment: Some("slow but done".into()),
                solved: Some(true),
            },
            6,
        );

        let events = [&e1, &e2, &e3, &e4, &e5, &e6];
        let path: Vec<(Status, Status)> = events.iter().map(|e| (e.from, e.to)).collect();
        assert_eq!(
            path,
            [
                (Status::Reported, Status::Accepted),
                (Status::Accepted, Status::Dispatched),
                (Status::Dispatched, Status::InProgress),
                (Status::InProgress, Status::Resolved),
                (Status::Resolved, Status::Closed),
                (Status::Closed, Status::Closed),
            ]
        );
        assert_eq!(rated.version, reported.version + 6);
        assert_eq!(rated.updated_at, at(6));
        assert_eq!(rated.created_at, reported.created_at);
        assert_eq!(dispatched.party.as_deref(), Some(PARTY), "trimmed");
        assert_eq!(e2.note, None, "a blank note is no note");
        assert_eq!(
            e2.detail,
            Some(EventDetail::Dispatched {
                party: PARTY.into(),
                assignee: None
            })
        );
        assert_eq!(e4.attachments, ["photo-after"]);
        assert_eq!(resolved.result.as_deref(), Some("snow cleared"));
        assert_eq!(
            closed.party.as_deref(),
            Some(PARTY),
            "the party stays on record"
        );
        assert_eq!(
            rated.rating,
            Some((Rating::BasicallySatisfied, Some("slow but done".into())))
        );
        assert_eq!(e6.actor_id, REPORTER);
        assert_eq!(e6.at, at(6));
    }

    #[test]
    fn a_return_goes_back_to_triage_and_the_party_is_remembered() {
        let mut dispatched = incident(Status::Dispatched);
        dispatched.assignee = Some("handler".into());
        let (returned, event) = step(
            &dispatched,
            "handler",
            sample_command(ActionKind::Return),
            1,
        );
        assert_eq!(returned.status, Status::Accepted);
        assert_eq!((returned.party, returned.assignee), (None, None));
        assert_eq!(returned.returned_by, [PARTY]);
        assert_eq!(
            event.detail,
            Some(EventDetail::Returned {
                party: PARTY.into()
            })
        );
        assert_eq!(
            event.note.as_deref(),
            Some("not ours: the shed belongs to the school")
        );

        let blank = apply(
            &incident(Status::InProgress),
            Command::Return { reason: " ".into() },
            &who("handler"),
            at(1),
        );
        assert_eq!(
            blank.map(|_| ()),
            Err(IncidentError::Invalid {
                field: "reason",
                message: "must not be blank".into()
            })
        );
    }

    #[test]
    fn returned_by_holds_each_party_once() {
        let mut subject = incident(Status::Dispatched);
        subject.returned_by = vec![PARTY.into(), OTHER_PARTY.into()];
        let (returned, _) = step(&subject, "handler", sample_command(ActionKind::Return), 1);
        assert_eq!(returned.returned_by, [PARTY, OTHER_PARTY]);
    }

    #[test]
    fn a_reopen_counts_as_rework_and_keeps_the_party() {
        let resolved = incident(Status::Resolved);
        let (reopened, event) = step(
            &resolved,
            "dispatcher",
            sample_command(ActionKind::Reopen),
            1,
        );
        assert_eq!(reopened.status, Status::InProgress);
        assert_eq!(reopened.party.as_deref(), Some(PARTY));
        assert_eq!(reopened.rework_count, 1);
        assert_eq!(
            reopened.result, None,
            "the rejected result is on the timeline only"
        );
        assert_eq!(
            (event.from, event.to),
            (Status::Resolved, Status::InProgress)
        );
        let (again, _) = step(&reopened, "handler", sample_command(ActionKind::Resolve), 2);
        let (twice, _) = step(&again, "chief", sample_command(ActionKind::Reopen), 3);
        assert_eq!(twice.rework_count, 2);
    }

    #[test]
    fn a_case_resolved_on_the_spot_and_reopened_waits_for_dispatch() {
        let reported = incident(Status::Reported);
        let (resolved, e1) = step(
            &reported,
            "worker",
            sample_command(ActionKind::ResolveOnSpot),
            1,
        );
        assert_eq!((e1.from, e1.to), (Status::Reported, Status::Resolved));
        assert_eq!(resolved.party, None);
        let (reopened, e2) = step(&resolved, "chief", sample_command(ActionKind::Reopen), 2);
        assert_eq!((e2.from, e2.to), (Status::Resolved, Status::Accepted));
        assert_eq!(reopened.rework_count, 1);
        assert_eq!(
            allowed_actions(&reopened, &who("dispatcher")),
            [ActionKind::Dispatch, ActionKind::Comment]
        );
    }

    #[test]
    fn a_finding_dispatched_by_routing_is_resolved_on_the_spot_by_its_finder() {
        use crate::incident::{Assist, AssistState};
        let mut dispatched = incident(Status::Dispatched);
        dispatched.reporter_id = "worker".into();
        dispatched.assignee = Some("handler".into());
        dispatched.assists = vec![Assist {
            party: OTHER_PARTY.into(),
            state: AssistState::Called,
            called_by: crate::incident::SYSTEM_ACTOR.into(),
            called_at: at(0),
            acknowledged_at: None,
            reported_at: None,
            report: None,
        }];
        let (resolved, event) = step(
            &dispatched,
            "worker",
            sample_command(ActionKind::ResolveOnSpot),
            1,
        );
        assert_eq!(
            (event.from, event.to),
            (Status::Dispatched, Status::Resolved)
        );
        assert_eq!(
            (resolved.party.as_deref(), resolved.assignee.as_deref()),
            (None, None),
            "the party stands down; the timeline keeps where it had gone"
        );
        assert_eq!(resolved.assists[0].state, AssistState::StoodDown);
        assert_eq!(resolved.result.as_deref(), Some("swept it myself"));
        // Reopened, it waits for a dispatcher like any case resolved on the spot.
        let (reopened, _) = step(&resolved, "chief", sample_command(ActionKind::Reopen), 2);
        assert_eq!(reopened.status, Status::Accepted);
        // Once the party acknowledged, it is in the party's hands.
        let (in_progress, _) = step(
            &dispatched,
            "handler",
            sample_command(ActionKind::Acknowledge),
            1,
        );
        assert_eq!(
            apply(
                &in_progress,
                sample_command(ActionKind::ResolveOnSpot),
                &who("worker"),
                at(2)
            ),
            Err(IncidentError::InvalidTransition {
                current: Status::InProgress,
                allowed: vec![ActionKind::Comment],
            })
        );
    }

    #[test]
    fn a_step_out_of_turn_says_what_the_actor_may_do_now() {
        let reported = incident(Status::Reported);
        assert_eq!(
            apply(
                &reported,
                sample_command(ActionKind::Dispatch),
                &who("dispatcher"),
                at(1)
            ),
            Err(IncidentError::InvalidTransition {
                current: Status::Reported,
                allowed: vec![ActionKind::Accept, ActionKind::Reject, ActionKind::Comment],
            })
        );
        assert_eq!(
            apply(
                &reported,
                sample_command(ActionKind::Rate),
                &who(REPORTER),
                at(1)
            ),
            Err(IncidentError::InvalidTransition {
                current: Status::Reported,
                allowed: vec![ActionKind::Comment],
            })
        );
    }

    #[test]
    fn forbidden_is_decided_before_the_state_and_hidden_before_both() {
        let reported = incident(Status::Reported);
        // Dispatch is not an arrow from `reported`, but the reporter never may.
        assert_eq!(
            apply(
                &reported,
                sample_command(ActionKind::Dispatch),
                &who(REPORTER),
                at(1)
            ),
            Err(IncidentError::Forbidden {
                action: ActionKind::Dispatch
            })
        );
        assert_eq!(
            apply(
                &reported,
                sample_command(ActionKind::Dispatch),
                &who("resident"),
                at(1)
            ),
            Err(IncidentError::Hidden)
        );
    }

    #[test]
    fn a_closed_case_is_rated_once() {
        let closed = incident(Status::Closed);
        let (rated, _) = step(&closed, REPORTER, sample_command(ActionKind::Rate), 1);
        let again = apply(
            &rated,
            Command::Rate {
                rating: Rating::Dissatisfied,
                comment: None,
                solved: None,
            },
            &who(REPORTER),
            at(2),
        );
        assert!(matches!(
            again,
            Err(IncidentError::Invalid {
                field: "rating",
                ..
            })
        ));
        assert_eq!(rated.rating, Some((Rating::Satisfied, None)));
    }

    #[test]
    fn a_duplicate_names_another_incident() {
        let reported = incident(Status::Reported);
        let reject = |of: &str| Command::Reject {
            reason: RejectReason::Duplicate { of: of.into() },
            note: None,
        };
        let (rejected, event) = step(&reported, "chief", reject("inc-0"), 1);
        assert_eq!(rejected.status, Status::Rejected);
        assert_eq!(rejected.duplicate_of.as_deref(), Some("inc-0"));
        assert_eq!(
            event.detail,
            Some(EventDetail::Rejected {
                reason: RejectReason::Duplicate { of: "inc-0".into() }
            })
        );
        for of in ["inc-1", " "] {
            assert!(matches!(
                apply(&reported, reject(of), &who("chief"), at(1)),
                Err(IncidentError::Invalid {
                    field: "duplicate_of",
                    ..
                })
            ));
        }
    }

    #[test]
    fn comments_go_anywhere_and_change_only_the_version() {
        for status in Status::ALL {
            let subject = incident(status);
            let (next, event) = step(&subject, "admin", sample_command(ActionKind::Comment), 1);
            assert_eq!((event.from, event.to), (status, status));
            assert_eq!(
                Incident {
                    version: subject.version,
                    updated_at: subject.updated_at,
                    ..next
                },
                subject
            );
        }
        assert!(matches!(
            apply(
                &incident(Status::Closed),
                Command::Comment { text: "\n".into() },
                &who("admin"),
                at(1)
            ),
            Err(IncidentError::Invalid { field: "text", .. })
        ));
    }

    #[test]
    fn errors_say_what_was_refused() {
        assert_eq!(
            IncidentError::Forbidden {
                action: ActionKind::ResolveOnSpot
            }
            .to_string(),
            "you may not resolve_on_spot this incident"
        );
    }
}
