//! A cast of actors and incidents in every state, for the tests of this module.

use chrono::{DateTime, NaiveDateTime};

use crate::access::{Actor, Grant};
use crate::area::AreaCode;
use crate::category::Priority;
use crate::role::Role;

use super::{ActionKind, Command, Incident, Rating, RejectReason, Source, Status};

/// A grid of 中原区, Zhengzhou; the dispatcher's subdistrict covers it.
pub const GRID: &str = "410102003001002";
pub const OTHER_GRID: &str = "410181001001001";
pub const SUBDISTRICT: &str = "410102003";
pub const OTHER_SUBDISTRICT: &str = "410181001";
pub const PARTY: &str = "zy-heating";
pub const OTHER_PARTY: &str = "zy-cg";
/// A second handler of [`PARTY`], named as assignee in some tests.
pub const ASSIGNEE: &str = "handler.li";
pub const REPORTER: &str = "reporter";

/// The columns of the policy table, in order.
pub const CAST: [&str; 11] = [
    "reporter",
    "resident",
    "worker",
    "worker_else",
    "chief",
    "chief_else",
    "dispatcher",
    "dispatcher_else",
    "handler",
    "handler_else",
    "admin",
];

pub fn at(minutes: i64) -> NaiveDateTime {
    DateTime::from_timestamp(1_800_000_000 + minutes * 60, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default()
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

pub fn actor(id: &str, role: Role, area: Option<&str>, party: Option<&str>) -> Actor {
    Actor {
        user_id: id.into(),
        grants: vec![Grant {
            role,
            area: area.map(code),
            party: party.map(Into::into),
        }],
    }
}

/// One actor per column of [`CAST`], with the user id of its name.
pub fn cast() -> Vec<(&'static str, Actor)> {
    let community = &GRID[..12];
    let roles: [(Role, Option<&str>, Option<&str>); 11] = [
        (Role::Resident, Some(community), None),
        (Role::Resident, Some(community), None),
        (Role::GridWorker, Some(GRID), None),
        (Role::GridWorker, Some(OTHER_GRID), None),
        (Role::GridChief, Some(GRID), None),
        (Role::GridChief, Some(OTHER_GRID), None),
        (Role::Dispatcher, Some(SUBDISTRICT), None),
        (Role::Dispatcher, Some(OTHER_SUBDISTRICT), None),
        (Role::Handler, None, Some(PARTY)),
        (Role::Handler, None, Some(OTHER_PARTY)),
        (Role::Admin, None, None),
    ];
    CAST.iter()
        .zip(roles)
        .map(|(&name, (role, area, party))| (name, actor(name, role, area, party)))
        .collect()
}

/// A snow-on-the-shed report in [`GRID`] by [`REPORTER`], as it stands in
/// `status` after the usual path: party [`PARTY`] from dispatched on, a
/// result once resolved, nothing else.
pub fn incident(status: Status) -> Incident {
    let with_party = matches!(
        status,
        Status::Dispatched | Status::InProgress | Status::Resolved | Status::Closed
    );
    let resolved = matches!(status, Status::Resolved | Status::Closed);
    Incident {
        id: "inc-1".into(),
        reference: "ZY20250101-0001".into(),
        category: "public_safety.snow_ice".into(),
        description: "snow piled on the bike shed roof".into(),
        grid: code(GRID),
        reporter_id: REPORTER.into(),
        source: Source::Resident,
        priority: Priority::High,
        status,
        party: with_party.then(|| PARTY.into()),
        assignee: None,
        returned_by: Vec::new(),
        duplicate_of: None,
        rating: None,
        rework_count: 0,
        followers: Vec::new(),
        assists: Vec::new(),
        result: resolved.then(|| "snow cleared".into()),
        version: 1,
        created_at: at(0),
        updated_at: at(0),
    }
}

/// A well-formed command of each kind.
pub fn sample_command(kind: ActionKind) -> Command {
    match kind {
        ActionKind::Accept => Command::Accept { note: None },
        ActionKind::Reject => Command::Reject {
            reason: RejectReason::OutOfScope,
            note: Some("a private courtyard".into()),
        },
        ActionKind::Dispatch => Command::Dispatch {
            party: PARTY.into(),
            assignee: None,
            note: None,
        },
        ActionKind::Acknowledge => Command::Acknowledge { note: None },
        ActionKind::Return => Command::Return {
            reason: "not ours: the shed belongs to the school".into(),
        },
        ActionKind::Resolve => Command::Resolve {
            result: "snow cleared".into(),
            photos: vec!["photo-after".into()],
        },
        ActionKind::ResolveOnSpot => Command::ResolveOnSpot {
            result: "swept it myself".into(),
            photos: Vec::new(),
        },
        ActionKind::Verify => Command::Verify {
            note: Some("checked on site".into()),
        },
        ActionKind::Reopen => Command::Reopen {
            reason: "half the roof is still covered".into(),
        },
        ActionKind::Rate => Command::Rate {
            rating: Rating::Satisfied,
            comment: None,
            solved: None,
        },
        ActionKind::Comment => Command::Comment {
            text: "still there this morning".into(),
        },
    }
}
