//! `/api/v1/auth`: sign in, refresh, sign out, register.

pub mod cookie;
pub mod login;
pub mod logout;
pub mod refresh;
pub mod register;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::sessions::IssuedTokens;

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer …`, valid for `expires_in` seconds.
    pub access_token: String,
    /// Opaque; exchange it at `/auth/refresh` for a new pair. Each works once.
    /// Absent for the console's session, whose refresh token is in an
    /// HttpOnly cookie instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[schema(example = 900)]
    pub expires_in: u64,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(t: IssuedTokens) -> Self {
        TokenResponse {
            access_token: t.access_token,
            refresh_token: Some(t.refresh_token),
            token_type: "Bearer",
            expires_in: t.expires_in,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RefreshTokenRequest {
    /// Required unless the console's session cookie is sent (with
    /// `X-Requested-With: gridops-console`).
    #[validate(length(
        min = 1,
        max = 512,
        message = "a refresh token has 1 to 512 characters"
    ))]
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: Option<String>,
}

impl TokenResponse {
    /// The answer to the console: the refresh token goes into the cookie,
    /// not the body.
    pub fn answer(
        req: &actix_web::HttpRequest,
        tokens: IssuedTokens,
        in_cookie: bool,
        refresh_ttl: std::time::Duration,
    ) -> actix_web::HttpResponse {
        let mut response = actix_web::HttpResponse::Ok();
        if in_cookie {
            response.cookie(cookie::holding(req, &tokens, refresh_ttl));
        }
        let mut body = TokenResponse::from(tokens);
        if in_cookie {
            body.refresh_token = None;
        }
        response.json(body)
    }
}
