//! `GET /api/v1/categories`: the incident category tree, public reference
//! data (`crate::public`): the same for anyone, with or without a token.

use actix_web::{HttpRequest, HttpResponse, get, web};
use gridops_domain::category::{Category, TimeLimit, TimeUnit};
use gridops_infra::repo::categories;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::public::Reader;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    WorkingHours,
    WorkingDays,
    CalendarHours,
}

/// A time limit: `amount` working hours, working days (holidays and make-up
/// days counted by the working calendar) or calendar hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct Limit {
    pub amount: u32,
    pub unit: Unit,
}

impl From<TimeLimit> for Limit {
    fn from(l: TimeLimit) -> Self {
        Limit {
            amount: l.amount,
            unit: match l.unit {
                TimeUnit::WorkingHours => Unit::WorkingHours,
                TimeUnit::WorkingDays => Unit::WorkingDays,
                TimeUnit::CalendarHours => Unit::CalendarHours,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryItem {
    /// Dotted path; the parent's code is the prefix.
    #[schema(example = "public_safety.snow_ice")]
    pub code: String,
    #[schema(example = "public_safety")]
    pub parent_code: Option<String>,
    #[schema(example = "雨雪冰冻隐患")]
    pub label_zh: String,
    #[schema(example = "Snow and ice hazards")]
    pub label_en: String,
    /// `low`, `normal`, `high` or `urgent`.
    #[schema(example = "high")]
    pub default_priority: String,
    /// Time to acknowledge (签收) once dispatched.
    pub acknowledge_within: Limit,
    /// Time to resolve once acknowledged.
    pub resolve_within: Limit,
    /// Whether the public reads the description and exact point of its
    /// reports (Open311); false for care and neighbour disputes by default.
    pub public_reports: bool,
}

impl From<Category> for CategoryItem {
    fn from(c: Category) -> Self {
        CategoryItem {
            default_priority: c.default_priority.as_str().to_owned(),
            acknowledge_within: c.acknowledge_within.into(),
            resolve_within: c.resolve_within.into(),
            code: c.code,
            parent_code: c.parent_code,
            label_zh: c.label_zh,
            label_en: c.label_en,
            public_reports: c.public_reports,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryList {
    /// The whole tree, parents before their children.
    pub items: Vec<CategoryItem>,
}

/// Every incident category, parents before children.
///
/// Public: no token needed (anonymous callers are throttled per address).
/// Cacheable: send the `ETag` back in `If-None-Match` to get 304 while it is
/// unchanged.
#[utoipa::path(
    tag = "categories",
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The category tree; `ETag`, `Cache-Control` (`public, max-age=300` without a token, `private, max-age=60` with one), `Vary: Authorization`", body = CategoryList),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`; no body"),
        (status = 401, description = "A token was sent but is invalid or expired", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests without a token from this address; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    reader: Reader,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let list = state.db.run(categories::list).await?;
    reader.respond(
        &req,
        &CategoryList {
            items: list.into_iter().map(CategoryItem::from).collect(),
        },
    )
}
