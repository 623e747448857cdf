use actix_web::{HttpRequest, HttpResponse, put, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::{now, routing};

use super::dto::{RuleRequest, RuleView};
use super::{CHANGE_REFUSED, load_rule, refused, rule_response, stale};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::routes::incidents::if_match;
use crate::state::AppState;

/// Replaces a routing rule (administrators). Send the `ETag` you read in
/// `If-Match`: a rule changed meanwhile is 412, not overwritten.
#[utoipa::path(
    tag = "routing",
    params(
        ("id" = String, Path, description = "Rule id"),
        ("If-Match" = Option<String>, Header, description = "The rule's `ETag` as read"),
    ),
    request_body = RuleRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved; the new `ETag`", body = RuleView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Ties with another rule: `existing_rule` and `new_rule` name both", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The rule changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/routing-rules/{id}")]
pub async fn update_rule(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    req: HttpRequest,
    id: web::Path<String>,
    ValidJson(body): ValidJson<RuleRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::ChangeRoutingRules, CHANGE_REFUSED)?;
    let current = load_rule(&state, id.into_inner()).await?;
    let expected = if_match(&req)?.unwrap_or(current.version);
    if expected != current.version {
        return Err(stale(current.version));
    }
    let rule = body.to_rule(&state, current.rule.id.clone()).await?;
    let (saving, by) = (rule.clone(), actor.user_id.clone());
    let saved = state
        .db
        .write(move |conn| routing::update_rule(conn, &saving, expected, &by, now()))
        .await?;
    match saved {
        Ok(true) => {}
        Ok(false) => {
            // Changed or deleted between the read and the write.
            let now_stored = load_rule(&state, rule.id.clone()).await?;
            return Err(stale(now_stored.version));
        }
        Err(e) => return Err(refused(&state, e, &rule.name).await),
    }
    let stored = load_rule(&state, rule.id).await?;
    Ok(rule_response(HttpResponse::Ok(), &stored))
}
