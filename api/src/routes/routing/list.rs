use actix_web::{get, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::routing;

use super::READ_REFUSED;
use super::dto::{RuleList, RuleView};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The routing table, oldest rule first (administrators and dispatchers).
#[utoipa::path(
    tag = "routing",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every rule", body = RuleList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither an administrator nor a dispatcher", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/routing-rules")]
pub async fn list_rules(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<web::Json<RuleList>, ApiError> {
    require(&actor, Capability::ReadRoutingRules, READ_REFUSED)?;
    let rules = state.db.run(routing::list_rules).await?;
    Ok(web::Json(RuleList {
        items: rules.iter().map(RuleView::from).collect(),
    }))
}
