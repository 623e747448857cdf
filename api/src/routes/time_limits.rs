//! `/api/v1/categories/{code}/time-limits`: time limits per priority over a
//! category's own (urgent cases typically in calendar hours).

use actix_web::{get, put, web};
use gridops_domain::access::Capability;
use gridops_domain::category::{Priority, TimeLimit, TimeUnit};
use gridops_domain::deadline::{Limits, PriorityLimits};
use gridops_infra::DbError;
use gridops_infra::repo::{categories, time_limits};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitParam {
    /// Counted on the working calendar.
    WorkingHours,
    /// To the close of the last working day.
    WorkingDays,
    /// Round the clock, holidays included.
    CalendarHours,
}

impl From<UnitParam> for TimeUnit {
    fn from(u: UnitParam) -> Self {
        match u {
            UnitParam::WorkingHours => TimeUnit::WorkingHours,
            UnitParam::WorkingDays => TimeUnit::WorkingDays,
            UnitParam::CalendarHours => TimeUnit::CalendarHours,
        }
    }
}

impl From<TimeUnit> for UnitParam {
    fn from(u: TimeUnit) -> Self {
        match u {
            TimeUnit::WorkingHours => UnitParam::WorkingHours,
            TimeUnit::WorkingDays => UnitParam::WorkingDays,
            TimeUnit::CalendarHours => UnitParam::CalendarHours,
        }
    }
}

/// An amount of time: hours or days as `unit` says.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Validate, ToSchema)]
pub struct Amount {
    #[validate(range(min = 1, max = 1000, message = "between 1 and 1000"))]
    #[schema(minimum = 1, maximum = 1000, example = 4)]
    pub amount: u32,
    pub unit: UnitParam,
}

impl From<Amount> for TimeLimit {
    fn from(a: Amount) -> Self {
        TimeLimit {
            amount: a.amount,
            unit: a.unit.into(),
        }
    }
}

impl From<TimeLimit> for Amount {
    fn from(l: TimeLimit) -> Self {
        Amount {
            amount: l.amount,
            unit: l.unit.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityParam {
    Low,
    Normal,
    High,
    Urgent,
}

impl From<PriorityParam> for Priority {
    fn from(p: PriorityParam) -> Self {
        match p {
            PriorityParam::Low => Priority::Low,
            PriorityParam::Normal => Priority::Normal,
            PriorityParam::High => Priority::High,
            PriorityParam::Urgent => Priority::Urgent,
        }
    }
}

impl From<Priority> for PriorityParam {
    fn from(p: Priority) -> Self {
        match p {
            Priority::Low => PriorityParam::Low,
            Priority::Normal => PriorityParam::Normal,
            Priority::High => PriorityParam::High,
            Priority::Urgent => PriorityParam::Urgent,
        }
    }
}

/// The limits of one priority.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
pub struct PriorityLimit {
    pub priority: PriorityParam,
    /// To acknowledge once dispatched (and for dispatchers to triage).
    #[validate(nested)]
    pub acknowledge_within: Amount,
    /// To resolve once dispatched.
    #[validate(nested)]
    pub resolve_within: Amount,
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
pub struct TimeLimits {
    /// The overrides, one per priority at most; priorities not listed use
    /// the category's own limits.
    #[validate(length(max = 4, message = "one per priority at most"), nested)]
    #[schema(max_items = 4)]
    pub items: Vec<PriorityLimit>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeLimitsView {
    pub category: String,
    /// The category's own limits.
    pub acknowledge_within: Amount,
    pub resolve_within: Amount,
    pub items: Vec<PriorityLimit>,
}

fn view(code: String, category: Limits, overrides: Vec<PriorityLimits>) -> TimeLimitsView {
    TimeLimitsView {
        category: code,
        acknowledge_within: category.acknowledge.into(),
        resolve_within: category.resolve.into(),
        items: overrides
            .into_iter()
            .map(|o| PriorityLimit {
                priority: o.priority.into(),
                acknowledge_within: o.limits.acknowledge.into(),
                resolve_within: o.limits.resolve.into(),
            })
            .collect(),
    }
}

async fn load(state: &AppState, code: String) -> Result<TimeLimitsView, ApiError> {
    state
        .db
        .run(move |conn| {
            let category = match categories::find(conn, &code) {
                Ok(c) => c,
                Err(DbError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            };
            let overrides = time_limits::of_category(conn, &code)?;
            let own = Limits {
                acknowledge: category.acknowledge_within,
                resolve: category.resolve_within,
            };
            Ok(Some(view(code, own, overrides)))
        })
        .await?
        .ok_or_else(|| ApiError::not_found("no such category"))
}

/// A category's time limits per priority (everyone signed in, like the categories).
#[utoipa::path(
    tag = "categories",
    params(("code" = String, Path, description = "Category code")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The category's limits and the overrides per priority", body = TimeLimitsView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/categories/{code}/time-limits")]
pub async fn get_time_limits(
    state: web::Data<AppState>,
    _user: AuthUser,
    code: web::Path<String>,
) -> Result<web::Json<TimeLimitsView>, ApiError> {
    Ok(web::Json(load(&state, code.into_inner()).await?))
}

/// Replaces a category's overrides per priority (administrators). Clocks
/// already running keep their due.
#[utoipa::path(
    tag = "categories",
    params(("code" = String, Path, description = "Category code")),
    request_body = TimeLimits,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The limits as stored", body = TimeLimitsView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limits, or a priority twice", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/categories/{code}/time-limits")]
pub async fn put_time_limits(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    code: web::Path<String>,
    ValidJson(body): ValidJson<TimeLimits>,
) -> Result<web::Json<TimeLimitsView>, ApiError> {
    require(
        &actor,
        Capability::EditTimeLimits,
        "administrators set time limits",
    )?;
    let mut overrides: Vec<PriorityLimits> = Vec::new();
    for (i, item) in body.items.iter().enumerate() {
        let priority = Priority::from(item.priority);
        if overrides.iter().any(|o| o.priority == priority) {
            return Err(ApiError::invalid_field(
                format!("items[{i}].priority"),
                "one entry per priority",
            ));
        }
        overrides.push(PriorityLimits {
            priority,
            limits: Limits {
                acknowledge: item.acknowledge_within.into(),
                resolve: item.resolve_within.into(),
            },
        });
    }
    let code = code.into_inner();
    let target = code.clone();
    let found = state
        .db
        .write(move |conn| match categories::find(conn, &target) {
            Ok(_) => time_limits::replace(conn, &target, &overrides).map(|()| true),
            Err(DbError::NotFound) => Ok(false),
            Err(e) => Err(e),
        })
        .await?;
    if !found {
        return Err(ApiError::not_found("no such category"));
    }
    Ok(web::Json(load(&state, code).await?))
}
