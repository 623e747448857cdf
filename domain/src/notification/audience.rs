//! Whom an audience names, in terms the store executes without deciding
//! anything ([`Reach`]); whom a notice reaches; and who, of the people each
//! tell of a step names, is told at all.
//!
//! The store runs one query per [`Reach`], always leaving disabled accounts
//! out, and hands the people found back to the rules here.

use std::collections::HashSet;

use super::{Audience, NoticeAudience, Tell};
use crate::area::AreaCode;
use crate::role::Role;

/// A person to tell, and the language they read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: String,
    pub locale: String,
}

/// One query for people, as the store runs it: enabled accounts only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// These users.
    Users(Vec<String>),
    /// Every handler of the party.
    PartyHandlers(String),
    /// Whoever holds one of `roles` at exactly one of `areas`.
    RolesAt {
        roles: Vec<Role>,
        areas: Vec<AreaCode>,
    },
    /// Whoever holds one of `roles` at `area` or below it (the codes
    /// starting with [`AreaCode::subtree_prefix`]: a prefecture-level city
    /// `XXYY00` holds its districts `XXYYnn`).
    RolesUnder { roles: Vec<Role>, area: AreaCode },
}

impl Audience {
    /// The query that finds the people this audience names. Staff "of a
    /// grid" are those registered at the grid or at any area holding it.
    pub fn reach(&self) -> Reach {
        match self {
            Audience::Users(ids) => Reach::Users(ids.clone()),
            Audience::PartyHandlers(party) => Reach::PartyHandlers(party.clone()),
            Audience::DispatchersOf(grid) => Reach::RolesAt {
                roles: vec![Role::Dispatcher],
                areas: grid.lineage(),
            },
            Audience::GridStaffOf(grid) => Reach::RolesAt {
                roles: vec![Role::GridWorker, Role::GridChief],
                areas: grid.lineage(),
            },
        }
    }
}

/// The people found for one audience, each once (someone may hold a role at
/// two areas of a lineage), in the order found.
pub fn once_each(found: Vec<Member>) -> Vec<Member> {
    let mut seen = HashSet::new();
    found
        .into_iter()
        .filter(|m| seen.insert(m.user_id.clone()))
        .collect()
}

/// The queries that find whom a notice to `area` reaches: residents and/or
/// grid staff registered in the area or below it; and, for residents, those
/// registered at any area holding it (residents register by community, so a
/// notice to a grid reaches the community around it).
pub fn notice_reach(area: &AreaCode, audience: &[NoticeAudience]) -> Vec<Reach> {
    let residents = audience.contains(&NoticeAudience::Residents);
    let mut roles = Vec::new();
    if residents {
        roles.push(Role::Resident);
    }
    if audience.contains(&NoticeAudience::Workers) {
        roles.extend([Role::GridWorker, Role::GridChief]);
    }
    let mut out = Vec::new();
    if !roles.is_empty() {
        out.push(Reach::RolesUnder {
            roles,
            area: area.clone(),
        });
    }
    if residents {
        out.push(Reach::RolesAt {
            roles: vec![Role::Resident],
            areas: area.lineage(),
        });
    }
    out
}

/// Who receives a notice, of the users its reach found: each once, in the
/// order of their ids, and never its author.
pub fn notice_recipients(found: impl IntoIterator<Item = String>, author_id: &str) -> Vec<String> {
    let mut ids: Vec<String> = found.into_iter().filter(|id| id != author_id).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Who hears of a step, and by which tell: of the members `resolve` finds
/// for each tell's audience, never the actor, and nobody twice (the first
/// tell that names a person is the one they hear).
pub fn recipients<'t, E>(
    tells: &'t [Tell],
    actor_id: &str,
    mut resolve: impl FnMut(&Audience) -> Result<Vec<Member>, E>,
) -> Result<Vec<(&'t Tell, Member)>, E> {
    let mut told = HashSet::from([actor_id.to_owned()]);
    let mut out = Vec::new();
    for tell in tells {
        for member in resolve(&tell.audience)? {
            if told.insert(member.user_id.clone()) {
                out.push((tell, member));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;
    use crate::notification::{Topic, Why};

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn codes(all: &[&str]) -> Vec<AreaCode> {
        all.iter().map(|s| code(s)).collect()
    }

    const GRID: &str = "410102003001002";
    const LINEAGE: [&str; 5] = [
        "410102003001002",
        "410102003001",
        "410102003",
        "410102",
        "410100",
    ];

    fn member(id: &str, locale: &str) -> Member {
        Member {
            user_id: id.into(),
            locale: locale.into(),
        }
    }

    fn tell(topic: Topic, audience: Audience, why: Why) -> Tell {
        Tell {
            topic,
            audience,
            why,
        }
    }

    #[test]
    fn dispatchers_of_a_grid_are_those_at_any_area_of_its_lineage() {
        assert_eq!(
            Audience::DispatchersOf(code(GRID)).reach(),
            Reach::RolesAt {
                roles: vec![Role::Dispatcher],
                areas: codes(&LINEAGE),
            }
        );
    }

    #[test]
    fn grid_staff_of_a_grid_are_its_workers_and_chiefs_along_the_lineage() {
        assert_eq!(
            Audience::GridStaffOf(code(GRID)).reach(),
            Reach::RolesAt {
                roles: vec![Role::GridWorker, Role::GridChief],
                areas: codes(&LINEAGE),
            }
        );
    }

    #[test]
    fn named_users_and_party_handlers_are_reached_as_named() {
        assert_eq!(
            Audience::Users(vec!["a".into(), "b".into()]).reach(),
            Reach::Users(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            Audience::PartyHandlers("water".into()).reach(),
            Reach::PartyHandlers("water".into())
        );
    }

    #[test]
    fn an_audience_names_each_person_once_in_the_order_found() {
        let found = vec![
            member("b", "zh-CN"),
            member("a", "en"),
            member("b", "zh-CN"),
        ];
        assert_eq!(
            once_each(found),
            vec![member("b", "zh-CN"), member("a", "en")]
        );
    }

    #[test]
    fn a_notice_to_residents_reaches_the_subtree_and_the_lineage() {
        let community = code("410102003001");
        assert_eq!(
            notice_reach(&community, &[NoticeAudience::Residents]),
            vec![
                Reach::RolesUnder {
                    roles: vec![Role::Resident],
                    area: community.clone(),
                },
                Reach::RolesAt {
                    roles: vec![Role::Resident],
                    areas: codes(&["410102003001", "410102003", "410102", "410100"]),
                },
            ]
        );
    }

    #[test]
    fn a_notice_to_workers_reaches_grid_staff_in_the_subtree_only() {
        let grid = code(GRID);
        assert_eq!(
            notice_reach(&grid, &[NoticeAudience::Workers]),
            vec![Reach::RolesUnder {
                roles: vec![Role::GridWorker, Role::GridChief],
                area: grid.clone(),
            }]
        );
        let both = notice_reach(&grid, &[NoticeAudience::Workers, NoticeAudience::Residents]);
        assert_eq!(
            both[0],
            Reach::RolesUnder {
                roles: vec![Role::Resident, Role::GridWorker, Role::GridChief],
                area: grid.clone(),
            }
        );
        assert_eq!(both.len(), 2);
        assert_eq!(notice_reach(&grid, &[]), Vec::new());
    }

    #[test]
    fn a_notice_reaches_each_once_in_id_order_and_never_its_author() {
        let found = ["carol", "author", "alice", "carol", "bob"].map(String::from);
        assert_eq!(
            notice_recipients(found, "author"),
            vec!["alice", "bob", "carol"]
        );
    }

    #[test]
    fn a_step_tells_nobody_twice_and_never_the_actor() {
        let reporters = Audience::Users(vec!["reporter".into()]);
        let dispatchers = Audience::DispatchersOf(code(GRID));
        let tells = vec![
            tell(Topic::Resolved, dispatchers.clone(), Why::Dispatcher),
            tell(Topic::Resolved, reporters.clone(), Why::Reporter),
        ];
        let resolve = |audience: &Audience| -> Result<Vec<Member>, Infallible> {
            Ok(if *audience == dispatchers {
                vec![
                    member("handler", "zh-CN"),
                    member("dispatcher", "zh-CN"),
                    member("reporter", "en"),
                ]
            } else {
                vec![member("reporter", "en"), member("handler", "zh-CN")]
            })
        };
        let Ok(told) = recipients(&tells, "handler", resolve);
        let told: Vec<(Why, &str)> = told
            .iter()
            .map(|(t, m)| (t.why, m.user_id.as_str()))
            .collect();
        // The reporter is a dispatcher too: the first tell naming them wins.
        assert_eq!(
            told,
            vec![
                (Why::Dispatcher, "dispatcher"),
                (Why::Dispatcher, "reporter")
            ]
        );
    }

    #[test]
    fn a_step_nobody_else_hears_of_tells_nobody() {
        let tells = vec![tell(
            Topic::Commented,
            Audience::Users(vec!["me".into()]),
            Why::Reporter,
        )];
        let Ok(told) = recipients(&tells, "me", |_| {
            Ok::<_, Infallible>(vec![member("me", "en")])
        });
        assert!(told.is_empty());
    }

    #[test]
    fn a_failing_lookup_stops_the_step() {
        let tells = vec![tell(
            Topic::Closed,
            Audience::PartyHandlers("water".into()),
            Why::Handler,
        )];
        assert_eq!(
            recipients(&tells, "me", |_| Err::<Vec<Member>, _>("down")),
            Err("down")
        );
    }
}
