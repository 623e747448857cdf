//! Routing rules: what each one matches, how specific it is, and which pairs
//! may not live side by side.

use crate::area::AreaCode;
use crate::category::Priority;

use super::{Case, Mode, Target, TimeWindow, Verdict};

/// One line of the routing table. Every condition is optional; a rule with
/// none matches every case (and is the least specific there is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingRule {
    pub id: String,
    /// What administrators call it ("夜间犬吠找调解").
    pub name: String,
    /// A category code: the rule matches it and every category below it.
    pub category: Option<String>,
    /// An area: the rule matches it and every area below it.
    pub area: Option<AreaCode>,
    /// Local time of day.
    pub window: Option<TimeWindow>,
    pub priority: Option<Priority>,
    pub target: Target,
    /// Parties called to assist the target when the rule dispatches (吹哨报到);
    /// party-like targets only (see [`Target::is_party_like`]).
    pub assists: Vec<Target>,
    pub mode: Mode,
}

/// How specific a rule is. The fields are compared in the order written, so
/// this order *is* the precedence: the deepest category first, then the
/// deepest area, then a rule with a time window over one without, then one
/// for a single priority over one for any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Specificity {
    /// Segments of the category code (`heating.no_heat` is 2); 0 for any.
    pub category_depth: usize,
    /// Levels from the city down to the area (a city 1, a grid 5); 0 for any.
    pub area_depth: usize,
    pub has_window: bool,
    pub has_priority: bool,
}

/// One of the conditions specificity is ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Category,
    Area,
    Window,
    Priority,
}

impl Specificity {
    /// The first condition on which `self` and `other` differ: the one that
    /// decides which of them ranks higher. `None` when they are equal.
    pub fn decided_by(self, other: Specificity) -> Option<Dimension> {
        if self.category_depth != other.category_depth {
            Some(Dimension::Category)
        } else if self.area_depth != other.area_depth {
            Some(Dimension::Area)
        } else if self.has_window != other.has_window {
            Some(Dimension::Window)
        } else if self.has_priority != other.has_priority {
            Some(Dimension::Priority)
        } else {
            None
        }
    }
}

impl RoutingRule {
    pub fn specificity(&self) -> Specificity {
        Specificity {
            category_depth: self
                .category
                .as_deref()
                .map_or(0, |code| code.split('.').count()),
            // The lineage holds the area and every area above it up to the
            // city, so its length is the depth (a district is 2: itself and
            // its city).
            area_depth: self.area.as_ref().map_or(0, |area| area.lineage().len()),
            has_window: self.window.is_some(),
            has_priority: self.priority.is_some(),
        }
    }

    /// Whether the rule's conditions hold for the case.
    pub fn matches(&self, case: &Case<'_>) -> bool {
        self.mismatch(case).is_none()
    }

    /// The first condition that does not hold, as the explanation words it.
    pub(super) fn mismatch(&self, case: &Case<'_>) -> Option<Verdict> {
        if let Some(category) = &self.category
            && !category_within(case.category, category)
        {
            return Some(Verdict::OtherCategory {
                category: category.clone(),
            });
        }
        if let Some(area) = &self.area
            && !area.covers(case.grid)
        {
            return Some(Verdict::OutsideArea { area: area.clone() });
        }
        if let Some(window) = self.window
            && !window.contains(case.at_local)
        {
            return Some(Verdict::OutsideWindow {
                window,
                at: case.at_local,
            });
        }
        if let Some(priority) = self.priority
            && priority != case.priority
        {
            return Some(Verdict::OtherPriority { priority });
        }
        None
    }

    /// Whether some case could match both rules. Different categories (or
    /// areas) could still both match when one lies under the other, but such
    /// rules never share a specificity, and only equally specific rules are
    /// asked (see [`check_new_rule`]).
    fn can_match_same_case_as(&self, other: &RoutingRule) -> bool {
        let windows_overlap = match (self.window, other.window) {
            (Some(a), Some(b)) => a.overlaps(b),
            _ => true,
        };
        let priorities_overlap = match (self.priority, other.priority) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        self.category == other.category
            && self.area == other.area
            && windows_overlap
            && priorities_overlap
    }
}

/// Whether `code` is `ancestor` or a category below it: codes are dotted
/// paths, so `heating.no_heat` is under `heating` but `heating_pipe` is not.
fn category_within(code: &str, ancestor: &str) -> bool {
    code.strip_prefix(ancestor)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// A rule refused because another one is exactly as specific and could match
/// the same case: routing would have no reason to prefer either.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "routing rule `{new}` is as specific as rule `{existing}` and both can match the same case; \
     narrow one of them (category, area, time window or priority)"
)]
pub struct Conflict {
    /// The rule already saved.
    pub existing: String,
    /// The rule being saved.
    pub new: String,
}

/// A rule that cannot be saved as written, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidRule {
    pub field: &'static str,
    pub message: String,
}

/// Why a rule was not saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleRefused {
    #[error(transparent)]
    Invalid(#[from] InvalidRule),
    #[error(transparent)]
    Conflict(#[from] Conflict),
}

impl RoutingRule {
    /// What a rule must be on its own, whatever else is saved.
    pub fn check(&self) -> Result<(), InvalidRule> {
        if self.name.trim().is_empty() {
            return Err(InvalidRule {
                field: "name",
                message: "a rule needs a name".to_owned(),
            });
        }
        if let Some(assist) = self.assists.iter().find(|a| !a.is_party_like()) {
            return Err(InvalidRule {
                field: "assists",
                message: format!(
                    "{} cannot assist: only a party, the mediator or a party of a kind can",
                    assist.code()
                ),
            });
        }
        if self.assists.contains(&self.target) {
            return Err(InvalidRule {
                field: "assists",
                message: "the target leads the case; it cannot also assist".to_owned(),
            });
        }
        Ok(())
    }
}

/// Everything saving a rule checks: the rule on its own, then against the
/// saved ones ([`check_new_rule`]).
pub fn check_rule(existing: &[RoutingRule], new: &RoutingRule) -> Result<(), RuleRefused> {
    new.check()?;
    check_new_rule(existing, new)?;
    Ok(())
}

/// Checks a rule about to be saved against the saved ones. A saved rule with
/// the same id is the one being edited and is not compared.
///
/// Equally specific rules that both match a case have the same category and
/// the same area (two codes of one depth both above the case are one code),
/// so a conflict is: same category, same area, time windows that share a
/// moment (or neither has one), and priority conditions that share a priority.
pub fn check_new_rule(existing: &[RoutingRule], new: &RoutingRule) -> Result<(), Conflict> {
    let key = new.specificity();
    match existing
        .iter()
        .find(|old| old.id != new.id && old.specificity() == key && old.can_match_same_case_as(new))
    {
        Some(old) => Err(Conflict {
            existing: old.id.clone(),
            new: new.id.clone(),
        }),
        None => Ok(()),
    }
}
