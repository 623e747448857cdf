//! `/api/v1/hotspot-rules`: when reports of a category make a hotspot. A
//! barking dog is heard by a block (a wide radius, a few nights); a pothole
//! is one spot (a narrow one). Categories without a rule use the server's.

use actix_web::{HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use gridops_domain::access::Capability;
use gridops_domain::hotspot::HotspotRule;
use gridops_infra::DbError;
use gridops_infra::repo::hotspots::{self, HotspotRuleRow};
use gridops_infra::repo::{categories, now};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

const NO_SUCH_CATEGORY: &str = "no such category";

/// A rule's values.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HotspotRuleBody {
    /// Metres around a place within which reports count together, 10–5000.
    #[schema(minimum = 10, maximum = 5000, example = 100)]
    pub radius_m: i64,
    /// Reports that make a hotspot, 2–100.
    #[schema(minimum = 2, maximum = 100, example = 3)]
    pub min_reports: i64,
    /// Days the reports fit in (from the first to the last), 1–365.
    #[schema(minimum = 1, maximum = 365, example = 30)]
    pub within_days: i64,
}

impl From<HotspotRule> for HotspotRuleBody {
    fn from(rule: HotspotRule) -> Self {
        HotspotRuleBody {
            radius_m: i64::from(rule.radius_m()),
            min_reports: i64::from(rule.min_reports()),
            within_days: i64::from(rule.within_days()),
        }
    }
}

/// A category's own rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotspotRuleView {
    #[schema(example = "neighbourhood.dog_noise")]
    pub category: String,
    pub radius_m: i64,
    pub min_reports: i64,
    pub within_days: i64,
    pub updated_at: DateTime<Utc>,
    /// The administrator who set it.
    pub updated_by: String,
}

impl From<HotspotRuleRow> for HotspotRuleView {
    fn from(row: HotspotRuleRow) -> Self {
        HotspotRuleView {
            category: row.category_code,
            radius_m: i64::from(row.radius_m),
            min_reports: i64::from(row.min_reports),
            within_days: i64::from(row.within_days),
            updated_at: row.updated_at.and_utc(),
            updated_by: row.updated_by,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotspotRules {
    /// The server's rule, for every category not listed in `items`.
    pub default: HotspotRuleBody,
    /// The categories with a rule of their own.
    pub items: Vec<HotspotRuleView>,
}

/// The hotspot rules: the server's default and each category's own (staff).
#[utoipa::path(
    tag = "hotspots",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The default and the rules per category", body = HotspotRules),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Residents do not read them", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/hotspot-rules")]
pub async fn list_hotspot_rules(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<web::Json<HotspotRules>, ApiError> {
    require(
        &actor,
        Capability::ReadHotspotRules,
        "staff read the hotspot rules",
    )?;
    let rows = state.db.run(hotspots::rules).await?;
    Ok(web::Json(HotspotRules {
        default: state.hotspots.into(),
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

/// Sets a category's hotspot rule (administrators). Only this category
/// changes, not the categories below it.
#[utoipa::path(
    tag = "hotspots",
    params(("category" = String, Path, description = "Category code")),
    request_body = HotspotRuleBody,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The rule as stored", body = HotspotRuleView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A value out of its range; `errors` names each field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/hotspot-rules/{category}")]
pub async fn put_hotspot_rule(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    category: web::Path<String>,
    ValidJson(body): ValidJson<HotspotRuleBody>,
) -> Result<web::Json<HotspotRuleView>, ApiError> {
    require(
        &actor,
        Capability::EditHotspotRules,
        "administrators set the hotspot rules",
    )?;
    let rule = HotspotRule::new(body.radius_m, body.min_reports, body.within_days).map_err(
        |problems| {
            ApiError::validation(
                problems
                    .into_iter()
                    .map(|p| FieldError {
                        field: p.field.to_owned(),
                        message: p.message,
                    })
                    .collect(),
            )
        },
    )?;
    let row = HotspotRuleRow::new(&category.into_inner(), rule, &actor.user_id, now());
    let stored = state
        .db
        .write(
            move |conn| match categories::find(conn, &row.category_code) {
                Ok(_) => hotspots::put_rule(conn, &row).map(|()| Some(row)),
                Err(DbError::NotFound) => Ok(None),
                Err(e) => Err(e),
            },
        )
        .await?
        .ok_or_else(|| ApiError::not_found(NO_SUCH_CATEGORY))?;
    Ok(web::Json(stored.into()))
}

/// Removes a category's own hotspot rule: the server's default applies
/// again (administrators). Removing a rule the category does not have is
/// no error.
#[utoipa::path(
    tag = "hotspots",
    params(("category" = String, Path, description = "Category code")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The category uses the default"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/hotspot-rules/{category}")]
pub async fn delete_hotspot_rule(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    category: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require(
        &actor,
        Capability::EditHotspotRules,
        "administrators set the hotspot rules",
    )?;
    let category = category.into_inner();
    let found = state
        .db
        .write(move |conn| match categories::find(conn, &category) {
            Ok(_) => hotspots::delete_rule(conn, &category).map(|_| true),
            Err(DbError::NotFound) => Ok(false),
            Err(e) => Err(e),
        })
        .await?;
    if !found {
        return Err(ApiError::not_found(NO_SUCH_CATEGORY));
    }
    Ok(HttpResponse::NoContent().finish())
}
