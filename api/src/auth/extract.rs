use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use gridops_domain::access::Actor;

use super::TokenKeys;
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in user. A handler that names it in its signature cannot be
/// reached without a valid access token: there is no route list to forget.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Actor);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Ready<Result<AuthUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

/// The signed-in user, or no one: for the routes anyone may read. Only a
/// request without an `Authorization` header is anonymous; a header that
/// does not hold a valid access token (expired, forged, another scheme) is
/// 401 as it is for [`AuthUser`], so that a client learns its token is bad.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<Actor>);

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = Ready<Result<MaybeAuthUser, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(if req.headers().contains_key(AUTHORIZATION) {
            authenticate(req).map(|AuthUser(actor)| MaybeAuthUser(Some(actor)))
        } else {
            Ok(MaybeAuthUser(None))
        })
    }
}

fn authenticate(req: &HttpRequest) -> Result<AuthUser, ApiError> {
    let keys: &TokenKeys = &req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("the app state is not configured"))?
        .auth
        .keys;
    let header = req.headers().get(AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthenticated(
            "sign in: send `Authorization: Bearer <access token>`",
            false,
        )
    })?;
    // RFC 6750 §3.1: another scheme (Basic) gets a bare challenge, like no
    // header at all; a malformed Bearer header is an invalid token.
    let value = header
        .to_str()
        .map_err(|_| ApiError::unauthenticated("the Authorization header is not ASCII", true))?;
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return Err(ApiError::unauthenticated(
            "send `Authorization: Bearer <access token>`",
            false,
        ));
    };
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::unauthenticated("the bearer token is empty", true));
    }
    keys.verify(token).map(AuthUser).map_err(|e| {
        tracing::debug!(error = %e, "access token refused");
        ApiError::unauthenticated(
            "the access token is invalid or expired; refresh it or sign in again",
            true,
        )
    })
}
