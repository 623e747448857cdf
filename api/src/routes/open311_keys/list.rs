use actix_web::{get, web};
use gridops_domain::access::Capability;
use gridops_infra::repo::open311;

use super::{KeyList, KeyView, REFUSED};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Every Open311 key, newest first, revoked ones included (administrators).
/// The keys themselves are not stored and never listed.
#[utoipa::path(
    tag = "open311",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every key, without the key itself", body = KeyList),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/open311/keys")]
pub async fn list_keys(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
) -> Result<web::Json<KeyList>, ApiError> {
    require(&actor, Capability::ManageOpen311Keys, REFUSED)?;
    let rows = state.db.run(open311::list_keys).await?;
    Ok(web::Json(KeyList {
        items: rows.iter().map(KeyView::from).collect(),
    }))
}
