use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::TokenResponse;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::extract::client_addr;
use crate::sessions;
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct LoginRequest {
    /// Username or mobile number.
    #[validate(length(min = 1, max = 64, message = "1 to 64 characters"))]
    #[schema(min_length = 1, max_length = 64, example = "worker.guanlan")]
    pub username: String,
    #[validate(length(min = 1, max = 1024, message = "1 to 1024 characters"))]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
    /// `true` (the web console): the refresh token is set as an HttpOnly,
    /// SameSite=Strict cookie for `/api/v1/auth` and left out of the body.
    #[serde(default)]
    pub cookie: bool,
}

/// Signs in. Failed attempts are counted per account and per client
/// address; past the limit the answer is 429 with `Retry-After`, the same
/// whether or not the account exists.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong username or password (`invalid_credentials`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is disabled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let tokens = sessions::sign_in(
        &state.db,
        &state.auth,
        body.username.trim().to_owned(),
        body.password,
        client_addr(&req),
    )
    .await?;
    Ok(TokenResponse::answer(
        &req,
        tokens,
        body.cookie,
        state.auth.refresh_ttl,
    ))
}
