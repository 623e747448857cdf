//! `/api/v1/calendar`: the working week and the days that break it (public
//! holidays, make-up working days 调休), which every working-time deadline
//! is counted on. Staff read it; administrators change it.

use actix_web::{HttpResponse, delete, get, put, web};
use chrono::{Duration, NaiveDate, NaiveTime};
use gridops_domain::access::Capability;
use gridops_domain::deadline::{DayKind, SpecialDay, WorkingWeek, calendar::parse_period};
use gridops_infra::repo::{calendar, now};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::state::AppState;

/// Days a calendar read may span at most.
const MAX_SPAN_DAYS: i64 = 3 * 366;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKindParam {
    /// A public holiday: not worked, even on a weekday.
    Holiday,
    /// A make-up working day 调休: worked, even on a weekend.
    WorkingDay,
}

impl From<DayKindParam> for DayKind {
    fn from(k: DayKindParam) -> Self {
        match k {
            DayKindParam::Holiday => DayKind::Holiday,
            DayKindParam::WorkingDay => DayKind::WorkingDay,
        }
    }
}

impl From<DayKind> for DayKindParam {
    fn from(k: DayKind) -> Self {
        match k {
            DayKind::Holiday => DayKindParam::Holiday,
            DayKind::WorkingDay => DayKindParam::WorkingDay,
        }
    }
}

/// The working week, in local time.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
pub struct Week {
    /// Working periods of a working day, in order, `HH:MM-HH:MM`.
    #[schema(schema_with = crate::openapi::schemas::periods)]
    #[validate(length(min = 1, max = 8, message = "1 to 8 periods"))]
    pub periods: Vec<String>,
    /// ISO weekdays worked: 1 Monday … 7 Sunday.
    #[schema(schema_with = crate::openapi::schemas::working_weekdays)]
    pub weekdays: Vec<u8>,
    /// Local time = UTC + this; Beijing time is 480.
    #[schema(minimum = -720, maximum = 840, example = 480)]
    pub utc_offset_minutes: i32,
}

impl From<&WorkingWeek> for Week {
    fn from(w: &WorkingWeek) -> Self {
        let time = |t: &NaiveTime| t.format("%H:%M").to_string();
        Week {
            periods: w
                .periods()
                .iter()
                .map(|(from, to)| format!("{}-{}", time(from), time(to)))
                .collect(),
            weekdays: w.weekdays().collect(),
            utc_offset_minutes: w.utc_offset_minutes(),
        }
    }
}

impl Week {
    fn parse(&self) -> Result<WorkingWeek, ApiError> {
        let periods = self
            .periods
            .iter()
            .enumerate()
            .map(|(i, p)| {
                parse_period(p).ok_or_else(|| {
                    ApiError::invalid_field(format!("periods[{i}]"), "a period like 08:30-12:00")
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        WorkingWeek::new(
            periods,
            self.weekdays.iter().copied(),
            self.utc_offset_minutes,
        )
        .map_err(|e| ApiError::invalid_field(e.field, e.message))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Day {
    /// A local date.
    pub date: NaiveDate,
    pub kind: DayKindParam,
    #[schema(example = "国庆节")]
    pub name: String,
}

impl From<SpecialDay> for Day {
    fn from(d: SpecialDay) -> Self {
        Day {
            date: d.day,
            kind: d.kind.into(),
            name: d.name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarView {
    pub week: Week,
    /// The special days from `from` to `to`, in order.
    pub days: Vec<Day>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// First day, `YYYY-MM-DD` (default: 30 days ago).
    pub from: Option<NaiveDate>,
    /// Last day, included (default: a year after `from`); at most three years after `from`.
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct DayBody {
    pub kind: DayKindParam,
    /// What the day is, as the notice names it.
    #[validate(length(min = 1, max = 64, message = "1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64, example = "春节")]
    pub name: String,
}

/// The 403 of `Capability::EditCalendar` (who may: `domain::access`).
const EDIT_REFUSED: &str = "administrators keep the working calendar";

fn date_of(path: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(path, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid_field("date", "a date like 2026-10-01"))
}

/// The working week and the special days between two dates (staff).
#[utoipa::path(
    tag = "calendar",
    params(CalendarQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The week and the special days", body = CalendarView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Residents do not read the working calendar", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid dates", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/calendar")]
pub async fn get_calendar(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<CalendarQuery>,
) -> Result<web::Json<CalendarView>, ApiError> {
    require(
        &actor,
        Capability::ReadCalendar,
        "the working calendar is for staff",
    )?;
    let from = query
        .from
        .unwrap_or_else(|| now().date() - Duration::days(30));
    let to = query.to.unwrap_or(from + Duration::days(366));
    if to < from {
        return Err(ApiError::invalid_field("to", "not before from"));
    }
    if to - from > Duration::days(MAX_SPAN_DAYS) {
        return Err(ApiError::invalid_field(
            "to",
            "at most three years after from",
        ));
    }
    let (week, days) = state
        .db
        .run(move |conn| Ok((calendar::week(conn)?, calendar::days(conn, from, to)?)))
        .await?;
    Ok(web::Json(CalendarView {
        week: Week::from(&week),
        days: days.into_iter().map(Day::from).collect(),
    }))
}

/// Replaces the working week (administrators). Deadlines already running
/// keep their due; new ones count on this week.
#[utoipa::path(
    tag = "calendar",
    request_body = Week,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The week as stored", body = Week),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid periods, weekdays or offset", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/calendar/week")]
pub async fn put_week(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(body): ValidJson<Week>,
) -> Result<web::Json<Week>, ApiError> {
    require(&actor, Capability::EditCalendar, EDIT_REFUSED)?;
    let week = body.parse()?;
    let stored = week.clone();
    state
        .db
        .write(move |conn| calendar::set_week(conn, &stored, now()))
        .await?;
    Ok(web::Json(Week::from(&week)))
}

/// Marks a day as a public holiday or a make-up working day, replacing
/// what it was (administrators).
#[utoipa::path(
    tag = "calendar",
    params(("date" = String, Path, description = "A local date, YYYY-MM-DD", format = Date)),
    request_body = DayBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The day as stored", body = Day),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid date, kind or name", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/calendar/days/{date}")]
pub async fn put_day(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    date: web::Path<String>,
    ValidJson(body): ValidJson<DayBody>,
) -> Result<web::Json<Day>, ApiError> {
    require(&actor, Capability::EditCalendar, EDIT_REFUSED)?;
    let day = SpecialDay {
        day: date_of(&date)?,
        kind: body.kind.into(),
        name: body.name.trim().to_owned(),
    };
    let stored = day.clone();
    state
        .db
        .write(move |conn| calendar::put_day(conn, &stored, now()))
        .await?;
    Ok(web::Json(day.into()))
}

/// The day is an ordinary day of the week again (administrators).
#[utoipa::path(
    tag = "calendar",
    params(("date" = String, Path, description = "A local date, YYYY-MM-DD", format = Date)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The day is not special", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a date", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/calendar/days/{date}")]
pub async fn delete_day(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    date: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::EditCalendar, EDIT_REFUSED)?;
    let day = date_of(&date)?;
    let removed = state
        .db
        .write(move |conn| calendar::delete_day(conn, day))
        .await?;
    if removed {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("the day is not a special day"))
    }
}
