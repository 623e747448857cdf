use actix_web::{get, web};
use gridops_domain::area::AreaCode;
use gridops_infra::repo::{campaigns, now};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::dto::{CampaignPage, CampaignView};
use super::{oversees, require_runner};
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{DEFAULT_PAGE, ValidQuery};
use crate::state::AppState;

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// Only campaigns over this area or below it (an area the caller
    /// dispatches, or any for an administrator). Absent: every campaign the
    /// caller may see.
    #[validate(length(min = 1, max = 32, message = "an area code"))]
    #[param(
        pattern = "^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15}|[0-9]{18})$",
        min_length = 1,
        max_length = 32
    )]
    pub area: Option<String>,
    /// `next` of the previous page.
    #[validate(length(max = 64, message = "a cursor from the previous page"))]
    #[param(max_length = 64)]
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    #[validate(range(min = 1, max = 200, message = "1 to 200"))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Campaigns the caller runs, newest first, with their totals: an
/// administrator's all, a dispatcher's those over their area.
#[utoipa::path(
    tag = "campaigns",
    params(CampaignQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of campaigns", body = CampaignPage),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller's roles never run campaigns", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such area, or one the dispatcher does not dispatch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database cannot be reached", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/campaigns")]
pub async fn list_campaigns(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<CampaignQuery>,
) -> Result<web::Json<CampaignPage>, ApiError> {
    require_runner(&actor)?;
    let map = state.areas.current();
    let areas: Option<Vec<AreaCode>> = match &query.area {
        Some(text) => {
            let area = AreaCode::parse(text)
                .ok()
                .filter(|code| map.get(code).is_some() && oversees(&actor, code))
                .ok_or_else(|| ApiError::not_found(format!("no area {text} of yours")))?;
            Some(vec![area])
        }
        None if actor.is_admin() => None,
        None => Some(actor.dispatch_areas().cloned().collect()),
    };
    let limit = query.limit.unwrap_or(DEFAULT_PAGE).min(200) as usize;
    let after = query.cursor.clone();
    let (page, counts) = state
        .db
        .run(move |conn| {
            let page = campaigns::list_campaigns(conn, areas.as_deref(), after.as_deref(), limit)?;
            let ids: Vec<String> = page.items.iter().map(|c| c.id.clone()).collect();
            let counts = campaigns::task_counts(conn, &ids)?;
            Ok((page, counts))
        })
        .await?;
    let now = now();
    Ok(web::Json(CampaignPage {
        items: page
            .items
            .iter()
            .map(|c| {
                let n = counts.get(&c.id).copied().unwrap_or_default();
                CampaignView::listed(c, &map, n, now)
            })
            .collect(),
        next: page.next,
    }))
}
