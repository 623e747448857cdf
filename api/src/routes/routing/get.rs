use actix_web::{HttpResponse, get, web};
use gridops_domain::access::Capability;

use super::dto::RuleView;
use super::{READ_REFUSED, load_rule, rule_response};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One routing rule; `ETag` is its version.
#[utoipa::path(
    tag = "routing",
    params(("id" = String, Path, description = "Rule id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The rule", body = RuleView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither an administrator nor a dispatcher", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/routing-rules/{id}")]
pub async fn get_rule(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require(&actor, Capability::ReadRoutingRules, READ_REFUSED)?;
    let stored = load_rule(&state, id.into_inner()).await?;
    Ok(rule_response(HttpResponse::Ok(), &stored))
}
