//! Routing 分拨: the rules administrators keep (`/api/v1/routing-rules`), a
//! preview of where a case would go (`/api/v1/routing/preview`), and why an
//! incident went where it did (`/api/v1/incidents/{id}/routing`).

pub mod create;
pub mod delete;
pub mod dto;
pub mod get;
pub mod history;
pub mod list;
pub mod names;
pub mod preview;
pub mod update;

use actix_web::http::header::ETAG;
use actix_web::{HttpResponse, HttpResponseBuilder};
use gridops_domain::routing::{Conflict, RuleRefused};
use gridops_infra::repo::routing::{self, StoredRule};

use crate::error::ApiError;
use crate::routes::incidents::etag;
use crate::state::AppState;
use dto::RuleView;

const NO_SUCH_RULE: &str = "no such routing rule";

/// The 403 of `Capability::ReadRoutingRules` (who may: `domain::access`).
pub const READ_REFUSED: &str = "only administrators and dispatchers read the routing rules";
/// The 403 of `Capability::ChangeRoutingRules`.
pub const CHANGE_REFUSED: &str = "only administrators change the routing rules";

/// A rule with its version as the `ETag`.
pub fn rule_response(mut response: HttpResponseBuilder, stored: &StoredRule) -> HttpResponse {
    response
        .insert_header((ETAG, etag(stored.version)))
        .json(RuleView::from(stored))
}

/// A refused save as the API answers it: 422 naming the field, or 409
/// naming both rules of a tie.
pub async fn refused(state: &AppState, refused: RuleRefused, new_name: &str) -> ApiError {
    match refused {
        RuleRefused::Invalid(e) => ApiError::invalid_field(e.field, e.message),
        RuleRefused::Conflict(Conflict { existing, new }) => {
            let id = existing.clone();
            let existing_name = state
                .db
                .run(move |conn| routing::find_rule(conn, &id))
                .await
                .map(|s| s.rule.name)
                .unwrap_or_else(|_| existing.clone());
            crate::error::rule_conflict(&new, new_name, &existing, &existing_name)
        }
    }
}

/// 412: the rule changed since the client read it.
pub fn stale(current: i64) -> ApiError {
    ApiError::stale_version("rule", current)
}

pub async fn load_rule(state: &AppState, id: String) -> Result<StoredRule, ApiError> {
    state
        .db
        .run(move |conn| routing::find_rule(conn, &id))
        .await
        .map_err(crate::error::missing(NO_SUCH_RULE))
}
