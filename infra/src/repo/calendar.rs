//! The working calendar: the one row of weekly hours and the days that
//! break the week. A new database gets the office week and the public
//! holidays and make-up days announced for the coming year.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use gridops_domain::deadline::{DayKind, SpecialDay, WorkingCalendar, WorkingWeek};

use crate::db::{DbConnection, DbError};
use crate::schema::{calendar_days, working_week};

/// The id of the one `working_week` row.
const WEEK_ROW: i32 = 1;

/// How far around a step the calendar reads special days: further than any
/// limit, pause or extension reaches.
const DAYS_BEHIND: i64 = 60;
const DAYS_AHEAD: i64 = 400;

/// The stored week; the office week if none is stored yet.
pub fn week(conn: &mut DbConnection) -> Result<WorkingWeek, DbError> {
    let row: Option<(String, String, i32)> = working_week::table
        .find(WEEK_ROW)
        .select((
            working_week::periods,
            working_week::weekdays,
            working_week::utc_offset_minutes,
        ))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(WorkingWeek::office()),
        Some((periods, weekdays, offset)) => WorkingWeek::parse(&periods, &weekdays, offset)
            .map_err(|e| DbError::Corrupt(format!("working week: {e}"))),
    }
}

pub fn set_week(
    conn: &mut DbConnection,
    week: &WorkingWeek,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    let values = (
        working_week::periods.eq(week.periods_text()),
        working_week::weekdays.eq(week.weekdays_text()),
        working_week::utc_offset_minutes.eq(week.utc_offset_minutes()),
        working_week::updated_at.eq(at),
    );
    let changed = diesel::update(working_week::table.find(WEEK_ROW))
        .set(values.clone())
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(working_week::table)
            .values((working_week::id.eq(WEEK_ROW), values))
            .execute(conn)?;
    }
    Ok(())
}

/// Special days from `from` to `to`, both included, in order.
pub fn days(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<SpecialDay>, DbError> {
    calendar_days::table
        .filter(calendar_days::day.between(from, to))
        .order(calendar_days::day.asc())
        .select((calendar_days::day, calendar_days::kind, calendar_days::name))
        .load::<(NaiveDate, String, String)>(conn)?
        .into_iter()
        .map(|(day, kind, name)| {
            Ok(SpecialDay {
                kind: DayKind::parse(&kind)
                    .ok_or_else(|| DbError::Corrupt(format!("calendar day {day}: kind {kind}")))?,
                day,
                name,
            })
        })
        .collect()
}

/// Adds or replaces one special day.
pub fn put_day(
    conn: &mut DbConnection,
    day: &SpecialDay,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::delete(calendar_days::table.find(day.day)).execute(conn)?;
    diesel::insert_into(calendar_days::table)
        .values((
            calendar_days::day.eq(day.day),
            calendar_days::kind.eq(day.kind.as_str()),
            calendar_days::name.eq(&day.name),
            calendar_days::updated_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// `false` when the day was not special.
pub fn delete_day(conn: &mut DbConnection, day: NaiveDate) -> Result<bool, DbError> {
    Ok(diesel::delete(calendar_days::table.find(day)).execute(conn)? > 0)
}

/// The calendar for clocks that start, pause or move around `at`.
pub fn load(conn: &mut DbConnection, at: NaiveDateTime) -> Result<WorkingCalendar, DbError> {
    let week = week(conn)?;
    let today = at.date();
    let days = days(
        conn,
        today - Duration::days(DAYS_BEHIND),
        today + Duration::days(DAYS_AHEAD),
    )?;
    Ok(WorkingCalendar::new(&week, &days))
}

/// Seeds the office week and the announced special days into a database
/// without a week; leaves an edited calendar alone (a deleted holiday stays
/// deleted). `true` when it seeded.
pub fn seed_if_empty(conn: &mut DbConnection, at: NaiveDateTime) -> Result<bool, DbError> {
    let existing: i64 = working_week::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(false);
    }
    set_week(conn, &WorkingWeek::office(), at)?;
    for day in announced_days() {
        put_day(conn, &day, at)?;
    }
    Ok(true)
}

/// The 2026 public holidays and make-up working days (调休) as the General
/// Office of the State Council announced them in November 2025 (checked
/// against the notice as remembered; an administrator corrects a day through
/// `PUT /api/v1/calendar/days/{date}`). Every day of a holiday span is
/// stored, weekend days included, so the calendar reads like the notice.
pub fn announced_days() -> Vec<SpecialDay> {
    /// (month, day) of 2026.
    type Day = (u32, u32);
    /// (name, first day off, last day off, make-up working days)
    type Holiday = (&'static str, Day, Day, &'static [Day]);
    const YEAR_2026: [Holiday; 7] = [
        ("元旦", (1, 1), (1, 3), &[(1, 4)]),
        ("春节", (2, 15), (2, 23), &[(2, 14), (2, 28)]),
        ("清明节", (4, 4), (4, 6), &[]),
        ("劳动节", (5, 1), (5, 5), &[(5, 9)]),
        ("端午节", (6, 19), (6, 21), &[]),
        ("中秋节", (9, 25), (9, 27), &[]),
        ("国庆节", (10, 1), (10, 7), &[(9, 20), (10, 10)]),
    ];
    let date = |(m, d): (u32, u32)| NaiveDate::from_ymd_opt(2026, m, d);
    let mut days = Vec::new();
    for (name, first, last, make_up) in YEAR_2026 {
        let (Some(first), Some(last)) = (date(first), date(last)) else {
            continue;
        };
        days.extend(
            first
                .iter_days()
                .take_while(|d| *d <= last)
                .map(|day| SpecialDay {
                    day,
                    kind: DayKind::Holiday,
                    name: name.to_owned(),
                }),
        );
        days.extend(
            make_up
                .iter()
                .filter_map(|md| date(*md))
                .map(|day| SpecialDay {
                    day,
                    kind: DayKind::WorkingDay,
                    name: format!("{name}调休"),
                }),
        );
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn the_2026_notice_has_its_33_days_off_and_six_make_up_days() {
        let days = announced_days();
        let off = days.iter().filter(|d| d.kind == DayKind::Holiday).count();
        let worked: Vec<&SpecialDay> = days
            .iter()
            .filter(|d| d.kind == DayKind::WorkingDay)
            .collect();
        assert_eq!(off, 3 + 9 + 3 + 5 + 3 + 3 + 7);
        assert_eq!(worked.len(), 6);
        // Every make-up day is a weekend day: that is what makes it special.
        assert!(
            worked
                .iter()
                .all(|d| d.day.weekday().number_from_monday() >= 6)
        );
    }
}
