use actix_web::{get, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::campaigns;

use super::dto::TemplateView;
use super::{NO_SUCH_TEMPLATE, READ_REFUSED};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::state::AppState;

/// One checklist template (staff).
#[utoipa::path(
    tag = "campaigns",
    params(("id" = String, Path, description = "Template id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The template", body = TemplateView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A resident", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template (or it was deleted)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/checklist-templates/{id}")]
pub async fn get_template(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<TemplateView>, ApiError> {
    require(&actor, Capability::ReadChecklistTemplates, READ_REFUSED)?;
    let id = id.into_inner();
    let stored = state
        .db
        .run(move |conn| campaigns::find_template(conn, &id))
        .await
        .map_err(missing(NO_SUCH_TEMPLATE))?;
    Ok(web::Json(TemplateView::from(&stored)))
}
