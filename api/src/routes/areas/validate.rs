use actix_web::{post, web};
use gridops_domain::access::Capability;
use gridops_infra::area_file::AreaFileError;
use gridops_infra::area_import::AreaFile;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, import_problems};
use crate::extract::ValidJson;
use crate::state::AppState;

/// A GeoJSON FeatureCollection of areas: each Feature has properties `code`,
/// `name`, `name_en`, `level`, `parent_code` (and optionally `synthetic`) and
/// a Polygon or MultiPolygon geometry in WGS-84.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
pub struct AreaFileBody {
    /// `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(pattern = "^FeatureCollection$", example = "FeatureCollection")]
    pub kind: String,
    /// GeoJSON Features, one per area.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::schemas::area_features, required = true)]
    pub features: Option<Vec<serde_json::Value>>,
    /// Other GeoJSON members (`bbox`, foreign members), passed on to the
    /// reader as sent: the file is checked as a whole, as the CLI reads it.
    #[serde(flatten)]
    #[schema(ignore)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaFileCheck {
    /// Always true: a file with problems is answered with 422.
    pub valid: bool,
    /// Areas the file would insert or replace.
    pub areas: usize,
}

/// (Administrators.) Checks an area file against the stored areas exactly as `gridops areas
/// import` would, without storing anything; every problem is listed with
/// its feature (`features[3].geometry`).
#[utoipa::path(
    tag = "areas",
    security(("bearer" = [])),
    request_body(content = AreaFileBody, content_type = "application/geo+json"),
    responses(
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The file would import cleanly", body = AreaFileCheck),
        (status = 400, description = "Not JSON, or not a FeatureCollection", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not sent as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Problems in the file, one entry per feature and field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/areas/validate")]
pub async fn validate_area_file(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(body): ValidJson<AreaFileBody>,
) -> Result<web::Json<AreaFileCheck>, ApiError> {
    require(
        &actor,
        Capability::CheckAreaFile,
        "only administrators check area files",
    )?;
    let existing = state.areas.current();
    // Checking polygons is CPU work: keep it off the async workers.
    let outcome = web::block(move || {
        serde_json::to_string(&body)
            .map_err(|e| AreaFileError::Syntax(e.to_string()))
            .and_then(|text| AreaFile::read(&text))
            .map(|file| file.plan(&existing).map(|planned| planned.len()))
    })
    .await
    .map_err(ApiError::internal)?;
    match outcome {
        Err(e) => Err(ApiError::malformed(e.to_string())),
        Ok(Err(problems)) => Err(ApiError::validation(import_problems(&problems))),
        Ok(Ok(areas)) => Ok(web::Json(AreaFileCheck { valid: true, areas })),
    }
}
