use actix_web::{put, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::{campaigns, now};

use super::dto::{TemplateRequest, TemplateView};
use super::{MANAGE_REFUSED, NO_SUCH_TEMPLATE, checked};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::extract::ValidJson;
use crate::state::AppState;

/// Replaces a checklist template's names and items (administrators).
/// Campaigns already started keep the items they started with.
#[utoipa::path(
    tag = "campaigns",
    params(("id" = String, Path, description = "Template id")),
    request_body = TemplateRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = TemplateView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template (or it was deleted)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named (`items[2].category`: not a leaf category)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/checklist-templates/{id}")]
pub async fn update_template(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    ValidJson(body): ValidJson<TemplateRequest>,
) -> Result<web::Json<TemplateView>, ApiError> {
    require(&actor, Capability::ManageChecklistTemplates, MANAGE_REFUSED)?;
    let id = id.into_inner();
    let existing = id.clone();
    state
        .db
        .run(move |conn| campaigns::find_template(conn, &existing))
        .await
        .map_err(missing(NO_SUCH_TEMPLATE))?;
    let template = checked(&state, id, body).await?;
    let stored = state
        .db
        .write(move |conn| campaigns::update_template(conn, &template, now()))
        .await
        .map_err(missing(NO_SUCH_TEMPLATE))?;
    Ok(web::Json(TemplateView::from(&stored)))
}
