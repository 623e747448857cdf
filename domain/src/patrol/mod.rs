//! Patrols: a grid worker walking the grids they hold, the track their phone
//! records, and how much of each grid it covered.
//!
//! A patrol is started for grids the walker holds, runs until its walker
//! ends it (one running patrol per walker), and accepts track points while
//! it runs and, for phones that were out of signal, for a while after its
//! end ([`track::accepts_uploads`]). Incidents found on it name it.
//!
//! Who sees a patrol is [`crate::access`]'s answer
//! ([`Capability::ReadPatrol`](crate::access::Capability::ReadPatrol)): a
//! movement track is sensitive personal data (PIPL art. 28), so only its
//! walker, the chiefs of its grids and the dispatchers over them.

pub mod coverage;
pub mod line;
pub mod track;

use chrono::{Duration, NaiveDateTime};

use crate::access::Actor;
use crate::area::AreaCode;
use crate::role::Role;

/// Grids one patrol may name: a walker holds a handful at most.
pub const MAX_GRIDS: usize = 20;
/// Positions of a planned route.
pub const MAX_ROUTE_POSITIONS: usize = 2_000;

/// Running until its walker ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatrolStatus {
    Running,
    Ended,
}

impl PatrolStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PatrolStatus::Running => "running",
            PatrolStatus::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<PatrolStatus> {
        match s {
            "running" => Some(PatrolStatus::Running),
            "ended" => Some(PatrolStatus::Ended),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Patrol {
    pub id: String,
    pub walker_id: String,
    /// Sorted, each once.
    pub grids: Vec<AreaCode>,
    /// The route the walker meant to take, as (longitude, latitude).
    pub planned_route: Option<Vec<(f64, f64)>>,
    pub status: PatrolStatus,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

impl Patrol {
    /// The time the patrol ran, for judging its points.
    pub fn window(&self) -> track::Window {
        track::Window {
            start: self.started_at,
            end: self.ended_at,
        }
    }
}

/// Why a patrol cannot start or end.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatrolError {
    /// A field is wrong (answered 422 naming it).
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// Already ended (409).
    #[error("this patrol has already ended")]
    AlreadyEnded,
}

fn invalid(field: &'static str, message: impl Into<String>) -> PatrolError {
    PatrolError::Invalid {
        field,
        message: message.into(),
    }
}

/// What a walker sends to start a patrol, its grids already parsed.
#[derive(Debug, Clone)]
pub struct Start {
    pub id: String,
    pub grids: Vec<AreaCode>,
    pub planned_route: Option<Vec<(f64, f64)>>,
    /// When the phone started it, for a patrol started offline; else now.
    pub started_at: Option<NaiveDateTime>,
}

/// A patrol of `actor`, checked: its grids, its planned route, and a start
/// no later than now and no earlier than late uploads still reach (a phone
/// that started offline says when).
pub fn start(
    start: Start,
    actor: &Actor,
    rules: &track::TrackRules,
    now: NaiveDateTime,
) -> Result<Patrol, PatrolError> {
    let mut grids = start.grids;
    grids.sort();
    grids.dedup();
    if grids.is_empty() {
        return Err(invalid("grids", "name at least one grid"));
    }
    if grids.len() > MAX_GRIDS {
        return Err(invalid("grids", format!("at most {MAX_GRIDS} grids")));
    }
    if let Some(route) = &start.planned_route {
        if route.len() < 2 || route.len() > MAX_ROUTE_POSITIONS {
            return Err(invalid(
                "planned_route",
                format!("a LineString of 2 to {MAX_ROUTE_POSITIONS} positions"),
            ));
        }
        if route
            .iter()
            .any(|&(lng, lat)| !(-180.0..=180.0).contains(&lng) || !(-90.0..=90.0).contains(&lat))
        {
            return Err(invalid(
                "planned_route",
                "positions are [longitude, latitude] in range",
            ));
        }
    }
    let started_at = start.started_at.unwrap_or(now);
    if started_at > now + Duration::minutes(5) {
        return Err(invalid("started_at", "in the future"));
    }
    if started_at < now - rules.late_upload {
        return Err(invalid(
            "started_at",
            "longer ago than late uploads are accepted",
        ));
    }
    Ok(Patrol {
        id: start.id,
        walker_id: actor.user_id.clone(),
        grids,
        planned_route: start.planned_route,
        status: PatrolStatus::Running,
        started_at,
        ended_at: None,
    })
}

/// Ends a running patrol at `at` (not before it started).
pub fn end(patrol: &Patrol, at: NaiveDateTime) -> Result<Patrol, PatrolError> {
    if patrol.status == PatrolStatus::Ended {
        return Err(PatrolError::AlreadyEnded);
    }
    Ok(Patrol {
        status: PatrolStatus::Ended,
        ended_at: Some(at.max(patrol.started_at)),
        ..patrol.clone()
    })
}

/// Whose patrols a list shows the actor: their own, and those touching the
/// grids they lead (grid chiefs) or dispatch (dispatchers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatrolScope {
    pub walker: String,
    /// Sorted; a patrol with a grid under one of them is in scope.
    pub areas: Vec<AreaCode>,
}

impl PatrolScope {
    pub fn of(actor: &Actor) -> PatrolScope {
        let mut areas: Vec<AreaCode> = actor
            .grants
            .iter()
            .filter(|g| matches!(g.role, Role::GridChief | Role::Dispatcher))
            .filter_map(|g| g.area.clone())
            .collect();
        areas.sort();
        areas.dedup();
        PatrolScope {
            walker: actor.user_id.clone(),
            areas,
        }
    }

    /// Sees the patrol of `walker` over `grids`.
    pub fn contains(&self, walker: &str, grids: &[AreaCode]) -> bool {
        walker == self.walker
            || grids
                .iter()
                .any(|grid| self.areas.iter().any(|a| a.covers(grid)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Grant;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 4)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .unwrap_or_else(|| panic!("a valid time"))
    }

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn worker() -> Actor {
        Actor {
            user_id: "w".into(),
            grants: vec![Grant {
                role: Role::GridWorker,
                area: Some(code("410102003001002")),
                party: None,
            }],
        }
    }

    fn draft(grids: &[&str]) -> Start {
        Start {
            id: "p1".into(),
            grids: grids.iter().map(|g| code(g)).collect(),
            planned_route: None,
            started_at: None,
        }
    }

    #[test]
    fn a_patrol_starts_running_with_its_grids_once() {
        let rules = track::TrackRules::default();
        let p = start(
            draft(&["410102003001002", "410102003001002"]),
            &worker(),
            &rules,
            at(20, 0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.status, PatrolStatus::Running);
        assert_eq!(p.grids.len(), 1);
        assert_eq!((p.started_at, p.ended_at), (at(20, 0), None));
    }

    #[test]
    fn a_patrol_needs_a_grid_and_a_believable_start() {
        let rules = track::TrackRules::default();
        let none = start(draft(&[]), &worker(), &rules, at(20, 0));
        assert!(matches!(
            none,
            Err(PatrolError::Invalid { field: "grids", .. })
        ));
        let future = Start {
            started_at: Some(at(21, 0)),
            ..draft(&["410102003001002"])
        };
        assert!(matches!(
            start(future, &worker(), &rules, at(20, 0)),
            Err(PatrolError::Invalid {
                field: "started_at",
                ..
            })
        ));
        let old = Start {
            started_at: Some(at(20, 0) - Duration::days(8)),
            ..draft(&["410102003001002"])
        };
        assert!(start(old, &worker(), &rules, at(20, 0)).is_err());
        let crooked = Start {
            planned_route: Some(vec![(113.6, 34.7), (200.0, 34.7)]),
            ..draft(&["410102003001002"])
        };
        assert!(matches!(
            start(crooked, &worker(), &rules, at(20, 0)),
            Err(PatrolError::Invalid {
                field: "planned_route",
                ..
            })
        ));
    }

    #[test]
    fn a_patrol_ends_once() {
        let rules = track::TrackRules::default();
        let p = start(draft(&["410102003001002"]), &worker(), &rules, at(20, 0))
            .unwrap_or_else(|e| panic!("{e}"));
        let ended = end(&p, at(22, 0)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ended.ended_at, Some(at(22, 0)));
        assert_eq!(end(&ended, at(22, 5)), Err(PatrolError::AlreadyEnded));
    }

    #[test]
    fn chiefs_and_dispatchers_see_patrols_over_their_grids() {
        let chief = Actor {
            user_id: "c".into(),
            grants: vec![Grant {
                role: Role::GridChief,
                area: Some(code("410102003001002")),
                party: None,
            }],
        };
        let scope = PatrolScope::of(&chief);
        assert!(scope.contains("w", &[code("410102003001002")]));
        assert!(!scope.contains("w", &[code("410181001001001")]));
        // A worker sees only their own.
        let own = PatrolScope::of(&worker());
        assert!(own.contains("w", &[code("410181001001001")]));
        assert!(!own.contains("x", &[code("410102003001002")]));
    }
}
