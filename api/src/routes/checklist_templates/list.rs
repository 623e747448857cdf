use actix_web::{get, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::campaigns;

use super::READ_REFUSED;
use super::dto::{TemplateList, TemplateView};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The checklist templates, oldest first (staff: everyone but residents).
#[utoipa::path(
    tag = "campaigns",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every template not deleted", body = TemplateList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A resident", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/checklist-templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<web::Json<TemplateList>, ApiError> {
    require(&actor, Capability::ReadChecklistTemplates, READ_REFUSED)?;
    let templates = state.db.run(campaigns::list_templates).await?;
    Ok(web::Json(TemplateList {
        items: templates.iter().map(TemplateView::from).collect(),
    }))
}
