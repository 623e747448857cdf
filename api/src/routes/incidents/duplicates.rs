//! Repeated reports (重复上报): open incidents of the same category near a
//! report — offered when it is made, beside a case in the console, and to
//! the hotline before it saves one.

use actix_web::{get, web};
use chrono::{Duration, NaiveDateTime};
use gridops_domain::access::Actor;
use gridops_domain::category::DUPLICATE_WINDOW_HOURS;
use gridops_domain::geo::Coordinates;
use gridops_domain::incident::can_see;
use gridops_domain::incident::duplicates::{self, Candidate, search_box};
use gridops_infra::repo::{categories, incidents, now};
use gridops_infra::{DbConnection, DbError};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::dto::PossibleDuplicate;
use super::load_visible;
use crate::auth::AuthUser;
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::routes::areas::locate::CoordSysParam;
use crate::state::AppState;

/// Open incidents of `category` within the category's radius of `here`,
/// reported in the 72 hours before `until`, nearest first, leaving out
/// `itself`.
pub fn possible_duplicates(
    conn: &mut DbConnection,
    category: &str,
    here: Coordinates,
    radius_m: u32,
    until: NaiveDateTime,
    itself: &str,
) -> Result<Vec<PossibleDuplicate>, DbError> {
    let radius = f64::from(radius_m);
    let since = until - Duration::hours(DUPLICATE_WINDOW_HOURS);
    let candidates = incidents::open_nearby(conn, category, search_box(here, radius), since)?
        .into_iter()
        .filter_map(|n| {
            Some(Candidate {
                at: Coordinates::new(n.lat, n.lng).ok()?,
                id: n.id,
                reference: n.reference,
                status: n.status,
                created_at: n.created_at,
            })
        });
    Ok(duplicates::within(here, radius, itself, candidates)
        .into_iter()
        .map(|d| PossibleDuplicate {
            id: d.candidate.id,
            reference: d.candidate.reference,
            status: d.candidate.status,
            distance_m: d.distance_m,
            created_at: d.candidate.created_at.and_utc(),
        })
        .collect())
}

/// The candidates the caller may see (a resident asking learns nothing of
/// others' reports).
fn visible_to(
    conn: &mut DbConnection,
    actor: &Actor,
    found: Vec<PossibleDuplicate>,
) -> Result<Vec<PossibleDuplicate>, DbError> {
    let ids: Vec<String> = found.iter().map(|d| d.id.clone()).collect();
    let visible: std::collections::HashSet<String> = incidents::find_many(conn, &ids)?
        .into_iter()
        .filter(|s| can_see(&s.incident, actor).is_granted())
        .map(|s| s.incident.id)
        .collect();
    Ok(found
        .into_iter()
        .filter(|d| visible.contains(&d.id))
        .collect())
}

/// The possible duplicates, as of now, the caller may see of a report of
/// `category` at `here` (leaving out `itself`); `None` when there is no
/// such category.
fn shown_near(
    conn: &mut DbConnection,
    actor: &Actor,
    category: &str,
    here: Coordinates,
    itself: &str,
) -> Result<Option<Vec<PossibleDuplicate>>, DbError> {
    let category = match categories::find(conn, category) {
        Ok(c) => c,
        Err(DbError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let found = possible_duplicates(
        conn,
        &category.code,
        here,
        category.duplicate_radius_m,
        now(),
        itself,
    )?;
    visible_to(conn, actor, found).map(Some)
}

/// Open incidents of the same category near this one, reported up to 72
/// hours before it or since: a dispatcher rejects the later as a duplicate
/// of the earlier.
#[utoipa::path(
    tag = "incidents",
    params(("id" = String, Path, description = "Incident id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Possible duplicates, nearest first", body = Vec<PossibleDuplicate>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/{id}/possible-duplicates")]
pub async fn duplicates_of_incident(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    id: web::Path<String>,
) -> Result<web::Json<Vec<PossibleDuplicate>>, ApiError> {
    let stored = load_visible(&state, &actor, id.into_inner()).await?;
    let here = Coordinates::new(stored.lat, stored.lng)
        .map_err(|e| ApiError::internal(format!("a stored incident's point: {e}")))?;
    let found = state
        .db
        .run(move |conn| {
            let i = &stored.incident;
            shown_near(conn, &actor, &i.category, here, &i.id)
        })
        .await?
        .unwrap_or_default();
    Ok(web::Json(found))
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DuplicateCheckQuery {
    /// The category the report would have.
    #[validate(length(min = 1, max = 100, message = "1 to 100 characters"))]
    #[param(min_length = 1, max_length = 100)]
    pub category: String,
    /// Latitude, -90 to 90.
    #[validate(range(min = -90.0, max = 90.0, message = "latitude must be between -90 and 90"))]
    #[param(minimum = -90.0, maximum = 90.0)]
    pub lat: f64,
    /// Longitude, -180 to 180.
    #[validate(range(min = -180.0, max = 180.0, message = "longitude must be between -180 and 180"))]
    #[param(minimum = -180.0, maximum = 180.0)]
    pub lng: f64,
    /// Coordinate system of `lat`/`lng` (default `wgs84`).
    pub coord_sys: Option<CoordSysParam>,
}

/// What a report not yet made would be a duplicate of: the hotline checks
/// before it saves a caller's report.
#[utoipa::path(
    tag = "incidents",
    params(DuplicateCheckQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Open incidents the caller sees that the report may repeat, nearest first", body = Vec<PossibleDuplicate>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such category, or a bad point", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/incidents/possible-duplicates")]
pub async fn duplicates_of_report(
    state: web::Data<AppState>,
    AuthUser(actor): AuthUser,
    ValidQuery(query): ValidQuery<DuplicateCheckQuery>,
) -> Result<web::Json<Vec<PossibleDuplicate>>, ApiError> {
    let here = Coordinates::new(query.lat, query.lng)
        .map_err(|e| ApiError::invalid_field(e.field(), e.to_string()))?
        .to_wgs84(query.coord_sys.unwrap_or_default().into());
    let code = query.category;
    let found = state
        .db
        .run(move |conn| shown_near(conn, &actor, &code, here, ""))
        .await?
        .ok_or_else(|| ApiError::invalid_field("category", "no such category"))?;
    Ok(web::Json(found))
}
