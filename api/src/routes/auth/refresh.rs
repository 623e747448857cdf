use actix_web::{HttpRequest, HttpResponse, post, web};

use super::cookie;
use super::{RefreshTokenRequest, TokenResponse};
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::extract::client_addr;
use crate::sessions;
use crate::state::AppState;

/// Exchanges a refresh token for a new access token and a new refresh
/// token. Each refresh token works once: presenting one again revokes the
/// whole session (RFC 9700), on the theory that it was stolen. The console
/// sends no body: its refresh token is the `gridops_refresh` cookie, taken
/// with `X-Requested-With: gridops-console`, and the new one replaces it.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshTokenRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse),
        (status = 401, description = "Invalid, expired, reused or revoked (`invalid_refresh_token`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The session cookie without the console's header", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No refresh token in the body and no session cookie", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<RefreshTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let presented = cookie::presented(&req, body.refresh_token)?;
    let in_cookie = presented.is_cookie();
    let tokens =
        sessions::refresh(&state.db, &state.auth, presented.token(), client_addr(&req)).await;
    match tokens {
        Ok(tokens) => Ok(TokenResponse::answer(
            &req,
            tokens,
            in_cookie,
            state.auth.refresh_ttl,
        )),
        // A cookie that no longer works is dropped, so the console signs in
        // afresh instead of presenting it again.
        Err(e) if in_cookie => Err(e.with_header(
            actix_web::http::header::SET_COOKIE,
            cookie::cleared(&req).to_string(),
        )),
        Err(e) => Err(e),
    }
}
