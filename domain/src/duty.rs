//! Who is on duty in a grid now (值班): a roster by weekday and local time
//! window — nights run past midnight and belong to the weekday they start
//! on — days someone is on or off whatever the roster says, and whoever is
//! walking a patrol of the grid, who is on duty by being there.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::routing::TimeWindow;

/// One line of a roster: `user` on duty on these ISO weekdays (1 = Monday)
/// during `window`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub user: String,
    pub weekdays: Vec<u32>,
    pub window: TimeWindow,
}

/// A day `user` is on (`true`) or off duty, whatever the roster says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub user: String,
    pub date: NaiveDate,
    pub on_duty: bool,
}

/// Why someone is on duty. Kept with a routing decision as
/// `{"kind": "shift", "window": {"from", "to"}, "weekday": 5}`,
/// `{"kind": "on_that_day", "date": "2026-12-05"}` or `{"kind": "patrolling"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// Their shift holds this time (the window, and the weekday it started).
    Shift { window: TimeWindow, weekday: u32 },
    /// A day they were put on duty.
    OnThatDay { date: NaiveDate },
    /// Walking a patrol of the grid.
    Patrolling,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnDuty {
    pub user: String,
    pub why: Why,
}

/// The local date a shift holding `at` started on: the day before for the
/// small hours of a night shift.
fn shift_date(window: TimeWindow, at: NaiveDateTime) -> NaiveDate {
    if window.crosses_midnight() && at.time() < window.end() {
        at.date() - Duration::days(1)
    } else {
        at.date()
    }
}

/// Who is on duty at local time `at`: those walking a patrol first, then
/// those whose shift holds it (unless off that day), then those put on duty
/// that day; each once, in that order.
pub fn on_duty(
    shifts: &[Shift],
    exceptions: &[Exception],
    patrolling: &[String],
    at: NaiveDateTime,
) -> Vec<OnDuty> {
    let off = |user: &str, date: NaiveDate| {
        exceptions
            .iter()
            .any(|e| e.user == user && e.date == date && !e.on_duty)
    };
    let mut found: Vec<OnDuty> = patrolling
        .iter()
        .map(|user| OnDuty {
            user: user.clone(),
            why: Why::Patrolling,
        })
        .collect();
    for shift in shifts {
        if !shift.window.contains(at.time()) {
            continue;
        }
        let started = shift_date(shift.window, at);
        let weekday = started.weekday().number_from_monday();
        if shift.weekdays.contains(&weekday) && !off(&shift.user, started) {
            found.push(OnDuty {
                user: shift.user.clone(),
                why: Why::Shift {
                    window: shift.window,
                    weekday,
                },
            });
        }
    }
    for e in exceptions
        .iter()
        .filter(|e| e.on_duty && e.date == at.date())
    {
        found.push(OnDuty {
            user: e.user.clone(),
            why: Why::OnThatDay { date: e.date },
        });
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|d| seen.insert(d.user.clone()));
    found
}

/// `1,3,5` → [1, 3, 5]; each 1–7, at least one, each once.
pub fn parse_weekdays(text: &str) -> Option<Vec<u32>> {
    let mut days = Vec::new();
    for part in text.split(',').map(str::trim) {
        let day: u32 = part.parse().ok()?;
        if !(1..=7).contains(&day) || days.contains(&day) {
            return None;
        }
        days.push(day);
    }
    (!days.is_empty()).then_some(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    fn at(date: &str, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .unwrap_or_default()
            .and_time(t(h, m))
    }

    fn night(user: &str, weekdays: Vec<u32>) -> Shift {
        Shift {
            user: user.into(),
            weekdays,
            window: TimeWindow::new(t(22, 0), t(8, 0)).unwrap_or_else(|e| panic!("{e}")),
        }
    }

    fn users(found: &[OnDuty]) -> Vec<&str> {
        found.iter().map(|d| d.user.as_str()).collect()
    }

    // 2026-12-04 is a Friday (5); 2026-12-05 a Saturday (6).

    #[test]
    fn a_night_shift_holds_the_small_hours_of_the_next_day() {
        let shifts = [night("wang", vec![5])];
        assert_eq!(
            users(&on_duty(&shifts, &[], &[], at("2026-12-04", 23, 0))),
            ["wang"]
        );
        // 01:10 on Saturday is Friday's night.
        let found = on_duty(&shifts, &[], &[], at("2026-12-05", 1, 10));
        assert_eq!(users(&found), ["wang"]);
        assert!(matches!(found[0].why, Why::Shift { weekday: 5, .. }));
        // Friday 01:10 belongs to Thursday's night: not rostered.
        assert!(on_duty(&shifts, &[], &[], at("2026-12-04", 1, 10)).is_empty());
    }

    #[test]
    fn a_day_off_counts_for_the_night_it_starts_and_a_patrol_counts_first() {
        let shifts = [night("wang", vec![5]), night("li", vec![5])];
        let off = [Exception {
            user: "wang".into(),
            date: at("2026-12-04", 0, 0).date(),
            on_duty: false,
        }];
        let found = on_duty(&shifts, &off, &["zhao".into()], at("2026-12-05", 1, 10));
        assert_eq!(users(&found), ["zhao", "li"]);
        let on = [Exception {
            user: "sun".into(),
            date: at("2026-12-05", 0, 0).date(),
            on_duty: true,
        }];
        assert_eq!(
            users(&on_duty(&[], &on, &[], at("2026-12-05", 1, 10))),
            ["sun"]
        );
    }

    #[test]
    fn weekdays_are_one_to_seven_each_once() {
        assert_eq!(parse_weekdays("1, 3,5"), Some(vec![1, 3, 5]));
        assert_eq!(parse_weekdays("0"), None);
        assert_eq!(parse_weekdays("1,1"), None);
        assert_eq!(parse_weekdays(""), None);
    }
}
