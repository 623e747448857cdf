use actix_web::{HttpRequest, HttpResponse, post, web};

use super::RefreshTokenRequest;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::extract::client_addr;
use crate::sessions;
use crate::state::AppState;

/// Signs out: the session of this refresh token is revoked. Answers 204
/// also for a token already revoked or unknown.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshTokenRequest,
    responses(
        (status = 204, description = "Signed out"),
        (status = 422, description = "No refresh token given", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<RefreshTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    sessions::sign_out(&state.db, body.refresh_token, client_addr(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}
