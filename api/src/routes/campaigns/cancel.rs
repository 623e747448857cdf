use actix_web::{post, web};
use gridops_domain::area::AreaCode;
use gridops_infra::repo::{campaigns, now};

use super::dto::CampaignView;
use super::{NO_SUCH_CAMPAIGN, oversees, require_runner};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem, missing};
use crate::state::AppState;

/// Calls a campaign off: its tasks take no more answers, and no grid is
/// overdue any more. Cancelling a cancelled campaign changes nothing and
/// answers the same.
#[utoipa::path(
    tag = "campaigns",
    params(("id" = String, Path, description = "Campaign id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Cancelled (now or before)", body = CampaignView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's roles never run campaigns", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign, or one over an area the dispatcher does not dispatch", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/campaigns/{id}/cancel")]
pub async fn cancel_campaign(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<CampaignView>, ApiError> {
    require_runner(&actor)?;
    let id = id.into_inner();
    let found = id.clone();
    let campaign = state
        .db
        .run(move |conn| campaigns::find_campaign(conn, &found))
        .await
        .map_err(missing(NO_SUCH_CAMPAIGN))?;
    let area = AreaCode::parse(&campaign.area_code)
        .map_err(|e| ApiError::internal(format!("campaign area: {e}")))?;
    if !oversees(&actor, &area) {
        return Err(ApiError::not_found(NO_SUCH_CAMPAIGN));
    }
    let by = actor.user_id.clone();
    let (campaign, counts) = state
        .db
        .write(move |conn| {
            let campaign = campaigns::cancel_campaign(conn, &id, &by, now())?;
            let counts = campaigns::task_counts(conn, std::slice::from_ref(&campaign.id))?;
            Ok((campaign, counts))
        })
        .await?;
    let counts = counts.get(&campaign.id).copied().unwrap_or_default();
    Ok(web::Json(CampaignView::listed(
        &campaign,
        &state.areas.current(),
        counts,
        now(),
    )))
}
