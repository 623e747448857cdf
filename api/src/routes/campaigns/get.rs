use actix_web::{get, web};
use gridops_domain::area::AreaCode;
use gridops_infra::repo::{campaigns, now};

use super::dto::CampaignDetailView;
use super::{NO_SUCH_CAMPAIGN, oversees, require_runner};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::state::AppState;

/// A campaign with every grid's progress (not started / in progress /
/// done, items ok / fixed on the spot / raised, overdue in red) and task
/// (`id`, and each item with its answer once given). Grids come in grid
/// code order; overdue ones are flagged, not moved.
#[utoipa::path(
    tag = "campaigns",
    params(("id" = String, Path, description = "Campaign id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The campaign and its grids", body = CampaignDetailView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's roles never run campaigns", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or one over an area the dispatcher does not dispatch", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/campaigns/{id}")]
pub async fn get_campaign(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<CampaignDetailView>, ApiError> {
    require_runner(&actor)?;
    let id = id.into_inner();
    let detail = state
        .db
        .run(move |conn| campaigns::campaign_detail(conn, &id))
        .await
        .map_err(missing(NO_SUCH_CAMPAIGN))?;
    let area = AreaCode::parse(&detail.campaign.area_code)
        .map_err(|e| ApiError::internal(format!("campaign area: {e}")))?;
    if !oversees(&actor, &area) {
        return Err(ApiError::not_found(NO_SUCH_CAMPAIGN));
    }
    Ok(web::Json(CampaignDetailView::new(
        &detail,
        &state.areas.current(),
        now(),
    )))
}
