//! Who is asking, and about which city: the API key of a client
//! application, its quota, and the `jurisdiction_id` a request may name.

use gridops_domain::access::Actor;
use gridops_domain::area::{AreaCode, AreaLevel};
use gridops_infra::repo::open311::{self, KeyRow};

use actix_web::ResponseError;
use actix_web::http::header::RETRY_AFTER;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// An application with a valid key: its requests are reported as its
/// account, which holds no role (the key is the authority).
#[derive(Debug, Clone)]
pub struct Client {
    pub key: KeyRow,
}

impl Client {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.key.user_id.clone(),
            grants: Vec::new(),
        }
    }

    /// Checks `api_key` and counts the request against the key's quota:
    /// 403 for none, an unknown or a revoked key; 429 over the quota.
    pub async fn authenticate(state: &AppState, api_key: Option<&str>) -> Result<Client, ApiError> {
        let Some(api_key) = api_key.map(str::trim).filter(|k| !k.is_empty()) else {
            return Err(ApiError::forbidden(
                "api_key: send the key your city issued to this application",
            ));
        };
        let plain = api_key.to_owned();
        let key = state
            .db
            .run(move |conn| open311::find_key(conn, &plain))
            .await?
            .ok_or_else(|| ApiError::forbidden("api_key: not a key of this city"))?;
        if key.revoked_at.is_some() {
            return Err(ApiError::forbidden("api_key: this key was revoked"));
        }
        let per_minute = u32::try_from(key.per_minute).unwrap_or(0);
        state
            .open311
            .throttle(per_minute)
            .check(&key.id)
            .map_err(|e| over_quota(&e, per_minute))?;
        Ok(Client { key })
    }
}

/// The throttle's 429 in a key's words (a client cannot sign in instead).
fn over_quota(refused: &ApiError, per_minute: u32) -> ApiError {
    let retry = refused
        .error_response()
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("60")
        .to_owned();
    ApiError::new(
        ErrorCode::TooManyRequests,
        format!(
            "api_key: more than {per_minute} requests a minute for this key; try again in {retry} s"
        ),
    )
    .with_header(RETRY_AFTER, retry)
}

/// A request may name the city it is for; a name that is not this city's is
/// a 404 (nothing of that jurisdiction exists here).
pub fn check_jurisdiction(state: &AppState, jurisdiction: Option<&str>) -> Result<(), ApiError> {
    let Some(asked) = jurisdiction.map(str::trim).filter(|j| !j.is_empty()) else {
        return Ok(());
    };
    let known = match &state.open311.jurisdiction {
        Some(configured) => configured == asked,
        None => {
            let map = state.areas.current();
            AreaCode::parse(asked)
                .ok()
                .and_then(|code| map.get(&code).map(|a| a.level == AreaLevel::City))
                .unwrap_or(false)
        }
    };
    if known {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::NotFound,
            format!("jurisdiction_id: {asked} is not served here"),
        ))
    }
}
