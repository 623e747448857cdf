//! Random walks: sequences of (actor, command) from a pool, applied to a fresh
//! report by a resident, a grid worker or a grid chief. Half the moves are
//! drawn blind (any actor, any command, good or bad input), half are steered
//! to a step the actor is told they may take, so the walks get past triage
//! and reach closing and rating.

use std::collections::HashSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use crate::access::{Access, Actor};
use crate::role::Role;

use super::fixtures::{
    ASSIGNEE, OTHER_PARTY, PARTY, REPORTER, actor, at, cast, incident, sample_command,
};
use super::{
    ActionKind, Command, Incident, IncidentError, Rating, RejectReason, Source, Status,
    allowed_actions, apply, can_see, permits,
};

/// The arrows of DESIGN.md, written out again here rather than taken from
/// the code under test. Comments, from any state to itself, are added below.
/// Resolving on the spot from accepted and dispatched is an arrow only for
/// some actors: see [`open_to`].
const ARROWS: [(Status, ActionKind, Status); 13] = [
    (Status::Reported, ActionKind::Accept, Status::Accepted),
    (Status::Reported, ActionKind::Reject, Status::Rejected),
    (
        Status::Reported,
        ActionKind::ResolveOnSpot,
        Status::Resolved,
    ),
    (
        Status::Accepted,
        ActionKind::ResolveOnSpot,
        Status::Resolved,
    ),
    (
        Status::Dispatched,
        ActionKind::ResolveOnSpot,
        Status::Resolved,
    ),
    (Status::Accepted, ActionKind::Dispatch, Status::Dispatched),
    (
        Status::Dispatched,
        ActionKind::Acknowledge,
        Status::InProgress,
    ),
    (Status::Dispatched, ActionKind::Return, Status::Accepted),
    (Status::InProgress, ActionKind::Return, Status::Accepted),
    (Status::InProgress, ActionKind::Resolve, Status::Resolved),
    (Status::Resolved, ActionKind::Verify, Status::Closed),
    (Status::Resolved, ActionKind::Reopen, Status::InProgress),
    (Status::Closed, ActionKind::Rate, Status::Closed),
];

/// Whether the diagram has this arrow for an incident that has (or has not) a party.
fn drawn(from: Status, action: ActionKind, to: Status, has_party: bool) -> bool {
    let reopen_on_spot = !has_party
        && (from, action, to) == (Status::Resolved, ActionKind::Reopen, Status::Accepted);
    let reopen_to_party = has_party || action != ActionKind::Reopen;
    (action == ActionKind::Comment && from == to)
        || reopen_on_spot
        || (reopen_to_party && ARROWS.contains(&(from, action, to)))
}

/// Whether the diagram has an arrow for `action` from where `incident`
/// stands, for `who`: resolving on the spot after `reported` is for the
/// reporter's own report that no party has touched (these walks call no
/// assisting parties), written out again from the rule.
fn open_to(incident: &Incident, who: &Actor, action: ActionKind) -> bool {
    let arrow = ARROWS
        .iter()
        .any(|&(from, a, _)| from == incident.status && a == action);
    let on_spot = incident.status == Status::Reported
        || (who.user_id == incident.reporter_id
            && incident.returned_by.is_empty()
            && incident.rework_count == 0);
    arrow && (action != ActionKind::ResolveOnSpot || on_spot)
}

/// Who reports the walk's incident: a resident, or grid staff of its grid
/// (whose finding they may then resolve on the spot whatever routing did).
const REPORTERS: [(&str, Source); 3] = [
    (REPORTER, Source::Resident),
    ("worker", Source::Patrol),
    ("chief", Source::Patrol),
];

fn pool() -> Vec<Actor> {
    let mut pool: Vec<Actor> = cast().into_iter().map(|(_, a)| a).collect();
    pool.push(actor(ASSIGNEE, Role::Handler, None, Some(PARTY)));
    pool
}

#[derive(Debug, Clone)]
struct Move {
    actor: usize,
    /// Take a step from the actor's `allowed_actions` instead of `command`.
    steered: bool,
    pick: usize,
    command: Command,
}

fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "  ", "wrong party", "雪还在", " trimmed "])
        .prop_map(String::from)
}

fn note() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

fn party() -> impl Strategy<Value = String> {
    prop::sample::select(vec![PARTY, OTHER_PARTY, "", "nobody"]).prop_map(String::from)
}

fn photos() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(vec!["p1", "p2", " "]).prop_map(String::from),
        0..3,
    )
}

fn rating() -> impl Strategy<Value = Rating> {
    prop::sample::select(Rating::ALL.to_vec())
}

fn reject_reason() -> impl Strategy<Value = RejectReason> {
    prop_oneof![
        Just(RejectReason::OutOfScope),
        Just(RejectReason::Invalid),
        prop::sample::select(vec!["inc-0", "inc-1", ""])
            .prop_map(|of| RejectReason::Duplicate { of: of.into() }),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        note().prop_map(|note| Command::Accept { note }),
        (reject_reason(), note()).prop_map(|(reason, note)| Command::Reject { reason, note }),
        (
            party(),
            prop::option::of(prop::sample::select(vec![ASSIGNEE, "handler", ""])),
            note()
        )
            .prop_map(|(party, assignee, note)| Command::Dispatch {
                party,
                assignee: assignee.map(String::from),
                note,
            }),
        note().prop_map(|note| Command::Acknowledge { note }),
        text().prop_map(|reason| Command::Return { reason }),
        (text(), photos()).prop_map(|(result, photos)| Command::Resolve { result, photos }),
        (text(), photos()).prop_map(|(result, photos)| Command::ResolveOnSpot { result, photos }),
        note().prop_map(|note| Command::Verify { note }),
        text().prop_map(|reason| Command::Reopen { reason }),
        (rating(), note()).prop_map(|(rating, comment)| Command::Rate {
            rating,
            comment,
            solved: None,
        }),
        text().prop_map(|text| Command::Comment { text }),
    ]
}

/// The reporter (an index into [`REPORTERS`]) and the moves.
fn walk() -> impl Strategy<Value = (usize, Vec<Move>)> {
    let actors = pool().len();
    let moves = prop::collection::vec(
        (0..actors, any::<bool>(), any::<usize>(), command()).prop_map(
            |(actor, steered, pick, command)| Move {
                actor,
                steered,
                pick,
                command,
            },
        ),
        0..80,
    );
    (0..REPORTERS.len(), moves)
}

/// A well-formed command for `action`, varied by `pick`.
fn steered_command(action: ActionKind, pick: usize) -> Command {
    match action {
        ActionKind::Dispatch => Command::Dispatch {
            party: [PARTY, OTHER_PARTY][pick % 2].into(),
            assignee: [None, Some(ASSIGNEE.into()), Some("handler".into())][pick / 2 % 3].clone(),
            note: None,
        },
        ActionKind::Rate => Command::Rate {
            rating: Rating::ALL[pick % 3],
            comment: None,
            solved: None,
        },
        other => sample_command(other),
    }
}

/// Where the walks went: the states the incident was in, and the steps taken
/// (from which state).
#[derive(Debug, Default)]
struct Reached {
    states: HashSet<Status>,
    steps: HashSet<(Status, ActionKind)>,
}

/// Plays the walk on a report by `REPORTERS[reporter]`, checking every step.
fn play(reporter: usize, moves: &[Move]) -> Result<Reached, TestCaseError> {
    let pool = pool();
    let (reporter_id, source) = REPORTERS[reporter];
    let mut current = Incident {
        reporter_id: reporter_id.into(),
        source,
        ..incident(Status::Reported)
    };
    let first = current.clone();
    let mut reached = Reached::default();
    reached.states.insert(current.status);
    let (mut accepted, mut reopens, mut ratings) = (0_i64, 0_u32, 0_u32);

    for (i, m) in moves.iter().enumerate() {
        let who = &pool[m.actor];
        let allowed = allowed_actions(&current, who);
        let (command, offered) = match allowed.as_slice() {
            [] => (m.command.clone(), false),
            _ if !m.steered => (m.command.clone(), false),
            steps => (steered_command(steps[m.pick % steps.len()], m.pick), true),
        };
        let action = command.kind();
        let now = at(i as i64 + 1);
        let before = current.clone();
        let access = permits(&current, who, action);

        match apply(&current, command, who, now) {
            Ok((next, event)) => {
                prop_assert_eq!(access, Access::Granted);
                prop_assert!(allowed.contains(&action), "{} not in {:?}", action, allowed);
                prop_assert!(
                    drawn(event.from, event.action, event.to, current.party.is_some()),
                    "no arrow {} -{}-> {}",
                    event.from,
                    event.action,
                    event.to
                );
                prop_assert!(
                    action == ActionKind::Comment || open_to(&current, who, action),
                    "{} took {} from {}",
                    &who.user_id,
                    action,
                    current.status
                );
                if action == ActionKind::ResolveOnSpot {
                    // Handled in the grid: nobody else holds it any more.
                    prop_assert_eq!((&next.party, &next.assignee), (&None, &None));
                }
                reached.steps.insert((current.status, action));
                prop_assert_eq!(event.action, action);
                prop_assert_eq!(event.from, current.status);
                prop_assert_eq!(event.to, next.status);
                prop_assert_eq!(&event.actor_id, &who.user_id);
                prop_assert_eq!(event.at, now);
                prop_assert_eq!(next.version, current.version + 1);
                prop_assert_eq!(next.updated_at, now);
                prop_assert_eq!(
                    (&next.id, &next.grid, &next.reporter_id, next.created_at),
                    (&first.id, &first.grid, &first.reporter_id, first.created_at)
                );
                if action == ActionKind::Rate {
                    prop_assert!(current.rating.is_none() && next.rating.is_some());
                    ratings += 1;
                } else {
                    prop_assert_eq!(&next.rating, &current.rating);
                }
                if action == ActionKind::Reopen {
                    reopens += 1;
                }
                accepted += 1;
                current = next;
            }
            Err(error) => {
                prop_assert!(
                    !offered,
                    "{} was offered, then refused: {:?}",
                    action,
                    error
                );
                prop_assert_eq!(&current, &before);
                match &error {
                    IncidentError::Hidden => {
                        prop_assert_eq!(can_see(&current, who), Access::Hidden);
                        prop_assert!(allowed.is_empty());
                    }
                    IncidentError::Forbidden { action: refused } => {
                        prop_assert_eq!(*refused, action);
                        prop_assert_eq!(access, Access::Forbidden);
                    }
                    IncidentError::NotAReporter => {
                        prop_assert!(false, "apply never reports");
                    }
                    IncidentError::AssistsPending { .. } | IncidentError::Assist(_) => {
                        prop_assert!(false, "nobody assists on these incidents");
                    }
                    IncidentError::InvalidTransition {
                        current: status,
                        allowed: told,
                    } => {
                        prop_assert_eq!(*status, current.status);
                        prop_assert_eq!(access, Access::Granted);
                        prop_assert_eq!(told, &allowed);
                        prop_assert!(!told.contains(&action));
                        prop_assert!(
                            !open_to(&current, who, action),
                            "{} from {} is an arrow for {}",
                            action,
                            current.status,
                            &who.user_id
                        );
                    }
                    IncidentError::Invalid { .. } => {
                        prop_assert_eq!(access, Access::Granted);
                        prop_assert!(
                            open_to(&current, who, action) || action == ActionKind::Comment,
                            "{:?} for {} from {}",
                            error,
                            action,
                            current.status
                        );
                    }
                }
            }
        }

        // What must hold after every step, taken or refused.
        let c = &current;
        reached.states.insert(c.status);
        prop_assert_eq!(c.version, first.version + accepted);
        prop_assert_eq!(c.rework_count, reopens);
        prop_assert!(ratings <= 1, "rated {} times", ratings);
        prop_assert!(c.rating.is_none() || c.status == Status::Closed);
        prop_assert!(c.duplicate_of.is_none() || c.status == Status::Rejected);
        prop_assert!(c.assignee.is_none() || c.party.is_some());
        match c.status {
            Status::Dispatched | Status::InProgress => prop_assert!(c.party.is_some()),
            Status::Reported | Status::Accepted | Status::Rejected => {
                prop_assert!(c.party.is_none())
            }
            Status::Resolved | Status::Closed => {}
        }
        prop_assert!(c.result.is_some() || !matches!(c.status, Status::Resolved | Status::Closed));
        let mut unique = c.returned_by.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), c.returned_by.len());
    }
    Ok(reached)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_walks_keep_to_the_diagram((reporter, moves) in walk()) {
        play(reporter, &moves)?;
    }
}

/// The walks are worth something only if they get everywhere, the grid
/// worker's own dispatched finding resolved on the spot included.
#[test]
fn the_walks_reach_every_state() {
    let mut runner = TestRunner::deterministic();
    let strategy = walk();
    let mut reached = Reached::default();
    for _ in 0..200 {
        let (reporter, moves) = strategy
            .new_tree(&mut runner)
            .map(|tree| tree.current())
            .unwrap_or_default();
        let walked = play(reporter, &moves).unwrap_or_else(|e| panic!("{e}"));
        reached.states.extend(walked.states);
        reached.steps.extend(walked.steps);
    }
    for status in Status::ALL {
        assert!(reached.states.contains(&status), "no walk reached {status}");
    }
    for from in [Status::Reported, Status::Accepted, Status::Dispatched] {
        assert!(
            reached.steps.contains(&(from, ActionKind::ResolveOnSpot)),
            "no walk resolved on the spot from {from}"
        );
    }
}
