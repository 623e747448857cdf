//! `Idempotency-Key` for creating requests: the first answer to a (user, key)
//! pair is kept and replayed to retries; the same key with another body is
//! 422, a duplicate that ran at the same time as the first 409, no key 400.
//!
//! Nothing is written before the work: the key and its answer are recorded in
//! the work's own transaction (`finish_in`), so an attempt cut short by a
//! crash or an outage leaves no claim behind to block its retry.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, ETAG, LOCATION};
use actix_web::{HttpRequest, HttpResponse};
use gridops_infra::repo::{idempotency, now};
use gridops_infra::token::hash_token;
use gridops_infra::{DbConnection, DbError};
use serde::Serialize;

use crate::error::{ApiError, ErrorCode, PROBLEM_JSON};
use crate::state::AppState;

pub const HEADER: &str = "Idempotency-Key";

/// A key never answered: the request runs, then its answer is recorded under it.
#[derive(Debug, Clone)]
pub struct Claimed {
    user: String,
    key: String,
    /// Of the body as parsed, so that formatting differences do not count.
    request_hash: String,
}

pub enum Begun {
    Fresh(Claimed),
    /// The answer to give again, as first given.
    Replay(HttpResponse),
}

/// Claims the request's key for `user_id`, or answers from an earlier run.
/// `collection` is where created objects live (`/api/v1/incidents`), for the
/// `Location` of a replayed 201.
pub async fn begin(
    state: &AppState,
    user_id: &str,
    req: &HttpRequest,
    body: &impl Serialize,
    collection: &'static str,
) -> Result<Begun, ApiError> {
    let key = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            ApiError::malformed(
                "send an Idempotency-Key header (1–255 characters), the same on every retry",
            )
        })?
        .to_owned();
    let canonical = serde_json::to_string(body).map_err(ApiError::internal)?;
    let claimed = Claimed {
        user: user_id.to_owned(),
        key,
        request_hash: hash_token(&canonical),
    };
    let attempt = claimed.clone();
    let claim = state
        .db
        .run(move |conn| {
            idempotency::lookup(conn, &attempt.user, &attempt.key, &attempt.request_hash)
        })
        .await?;
    match claim {
        idempotency::Claim::Fresh => Ok(Begun::Fresh(claimed)),
        idempotency::Claim::Replay { status, body } => {
            Ok(Begun::Replay(replay(status, body, collection)))
        }
        idempotency::Claim::Mismatch => Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request; use a new key",
        )),
    }
}

/// The status a keyed request answers when it succeeds.
const CREATED: u16 = 201;

impl Claimed {
    /// Records the answer `201 Created` with `body`, in the transaction that
    /// did the work (every keyed request creates something). Fails, rolling
    /// the work back, when a concurrent attempt with the key committed first.
    pub fn finish_in(&self, conn: &mut DbConnection, body: &impl Serialize) -> Result<(), DbError> {
        let json = serde_json::to_string(body).map_err(|e| DbError::Other(e.to_string()))?;
        self.record(conn, CREATED, &json)
    }

    fn record(&self, conn: &mut DbConnection, status: u16, body: &str) -> Result<(), DbError> {
        idempotency::record(
            conn,
            &self.user,
            &self.key,
            &self.request_hash,
            status,
            body,
            now(),
        )
    }

    /// After a failure: when a concurrent attempt with this key answered
    /// first, a 409 (its retry gets that answer); a refusal (4xx) is the
    /// answer to this body and is kept; a failure of ours left nothing
    /// behind, so the retry runs again.
    pub async fn settle_failure(&self, state: &AppState, error: &ApiError) -> Result<(), ApiError> {
        let claimed = self.clone();
        let lost = if error.status().is_client_error() {
            let status = error.status().as_u16();
            let body = serde_json::to_string(&error.problem()).map_err(ApiError::internal)?;
            state
                .db
                .write(move |conn| {
                    idempotency::record_unless_answered(
                        conn,
                        &claimed.user,
                        &claimed.key,
                        &claimed.request_hash,
                        status,
                        &body,
                        now(),
                    )
                    .map(|recorded| !recorded)
                })
                .await?
        } else {
            // Only a read: with the database gone, answer the failure as it is.
            state
                .db
                .run(move |conn| idempotency::answered(conn, &claimed.user, &claimed.key))
                .await
                .unwrap_or(false)
        };
        if lost {
            return Err(ApiError::new(
                ErrorCode::RequestInProgress,
                "a request with this Idempotency-Key was being handled at the same time; retry to get its answer",
            ));
        }
        Ok(())
    }
}

fn replay(status: u16, body: String, collection: &str) -> HttpResponse {
    // An answer recorded by `finish_in`, so a valid status; 200 otherwise.
    let status: StatusCode = status.try_into().unwrap_or_default();
    let mut response = HttpResponse::build(status);
    if status.is_success() {
        if let Ok(view) = serde_json::from_str::<serde_json::Value>(&body) {
            if let Some(id) = view["id"].as_str() {
                response.insert_header((LOCATION, format!("{collection}/{id}")));
            }
            if let Some(version) = view["version"].as_i64() {
                response.insert_header((ETAG, format!("\"{version}\"")));
            }
        }
        response.insert_header((CONTENT_TYPE, "application/json"));
    } else {
        response.insert_header((CONTENT_TYPE, PROBLEM_JSON));
    }
    response
        .insert_header(("Idempotent-Replayed", "true"))
        .body(body)
}
