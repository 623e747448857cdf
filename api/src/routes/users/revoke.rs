use actix_web::{HttpRequest, HttpResponse, delete, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::{audit, users};

use super::load_for;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::extract::client_addr;
use crate::state::AppState;

/// Takes a role away (administrators only). Access tokens already issued
/// keep the role until they expire (minutes).
#[utoipa::path(
    tag = "users",
    params(
        ("id" = String, Path, description = "User id"),
        ("grant_id" = String, Path, description = "Grant id, from the user's `roles`"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user or grant", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}/roles/{grant_id}")]
pub async fn revoke_role(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, grant_id) = path.into_inner();
    let account = load_for(&state, &actor, id, Capability::ManageUsers).await?;
    let (user_id, actor_id, addr) = (
        account.user.id.clone(),
        actor.user_id.clone(),
        client_addr(&req),
    );
    state
        .db
        .write(move |conn| {
            users::remove_grant(conn, &user_id, &grant_id)?;
            audit::record(
                conn,
                &audit::AuditEvent {
                    action: "role_revoked",
                    actor_id: Some(&actor_id),
                    subject: Some(&user_id),
                    client_addr: Some(&addr),
                    detail: &grant_id,
                },
            )
        })
        .await
        .map_err(missing("this user has no such grant"))?;
    Ok(HttpResponse::NoContent().finish())
}
