use actix_web::{HttpRequest, HttpResponse, get, web};
use gridops_infra::repo::areas;
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::AreaItem;
use crate::error::{ApiError, Problem, missing};
use crate::public::Reader;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaDetail {
    #[serde(flatten)]
    pub area: AreaItem,
    /// Whether a boundary is stored (see `/areas/{code}/geometry`).
    pub has_boundary: bool,
    /// From the city down to the parent.
    pub ancestors: Vec<AreaItem>,
    /// Without a token, a community's grids are left out (unless the
    /// operator publishes grids).
    pub children: Vec<AreaItem>,
}

/// One area with its ancestors and children.
///
/// Public: without a token, areas down to communities (a grid or micro-grid
/// is 404, a community has no children) unless the operator publishes grids;
/// anonymous callers are throttled per address. Cacheable: send the `ETag`
/// back in `If-None-Match` to get 304.
#[utoipa::path(
    tag = "areas",
    security((), ("bearer" = [])),
    params(("code" = String, Path, description = "Area code", example = "410102001001")),
    responses(
        (status = 200, description = "The area; `ETag`, `Cache-Control` (`public, max-age=300` without a token, `private, max-age=60` with one), `Vary: Authorization`", body = AreaDetail),
        (status = 304, description = "Unchanged since the `ETag` sent in `If-None-Match`; no body"),
        (status = 401, description = "A token was sent but is invalid or expired", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area, or a grid asked for without a token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests without a token from this address; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/areas/{code}")]
pub async fn get_area(
    state: web::Data<AppState>,
    reader: Reader,
    req: HttpRequest,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let missing_detail = format!("no area with code {code}");
    let (area, children, ancestors) = state
        .db
        .run(move |conn| {
            let area = areas::find(conn, &code)?;
            let children = areas::children(conn, &code)?;
            let mut ancestors = Vec::new();
            let mut next = area.parent_code.clone();
            while let Some(parent) = next.filter(|_| ancestors.len() < 8) {
                let parent = areas::find(conn, parent.as_str())?;
                next = parent.parent_code.clone();
                ancestors.push(parent);
            }
            ancestors.reverse();
            Ok((area, children, ancestors))
        })
        .await
        .map_err(missing(missing_detail.clone()))?;
    // Not there, as far as an anonymous caller can tell.
    if !reader.sees_level(area.level.as_str()) {
        return Err(ApiError::not_found(missing_detail));
    }
    reader.respond(
        &req,
        &AreaDetail {
            area: AreaItem::from(&area),
            has_boundary: area.boundary.is_some(),
            ancestors: ancestors.iter().map(AreaItem::from).collect(),
            children: children
                .into_iter()
                .filter(|child| reader.sees_level(&child.level))
                .map(AreaItem::from)
                .collect(),
        },
    )
}
