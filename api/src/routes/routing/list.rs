use actix_web::{get, web};
use gridops_infra::repo::routing;

use super::dto::{RuleList, RuleView};
use super::may_read_rules;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::routes::AppState;

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
    may_read_rules(&actor)?;
    let rules = state.db.run(routing::list_rules).await?;
    Ok(web::Json(RuleList {
        items: rules.iter().map(RuleView::from).collect(),
    }))
}
