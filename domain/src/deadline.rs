//! Deadlines from time limits, counted in working time where the limit says so.
//!
//! The calendar knows the office week (Monday to Friday, 08:30–12:00 and
//! 14:00–17:30 Beijing time, the hours Zhengzhou's offices keep) and, when
//! given them, the public holidays and the make-up working days (调休) the
//! State Council announces each year: a holiday Monday does not count, a
//! make-up Saturday does. Without them a deadline over a holiday comes out
//! early, never late. (The calendar is not yet stored or editable.)

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::category::{TimeLimit, TimeUnit};

#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    /// Local time = UTC + this.
    utc_offset: Duration,
    /// Working periods of a working day, in local time, in order.
    periods: Vec<(NaiveTime, NaiveTime)>,
    /// Weekdays off (public holidays), local dates.
    holidays: BTreeSet<NaiveDate>,
    /// Weekend days worked instead (调休), local dates.
    make_up_days: BTreeSet<NaiveDate>,
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl WorkingCalendar {
    pub fn china_office() -> Self {
        WorkingCalendar {
            utc_offset: Duration::hours(8),
            periods: vec![(hm(8, 30), hm(12, 0)), (hm(14, 0), hm(17, 30))],
            holidays: BTreeSet::new(),
            make_up_days: BTreeSet::new(),
        }
    }

    /// The same calendar with a year's holidays and make-up working days.
    pub fn with_days_off(
        mut self,
        holidays: impl IntoIterator<Item = NaiveDate>,
        make_up_days: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        self.holidays.extend(holidays);
        self.make_up_days.extend(make_up_days);
        self
    }

    fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.make_up_days.contains(&day) {
            return true;
        }
        !self.holidays.contains(&day) && !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The deadline, in UTC, for a step that starts at `start` (UTC).
    pub fn deadline(&self, start: NaiveDateTime, limit: TimeLimit) -> NaiveDateTime {
        let amount = i64::from(limit.amount);
        match limit.unit {
            TimeUnit::CalendarHours => start + Duration::hours(amount),
            TimeUnit::WorkingHours => self.add_working(start, Duration::hours(amount)),
            TimeUnit::WorkingDays => self.end_of_working_day_after(start, amount),
        }
    }

    /// `start` plus `work` of working time.
    fn add_working(&self, start: NaiveDateTime, work: Duration) -> NaiveDateTime {
        let mut left = work;
        let mut now = start + self.utc_offset;
        // A year of days is far more than any limit needs; the bound only
        // guards against a calendar without working time.
        for _ in 0..366 {
            let day = now.date();
            if self.is_working_day(day) {
                for (from, to) in &self.periods {
                    let (from, to) = (day.and_time(*from), day.and_time(*to));
                    if now >= to {
                        continue;
                    }
                    let begin = now.max(from);
                    if begin + left <= to {
                        return begin + left - self.utc_offset;
                    }
                    left -= to - begin;
                    now = to;
                }
            }
            now = (day + Duration::days(1)).and_time(NaiveTime::MIN);
        }
        start + work
    }

    /// The close of the `days`-th working day after the day of `start`.
    fn end_of_working_day_after(&self, start: NaiveDateTime, days: i64) -> NaiveDateTime {
        let close = self.periods.last().map_or(NaiveTime::MIN, |p| p.1);
        let mut day = (start + self.utc_offset).date();
        let mut counted = 0;
        for _ in 0..(days * 3 + 30) {
            if counted >= days {
                break;
            }
            day += Duration::days(1);
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day.and_time(close) - self.utc_offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Beijing local time as UTC.
    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap_or_default()
            .and_time(hm(h, min))
            - Duration::hours(8)
    }

    #[test]
    fn calendar_hours_run_round_the_clock() {
        let cal = WorkingCalendar::china_office();
        let start = local(2026, 11, 27, 23, 0); // a Friday night
        assert_eq!(
            cal.deadline(start, TimeLimit::calendar_hours(6)),
            local(2026, 11, 28, 5, 0)
        );
    }

    #[test]
    fn working_hours_skip_lunch_nights_and_weekends() {
        let cal = WorkingCalendar::china_office();
        // Tuesday 11:00 + 4 working hours: 1 h before lunch, 3 h after.
        assert_eq!(
            cal.deadline(local(2026, 11, 24, 11, 0), TimeLimit::working_hours(4)),
            local(2026, 11, 24, 17, 0)
        );
        // Friday 17:00 + 2 working hours: 30 min on Friday, 90 min on Monday.
        assert_eq!(
            cal.deadline(local(2026, 11, 27, 17, 0), TimeLimit::working_hours(2)),
            local(2026, 11, 30, 10, 0)
        );
        // Reported on Saturday: the clock starts on Monday morning.
        assert_eq!(
            cal.deadline(local(2026, 11, 28, 10, 0), TimeLimit::working_hours(1)),
            local(2026, 11, 30, 9, 30)
        );
    }

    #[test]
    fn working_days_end_at_the_close_of_the_last_one() {
        let cal = WorkingCalendar::china_office();
        // Thursday + 2 working days: Friday, Monday.
        assert_eq!(
            cal.deadline(local(2026, 11, 26, 9, 0), TimeLimit::working_days(2)),
            local(2026, 11, 30, 17, 30)
        );
        assert_eq!(
            cal.deadline(local(2026, 11, 24, 20, 0), TimeLimit::working_days(1)),
            local(2026, 11, 25, 17, 30)
        );
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    /// National Day and Mid-Autumn 2025 as announced: 1–8 October off,
    /// Sunday 28 September and Saturday 11 October worked.
    fn national_day_2025() -> WorkingCalendar {
        WorkingCalendar::china_office().with_days_off(
            (1..=8).map(|d| date(2025, 10, d)),
            [date(2025, 9, 28), date(2025, 10, 11)],
        )
    }

    #[test]
    fn holidays_do_not_count_and_make_up_days_do() {
        let cal = national_day_2025();
        // Tuesday 30 September 17:00 + 2 working hours: 30 min that day, then
        // the holiday week, then 90 min on Thursday 9 October.
        assert_eq!(
            cal.deadline(local(2025, 9, 30, 17, 0), TimeLimit::working_hours(2)),
            local(2025, 10, 9, 10, 0)
        );
        // Reported on the make-up Sunday: its hours count.
        assert_eq!(
            cal.deadline(local(2025, 9, 28, 9, 0), TimeLimit::working_hours(2)),
            local(2025, 9, 28, 11, 0)
        );
        // Thursday 9 October + 2 working days: Friday, then the make-up Saturday.
        assert_eq!(
            cal.deadline(local(2025, 10, 9, 9, 0), TimeLimit::working_days(2)),
            local(2025, 10, 11, 17, 30)
        );
        // Without the announcement the same limit ends on Monday.
        assert_eq!(
            WorkingCalendar::china_office()
                .deadline(local(2025, 10, 9, 9, 0), TimeLimit::working_days(2)),
            local(2025, 10, 13, 17, 30)
        );
        // Calendar hours ignore holidays: urgent cases run on the clock.
        assert_eq!(
            cal.deadline(local(2025, 10, 1, 22, 0), TimeLimit::calendar_hours(4)),
            local(2025, 10, 2, 2, 0)
        );
    }
}
