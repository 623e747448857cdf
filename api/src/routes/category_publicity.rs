//! `PUT /api/v1/categories/{code}/public-reports`: whether the public reads
//! the descriptions and exact points of a category's reports (Open311 GET).
//! Care and neighbour disputes start private; administrators decide.

use actix_web::{HttpRequest, put, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::audit::{self, AuditEvent};
use gridops_infra::repo::open311;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::extract::{ValidJson, client_addr};
use crate::state::AppState;

/// The 403 of `Capability::EditCategories` (who may: `domain::access`).
const REFUSED: &str = "only administrators decide what the public reads of a category";

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicityRequest {
    /// True: anyone reads the description and exact point of its reports;
    /// false: only the category, status and area.
    pub public: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicityView {
    #[schema(example = "neighbourhood.dog_noise")]
    pub code: String,
    pub public_reports: bool,
}

/// Sets whether the public reads a category's reports (administrators).
/// Only this category changes, not the categories below it.
#[utoipa::path(
    tag = "categories",
    params(("code" = String, Path, description = "Category code")),
    request_body = PublicityRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The category's publicity as stored", body = PublicityView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`public` missing or not a boolean", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/categories/{code}/public-reports")]
pub async fn put_public_reports(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    code: web::Path<String>,
    req: HttpRequest,
    ValidJson(body): ValidJson<PublicityRequest>,
) -> Result<web::Json<PublicityView>, ApiError> {
    require(&actor, Capability::EditCategories, REFUSED)?;
    let (code, public) = (code.into_inner(), body.public);
    let (target, actor_id, addr) = (code.clone(), actor.user_id.clone(), client_addr(&req));
    state
        .db
        .write(move |conn| {
            open311::set_public_reports(conn, &target, public)?;
            audit::record(
                conn,
                &AuditEvent {
                    action: "category_publicity_set",
                    actor_id: Some(&actor_id),
                    subject: Some(&target),
                    client_addr: Some(&addr),
                    detail: if public { "public" } else { "private" },
                },
            )
        })
        .await
        .map_err(missing("no such category"))?;
    Ok(web::Json(PublicityView {
        code,
        public_reports: public,
    }))
}
