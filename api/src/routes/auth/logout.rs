use actix_web::{HttpRequest, HttpResponse, post, web};

use super::RefreshTokenRequest;
use super::cookie;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::extract::client_addr;
use crate::sessions;
use crate::state::AppState;

/// Signs out: the session of this refresh token is revoked. Answers 204
/// also for a token already revoked or unknown. The console sends no body
/// (its cookie, with `X-Requested-With: gridops-console`); the cookie is
/// cleared.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshTokenRequest,
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "The console's header without a session cookie: already signed out", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The session cookie without the console's header", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No refresh token given", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<RefreshTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let presented = cookie::presented(&req, body.refresh_token)?;
    let in_cookie = presented.is_cookie();
    sessions::sign_out(&state.db, presented.token(), client_addr(&req)).await?;
    let mut response = HttpResponse::NoContent();
    if in_cookie {
        response.cookie(cookie::cleared(&req));
    }
    Ok(response.finish())
}
