use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};

use super::dto::RuleView;
use super::{load_rule, may_read_rules, rule_response};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::AppState;

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
    may_read_rules(&actor)?;
    let stored = load_rule(&state, id.into_inner()).await?;
    Ok(rule_response(StatusCode::OK, &stored))
}
