use actix_web::{HttpRequest, HttpResponse, post, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::{audit, users};

use super::dto::{GrantRequest, GrantView};
use super::load_for;
use crate::accounts::{AccountError, check_grant};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::extract::client_addr;
use crate::state::AppState;

/// Grants a user another role (administrators only).
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    request_body = GrantRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Granted", body = GrantView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The scope does not fit the role", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/roles")]
pub async fn grant_role(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    req: HttpRequest,
    ValidJson(body): ValidJson<GrantRequest>,
) -> Result<HttpResponse, ApiError> {
    let account = load_for(&state, &actor, id.into_inner(), Capability::ManageUsers).await?;
    let grant = body.to_grant();
    let (user_id, actor_id, addr) = (
        account.user.id.clone(),
        actor.user_id.clone(),
        client_addr(&req),
    );
    let granted = state
        .db
        .write(move |conn| {
            if let Err(e) = check_grant(conn, &grant) {
                return match e {
                    AccountError::Db(e) => Err(e),
                    other => Ok(Err(other)),
                };
            }
            let grant_id = users::add_grant(conn, &user_id, &grant)?;
            audit::record(
                conn,
                &audit::AuditEvent {
                    action: "role_granted",
                    actor_id: Some(&actor_id),
                    subject: Some(&user_id),
                    client_addr: Some(&addr),
                    detail: &format!(
                        "{} {}",
                        grant.role.as_str(),
                        grant
                            .area_code
                            .as_deref()
                            .or(grant.party_code.as_deref())
                            .unwrap_or("")
                    ),
                },
            )?;
            let account = users::find(conn, &user_id)?;
            Ok(Ok(account.grants.into_iter().find(|g| g.id == grant_id)))
        })
        .await?
        .map_err(ApiError::from)?
        .ok_or_else(|| ApiError::internal("the new grant was not read back"))?;
    Ok(HttpResponse::Created().json(GrantView::from(&granted)))
}
