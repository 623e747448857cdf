use actix_web::{HttpRequest, post, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::{audit, sessions, users};

use super::dto::{PhoneView, UserView};
use super::load_for;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::client_addr;
use crate::state::AppState;

/// Disables an account and ends its sessions (administrators only). Its
/// access tokens stay valid until they expire (minutes); refreshing fails.
#[utoipa::path(
    tag = "users",
    params(("id" = String, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Disabled", body = UserView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/disable")]
pub async fn disable_user(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<web::Json<UserView>, ApiError> {
    let account = load_for(&state, &actor, id.into_inner(), Capability::ManageUsers).await?;
    let (user_id, actor_id, addr) = (
        account.user.id.clone(),
        actor.user_id.clone(),
        client_addr(&req),
    );
    let account = state
        .db
        .write(move |conn| {
            users::set_disabled(conn, &user_id, true)?;
            sessions::revoke_user(conn, &user_id)?;
            audit::record(
                conn,
                &audit::AuditEvent {
                    action: "user_disabled",
                    actor_id: Some(&actor_id),
                    subject: Some(&user_id),
                    client_addr: Some(&addr),
                    ..Default::default()
                },
            )?;
            users::find(conn, &user_id)
        })
        .await?;
    Ok(web::Json(UserView::new(&account, PhoneView::Masked)))
}
