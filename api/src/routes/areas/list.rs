use actix_web::{HttpRequest, HttpResponse, get, web};
use gridops_domain::area::AreaLevel;
use gridops_infra::repo::areas::{self, AreaFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::{AreaItem, Level};
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::extract::{DEFAULT_PAGE, MAX_PAGE};
use crate::public::Reader;
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAreasQuery {
    /// Only areas of this level.
    pub level: Option<Level>,
    /// Only children of this area (code).
    #[validate(length(min = 6, max = 18, message = "an area code has 6 to 18 digits"))]
    #[param(min_length = 6, max_length = 18)]
    pub parent: Option<String>,
    /// `next_cursor` of the previous page.
    #[validate(length(max = 18, message = "not a cursor of this list"))]
    #[param(max_length = 18)]
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500, message = "limit must be between 1 and 500"))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaPage {
    pub items: Vec<AreaItem>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Areas in code order, filtered by level and/or parent, a page at a time.
///
/// Public: without a token the tree ends at communities (grids and
/// micro-grids are left out, so `level=grid` is an empty page) unless the
/// operator publishes grids; anonymous callers are throttled per address.
/// Cacheable: send the `ETag` back in `If-None-Match` to get 304.
#[utoipa::path(
    tag = "areas",
    security((), ("bearer" = [])),
    params(ListAreasQuery),
    responses(
        (status = 200, description = "A page of areas; `ETag`, `Cache-Control` (`public, max-age=300` without a token, `private, max-age=60` with one), `Vary: Authorization`", body = AreaPage),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`; no body"),
        (status = 401, description = "A token was sent but is invalid or expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests without a token from this address; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/areas")]
pub async fn list_areas(
    state: web::Data<AppState>,
    reader: Reader,
    req: HttpRequest,
    ValidQuery(query): ValidQuery<ListAreasQuery>,
) -> Result<HttpResponse, ApiError> {
    let level = query.level.map(AreaLevel::from);
    if level.is_some_and(AreaLevel::is_grid) && !reader.sees_grids() {
        return reader.respond(
            &req,
            &AreaPage {
                items: Vec::new(),
                next_cursor: None,
            },
        );
    }
    let filter = AreaFilter {
        level,
        parent: query.parent,
        after: query.cursor,
        without_grids: !reader.sees_grids(),
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(MAX_PAGE) as usize;
    let page = state
        .db
        .run(move |conn| areas::list(conn, &filter, limit))
        .await?;
    reader.respond(
        &req,
        &AreaPage {
            items: page.items.into_iter().map(AreaItem::from).collect(),
            next_cursor: page.next,
        },
    )
}
