//! Incidents 事件 and their lifecycle: the national digital-urban-management
//! loop (collect → register → dispatch → handle → report back → verify and
//! close → evaluate) as a state machine.
//!
//! ```text
//! reported ─accept─▶ accepted ─dispatch─▶ dispatched ─acknowledge─▶ in_progress ─resolve─▶ resolved ─verify─▶ closed
//!  │  │                 ▲  │                  │  │                      │                     │
//!  │  │                 └──┼───return─────────┴──┼──────return──────────┘                     ├─reopen─▶ in_progress
//!  │  └─reject─▶ rejected  │                     │                                            └─reopen─▶ accepted, if it has no party
//!  └─resolve_on_spot───────┴─────────────────────┴───────────────────────────────────▶ resolved           (resolved on the spot)
//! closed ─rate─▶ closed (once)          any state ─comment─▶ the same state
//! ```
//!
//! Resolving on the spot (小事不出网格) from `accepted` or `dispatched` is for
//! the grid worker whose own report it is, before any party acknowledged it
//! ([`policy`]); the party and any assisting parties stand down. A finding
//! handled at once is reported and resolved in one go:
//! [`report_handled_on_spot`].
//!
//! One entry point, [`apply`]: an incident, a [`Command`], the [`Actor`](crate::access::Actor) and
//! the time in; the next incident and the one [`TimelineEvent`] to append out,
//! or an [`IncidentError`] saying why not. It checks, in this order:
//!
//! 1. [`IncidentError::Hidden`]: the actor may not know the incident exists.
//! 2. [`IncidentError::Forbidden`]: the actor sees it, but their role and
//!    relation to it never let them take this step, in whatever state.
//! 3. [`IncidentError::InvalidTransition`]: the actor may take this step, but
//!    not now ([`policy::in_turn`]: the current state, and for resolving on
//!    the spot whether it is their untouched report); `allowed` lists what
//!    they may do now.
//! 4. [`IncidentError::Invalid`]: the input is unusable (a blank reason, a
//!    second rating).
//!
//! Forbidden comes before the state on purpose: whether a resident may
//! dispatch does not depend on where the case stands, so they always hear 403,
//! and a 409 always means "you may, but not now: here is what you may do".
//!
//! Who may do what is in [`policy`]; who sees an incident, in [`Visibility`].

pub mod assist;
pub mod chain;
mod command;
pub mod duplicates;
mod error;
pub mod policy;
pub mod queue;
mod report;
mod routed;
mod status;
mod step;
mod visibility;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod proptests;

pub use assist::{Assist, AssistError, AssistEvent, AssistState, AssistStep};
pub use command::{Command, MAX_ID_CHARS, MAX_TEXT_CHARS, Rating, RejectReason};
pub use error::IncidentError;
pub use policy::{allowed_actions, can_see, in_turn, permits};
pub use report::{Channel, HANDLED_ON_SPOT, Report, report, report_handled_on_spot, source_of};
pub use routed::{
    Cause, SYSTEM_ACTOR, dispatch_by_rule, may_hand_to_routing, needs_on_site_check, routing_cause,
};
pub use status::{ActionKind, Status, transition};
pub use step::{EventDetail, TimelineEvent, apply, next_status};
pub use visibility::{AreaGrids, ListScope, Visibility};

use chrono::NaiveDateTime;

use crate::area::AreaCode;
use crate::category::Priority;

/// Where a report came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Found by a grid worker on patrol.
    Patrol,
    /// Reported by a resident from the app.
    Resident,
    /// 12345 and other hotlines.
    Hotline,
    /// Entered by a dispatcher at the console.
    Console,
    /// An Open311 GeoReport v2 client.
    Open311,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::Patrol,
        Source::Resident,
        Source::Hotline,
        Source::Console,
        Source::Open311,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Patrol => "patrol",
            Source::Resident => "resident",
            Source::Hotline => "hotline",
            Source::Console => "console",
            Source::Open311 => "open311",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Source::ALL.into_iter().find(|src| src.as_str() == s)
    }
}

/// A case 案卷, as far as its lifecycle is concerned. Location, address,
/// deadlines and photos are kept beside it; the timeline is the list of
/// [`TimelineEvent`]s that [`apply`] hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    /// The human reference number.
    pub reference: String,
    /// A category code, e.g. `public_safety.snow_ice`.
    pub category: String,
    pub description: String,
    /// The grid (or micro-grid) it lies in.
    pub grid: AreaCode,
    pub reporter_id: String,
    pub source: Source,
    pub priority: Priority,
    pub status: Status,
    /// The responsible party (its code) while dispatched, in progress,
    /// resolved and closed; none before dispatch and after a return.
    pub party: Option<String>,
    /// The handler of the party it was given to, when one was named.
    pub assignee: Option<String>,
    /// Parties that returned it (回退), each once, so re-routing leaves them out.
    pub returned_by: Vec<String>,
    /// Set when rejected as a duplicate of that incident.
    pub duplicate_of: Option<String>,
    /// Users who reported duplicates of it: they see it and may comment.
    pub followers: Vec<String>,
    /// Parties called to assist beside the lead (吹哨报到), in the order
    /// called (the store lists parties called at once by their code).
    pub assists: Vec<Assist>,
    pub rating: Option<(Rating, Option<String>)>,
    /// How often it was reopened (返工率).
    pub rework_count: u32,
    /// The result reported by the last resolve; cleared when reopened.
    pub result: Option<String>,
    /// Bumped by every accepted command; the ETag.
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_round_trip() {
        for source in Source::ALL {
            assert_eq!(Source::parse(source.as_str()), Some(source));
        }
        assert_eq!(Source::parse("email"), None);
    }
}
