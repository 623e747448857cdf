//! `GET /api/v1/patrols`: a walker's own patrols; a chief's or dispatcher's
//! view of who walked their grids.

use actix_web::{get, web};
use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use gridops_domain::access::Capability;
use gridops_domain::area::AreaCode;
use gridops_domain::patrol::{PatrolScope, PatrolStatus};
use gridops_infra::repo::patrols::{self, PatrolFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::PatrolView;
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{DEFAULT_PAGE, MAX_PAGE, ValidQuery};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PatrolStatusParam {
    Running,
    Ended,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatrolQuery {
    /// Only this walker's patrols (a user id).
    #[validate(length(min = 1, max = 64, message = "1 to 64 characters"))]
    #[param(min_length = 1, max_length = 64)]
    pub worker: Option<String>,
    /// Only patrols with a grid in this area (a grid, community, … code).
    #[validate(length(min = 1, max = 32, message = "an area code"))]
    #[param(
        pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})$",
        min_length = 1,
        max_length = 32
    )]
    pub area: Option<String>,
    /// Started at or after.
    pub from: Option<DateTime<Utc>>,
    /// Started before.
    pub to: Option<DateTime<Utc>>,
    #[param(inline)]
    pub status: Option<PatrolStatusParam>,
    /// `next` of the previous page.
    #[validate(length(max = 200, message = "a cursor from the previous page"))]
    #[param(max_length = 200)]
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[validate(range(min = 1, max = 200, message = "1 to 200"))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PatrolPage {
    pub items: Vec<PatrolView>,
    /// Cursor of the next page; absent on the last.
    pub next: Option<String>,
}

fn parse_cursor(cursor: &str) -> Option<(NaiveDateTime, String)> {
    let (at, id) = cursor.split_once('|')?;
    let at = NaiveDateTime::parse_from_str(at, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    (!id.is_empty()).then(|| (at, id.to_owned()))
}

/// Patrols the caller may read, latest first: their own, and (grid chiefs,
/// dispatchers) those touching the grids they lead or dispatch.
#[utoipa::path(
    tag = "patrols",
    params(PatrolQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of patrols", body = PatrolPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a grid worker, chief or dispatcher", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filters or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/patrols")]
pub async fn list_patrols(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<PatrolQuery>,
) -> Result<web::Json<PatrolPage>, ApiError> {
    require(
        &actor,
        Capability::ListPatrols,
        "patrols are for grid workers, chiefs and dispatchers",
    )?;
    let area = query
        .area
        .as_deref()
        .map(|a| AreaCode::parse(a).map_err(|e| ApiError::invalid_field("area", e.to_string())))
        .transpose()?;
    let after = query
        .cursor
        .as_deref()
        .map(|c| {
            parse_cursor(c)
                .ok_or_else(|| ApiError::invalid_field("cursor", "not a cursor of this list"))
        })
        .transpose()?;
    for (field, at) in [("from", query.from), ("to", query.to)] {
        if at.is_some_and(|t| !(2000..=2999).contains(&t.year())) {
            return Err(ApiError::invalid_field(
                field,
                "a time between the years 2000 and 2999",
            ));
        }
    }
    if let (Some(from), Some(to)) = (query.from, query.to)
        && to < from
    {
        return Err(ApiError::invalid_field("to", "before `from`"));
    }
    let filter = PatrolFilter {
        walker: query.worker,
        area,
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        status: query.status.map(|s| match s {
            PatrolStatusParam::Running => PatrolStatus::Running,
            PatrolStatusParam::Ended => PatrolStatus::Ended,
        }),
    };
    let scope = PatrolScope::of(&actor);
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE) as usize;
    let page = state
        .db
        .run(move |conn| patrols::list(conn, &scope, &filter, after, limit))
        .await?;
    Ok(web::Json(PatrolPage {
        items: page.items.iter().map(PatrolView::from).collect(),
        next: page.next,
    }))
}
