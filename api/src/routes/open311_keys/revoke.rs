use actix_web::{HttpRequest, post, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::now;

use super::{By, KeyView, NO_SUCH_KEY, REFUSED, revoke};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::extract::client_addr;
use crate::state::AppState;

/// Revokes an Open311 key (administrators): requests with it are answered
/// 403 from now on. Revoking it again changes nothing and answers the same.
#[utoipa::path(
    tag = "open311",
    params(("id" = String, Path, description = "Key id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Revoked, `revoked_at` the first time it was", body = KeyView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/open311/keys/{id}/revoke")]
pub async fn revoke_key(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<web::Json<KeyView>, ApiError> {
    require(&actor, Capability::ManageOpen311Keys, REFUSED)?;
    let (id, actor_id, addr) = (id.into_inner(), actor.user_id.clone(), client_addr(&req));
    let row = state
        .db
        .write(move |conn| {
            let by = By {
                actor_id: Some(&actor_id),
                client_addr: &addr,
            };
            revoke(conn, &id, by, now())
        })
        .await
        .map_err(missing(NO_SUCH_KEY))?;
    Ok(web::Json(KeyView::from(&row)))
}
