//! Who may see an incident and take which step of its life, from the actor's
//! role grants and their relation to the incident. Handlers ask; they never
//! decide.
//!
//! | step | who (besides seeing it) |
//! |---|---|
//! | see | its reporter and followers; grid workers and grid chiefs whose grid covers its grid; dispatchers whose area covers it; handlers of its current party; handlers of a party called to assist on it; administrators (the [`Visibility`] scope, which the list executes too) |
//! | accept, reject | dispatchers covering it; grid chiefs of its grid |
//! | dispatch | dispatchers covering it |
//! | acknowledge, return, resolve | its assignee when one is named, else any handler of its party (a handler grant for that party is needed either way) |
//! | resolve_on_spot | grid workers and grid chiefs of its grid; beyond `reported`, only on their own report that no party has touched (below) |
//! | verify, reopen | grid chiefs of its grid; dispatchers covering it (核查 on site) |
//! | rate | its reporter |
//! | comment | whoever sees it |
//! | call parties to assist (吹哨报到) | dispatchers covering it ([`may_call_assists`]) |
//! | acknowledge, report an assist | any handler of that assisting party ([`may_act_for_assist`]) |
//!
//! Handlers of an assisting party see the case and comment on it, and take
//! no step of the lead's: their own part is the assist (see
//! [`assist`](super::assist)).
//!
//! Administrators see every incident and may comment, and take no step of the
//! case itself: they administer the system, they do not handle cases, and
//! every step must be taken by someone in the chain of responsibility that
//! the KPIs rank. Grants add up: an administrator who also holds a dispatcher
//! grant acts as that dispatcher.
//!
//! A handler sees a case while their party holds it: once the party returns
//! it, the party's handlers no longer do (the timeline keeps what they did).
//!
//! An actor who cannot see the incident is answered [`Access::Hidden`] for
//! every step; one who sees it but may never take the step,
//! [`Access::Forbidden`]. Whether the step fits the incident as it stands
//! ([`in_turn`]: its state, and for resolving on the spot whose report it is
//! and whether a party has touched it) is asked by [`apply`](super::apply)
//! after that, and is a 409.
//!
//! Resolving on the spot (小事不出网格), by a grid worker or chief of its grid:
//!
//! | the incident is | whose report | possible |
//! |---|---|---|
//! | reported | anyone's | yes: they checked it on site and fixed it |
//! | accepted, dispatched | their own | while no party has touched it: none acknowledged it (nor returned it), no assisting party acknowledged or reported, it was never reopened. Routing may have dispatched their finding in the request that stored it; they stand in front of it. The party and its assistants are stood down |
//! | accepted, dispatched | someone else's | no: it is a case in someone's hands now |
//! | in progress and after | | no: a party has it in hand |

use crate::access::{Access, Actor};
use crate::role::Role;

use super::{ActionKind, Incident, Status, Visibility, assist, next_status};

/// Whether the actor may know the incident exists: `Granted` or `Hidden`.
pub fn can_see(incident: &Incident, actor: &Actor) -> Access {
    if Visibility::of(actor).contains(incident) {
        Access::Granted
    } else {
        Access::Hidden
    }
}

/// Whether the actor's role and relation to the incident let them take
/// `action`, whatever its state.
pub fn permits(incident: &Incident, actor: &Actor, action: ActionKind) -> Access {
    let relation = Relation::of(incident, actor);
    if !relation.sees() {
        Access::Hidden
    } else if relation.may(action) {
        Access::Granted
    } else {
        Access::Forbidden
    }
}

/// The steps this actor may take now, in [`ActionKind::ALL`] order: for the
/// buttons a client shows, and for the `allowed` of a 409. Empty for an actor
/// who cannot see the incident. `rate` is left out once the incident is rated,
/// `resolve` while an assisting party has not reported.
pub fn allowed_actions(incident: &Incident, actor: &Actor) -> Vec<ActionKind> {
    let relation = Relation::of(incident, actor);
    if !relation.sees() {
        return Vec::new();
    }
    ActionKind::ALL
        .into_iter()
        .filter(|&action| relation.may(action))
        .filter(|&action| relation.in_turn(incident, action))
        .filter(|&action| action != ActionKind::Rate || incident.rating.is_none())
        .filter(|&action| {
            action != ActionKind::Resolve || super::assist::still_to_report(incident).is_empty()
        })
        .collect()
}

/// Whether `action` leads anywhere from the incident as it stands, for this
/// actor: an arrow of the diagram ([`next_status`]), and for resolving on
/// the spot beyond `reported`, the actor's own report
/// [`untouched_by_parties`] (the table in the module documentation). Asked
/// after [`permits`]: `false` here is a 409, not a 403.
pub fn in_turn(incident: &Incident, actor: &Actor, action: ActionKind) -> bool {
    Relation::of(incident, actor).in_turn(incident, action)
}

/// Whether no party has put a hand to the incident yet: none acknowledged it
/// (it never went past `dispatched`, nor came back by a return), no
/// assisting party acknowledged or reported, and it was never reopened.
pub fn untouched_by_parties(incident: &Incident) -> bool {
    matches!(
        incident.status,
        Status::Reported | Status::Accepted | Status::Dispatched
    ) && incident.returned_by.is_empty()
        && incident.rework_count == 0
        && !assist::any_answered(incident)
}

/// Whether the actor may call parties to assist on the incident: a
/// dispatcher covering it. Routing calls them without a user and asks nobody.
pub fn may_call_assists(incident: &Incident, actor: &Actor) -> Access {
    let relation = Relation::of(incident, actor);
    if !relation.sees() {
        Access::Hidden
    } else if relation.dispatcher {
        Access::Granted
    } else {
        Access::Forbidden
    }
}

/// Whether the actor may acknowledge or report the assist of `party`: any
/// handler of that party, while it is called onto the incident.
pub fn may_act_for_assist(incident: &Incident, actor: &Actor, party: &str) -> Access {
    let relation = Relation::of(incident, actor);
    let handles = actor
        .grants
        .iter()
        .any(|g| g.role == Role::Handler && g.party.as_deref() == Some(party));
    if !relation.sees() {
        Access::Hidden
    } else if handles && incident.assists.iter().any(|a| a.party == party) {
        Access::Granted
    } else {
        Access::Forbidden
    }
}

/// How the actor stands to the incident, through any of their grants: whether
/// they see it at all (their [`Visibility`]), and the relations that steps ask.
#[derive(Debug, Clone, Copy, Default)]
struct Relation {
    /// In the actor's [`Visibility`].
    visible: bool,
    reporter: bool,
    /// A grid worker of its grid (or of a grid above its micro-grid).
    grid_worker: bool,
    grid_chief: bool,
    /// A dispatcher whose area covers its grid.
    dispatcher: bool,
    /// A handler of its current party.
    party_handler: bool,
    /// A handler of its current party who may act on it: the assignee, or any
    /// handler of the party when none is named.
    in_charge: bool,
}

impl Relation {
    fn of(incident: &Incident, actor: &Actor) -> Relation {
        let mut relation = Relation {
            visible: Visibility::of(actor).contains(incident),
            reporter: actor.user_id == incident.reporter_id,
            ..Relation::default()
        };
        for grant in &actor.grants {
            let covers = grant
                .area
                .as_ref()
                .is_some_and(|area| area.covers(&incident.grid));
            match grant.role {
                Role::GridWorker => relation.grid_worker |= covers,
                Role::GridChief => relation.grid_chief |= covers,
                Role::Dispatcher => relation.dispatcher |= covers,
                Role::Handler => {
                    relation.party_handler |=
                        grant.party.is_some() && grant.party == incident.party;
                }
                Role::Admin | Role::Resident | Role::Auditor => {}
            }
        }
        relation.in_charge = relation.party_handler
            && incident
                .assignee
                .as_ref()
                .is_none_or(|assignee| *assignee == actor.user_id);
        relation
    }

    fn sees(self) -> bool {
        self.visible
    }

    /// Assumes [`Relation::may`]; see [`in_turn`].
    fn in_turn(self, incident: &Incident, action: ActionKind) -> bool {
        next_status(incident, action).is_some()
            && (action != ActionKind::ResolveOnSpot || self.on_the_spot(incident))
    }

    /// Whether resolving on the spot fits the incident as it stands, for
    /// this actor: the table in the module documentation.
    fn on_the_spot(self, incident: &Incident) -> bool {
        match incident.status {
            Status::Reported => true,
            Status::Accepted | Status::Dispatched => {
                self.reporter && untouched_by_parties(incident)
            }
            _ => false,
        }
    }

    /// Assumes [`Relation::sees`].
    fn may(self, action: ActionKind) -> bool {
        match action {
            ActionKind::Accept | ActionKind::Reject => self.dispatcher || self.grid_chief,
            ActionKind::Dispatch => self.dispatcher,
            ActionKind::Acknowledge | ActionKind::Return | ActionKind::Resolve => self.in_charge,
            ActionKind::ResolveOnSpot => self.grid_worker || self.grid_chief,
            ActionKind::Verify | ActionKind::Reopen => self.grid_chief || self.dispatcher,
            ActionKind::Rate => self.reporter,
            ActionKind::Comment => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::fixtures::{
        ASSIGNEE, CAST, OTHER_PARTY, PARTY, actor, at, cast, incident, sample_command,
    };
    use crate::incident::{IncidentError, Status, apply, transition};

    #[test]
    fn a_follower_sees_and_comments_but_takes_no_other_step() {
        let mut subject = incident(Status::Accepted);
        let stranger = actor("follower", Role::Resident, Some("410181001001"), None);
        assert_eq!(can_see(&subject, &stranger), Access::Hidden);
        subject.followers.push(stranger.user_id.clone());
        assert_eq!(can_see(&subject, &stranger), Access::Granted);
        assert_eq!(
            allowed_actions(&subject, &stranger),
            vec![ActionKind::Comment]
        );
        assert_eq!(
            permits(&subject, &stranger, ActionKind::Dispatch),
            Access::Forbidden
        );
    }

    /// Every role × every step, on an incident of grid `410102003001002`
    /// reported by `reporter`, in a state from which the step is an arrow
    /// (party `zy-heating` from dispatched on, no assignee). G granted,
    /// F forbidden, H hidden. Columns, in order: the reporter (a resident), a
    /// resident of the same community, a grid worker of its grid and one of
    /// another, a grid chief of its grid and one of another, a dispatcher of
    /// its subdistrict and one of another, a handler of its party and one of
    /// another party, an administrator. Resolving on the spot beyond
    /// `reported` depends on whose report it is: [`ON_THE_SPOT`].
    const POLICY: &str = "
                                  reporter  resident  worker  worker_else  chief  chief_else  dispatcher  dispatcher_else  handler  handler_else  admin
    accept           reported     F         H         F       H            G      H           G           H                H        H             F
    reject           reported     F         H         F       H            G      H           G           H                H        H             F
    resolve_on_spot  reported     F         H         G       H            G      H           F           H                H        H             F
    dispatch         accepted     F         H         F       H            F      H           G           H                H        H             F
    acknowledge      dispatched   F         H         F       H            F      H           F           H                G        H             F
    return           dispatched   F         H         F       H            F      H           F           H                G        H             F
    return           in_progress  F         H         F       H            F      H           F           H                G        H             F
    resolve          in_progress  F         H         F       H            F      H           F           H                G        H             F
    verify           resolved     F         H         F       H            G      H           G           H                F        H             F
    reopen           resolved     F         H         F       H            G      H           G           H                F        H             F
    rate             closed       G         H         F       H            F      H           F           H                F        H             F
    comment          reported     G         H         G       H            G      H           G           H                H        H             G
    comment          accepted     G         H         G       H            G      H           G           H                H        H             G
    comment          dispatched   G         H         G       H            G      H           G           H                G        H             G
    comment          closed       G         H         G       H            G      H           G           H                G        H             G
    comment          rejected     G         H         G       H            G      H           G           H                H        H             G
    ";

    fn letter(access: Access) -> &'static str {
        match access {
            Access::Granted => "G",
            Access::Forbidden => "F",
            Access::Hidden => "H",
        }
    }

    #[test]
    fn every_role_for_every_step() {
        let mut lines = POLICY.lines().map(str::trim).filter(|l| !l.is_empty());
        let header: Vec<&str> = lines
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert_eq!(header, CAST, "one column per member of the cast");
        let cast = cast();
        let mut covered = Vec::new();
        for line in lines {
            let cells: Vec<&str> = line.split_whitespace().collect();
            let (action, status) = match cells[..2] {
                [a, s] => (ActionKind::parse(a), Status::parse(s)),
                _ => (None, None),
            };
            let (Some(action), Some(status)) = (action, status) else {
                panic!("row {line}");
            };
            assert!(
                transition(status, action).is_some(),
                "{action} from {status}"
            );
            covered.push(action);
            let subject = incident(status);
            assert_eq!(cells.len() - 2, cast.len(), "row {line}");
            for ((name, who), &expected) in cast.iter().zip(&cells[2..]) {
                let access = permits(&subject, who, action);
                assert_eq!(letter(access), expected, "{name} {action} when {status}");
                let seen = letter(can_see(&subject, who));
                assert_eq!(seen == "H", expected == "H", "{name} sees it when {status}");
                let outcome = apply(&subject, sample_command(action), who, subject.updated_at);
                match (access, outcome) {
                    (Access::Granted, Ok((next, _))) => {
                        assert_eq!(Some(next.status), transition(status, action));
                    }
                    (Access::Forbidden, Err(IncidentError::Forbidden { action: a })) => {
                        assert_eq!(a, action);
                    }
                    (Access::Hidden, Err(IncidentError::Hidden)) => {}
                    (access, outcome) => {
                        panic!("{name} {action} when {status}: {access:?} but {outcome:?}")
                    }
                }
            }
        }
        for action in ActionKind::ALL {
            assert!(covered.contains(&action), "no row for {action}");
        }
    }

    /// Resolving on the spot, by who (the columns, members of the cast), on
    /// which incident (its state, who reported it, what a party did to it;
    /// party `zy-heating` from dispatched on). G resolved (the party stood
    /// down), F forbidden (403), C not now (409), H hidden.
    const ON_THE_SPOT: &str = "
    status       reported_by  touched           worker  chief  worker_else  dispatcher  handler
    reported     reporter     -                 G       G      H            F           H
    reported     worker       -                 G       G      H            F           H
    accepted     reporter     -                 C       C      H            F           H
    accepted     worker       -                 G       C      H            F           H
    accepted     chief        -                 C       G      H            F           H
    accepted     worker       returned          C       C      H            F           H
    accepted     worker       reopened          C       C      H            F           H
    dispatched   reporter     -                 C       C      H            F           F
    dispatched   worker       -                 G       C      H            F           F
    dispatched   chief        -                 C       G      H            F           F
    dispatched   worker       assist_called     G       C      H            F           F
    dispatched   worker       assist_answered   C       C      H            F           F
    in_progress  worker       -                 C       C      H            F           F
    resolved     worker       -                 C       C      H            F           F
    ";

    #[test]
    fn grid_staff_resolve_on_the_spot_their_own_untouched_finding() {
        use crate::incident::{Assist, AssistState};
        let mut lines = ON_THE_SPOT.lines().map(str::trim).filter(|l| !l.is_empty());
        let header: Vec<&str> = lines
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let cast = cast();
        let member = |name: &str| {
            cast.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, a)| a.clone())
                .unwrap_or_else(|| panic!("{name}"))
        };
        let assisting = |state| Assist {
            party: OTHER_PARTY.into(),
            state,
            called_by: "system".into(),
            called_at: at(0),
            acknowledged_at: None,
            reported_at: None,
            report: None,
        };
        for line in lines {
            let cells: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(cells.len(), header.len(), "row {line}");
            let status = Status::parse(cells[0]).unwrap_or_else(|| panic!("row {line}"));
            let mut subject = incident(status);
            subject.reporter_id = cells[1].into();
            match cells[2] {
                "-" => {}
                "returned" => subject.returned_by = vec![OTHER_PARTY.into()],
                "reopened" => subject.rework_count = 1,
                "assist_called" => subject.assists = vec![assisting(AssistState::Called)],
                "assist_answered" => {
                    subject.assists = vec![assisting(AssistState::Acknowledged)];
                }
                other => panic!("touched {other}"),
            }
            for (&name, &expected) in header[3..].iter().zip(&cells[3..]) {
                let who = member(name);
                let offered = allowed_actions(&subject, &who).contains(&ActionKind::ResolveOnSpot);
                assert_eq!(offered, expected == "G", "{name} is offered it: {line}");
                let outcome = apply(
                    &subject,
                    sample_command(ActionKind::ResolveOnSpot),
                    &who,
                    at(1),
                );
                match (expected, outcome) {
                    ("G", Ok((next, _))) => {
                        assert_eq!(next.status, Status::Resolved, "{line}");
                        assert_eq!((next.party, next.assignee), (None, None), "{line}");
                        assert!(
                            next.assists
                                .iter()
                                .all(|a| a.state == AssistState::StoodDown),
                            "{line}"
                        );
                    }
                    ("F", Err(IncidentError::Forbidden { .. }))
                    | ("C", Err(IncidentError::InvalidTransition { .. }))
                    | ("H", Err(IncidentError::Hidden)) => {}
                    (expected, outcome) => panic!("{name}: {line}: {expected} but {outcome:?}"),
                }
            }
        }
    }

    #[test]
    fn a_named_assignee_alone_acts_for_the_party() {
        let mut subject = incident(Status::Dispatched);
        subject.assignee = Some(ASSIGNEE.into());
        let assignee = actor(ASSIGNEE, Role::Handler, None, Some(PARTY));
        let colleague = actor("handler", Role::Handler, None, Some(PARTY));
        for action in [ActionKind::Acknowledge, ActionKind::Return] {
            assert_eq!(permits(&subject, &assignee, action), Access::Granted);
            assert_eq!(permits(&subject, &colleague, action), Access::Forbidden);
        }
        assert_eq!(can_see(&subject, &colleague), Access::Granted);
        assert_eq!(
            permits(&subject, &colleague, ActionKind::Comment),
            Access::Granted
        );
        let former = actor(ASSIGNEE, Role::Handler, None, Some("zy-cg"));
        assert_eq!(
            can_see(&subject, &former),
            Access::Hidden,
            "an assignee who left the party no longer sees the case"
        );
    }

    #[test]
    fn a_dispatcher_of_the_district_or_city_covers_the_grid_below() {
        let subject = incident(Status::Reported);
        for area in ["410102", "410100", "410102003001"] {
            let dispatcher = actor("d", Role::Dispatcher, Some(area), None);
            assert_eq!(
                permits(&subject, &dispatcher, ActionKind::Accept),
                Access::Granted,
                "{area}"
            );
        }
        let neighbour = actor("d", Role::Dispatcher, Some("410102004"), None);
        assert_eq!(can_see(&subject, &neighbour), Access::Hidden);
    }

    #[test]
    fn grants_add_up() {
        let subject = incident(Status::Accepted);
        let mut admin = actor("admin", Role::Admin, None, None);
        assert_eq!(allowed_actions(&subject, &admin), vec![ActionKind::Comment]);
        admin
            .grants
            .extend(actor("admin", Role::Dispatcher, Some("410102"), None).grants);
        assert_eq!(
            allowed_actions(&subject, &admin),
            vec![ActionKind::Dispatch, ActionKind::Comment]
        );
    }

    #[test]
    fn allowed_actions_are_those_that_pass_policy_and_state() {
        let cast = cast();
        let find = |name: &str| {
            cast.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, a)| a.clone())
                .unwrap_or_else(|| panic!("{name}"))
        };
        use ActionKind::*;
        let reported = incident(Status::Reported);
        assert_eq!(
            allowed_actions(&reported, &find("chief")),
            vec![Accept, Reject, ResolveOnSpot, Comment]
        );
        assert_eq!(
            allowed_actions(&reported, &find("dispatcher")),
            vec![Accept, Reject, Comment]
        );
        assert_eq!(allowed_actions(&reported, &find("reporter")), vec![Comment]);
        assert_eq!(allowed_actions(&reported, &find("resident")), vec![]);
        let in_progress = incident(Status::InProgress);
        assert_eq!(
            allowed_actions(&in_progress, &find("handler")),
            vec![Return, Resolve, Comment]
        );
        let mut closed = incident(Status::Closed);
        assert_eq!(
            allowed_actions(&closed, &find("reporter")),
            vec![Rate, Comment]
        );
        closed.rating = Some((crate::incident::Rating::Satisfied, None));
        assert_eq!(allowed_actions(&closed, &find("reporter")), vec![Comment]);
    }
}
