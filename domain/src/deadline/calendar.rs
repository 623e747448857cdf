//! The working calendar: the office week and the days that break it.
//!
//! By default the office week of Zhengzhou's offices (Monday to Friday,
//! 08:30–12:00 and 14:00–17:30 Beijing time); the stored week replaces it.
//! Public holidays and the make-up working days (调休) the State Council
//! announces each year come in as [`SpecialDay`]s: a holiday Monday does not
//! count, a make-up Saturday does. Without them a deadline over a holiday
//! comes out early, never late.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::category::{TimeLimit, TimeUnit};

/// What is wrong with a week as given, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidWeek {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> InvalidWeek {
    InvalidWeek {
        field,
        message: message.into(),
    }
}

/// The hours of a working day and the weekdays worked, in local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingWeek {
    /// In order, not overlapping, each within one day.
    periods: Vec<(NaiveTime, NaiveTime)>,
    /// ISO weekdays worked, Monday first.
    weekdays: BTreeSet<u8>,
    /// Local time = UTC + this.
    utc_offset_minutes: i32,
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// Time zones run from UTC−12:00 to UTC+14:00.
const OFFSET_RANGE: std::ops::RangeInclusive<i32> = -720..=840;

impl WorkingWeek {
    /// Monday to Friday, 08:30–12:00 and 14:00–17:30, Beijing time: what a
    /// new database is seeded with.
    pub fn office() -> Self {
        WorkingWeek {
            periods: vec![(hm(8, 30), hm(12, 0)), (hm(14, 0), hm(17, 30))],
            weekdays: (1..=5).collect(),
            utc_offset_minutes: 480,
        }
    }

    pub fn new(
        periods: Vec<(NaiveTime, NaiveTime)>,
        weekdays: impl IntoIterator<Item = u8>,
        utc_offset_minutes: i32,
    ) -> Result<Self, InvalidWeek> {
        if periods.is_empty() {
            return Err(invalid("periods", "at least one working period"));
        }
        for (i, (from, to)) in periods.iter().enumerate() {
            if from >= to {
                return Err(invalid(
                    "periods",
                    format!("period {} ends before it starts", i + 1),
                ));
            }
            if i > 0 && periods[i - 1].1 > *from {
                return Err(invalid("periods", "periods in order, not overlapping"));
            }
        }
        let weekdays: BTreeSet<u8> = weekdays.into_iter().collect();
        if weekdays.is_empty() || weekdays.iter().any(|d| !(1..=7).contains(d)) {
            return Err(invalid(
                "weekdays",
                "ISO weekdays 1 (Monday) to 7 (Sunday), at least one",
            ));
        }
        if !OFFSET_RANGE.contains(&utc_offset_minutes) {
            return Err(invalid("utc_offset_minutes", "between -720 and 840"));
        }
        Ok(WorkingWeek {
            periods,
            weekdays,
            utc_offset_minutes,
        })
    }

    /// From the stored text: `"08:30-12:00,14:00-17:30"` and `"1,2,3,4,5"`.
    pub fn parse(
        periods: &str,
        weekdays: &str,
        utc_offset_minutes: i32,
    ) -> Result<Self, InvalidWeek> {
        let periods = periods
            .split(',')
            .map(|p| parse_period(p.trim()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid("periods", "periods like 08:30-12:00"))?;
        let weekdays = weekdays
            .split(',')
            .map(|d| d.trim().parse::<u8>().ok())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid("weekdays", "ISO weekdays like 1,2,3,4,5"))?;
        WorkingWeek::new(periods, weekdays, utc_offset_minutes)
    }

    pub fn periods(&self) -> &[(NaiveTime, NaiveTime)] {
        &self.periods
    }

    pub fn weekdays(&self) -> impl Iterator<Item = u8> + '_ {
        self.weekdays.iter().copied()
    }

    pub fn utc_offset_minutes(&self) -> i32 {
        self.utc_offset_minutes
    }

    /// The local date of a UTC instant, in the week's time zone: the day a
    /// patrol's walk counts for.
    pub fn local_date(&self, at: NaiveDateTime) -> NaiveDate {
        (at + Duration::minutes(i64::from(self.utc_offset_minutes))).date()
    }

    /// `"08:30-12:00,14:00-17:30"`, as stored.
    pub fn periods_text(&self) -> String {
        self.periods
            .iter()
            .map(|(from, to)| format!("{}-{}", from.format("%H:%M"), to.format("%H:%M")))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `"1,2,3,4,5"`, as stored.
    pub fn weekdays_text(&self) -> String {
        self.weekdays
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// `08:30-12:00`; `24:00` is the end of the day.
pub fn parse_period(text: &str) -> Option<(NaiveTime, NaiveTime)> {
    let (from, to) = text.split_once('-')?;
    let time = |t: &str| {
        let t = t.trim();
        if t == "24:00" {
            // The last representable instant: a day worked to midnight loses
            // one second a day, which no limit notices.
            return NaiveTime::from_hms_opt(23, 59, 59);
        }
        NaiveTime::parse_from_str(t, "%H:%M").ok()
    };
    Some((time(from)?, time(to)?))
}

/// How a special day breaks the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// A public holiday: not worked, even on a weekday.
    Holiday,
    /// A make-up working day 调休: worked, even on a weekend.
    WorkingDay,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::WorkingDay => "working_day",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [DayKind::Holiday, DayKind::WorkingDay]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

impl fmt::Display for DayKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A local date that breaks the week, with its name (春节, 国庆节调休…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub day: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    /// Local time = UTC + this.
    utc_offset: Duration,
    /// Working periods of a working day, in local time, in order.
    periods: Vec<(NaiveTime, NaiveTime)>,
    /// ISO weekdays worked.
    weekdays: BTreeSet<u8>,
    /// Days off that would be worked (public holidays), local dates.
    holidays: BTreeSet<NaiveDate>,
    /// Days worked that would be off (调休), local dates.
    make_up_days: BTreeSet<NaiveDate>,
}

/// Far more days than any limit or pause spans; the bound only guards
/// against a calendar without working time.
const MAX_DAYS: i64 = 3 * 366;

impl WorkingCalendar {
    /// The office week without any special day.
    pub fn china_office() -> Self {
        WorkingCalendar::new(&WorkingWeek::office(), &[])
    }

    /// The stored week with the stored special days.
    pub fn new(week: &WorkingWeek, days: &[SpecialDay]) -> Self {
        let on = |kind| days.iter().filter(move |d| d.kind == kind).map(|d| d.day);
        WorkingCalendar {
            utc_offset: Duration::minutes(i64::from(week.utc_offset_minutes)),
            periods: week.periods.clone(),
            weekdays: week.weekdays.clone(),
            holidays: on(DayKind::Holiday).collect(),
            make_up_days: on(DayKind::WorkingDay).collect(),
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

    /// The local date of a UTC instant.
    pub fn local_date(&self, at: NaiveDateTime) -> NaiveDate {
        self.local(at).date()
    }

    /// The local time of a UTC instant: what a clock on the wall shows, in
    /// the calendar's time zone (routing windows are written in it).
    pub fn local(&self, at: NaiveDateTime) -> NaiveDateTime {
        at + self.utc_offset
    }

    fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.make_up_days.contains(&day) {
            return true;
        }
        let weekday = u8::try_from(day.weekday().number_from_monday()).unwrap_or(0);
        !self.holidays.contains(&day) && self.weekdays.contains(&weekday)
    }

    /// The deadline, in UTC, for a step that starts at `start` (UTC).
    pub fn deadline(&self, start: NaiveDateTime, limit: TimeLimit) -> NaiveDateTime {
        let amount = i64::from(limit.amount);
        match limit.unit {
            TimeUnit::CalendarHours => start + Duration::hours(amount),
            TimeUnit::WorkingHours => self.after_working_time(start, Duration::hours(amount)),
            TimeUnit::WorkingDays => self.end_of_working_day_after(start, amount),
        }
    }

    /// `start` plus `work` of working time (both UTC): where a clock's due
    /// lands after a pause of that much working time.
    pub fn after_working_time(&self, start: NaiveDateTime, work: Duration) -> NaiveDateTime {
        if work <= Duration::zero() {
            return start;
        }
        let mut left = work;
        let mut now = start + self.utc_offset;
        for _ in 0..MAX_DAYS {
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

    /// The working time between two UTC instants (zero when `to` is not after
    /// `from`): how long a suspension really held a working-time clock.
    pub fn working_time_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> Duration {
        let mut total = Duration::zero();
        if to <= from {
            return total;
        }
        let (from, to) = (from + self.utc_offset, to + self.utc_offset);
        let mut day = from.date();
        for _ in 0..MAX_DAYS {
            if day > to.date() {
                break;
            }
            if self.is_working_day(day) {
                for (start, end) in &self.periods {
                    let start = day.and_time(*start).max(from);
                    let end = day.and_time(*end).min(to);
                    if end > start {
                        total += end - start;
                    }
                }
            }
            day += Duration::days(1);
        }
        total
    }

    /// The close of the `days`-th working day after the day of `start`.
    fn end_of_working_day_after(&self, start: NaiveDateTime, days: i64) -> NaiveDateTime {
        let close = self.periods.last().map_or(NaiveTime::MIN, |p| p.1);
        let mut day = (start + self.utc_offset).date();
        let mut counted = 0;
        for _ in 0..(days * 3 + 30).min(MAX_DAYS) {
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

/// Weekdays by their ISO number, for messages and tests.
pub fn iso_weekday(day: Weekday) -> u8 {
    u8::try_from(day.number_from_monday()).unwrap_or(0)
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

    #[test]
    fn working_time_between_counts_only_working_periods() {
        let office = WorkingCalendar::china_office();
        let hours = |h: i64, m: i64| Duration::hours(h) + Duration::minutes(m);
        // Friday 16:00 to Monday 10:00: 90 min on Friday, 90 min on Monday;
        // the weekend counts nothing.
        assert_eq!(
            office.working_time_between(local(2026, 11, 27, 16, 0), local(2026, 11, 30, 10, 0)),
            hours(3, 0)
        );
        // Over lunch: 11:00 to 15:00 is one hour before and one after.
        assert_eq!(
            office.working_time_between(local(2026, 11, 24, 11, 0), local(2026, 11, 24, 15, 0)),
            hours(2, 0)
        );
        // A whole week: five days of seven hours.
        assert_eq!(
            office.working_time_between(local(2026, 11, 23, 0, 0), local(2026, 11, 30, 0, 0)),
            hours(35, 0)
        );
        assert_eq!(
            office.working_time_between(local(2026, 11, 24, 15, 0), local(2026, 11, 24, 11, 0)),
            Duration::zero()
        );
        let golden_week = national_day_2025();
        // Tuesday 30 September 17:00 to Thursday 9 October 10:00: the holiday
        // week counts nothing (30 min + 90 min).
        assert_eq!(
            golden_week.working_time_between(local(2025, 9, 30, 17, 0), local(2025, 10, 9, 10, 0)),
            hours(2, 0)
        );
        // Friday 10 October 17:00 to Monday 13 October 9:00: 30 min on
        // Friday, all seven hours of the make-up Saturday, nothing on Sunday,
        // 30 min on Monday.
        assert_eq!(
            golden_week.working_time_between(local(2025, 10, 10, 17, 0), local(2025, 10, 13, 9, 0)),
            hours(8, 0)
        );
        // Adding back what was counted lands where the count ended.
        let from = local(2025, 9, 30, 17, 0);
        let worked = golden_week.working_time_between(from, local(2025, 10, 9, 10, 0));
        assert_eq!(
            golden_week.after_working_time(from, worked),
            local(2025, 10, 9, 10, 0)
        );
    }

    #[test]
    fn a_stored_week_replaces_the_office_week() {
        // A utility's hotline desk: seven days, 08:00–20:00.
        let week = WorkingWeek::parse("08:00-20:00", "1,2,3,4,5,6,7", 480);
        let cal =
            WorkingCalendar::new(&week.clone().unwrap_or_else(|_| WorkingWeek::office()), &[]);
        assert_eq!(
            cal.deadline(local(2026, 11, 28, 19, 0), TimeLimit::working_hours(2)),
            local(2026, 11, 29, 9, 0),
            "Saturday evening runs into Sunday morning"
        );
        let week = week.unwrap_or_else(|_| WorkingWeek::office());
        assert_eq!(week.periods_text(), "08:00-20:00");
        assert_eq!(week.weekdays_text(), "1,2,3,4,5,6,7");
        let office = WorkingWeek::office();
        assert_eq!(
            WorkingWeek::parse(&office.periods_text(), &office.weekdays_text(), 480),
            Ok(office)
        );
    }

    #[test]
    fn a_week_that_makes_no_sense_names_its_field() {
        let field = |p: &str, w: &str, o: i32| WorkingWeek::parse(p, w, o).err().map(|e| e.field);
        assert_eq!(field("", "1", 480), Some("periods"));
        assert_eq!(field("12:00-08:30", "1", 480), Some("periods"));
        assert_eq!(field("08:00-12:00,11:00-17:00", "1", 480), Some("periods"));
        assert_eq!(field("8h-12h", "1", 480), Some("periods"));
        assert_eq!(field("08:00-12:00", "0,1", 480), Some("weekdays"));
        assert_eq!(field("08:00-12:00", "8", 480), Some("weekdays"));
        assert_eq!(field("08:00-12:00", "1", 900), Some("utc_offset_minutes"));
        assert_eq!(field("08:00-24:00", "1,2", -300), None);
    }

    #[test]
    fn special_days_come_from_the_store() {
        let days = [
            SpecialDay {
                day: date(2026, 10, 1),
                kind: DayKind::Holiday,
                name: "国庆节".into(),
            },
            SpecialDay {
                day: date(2026, 10, 10),
                kind: DayKind::WorkingDay,
                name: "国庆节调休".into(),
            },
        ];
        let cal = WorkingCalendar::new(&WorkingWeek::office(), &days);
        // Wednesday 30 September 17:00 + 1 working hour: 30 min that day,
        // Thursday 1 October off, 30 min on Friday.
        assert_eq!(
            cal.deadline(local(2026, 9, 30, 17, 0), TimeLimit::working_hours(1)),
            local(2026, 10, 2, 9, 0)
        );
        // The make-up Saturday 10 October counts.
        assert_eq!(
            cal.deadline(local(2026, 10, 9, 17, 0), TimeLimit::working_hours(1)),
            local(2026, 10, 10, 9, 0)
        );
        assert_eq!(iso_weekday(date(2026, 10, 10).weekday()), 6);
    }
}
