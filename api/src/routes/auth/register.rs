use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, post, web};
use gridops_domain::role::Role;
use gridops_infra::repo::users::{self, RoleGrant};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::accounts::{AccountRequest, create_account};
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::extract::client_addr;
use crate::routes::users::dto::{PhoneView, UserView};
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterRequest {
    #[schema(example = "li.na")]
    pub username: String,
    /// At least 8 characters.
    #[schema(min_length = 8)]
    pub password: String,
    #[validate(length(max = 100, message = "at most 100 characters"))]
    #[schema(max_length = 100)]
    pub display_name: Option<String>,
    #[schema(example = "13812345678")]
    pub phone: Option<String>,
    /// Code of the resident's home community.
    #[validate(length(min = 12, max = 12, message = "a community code has 12 digits"))]
    #[schema(min_length = 12, max_length = 12, example = "410102003001")]
    pub community: String,
    /// `zh-CN` (default) or `en`.
    #[validate(custom(function = "crate::extract::check_locale"))]
    #[schema(pattern = "^(zh-CN|en)$")]
    pub locale: Option<String>,
}

/// A resident creates their own account in their home community, then signs in.
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered", body = UserView),
        (status = 409, description = "Username or phone taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/register")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = AccountRequest {
        username: body.username,
        password: body.password,
        display_name: body.display_name,
        phone: body.phone,
        locale: body.locale.unwrap_or_else(|| "zh-CN".into()),
        grant: RoleGrant {
            role: Role::Resident,
            area_code: Some(body.community),
            party_code: None,
        },
    };
    let (db, auth, addr) = (state.db.clone(), state.auth.clone(), client_addr(&req));
    let id = web::block(move || create_account(&db, &auth.passwords, &request, None, Some(&addr)))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| match e {
            // The only scope a resident gives is the community.
            crate::accounts::AccountError::Invalid(mut errors) => {
                for error in &mut errors {
                    if error.field == "area" {
                        error.field = "community".into();
                    }
                }
                ApiError::validation(errors)
            }
            other => other.into(),
        })?;
    let account = state.db.run(move |conn| users::find(conn, &id)).await?;
    Ok(HttpResponse::Created()
        .insert_header((LOCATION, "/api/v1/me"))
        .json(UserView::new(&account, PhoneView::Unmasked)))
}
