use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::users;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::dto::{GrantRequest, PhoneView, UserView};
use crate::access::require;
use crate::accounts::{AccountRequest, create_account};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::extract::client_addr;
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateUserRequest {
    /// 3–64 letters, digits, `.`, `_`, `-`; stored lower-case.
    #[schema(example = "wang.li")]
    pub username: String,
    /// At least 8 characters.
    #[schema(min_length = 8)]
    pub password: String,
    #[validate(length(max = 100, message = "at most 100 characters"))]
    #[schema(max_length = 100)]
    pub display_name: Option<String>,
    /// Mainland mobile number.
    #[schema(example = "13812345678")]
    pub phone: Option<String>,
    /// `zh-CN` (default) or `en`.
    #[validate(custom(function = "crate::extract::check_locale"))]
    #[schema(pattern = "^(zh-CN|en)$")]
    pub locale: Option<String>,
    /// The first role, with its scope.
    #[serde(flatten)]
    #[validate(nested)]
    pub grant: GrantRequest,
}

/// Creates an account with one role (administrators only).
#[utoipa::path(
    tag = "users",
    request_body = CreateUserRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username or phone taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    ValidJson(body): ValidJson<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    require(
        &actor,
        Capability::ManageUsers,
        "only administrators create accounts",
    )?;
    let request = AccountRequest {
        username: body.username,
        password: body.password,
        display_name: body.display_name,
        phone: body.phone,
        locale: body.locale.unwrap_or_else(|| "zh-CN".into()),
        grant: body.grant.to_grant(),
    };
    let (db, auth, addr, actor_id) = (
        state.db.clone(),
        state.auth.clone(),
        client_addr(&req),
        actor.user_id.clone(),
    );
    let id = web::block(move || {
        create_account(&db, &auth.passwords, &request, Some(&actor_id), Some(&addr))
    })
    .await
    .map_err(ApiError::internal)??;
    let account = state.db.run(move |conn| users::find(conn, &id)).await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, format!("/api/v1/users/{}", account.user.id)))
        .json(UserView::new(&account, PhoneView::Masked)))
}
