use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, post, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::{now, routing};

use super::dto::{RuleRequest, RuleView};
use super::{CHANGE_REFUSED, load_rule, refused, rule_response};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::state::AppState;

/// Adds a routing rule (administrators). A rule exactly as specific as a
/// saved one that could match the same case is refused with 409 naming both.
#[utoipa::path(
    tag = "routing",
    request_body = RuleRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Saved; `Location` and `ETag` name it", body = RuleView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Ties with a saved rule: `existing_rule` and `new_rule` name both", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: an unknown category, area or party, a bad window, an assist that is no party", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/routing-rules")]
pub async fn create_rule(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidJson(body): ValidJson<RuleRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::ChangeRoutingRules, CHANGE_REFUSED)?;
    let rule = body
        .to_rule(&state, uuid::Uuid::now_v7().to_string())
        .await?;
    let (saving, by) = (rule.clone(), actor.user_id.clone());
    let saved = state
        .db
        .write(move |conn| routing::insert_rule(conn, &saving, &by, now()))
        .await?;
    if let Err(e) = saved {
        return Err(refused(&state, e, &rule.name).await);
    }
    let stored = load_rule(&state, rule.id.clone()).await?;
    let mut response = rule_response(HttpResponse::Created(), &stored);
    response.headers_mut().insert(
        LOCATION,
        format!("/api/v1/routing-rules/{}", rule.id)
            .parse()
            .map_err(ApiError::internal)?,
    );
    Ok(response)
}
