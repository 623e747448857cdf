//! Duty rosters as the API writes and shows them.

use chrono::{DateTime, NaiveDate, Utc};
use gridops_domain::duty::{OnDuty, Why};
use gridops_domain::routing::format_time;
use gridops_infra::repo::rosters::{StoredException, StoredShift};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use validator::Validate;

/// A line of the roster to add.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ShiftRequest {
    /// The user's id: a grid worker or chief of the grid, or of a grid of
    /// the community.
    #[schema(
        min_length = 1,
        max_length = 64,
        example = "0192f0c4-7c1e-7d1a-9a55-3f7a2c1b9e01"
    )]
    #[validate(length(min = 1, max = 64))]
    pub user: String,
    /// ISO weekdays the shift starts on, 1 Monday … 7 Sunday, each once.
    #[schema(schema_with = crate::openapi::schemas::weekdays)]
    pub weekdays: Vec<u32>,
    /// Local start, `HH:MM`.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "22:00")]
    pub starts: String,
    /// Local end, `HH:MM`, excluded; before `starts` for a night across
    /// midnight, which belongs to the weekday it starts on.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "08:00")]
    pub ends: String,
}

/// A day someone is on (`true`) or off duty in the area whatever the
/// roster says; the same user and date again replaces it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ExceptionRequest {
    /// The user's id: a grid worker or chief of the area.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub user: String,
    /// The local date, `YYYY-MM-DD`. Off on a date means the night shift
    /// starting that evening too.
    #[schema(format = Date, example = "2026-12-04")]
    pub date: String,
    pub on_duty: bool,
}

/// A user by id, with their display name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRef {
    pub id: String,
    pub name: String,
}

/// Display names by user id.
pub type UserNames = HashMap<String, String>;

fn user_ref(names: &UserNames, id: &str) -> UserRef {
    UserRef {
        id: id.to_owned(),
        name: names.get(id).cloned().unwrap_or_else(|| id.to_owned()),
    }
}

/// A line of a roster.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShiftView {
    pub id: String,
    /// The grid or community whose roster it is in.
    pub area: String,
    pub user: UserRef,
    pub weekdays: Vec<u32>,
    #[schema(example = "22:00")]
    pub starts: String,
    #[schema(example = "08:00")]
    pub ends: String,
    pub created_at: DateTime<Utc>,
}

impl ShiftView {
    pub fn of(stored: &StoredShift, names: &UserNames) -> Self {
        ShiftView {
            id: stored.id.clone(),
            area: stored.area.clone(),
            user: user_ref(names, &stored.shift.user),
            weekdays: stored.shift.weekdays.clone(),
            starts: format_time(stored.shift.window.start()),
            ends: format_time(stored.shift.window.end()),
            created_at: stored.created_at.and_utc(),
        }
    }
}

/// A day someone is on or off duty.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExceptionView {
    pub id: String,
    pub area: String,
    pub user: UserRef,
    pub date: NaiveDate,
    pub on_duty: bool,
    pub created_at: DateTime<Utc>,
}

impl ExceptionView {
    pub fn of(stored: &StoredException, names: &UserNames) -> Self {
        ExceptionView {
            id: stored.id.clone(),
            area: stored.area.clone(),
            user: user_ref(names, &stored.exception.user),
            date: stored.exception.date,
            on_duty: stored.exception.on_duty,
            created_at: stored.created_at.and_utc(),
        }
    }
}

/// Why someone is on duty.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WhyView {
    /// Their roster: the shift that started on `weekday` holds now.
    Shift {
        weekday: u32,
        starts: String,
        ends: String,
    },
    /// Put on duty on this date.
    OnThatDay { date: NaiveDate },
    /// Walking a patrol of the grid.
    Patrolling,
}

impl From<&Why> for WhyView {
    fn from(why: &Why) -> Self {
        match why {
            Why::Shift { window, weekday } => WhyView::Shift {
                weekday: *weekday,
                starts: format_time(window.start()),
                ends: format_time(window.end()),
            },
            Why::OnThatDay { date } => WhyView::OnThatDay { date: *date },
            Why::Patrolling => WhyView::Patrolling,
        }
    }
}

/// Someone on duty in a grid now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OnDutyView {
    pub grid: String,
    pub user: UserRef,
    pub why: WhyView,
}

impl OnDutyView {
    pub fn of(grid: &str, on: &OnDuty, names: &UserNames) -> Self {
        OnDutyView {
            grid: grid.to_owned(),
            user: user_ref(names, &on.user),
            why: WhyView::from(&on.why),
        }
    }
}

/// A roster: its lines, the day exceptions from yesterday on, and who is on
/// duty now. A grid's roster shows its community's lines and days too, which
/// cover it; a community's shows who is on duty in each of its grids.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RosterView {
    pub area: String,
    /// `grid` or `community`.
    pub level: String,
    /// Local time now, on the working calendar's clock.
    pub local_time: String,
    pub shifts: Vec<ShiftView>,
    pub exceptions: Vec<ExceptionView>,
    pub on_duty: Vec<OnDutyView>,
}
