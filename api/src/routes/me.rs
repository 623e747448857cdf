//! `GET /api/v1/me`: the signed-in user and their roles.

use actix_web::{get, web};
use gridops_infra::repo::users;

use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::users::dto::{PhoneView, UserView};
use crate::state::AppState;

/// The signed-in user, their own phone number unmasked, and their roles with
/// their scopes.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = UserView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
pub async fn me(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<web::Json<UserView>, ApiError> {
    let id = actor.user_id.clone();
    let account = state
        .db
        .run(move |conn| users::find(conn, &id))
        .await
        .map_err(|e| match e {
            // Deleted since the token was issued.
            gridops_infra::DbError::NotFound => {
                ApiError::unauthenticated("this account no longer exists", true)
            }
            other => other.into(),
        })?;
    Ok(web::Json(UserView::new(&account, PhoneView::Unmasked)))
}
