use actix_web::{HttpResponse, get, web};
use gridops_infra::area_file::geometry_value;
use gridops_infra::repo::areas;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::state::AppState;

/// A GeoJSON Feature (RFC 7946) whose geometry is the area's boundary in WGS-84.
#[derive(Debug, Serialize, ToSchema)]
pub struct AreaFeature {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(example = "Feature")]
    pub kind: &'static str,
    pub id: String,
    pub properties: AreaFeatureProperties,
    /// A GeoJSON Polygon or MultiPolygon, `[longitude, latitude]` positions.
    #[schema(value_type = Object)]
    pub geometry: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaFeatureProperties {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub synthetic: bool,
}

/// The area's boundary as a GeoJSON Feature.
#[utoipa::path(
    tag = "areas",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Area code", example = "410102001001001")),
    responses(
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The boundary", body = AreaFeature, content_type = "application/geo+json"),
        (status = 404, description = "No such area, or no boundary stored", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/areas/{code}/geometry")]
pub async fn area_geometry(
    state: web::Data<AppState>,
    _user: AuthUser,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    let missing_detail = format!("no area with code {code}");
    let area = state
        .db
        .run(move |conn| areas::find(conn, &code))
        .await
        .map_err(missing(missing_detail))?;
    let Some(boundary) = &area.boundary else {
        return Err(ApiError::not_found(format!(
            "area {} has no boundary",
            area.code
        )));
    };
    let geometry = serde_json::to_value(geometry_value(boundary)).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/geo+json")
        .json(AreaFeature {
            kind: "Feature",
            id: area.code.to_string(),
            properties: AreaFeatureProperties {
                code: area.code.to_string(),
                name: area.name.clone(),
                name_en: area.name_en.clone(),
                level: area.level.as_str().to_owned(),
                parent_code: area.parent_code.as_ref().map(ToString::to_string),
                synthetic: area.synthetic,
            },
            geometry,
        }))
}
