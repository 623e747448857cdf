//! Who sees an incident, as one scope computed from the actor: the single
//! read ([`can_see`](super::can_see)), every step's policy and the list all
//! ask it, so what a caller may open and what they find in a list agree by
//! construction.
//!
//! An actor sees an incident when any of their relations to it holds:
//!
//! | relation | through |
//! |---|---|
//! | everything | an administrator grant |
//! | its reporter, or a follower (reported a duplicate of it) | the user |
//! | its grid lies in one of their areas | grid worker, grid chief and dispatcher grants |
//! | its current party, or a party called to assist on it | handler grants |
//!
//! Residents' areas (where they live) give them nothing: they see what they
//! reported and what they follow.

use crate::access::Actor;
use crate::area::{AreaCode, AreaMap};
use crate::role::Role;

use super::Incident;

/// The incidents an actor may know exist: the union of their relations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    /// An administrator: every incident.
    pub everything: bool,
    /// The actor: what they reported and what they follow.
    pub user: String,
    /// Grids of grid workers and chiefs, areas of dispatchers: every incident
    /// in them or below them. Sorted, none inside another.
    pub areas: Vec<AreaCode>,
    /// Parties the actor handles for: incidents one of them holds or was
    /// called to assist on. Sorted, each once.
    pub parties: Vec<String>,
}

impl Visibility {
    pub fn of(actor: &Actor) -> Visibility {
        let mut areas: Vec<AreaCode> = actor
            .grants
            .iter()
            .filter(|g| {
                matches!(
                    g.role,
                    Role::GridWorker | Role::GridChief | Role::Dispatcher
                )
            })
            .filter_map(|g| g.area.clone())
            .collect();
        areas.sort();
        areas.dedup();
        // An area inside another of the actor's areas adds nothing.
        let outer: Vec<AreaCode> = areas
            .iter()
            .filter(|area| !areas.iter().any(|o| o != *area && o.covers(area)))
            .cloned()
            .collect();
        let mut parties: Vec<String> = actor
            .grants
            .iter()
            .filter(|g| g.role == Role::Handler)
            .filter_map(|g| g.party.clone())
            .collect();
        parties.sort();
        parties.dedup();
        Visibility {
            everything: actor.is_admin(),
            user: actor.user_id.clone(),
            areas: outer,
            parties,
        }
    }

    pub fn contains(&self, incident: &Incident) -> bool {
        self.everything
            || incident.reporter_id == self.user
            || incident.followers.contains(&self.user)
            || self.areas.iter().any(|area| area.covers(&incident.grid))
            || incident
                .party
                .as_ref()
                .is_some_and(|party| self.parties.contains(party))
            || incident
                .assists
                .iter()
                .any(|assist| self.parties.contains(&assist.party))
    }

    /// Whether every incident a list filter leaves is visible anyway: the
    /// filter names an area inside one of the actor's areas, one of their
    /// parties as the current party, or the actor as reporter. Such a list
    /// needs no scope beyond its filter.
    pub fn includes_all_of(
        &self,
        area: Option<&AreaCode>,
        party: Option<&str>,
        reporter: Option<&str>,
    ) -> bool {
        self.everything
            || area.is_some_and(|wanted| self.areas.iter().any(|mine| mine.covers(wanted)))
            || party.is_some_and(|wanted| self.parties.iter().any(|mine| mine == wanted))
            || reporter == Some(self.user.as_str())
    }
}

/// A [`Visibility`] laid over the area map, as a list reads it: each of its
/// areas with the grids (and micro-grids) in it, so that a small area can be
/// read grid by grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListScope {
    pub visibility: Visibility,
    /// The areas of `visibility`, in its order, each with its grids (none for
    /// an area the map does not hold).
    pub areas: Vec<AreaGrids>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaGrids {
    pub area: AreaCode,
    pub grids: Vec<AreaCode>,
}

impl ListScope {
    pub fn new(visibility: Visibility, map: &AreaMap) -> ListScope {
        let areas = visibility
            .areas
            .iter()
            .map(|area| AreaGrids {
                area: area.clone(),
                grids: map.grids_under(area).into_iter().cloned().collect(),
            })
            .collect();
        ListScope { visibility, areas }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Grant;
    use crate::area::{Area, AreaLevel};
    use crate::incident::fixtures::{
        ASSIGNEE, GRID, OTHER_GRID, OTHER_PARTY, PARTY, actor, at, cast, incident,
    };
    use crate::incident::{Assist, AssistState, Status};

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// Who saw an incident before this scope: the relations of
    /// `policy::Relation::sees`, written out again as they were.
    fn seen_by_relation(incident: &Incident, actor: &Actor) -> bool {
        let mut sees =
            actor.user_id == incident.reporter_id || incident.followers.contains(&actor.user_id);
        for grant in &actor.grants {
            let covers = grant
                .area
                .as_ref()
                .is_some_and(|area| area.covers(&incident.grid));
            sees |= match grant.role {
                Role::GridWorker | Role::GridChief | Role::Dispatcher => covers,
                Role::Handler => {
                    (grant.party.is_some() && grant.party == incident.party)
                        || grant
                            .party
                            .as_ref()
                            .is_some_and(|party| incident.assists.iter().any(|a| a.party == *party))
                }
                Role::Admin => true,
                Role::Resident | Role::Auditor => false,
            };
        }
        sees
    }

    /// What the list showed before this scope: the relations the list
    /// handler picked from the grants, each executed as the SQL did (an area
    /// as a prefix of the grid code, `XXYY00` as `XXYY`).
    fn listed_before(incident: &Incident, actor: &Actor) -> bool {
        let in_area = |area: &str| {
            let prefix = if area.len() == 6 && area.ends_with("00") {
                &area[..4]
            } else {
                area
            };
            incident.grid.as_str().starts_with(prefix)
        };
        let parties: Vec<&String> = actor
            .grants
            .iter()
            .filter(|g| g.role == Role::Handler)
            .filter_map(|g| g.party.as_ref())
            .collect();
        actor.is_admin()
            || incident.reporter_id == actor.user_id
            || incident.followers.contains(&actor.user_id)
            || actor
                .grants
                .iter()
                .filter(|g| {
                    matches!(
                        g.role,
                        Role::GridWorker | Role::GridChief | Role::Dispatcher
                    )
                })
                .filter_map(|g| g.area.as_ref())
                .any(|area| in_area(area.as_str()))
            || incident
                .party
                .as_ref()
                .is_some_and(|p| parties.contains(&p))
            || incident.assists.iter().any(|a| parties.contains(&&a.party))
    }

    fn with(grants: &[(Role, Option<&str>, Option<&str>)], id: &str) -> Actor {
        Actor {
            user_id: id.into(),
            grants: grants
                .iter()
                .map(|&(role, area, party)| Grant {
                    role,
                    area: area.map(code),
                    party: party.map(Into::into),
                })
                .collect(),
        }
    }

    /// The cast of the policy table and a few more: a follower, a city and
    /// a district dispatcher, a worker of the grid's community, an assignee,
    /// a handler without a party, a resident without grants, grants added up.
    fn actors() -> Vec<Actor> {
        let mut all: Vec<Actor> = cast().into_iter().map(|(_, a)| a).collect();
        all.extend([
            actor("follower", Role::Resident, Some(&GRID[..12]), None),
            actor("city", Role::Dispatcher, Some("410100"), None),
            actor("district", Role::Dispatcher, Some("410102"), None),
            actor(
                "community_worker",
                Role::GridWorker,
                Some(&GRID[..12]),
                None,
            ),
            actor(ASSIGNEE, Role::Handler, None, Some(PARTY)),
            actor("no_party", Role::Handler, None, None),
            Actor {
                user_id: "nobody".into(),
                grants: Vec::new(),
            },
            with(
                &[
                    (Role::Dispatcher, Some("410181001"), None),
                    (Role::GridChief, Some(GRID), None),
                    (Role::Handler, None, Some(OTHER_PARTY)),
                ],
                "many",
            ),
            with(
                &[
                    (Role::Dispatcher, Some("410102003"), None),
                    (Role::GridWorker, Some(GRID), None),
                ],
                "nested",
            ),
        ]);
        all
    }

    /// Every state, and beside them: in another grid, followed, with an
    /// assignee, with an assisting party, returned by the party.
    fn incidents() -> Vec<Incident> {
        let mut all: Vec<Incident> = Status::ALL.into_iter().map(incident).collect();
        let mut elsewhere = incident(Status::InProgress);
        elsewhere.grid = code(OTHER_GRID);
        let mut followed = incident(Status::Accepted);
        followed.followers.push("follower".into());
        let mut assigned = incident(Status::Dispatched);
        assigned.assignee = Some(ASSIGNEE.into());
        let mut assisted = incident(Status::InProgress);
        assisted.assists.push(Assist {
            party: OTHER_PARTY.into(),
            state: AssistState::Called,
            called_by: "dispatcher".into(),
            called_at: at(5),
            acknowledged_at: None,
            reported_at: None,
            report: None,
        });
        let mut assisted_elsewhere = assisted.clone();
        assisted_elsewhere.grid = code(OTHER_GRID);
        assisted_elsewhere.party = None;
        let mut returned = incident(Status::Accepted);
        returned.returned_by.push(PARTY.into());
        all.extend([
            elsewhere,
            followed,
            assigned,
            assisted,
            assisted_elsewhere,
            returned,
        ]);
        all
    }

    #[test]
    fn the_scope_sees_what_the_single_read_and_the_list_saw() {
        for who in actors() {
            let visibility = Visibility::of(&who);
            for subject in incidents() {
                let seen = visibility.contains(&subject);
                let what = format!(
                    "{} on {} {} in {} (party {:?})",
                    who.user_id, subject.status, subject.id, subject.grid, subject.party
                );
                assert_eq!(seen, seen_by_relation(&subject, &who), "read: {what}");
                assert_eq!(seen, listed_before(&subject, &who), "list: {what}");
            }
        }
    }

    #[test]
    fn areas_inside_others_and_repeated_parties_are_dropped() {
        let who = with(
            &[
                (Role::Dispatcher, Some("410102003"), None),
                (Role::GridChief, Some(GRID), None),
                (Role::GridWorker, Some(OTHER_GRID), None),
                (Role::Resident, Some("410181001001"), None),
                (Role::Handler, None, Some(PARTY)),
                (Role::Handler, None, Some(PARTY)),
            ],
            "many",
        );
        let visibility = Visibility::of(&who);
        assert_eq!(visibility.areas, [code("410102003"), code(OTHER_GRID)]);
        assert_eq!(visibility.parties, [PARTY]);
        assert!(!visibility.everything);
        let city = Visibility::of(&with(
            &[
                (Role::Dispatcher, Some("410100"), None),
                (Role::Dispatcher, Some("410102"), None),
            ],
            "city",
        ));
        assert_eq!(city.areas, [code("410100")], "a city covers its districts");
    }

    #[test]
    fn a_filter_inside_the_scope_needs_no_other() {
        let dispatcher = Visibility::of(&actor("d", Role::Dispatcher, Some("410102003"), None));
        let grid = code(GRID);
        assert!(dispatcher.includes_all_of(Some(&grid), None, None));
        assert!(dispatcher.includes_all_of(Some(&code("410102003")), None, None));
        assert!(!dispatcher.includes_all_of(Some(&code("410102")), None, None));
        assert!(!dispatcher.includes_all_of(None, Some(PARTY), None));
        assert!(dispatcher.includes_all_of(None, None, Some("d")));
        assert!(!dispatcher.includes_all_of(None, None, Some("someone")));
        assert!(!dispatcher.includes_all_of(None, None, None));
        let handler = Visibility::of(&actor("h", Role::Handler, None, Some(PARTY)));
        assert!(handler.includes_all_of(None, Some(PARTY), None));
        assert!(!handler.includes_all_of(None, Some(OTHER_PARTY), None));
        assert!(!handler.includes_all_of(Some(&grid), None, None));
        let admin = Visibility::of(&actor("a", Role::Admin, None, None));
        assert!(admin.includes_all_of(None, None, None));
        let city = Visibility::of(&actor("c", Role::Dispatcher, Some("410100"), None));
        assert!(city.includes_all_of(Some(&code("410102")), None, None));
    }

    #[test]
    fn a_list_scope_carries_the_grids_of_each_area() {
        let area = |c: &str, level: AreaLevel, parent: Option<&str>| Area {
            code: code(c),
            name: c.into(),
            name_en: c.into(),
            level,
            parent_code: parent.map(code),
            boundary: None,
            synthetic: true,
        };
        let map = AreaMap::new([
            area("410102003", AreaLevel::Subdistrict, None),
            area("410102003001", AreaLevel::Community, Some("410102003")),
            area(GRID, AreaLevel::Grid, Some("410102003001")),
            area("410102003001001", AreaLevel::Grid, Some("410102003001")),
        ]);
        let who = with(
            &[
                (Role::Dispatcher, Some("410102003"), None),
                (Role::GridWorker, Some(OTHER_GRID), None),
            ],
            "d",
        );
        let scope = ListScope::new(Visibility::of(&who), &map);
        assert_eq!(
            scope.areas,
            [
                AreaGrids {
                    area: code("410102003"),
                    grids: vec![code("410102003001001"), code(GRID)],
                },
                AreaGrids {
                    area: code(OTHER_GRID),
                    grids: Vec::new(),
                },
            ]
        );
    }
}
