//! Deadlines from time limits, counted in working time where the limit says so.
//!
//! The calendar here knows the office week (Monday to Friday, 08:30–12:00 and
//! 14:00–17:30 Beijing time, the hours Zhengzhou's offices keep). Public
//! holidays and make-up working days (调休) are not known yet: a deadline
//! over a holiday comes out early, never late.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::category::{TimeLimit, TimeUnit};

#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    /// Local time = UTC + this.
    utc_offset: Duration,
    /// Working periods of a working day, in local time, in order.
    periods: Vec<(NaiveTime, NaiveTime)>,
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

impl WorkingCalendar {
    pub fn china_office() -> Self {
        WorkingCalendar {
            utc_offset: Duration::hours(8),
            periods: vec![(hm(8, 30), hm(12, 0)), (hm(14, 0), hm(17, 30))],
        }
    }

    fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
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
}
