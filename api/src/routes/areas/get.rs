use actix_web::{get, web};
use gridops_infra::repo::areas;
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::AreaItem;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaDetail {
    #[serde(flatten)]
    pub area: AreaItem,
    /// Whether a boundary is stored (see `/areas/{code}/geometry`).
    pub has_boundary: bool,
    /// From the city down to the parent.
    pub ancestors: Vec<AreaItem>,
    pub children: Vec<AreaItem>,
}

/// One area with its ancestors and children.
#[utoipa::path(
    tag = "areas",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Area code", example = "410102001001")),
    responses(
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The area", body = AreaDetail),
        (status = 404, description = "No such area", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/areas/{code}")]
pub async fn get_area(
    state: web::Data<AppState>,
    _user: AuthUser,
    code: web::Path<String>,
) -> Result<web::Json<AreaDetail>, ApiError> {
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
        .map_err(missing(missing_detail))?;
    Ok(web::Json(AreaDetail {
        area: AreaItem::from(&area),
        has_boundary: area.boundary.is_some(),
        ancestors: ancestors.iter().map(AreaItem::from).collect(),
        children: children.into_iter().map(AreaItem::from).collect(),
    }))
}
