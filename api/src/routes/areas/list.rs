use actix_web::{get, web};
use gridops_infra::repo::areas::{self, AreaFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::{AreaItem, Level};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::extract::{DEFAULT_PAGE, MAX_PAGE};
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAreasQuery {
    /// Only areas of this level.
    pub level: Option<Level>,
    /// Only children of this area (code).
    #[validate(length(min = 6, max = 18, message = "an area code has 6 to 18 digits"))]
    pub parent: Option<String>,
    /// `next_cursor` of the previous page.
    #[validate(length(max = 18, message = "not a cursor of this list"))]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500, message = "limit must be between 1 and 500"))]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaPage {
    pub items: Vec<AreaItem>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Areas in code order, filtered by level and/or parent, a page at a time.
#[utoipa::path(
    tag = "areas",
    security(("bearer" = [])),
    params(ListAreasQuery),
    responses(
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "A page of areas", body = AreaPage),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/areas")]
pub async fn list_areas(
    state: web::Data<AppState>,
    _user: AuthUser,
    ValidQuery(query): ValidQuery<ListAreasQuery>,
) -> Result<web::Json<AreaPage>, ApiError> {
    let filter = AreaFilter {
        level: query.level.map(Into::into),
        parent: query.parent,
        after: query.cursor,
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE) as usize;
    let page = state
        .db
        .run(move |conn| areas::list(conn, &filter, limit))
        .await?;
    Ok(web::Json(AreaPage {
        items: page.items.into_iter().map(AreaItem::from).collect(),
        next_cursor: page.next,
    }))
}
