//! Routing 分拨: whom a new or returned incident goes to, and whether it is
//! dispatched at once or waits for a dispatcher to triage it.
//!
//! A [`RoutingRule`] names a category subtree, an area subtree, a time of day
//! and a priority, each optional, and a [`Target`]: a party, or a role
//! relative to the incident ("the chief of its grid", "the heating company
//! serving it"). [`route`] picks the most specific rule that matches (see
//! [`Specificity`] for the one place that order is written) and can take the
//! case, and says why every other rule lost ([`Explanation`], in Chinese or
//! English).
//!
//! Two rules equally specific that could match the same case would make the
//! choice arbitrary, so [`check_new_rule`] refuses the second one when it is
//! saved. Nothing is left unrouted: when no rule can take a case, the
//! dispatchers of its subdistrict triage it, as city handbooks put it:
//! unclear responsibility falls to the territorial authority (属地兜底).
//!
//! Who holds a role or which party serves an area is data, not a rule: routing
//! asks a [`Directory`], which infra implements over the store.

mod book;
mod codes;
mod decide;
mod explain;
mod rule;
mod window;

#[cfg(test)]
mod tests;

pub use book::{RuleBook, category_lineage};
pub use codes::{format_time, parse_time};
pub use decide::route;
pub use explain::{Codes, Considered, Explanation, Labels, Verdict};
pub use rule::{
    Conflict, Dimension, InvalidRule, RoutingRule, RuleRefused, Specificity, check_new_rule,
    check_rule,
};
pub use window::{EmptyWindow, TimeWindow};

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};

use crate::area::{AreaCode, AreaLevel};
use crate::category::Priority;
use crate::duty::OnDuty;
use crate::incident::Incident;
use crate::party::PartyKind;
use crate::role::Role;

/// What happens once a rule has chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Dispatched to the target straight away.
    AutoDispatch,
    /// Put in front of a dispatcher with the target as a suggestion.
    Triage,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::AutoDispatch, Mode::Triage];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::AutoDispatch => "auto_dispatch",
            Mode::Triage => "triage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// The levels that have dispatchers (a dispatcher is scoped to one of them,
/// see [`Role::area_levels`]); a rule cannot name a grid's dispatcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispatchLevel {
    Community,
    Subdistrict,
    District,
}

impl DispatchLevel {
    pub const ALL: [DispatchLevel; 3] = [
        DispatchLevel::Community,
        DispatchLevel::Subdistrict,
        DispatchLevel::District,
    ];

    pub fn area_level(self) -> AreaLevel {
        match self {
            DispatchLevel::Community => AreaLevel::Community,
            DispatchLevel::Subdistrict => AreaLevel::Subdistrict,
            DispatchLevel::District => AreaLevel::District,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.area_level().as_str()
    }

    pub fn parse(s: &str) -> Option<Self> {
        DispatchLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// Whom a rule sends a case to: a named party, or someone found from the
/// incident's place when it is routed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// This party (its code).
    Party(String),
    /// The chief of the incident's grid 网格长.
    GridChief,
    /// The workers of the incident's grid 网格员.
    GridWorkers,
    /// The dispatchers of the incident's community, subdistrict or district.
    Dispatcher { level: DispatchLevel },
    /// The mediation committee 人民调解委员会 serving the incident's community
    /// (neighbour quarrels, dogs barking at night).
    Mediator,
    /// The party of this kind serving the incident's area, e.g. the heating
    /// company of its compound. The nearest one wins when several serve it.
    PartyOfKind(PartyKind),
    /// Whoever is on duty in the incident's grid at the routing time 值班
    /// (its roster, its day exceptions, a patrol walking it; see
    /// [`crate::duty`]); when nobody is, its chief; when it has none, the
    /// dispatchers of its community. A dog barking at 1 a.m. reaches the
    /// worker on duty that night, not an office that opens at 8:30.
    OnDuty,
}

/// What routing needs to know about a case. Built from an [`Incident`] with
/// [`Case::of`]; kept apart so a report can be routed before it is stored.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    /// A category code, e.g. `heating.no_heat`.
    pub category: &'a str,
    /// The grid (or micro-grid) the case lies in.
    pub grid: &'a AreaCode,
    pub priority: Priority,
    /// Local time of day of the routing (Beijing time for Zhengzhou): rules'
    /// windows are written in the hours people keep, not in UTC.
    pub at_local: NaiveTime,
    /// Parties that returned the case (回退): never routed back to them.
    pub returned_by: &'a [String],
}

impl<'a> Case<'a> {
    pub fn of(incident: &'a Incident, at_local: NaiveTime) -> Self {
        Case {
            category: &incident.category,
            grid: &incident.grid,
            priority: incident.priority,
            at_local,
            returned_by: &incident.returned_by,
        }
    }
}

/// A party serving an area, with the area of its remit that covers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serving {
    pub party: String,
    pub area: AreaCode,
}

/// Who holds which role where and which party serves which area: the data a
/// relative [`Target`] is resolved against. Infra implements it over the store.
pub trait Directory {
    /// Users holding `role` scoped to exactly `area`.
    fn users_with_role(&self, role: Role, area: &AreaCode) -> Vec<String>;

    /// Parties of `kind` one of whose areas covers `area`, each with that
    /// area (the deepest, when several of its areas cover `area`).
    fn parties_of_kind_serving(&self, kind: PartyKind, area: &AreaCode) -> Vec<Serving>;

    /// Who is on duty in `grid` at the time of the routing, with why, in the
    /// order [`crate::duty::on_duty`] gives.
    fn on_duty(&self, grid: &AreaCode) -> Vec<OnDuty>;
}

/// Who a case was routed to, concretely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// A responsible party: its handlers acknowledge.
    Party(String),
    /// Named users holding `role` in `area` (the grid's chief or workers).
    Users {
        role: Role,
        area: AreaCode,
        users: Vec<String>,
    },
    /// The queue of an area's dispatchers. It needs nobody named: the
    /// dispatchers of that area and of every area above it see it.
    DispatchQueue(AreaCode),
}

/// The outcome of [`route`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The id of the rule chosen; `None` when no rule could take the case
    /// and it fell to the subdistrict's dispatchers.
    pub rule: Option<String>,
    pub target: Target,
    pub recipient: Recipient,
    pub mode: Mode,
    /// Parties called to assist the recipient (吹哨报到): the chosen rule's
    /// assists resolved for this case, without the lead itself, parties that
    /// returned the case, and assists nobody fills here.
    pub assists: Vec<String>,
    pub explanation: Explanation,
}
