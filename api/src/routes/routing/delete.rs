use actix_web::{HttpResponse, delete, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::routing;

use super::CHANGE_REFUSED;
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Deletes a routing rule (administrators). Decisions it made keep its id.
#[utoipa::path(
    tag = "routing",
    params(("id" = String, Path, description = "Rule id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/routing-rules/{id}")]
pub async fn delete_rule(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::ChangeRoutingRules, CHANGE_REFUSED)?;
    let id = id.into_inner();
    let deleted = state
        .db
        .write(move |conn| routing::delete_rule(conn, &id))
        .await?;
    if !deleted {
        return Err(ApiError::not_found(super::NO_SUCH_RULE));
    }
    Ok(HttpResponse::NoContent().finish())
}
