use actix_web::{HttpRequest, post, web};

use super::{RefreshTokenRequest, TokenResponse};
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::extract::client_addr;
use crate::sessions;
use crate::state::AppState;

/// Exchanges a refresh token for a new access token and a new refresh
/// token. Each refresh token works once: presenting one again revokes the
/// whole session (RFC 9700), on the theory that it was stolen.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshTokenRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse),
        (status = 401, description = "Invalid, expired, reused or revoked (`invalid_refresh_token`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<RefreshTokenRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    let tokens = sessions::refresh(
        &state.db,
        &state.auth,
        body.refresh_token,
        client_addr(&req),
    )
    .await?;
    Ok(web::Json(tokens.into()))
}
