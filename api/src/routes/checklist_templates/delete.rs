use actix_web::{HttpResponse, delete, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::{campaigns, now};

use super::{MANAGE_REFUSED, NO_SUCH_TEMPLATE};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Deletes a checklist template (administrators). Campaigns that used it
/// keep their copy of its items; no new campaign can start from it.
#[utoipa::path(
    tag = "campaigns",
    params(("id" = String, Path, description = "Template id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template (or it was deleted already)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/checklist-templates/{id}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::ManageChecklistTemplates, MANAGE_REFUSED)?;
    let id = id.into_inner();
    let deleted = state
        .db
        .write(move |conn| campaigns::delete_template(conn, &id, now()))
        .await?;
    if !deleted {
        return Err(ApiError::not_found(NO_SUCH_TEMPLATE));
    }
    Ok(HttpResponse::NoContent().finish())
}
