use actix_web::{post, web};
use gridops_domain::access::Capability;
use gridops_domain::routing::{Case, format_time, parse_time, route};
use gridops_infra::DbError;
use gridops_infra::repo::{calendar, categories, now, routing};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::READ_REFUSED;
use super::names::{DecisionView, LangQuery, Named, Names, language_of};
use crate::access::require;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::areas::locate::CoordSysParam;
use crate::routes::incidents::dto::{GeoPoint, PriorityParam};
use crate::routes::incidents::location::locate_point;
use crate::state::AppState;

/// A case that might be reported. The body of a report is accepted as it
/// is (other fields are ignored), so a console can ask before it reports.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct PreviewRequest {
    #[validate(length(min = 1, max = 128, message = "1 to 128 characters"))]
    #[schema(min_length = 1, max_length = 128, example = "neighbourhood.dog_noise")]
    pub category: String,
    #[validate(nested)]
    pub location: GeoPoint,
    /// Coordinate system of `location` (default `wgs84`).
    pub coord_sys: Option<CoordSysParam>,
    /// Local time of day (Beijing time), `HH:MM`; now when absent.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "23:30")]
    pub at: Option<String>,
    /// The category's default when absent.
    pub priority: Option<PriorityParam>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewView {
    /// The grid the point lies in.
    pub grid: Named,
    pub category: Named,
    /// `low`, `normal`, `high` or `urgent`.
    pub priority: String,
    /// The local time routed at, `HH:MM`.
    pub at: String,
    #[serde(flatten)]
    pub decision: DecisionView,
}

/// Where a case would be routed now, and why, without storing anything
/// (administrators and dispatchers).
#[utoipa::path(
    tag = "routing",
    params(LangQuery),
    request_body = PreviewRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The decision routing would take", body = PreviewView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Neither an administrator nor a dispatcher", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: an unknown category, a point outside every grid, `at` not HH:MM", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/routing/preview")]
pub async fn preview_routing(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<LangQuery>,
    ValidJson(body): ValidJson<PreviewRequest>,
) -> Result<web::Json<PreviewView>, ApiError> {
    require(&actor, Capability::ReadRoutingRules, READ_REFUSED)?;
    let map = state.areas.current();
    let (_, grid) = locate_point(&map, &body.location, body.coord_sys)?;
    let grid = grid.code.clone();
    let at = match &body.at {
        Some(raw) => Some(
            parse_time(raw).ok_or_else(|| ApiError::invalid_field("at", "a time of day, HH:MM"))?,
        ),
        None => None,
    };
    let language = language_of(&state, &actor, query.lang).await?;
    let (code, priority, areas) = (
        body.category.clone(),
        body.priority.map(Into::into),
        map.clone(),
    );
    let (category, priority, decision, names, at) = state
        .db
        .run(move |conn| {
            let category = match categories::find(conn, &code) {
                Ok(c) => c,
                Err(DbError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            };
            let priority = priority.unwrap_or(category.default_priority);
            // Now, on the wall clocks of the stored calendar's time zone;
            // a time asked for is today's (who is on duty then).
            let local_now = calendar::load(conn, now())?.local(now());
            let local_at = match at {
                Some(at) => local_now.date().and_time(at),
                None => local_now,
            };
            let at = local_at.time();
            let rules = routing::rules(conn)?;
            let directory = routing::StoreDirectory::load(conn, &grid, local_at, &rules)?;
            let case = Case {
                category: &category.code,
                grid: &grid,
                priority,
                at_local: at,
                returned_by: &[],
            };
            let decision = route(&rules, &case, &directory);
            let names = Names::load(conn, areas, &[&decision])?;
            Ok(Some((category, priority, decision, names, at)))
        })
        .await?
        .ok_or_else(|| {
            ApiError::invalid_field("category", format!("no category {}", body.category))
        })?;
    let (_, grid) = locate_point(&map, &body.location, body.coord_sys)?;
    Ok(web::Json(PreviewView {
        grid: Named {
            code: grid.code.to_string(),
            name: names.area_name(&grid.code, language),
        },
        category: Named {
            name: names.category_name(&category.code, language),
            code: category.code,
        },
        priority: priority.as_str().to_owned(),
        at: format_time(at),
        decision: names.view(&decision, language),
    }))
}
