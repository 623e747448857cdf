//! Deadlines from time limits, counted in working time where the limit says
//! so: the working calendar ([`calendar`]), the clocks each step starts,
//! meets or cancels ([`clock`]), suspension 挂起 and extension 延期
//! ([`request`]), and the problem ledger 挂账 ([`ledger`]).

pub mod calendar;
pub mod clock;
pub mod ledger;
pub mod request;

pub use calendar::{DayKind, InvalidWeek, SpecialDay, WorkingCalendar, WorkingWeek};
pub use clock::{
    Clock, ClockChange, ClockState, ClockStep, DEFAULT_WARN_FRACTION, Light, NewClock,
    clocks_after_step, extended, report_clock, resumed, warn_at,
};

use crate::category::{Category, Priority, TimeLimit};

/// The time limits a case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// To acknowledge 签收 once dispatched; also the dispatchers' time to
    /// triage a case waiting for them.
    pub acknowledge: TimeLimit,
    /// To resolve once dispatched.
    pub resolve: TimeLimit,
}

/// Limits for one priority of one category, over the category's own
/// (urgent cases typically in calendar hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorityLimits {
    pub priority: Priority,
    pub limits: Limits,
}

impl Limits {
    /// The category's own limits, unless `overrides` (the category's rows)
    /// has one for `priority`.
    pub fn lookup(category: &Category, priority: Priority, overrides: &[PriorityLimits]) -> Limits {
        overrides.iter().find(|o| o.priority == priority).map_or(
            Limits {
                acknowledge: category.acknowledge_within,
                resolve: category.resolve_within,
            },
            |o| o.limits,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_priority_row_overrides_the_category() {
        let category = Category {
            code: "city_appearance.garbage".into(),
            parent_code: None,
            label_zh: "垃圾".into(),
            label_en: "Garbage".into(),
            default_priority: Priority::Normal,
            acknowledge_within: TimeLimit::working_hours(4),
            resolve_within: TimeLimit::working_days(2),
            duplicate_radius_m: 100,
            verify_on_site: false,
            public_reports: true,
        };
        let urgent = Limits {
            acknowledge: TimeLimit::calendar_hours(1),
            resolve: TimeLimit::calendar_hours(6),
        };
        let overrides = [PriorityLimits {
            priority: Priority::Urgent,
            limits: urgent,
        }];
        assert_eq!(
            Limits::lookup(&category, Priority::Urgent, &overrides),
            urgent
        );
        assert_eq!(
            Limits::lookup(&category, Priority::Normal, &overrides),
            Limits {
                acknowledge: TimeLimit::working_hours(4),
                resolve: TimeLimit::working_days(2),
            }
        );
    }
}
