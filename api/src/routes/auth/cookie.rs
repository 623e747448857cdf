//! The console's session: its refresh token in an HttpOnly, SameSite=Strict
//! cookie that only the auth routes receive, so no script on the page can
//! read a token that survives a reload.
//!
//! A cookie is sent by the browser on its own; what makes its use safe from
//! other sites (CSRF) is SameSite=Strict and the header the console's
//! scripts add, which a form or a link from elsewhere cannot set and a
//! cross-origin script may only set after a CORS preflight this server
//! never grants.

use std::time::Duration;

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time};

use crate::error::ApiError;
use crate::sessions::IssuedTokens;

pub const REFRESH_COOKIE: &str = "gridops_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";
/// `X-Requested-With: gridops-console`.
pub const CONSOLE_HEADER: &str = "X-Requested-With";
const CONSOLE_HEADER_VALUE: &str = "gridops-console";

/// Where the refresh token of a request comes from.
pub enum Presented {
    /// In the JSON body (the phone apps).
    Body(String),
    /// In the console's cookie.
    Cookie(String),
}

impl Presented {
    pub fn token(self) -> String {
        match self {
            Presented::Body(t) | Presented::Cookie(t) => t,
        }
    }

    pub fn is_cookie(&self) -> bool {
        matches!(self, Presented::Cookie(_))
    }
}

/// The refresh token of a refresh or sign-out: the body's, else the
/// cookie's when the console's header is there.
pub fn presented(req: &HttpRequest, in_body: Option<String>) -> Result<Presented, ApiError> {
    if let Some(token) = in_body {
        return Ok(Presented::Body(token));
    }
    let from_console = req
        .headers()
        .get(CONSOLE_HEADER)
        .is_some_and(|v| v.as_bytes() == CONSOLE_HEADER_VALUE.as_bytes());
    let Some(cookie) = req.cookie(REFRESH_COOKIE) else {
        // The console without a session: signed out, not a malformed call.
        if from_console {
            return Err(ApiError::unauthenticated("no console session", false));
        }
        return Err(ApiError::invalid_field(
            "refresh_token",
            "a refresh token, in the body or the console's session cookie",
        ));
    };
    if !from_console {
        return Err(ApiError::forbidden(format!(
            "the session cookie is taken only with `{CONSOLE_HEADER}: {CONSOLE_HEADER_VALUE}`"
        )));
    }
    Ok(Presented::Cookie(cookie.value().to_owned()))
}

/// The cookie holding a new refresh token, for as long as the session may
/// be refreshed.
pub fn holding(req: &HttpRequest, tokens: &IssuedTokens, ttl: Duration) -> Cookie<'static> {
    let max_age = time::Duration::seconds(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX));
    base(req, tokens.refresh_token.clone())
        .max_age(max_age)
        .finish()
}

/// The cookie's removal (signed out, or the token refused).
pub fn cleared(req: &HttpRequest) -> Cookie<'static> {
    let mut cookie = base(req, String::new()).finish();
    cookie.make_removal();
    cookie
}

fn base(req: &HttpRequest, value: String) -> actix_web::cookie::CookieBuilder<'static> {
    // Secure whenever the page came over HTTPS; on plain http (a test on
    // loopback) a Secure cookie would not be kept.
    let secure = req.connection_info().scheme() == "https";
    Cookie::build(REFRESH_COOKIE, value)
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
}
