//! Incident categories: what kind of problem an incident is, and how fast each
//! step must happen for it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// How a time limit is counted. City handbooks set most limits in working
/// hours or days (holidays and make-up days count); urgent cases run on the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    WorkingHours,
    WorkingDays,
    CalendarHours,
}

impl TimeUnit {
    pub const ALL: [TimeUnit; 3] = [
        TimeUnit::WorkingHours,
        TimeUnit::WorkingDays,
        TimeUnit::CalendarHours,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimeUnit::WorkingHours => "working_hours",
            TimeUnit::WorkingDays => "working_days",
            TimeUnit::CalendarHours => "calendar_hours",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        TimeUnit::ALL.into_iter().find(|u| u.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimit {
    pub amount: u32,
    pub unit: TimeUnit,
}

impl TimeLimit {
    pub const fn working_hours(amount: u32) -> Self {
        TimeLimit {
            amount,
            unit: TimeUnit::WorkingHours,
        }
    }
    pub const fn working_days(amount: u32) -> Self {
        TimeLimit {
            amount,
            unit: TimeUnit::WorkingDays,
        }
    }
    pub const fn calendar_hours(amount: u32) -> Self {
        TimeLimit {
            amount,
            unit: TimeUnit::CalendarHours,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Dotted path, e.g. `public_safety.snow_ice`; the parent's code is the prefix.
    pub code: String,
    pub parent_code: Option<String>,
    pub label_zh: String,
    pub label_en: String,
    pub default_priority: Priority,
    pub acknowledge_within: TimeLimit,
    pub resolve_within: TimeLimit,
    /// Open incidents of this category within this distance (and 72 hours)
    /// are offered to a new report as possible duplicates.
    pub duplicate_radius_m: u32,
    /// A resident's report of this kind goes first to a grid worker of its
    /// grid to be checked on site (核实) before it is registered, as city
    /// handbooks ask for public reports that are often unclear or repeated.
    pub verify_on_site: bool,
    /// Whether the public reads the description and exact point of its
    /// reports (Open311 GET); else neither (see `open311::privacy`).
    pub public_reports: bool,
}

/// How far back a new report looks for possible duplicates.
pub const DUPLICATE_WINDOW_HOURS: i64 = 72;

/// The categories nothing lies below, in the tree's order: what a report,
/// an Open311 service or a checklist item names.
pub fn leaves(all: &[Category]) -> impl Iterator<Item = &Category> {
    all.iter().filter(|c| {
        !all.iter()
            .any(|other| other.parent_code.as_deref() == Some(c.code.as_str()))
    })
}

/// Whether `code` names a leaf of the tree `all`.
pub fn is_leaf(all: &[Category], code: &str) -> bool {
    leaves(all).any(|c| c.code == code)
}

impl Category {
    /// Whether `self` is `ancestor` or lies below it in the tree.
    pub fn is_within(&self, ancestor: &str) -> bool {
        self.code == ancestor
            || (self.code.starts_with(ancestor) && self.code[ancestor.len()..].starts_with('.'))
    }
}
