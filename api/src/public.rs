//! The reference data anyone may read without signing in — incident
//! categories and the area tree down to communities — so that a resident
//! can find their community before registering.
//!
//! A handler of such a route names [`Reader`]: a signed-in user reads as
//! before; an anonymous caller (no `Authorization` header at all) is counted
//! against the per-address quota and sees no grids or micro-grids unless the
//! operator publishes them (`--public-grids`). Boundaries stay behind
//! sign-in either way. Answers are cacheable (`conditional`).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use gridops_domain::area::AreaLevel;
use serde::Serialize;

use crate::auth::MaybeAuthUser;
use crate::conditional::{self, CachePolicy};
use crate::error::ApiError;
use crate::settings::Settings;
use crate::state::AppState;
use crate::throttle::{KeyedThrottle, client_address};

/// What anonymous callers may read, and how often.
#[derive(Debug)]
pub struct PublicReference {
    /// Grids and micro-grids (names and codes) are shown to anonymous callers too.
    pub grids: bool,
    /// Take the client address from `Forwarded` / `X-Forwarded-For`.
    pub trust_proxy: bool,
    /// Anonymous requests per client address.
    pub throttle: KeyedThrottle,
}

impl PublicReference {
    pub fn new(settings: &Settings) -> PublicReference {
        PublicReference {
            grids: settings.public_grids,
            trust_proxy: settings.trust_proxy,
            throttle: KeyedThrottle::per_minute(settings.public_rate_per_minute),
        }
    }
}

/// Who reads the public reference data: a signed-in user, or anyone within
/// the quota of their address.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    signed_in: bool,
    sees_grids: bool,
}

impl Reader {
    /// Whether areas of `level` (as the API spells it) are shown: everything
    /// to a signed-in user, down to communities to anyone else.
    pub fn sees_level(&self, level: &str) -> bool {
        self.sees_grids
            || level
                .parse::<AreaLevel>()
                .is_ok_and(|level| !level.is_grid())
    }

    /// Whether grids and micro-grids are shown.
    pub fn sees_grids(&self) -> bool {
        self.sees_grids
    }

    /// `value` as JSON, with an `ETag`, cacheable for the reader's kind
    /// (shared for anyone, private for a user), or 304 when unchanged.
    pub fn respond<T: Serialize>(
        &self,
        req: &HttpRequest,
        value: &T,
    ) -> Result<HttpResponse, ApiError> {
        let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
        let policy = if self.signed_in {
            CachePolicy::SIGNED_IN
        } else {
            CachePolicy::ANONYMOUS
        };
        Ok(conditional::respond(req, body, "application/json", policy))
    }
}

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = Ready<Result<Reader, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        ready(identify(req, payload))
    }
}

fn identify(req: &HttpRequest, payload: &mut Payload) -> Result<Reader, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("the app state is not configured"))?;
    let public = &state.public;
    let signed_in = match MaybeAuthUser::from_request(req, payload).into_inner()? {
        MaybeAuthUser(Some(_)) => true,
        MaybeAuthUser(None) => {
            public
                .throttle
                .check(&client_address(req, public.trust_proxy))?;
            false
        }
    };
    Ok(Reader {
        signed_in,
        sees_grids: signed_in || public.grids,
    })
}
